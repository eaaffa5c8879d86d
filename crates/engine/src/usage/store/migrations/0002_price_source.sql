-- Where a row's cost came from (config or catalog), so that costs priced
-- before a price change can be told apart. NULL: unknown or nothing to price.
ALTER TABLE requests ADD COLUMN price_source TEXT;
