//! The SQLite usage store: one file, WAL (the CLI reads while the gateway
//! writes), migrations from `migrations/*.sql` tracked in `schema_version`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{GroupBy, Query, Report, RequestRow, Retention, StoreError, Totals, UsageStore};

/// Each migration moves the schema from its index to its index + 1.
const MIGRATIONS: [&str; 2] = [
    include_str!("migrations/0001_requests.sql"),
    include_str!("migrations/0002_price_source.sql"),
];

/// The schema this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The CLI waits this long for the writer's lock instead of failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const COLUMNS: &str = "ts_ms, client, endpoint, inbound_format, profile, route, client_model, \
    provider, upstream_model, attempts, attempts_detail, status, outcome, error_kind, error, \
    stream, latency_ms, ttft_ms, input_tokens, output_tokens, cache_read_tokens, \
    cache_write_tokens, reasoning_tokens, cost_usd, request_bytes, response_bytes, price_source";

const SUMS: &str = "COUNT(*), TOTAL(input_tokens), TOTAL(output_tokens), \
    TOTAL(cache_read_tokens), TOTAL(cache_write_tokens), TOTAL(reasoning_tokens), \
    SUM(cost_usd), TOTAL(cost_usd IS NULL), TOTAL(outcome <> 'ok')";

pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating it and its directory if needed) and migrates.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_at(path, SCHEMA_VERSION)
    }

    /// Opens an existing store for reading; `None` if there is none yet.
    pub fn open_existing(path: &Path) -> Result<Option<Self>, StoreError> {
        if !path.exists() {
            return Ok(None);
        }
        Self::open(path).map(Some)
    }

    /// A store migrated only up to `version` (tests of the migrations).
    pub(super) fn open_at(path: &Path, version: u32) -> Result<Self, StoreError> {
        let open_error = |message: String| StoreError::Open {
            path: path.display().to_string(),
            message,
        };
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|err| open_error(err.to_string()))?;
        }
        let conn = Connection::open(path).map_err(|err| open_error(err.to_string()))?;
        configure(&conn).map_err(|err| open_error(err.to_string()))?;
        let mut store = Self { conn };
        store.migrate(path, version)?;
        Ok(store)
    }

    /// The schema version the file is at.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        let version: Option<u32> = self
            .conn
            .query_row("SELECT MAX(version) FROM schema_version", [], |row| {
                row.get(0)
            })
            .optional()?
            .flatten();
        Ok(version.unwrap_or(0))
    }

    fn migrate(&mut self, path: &Path, target: u32) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
        )?;
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.display().to_string(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().take(target as usize) {
            let version = index as u32 + 1;
            if version <= found {
                continue;
            }
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.execute("DELETE FROM schema_version", [])?;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES (?1)",
                [version],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Bytes the rows and indexes take (free pages not counted).
    pub fn used_bytes(&self) -> Result<u64, StoreError> {
        let pragma = |name: &str| -> Result<i64, StoreError> {
            Ok(self
                .conn
                .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))?)
        };
        let used = (pragma("page_count")? - pragma("freelist_count")?) * pragma("page_size")?;
        Ok(used.unsigned_abs())
    }

    pub fn path(&self) -> PathBuf {
        PathBuf::from(self.conn.path().unwrap_or_default())
    }
}

/// WAL so readers never block the writer; NORMAL sync is durable across
/// crashes of the process (not of the machine) and needs no fsync per batch;
/// incremental auto-vacuum (it only takes on a new file) gives pruned pages
/// back to the file system.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch("PRAGMA auto_vacuum = INCREMENTAL")?;
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    // Rows are appended, rarely read back: a small page cache (KiB) does.
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -512")
}

impl UsageStore for SqliteStore {
    fn insert(&mut self, rows: &[Arc<RequestRow>]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let sql = format!(
                "INSERT INTO requests ({COLUMNS}) VALUES \
                 (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
                  ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)"
            );
            let mut insert = tx.prepare_cached(&sql)?;
            for row in rows {
                insert.execute(params![
                    row.ts_ms,
                    row.client,
                    row.endpoint,
                    row.inbound_format,
                    row.profile,
                    row.route,
                    row.client_model,
                    row.provider,
                    row.upstream_model,
                    row.attempts,
                    row.attempts_detail,
                    row.status,
                    row.outcome,
                    row.error_kind,
                    row.error,
                    row.stream,
                    int(row.latency_ms),
                    row.ttft_ms.map(int),
                    int(row.input_tokens),
                    int(row.output_tokens),
                    int(row.cache_read_tokens),
                    int(row.cache_write_tokens),
                    int(row.reasoning_tokens),
                    row.cost_usd,
                    int(row.request_bytes),
                    int(row.response_bytes),
                    row.price_source,
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn report(&self, query: &Query) -> Result<Report, StoreError> {
        let since = query.since_ms.unwrap_or(i64::MIN);
        let sql = format!("SELECT '', {SUMS} FROM requests WHERE ts_ms >= ?1");
        let totals = self.conn.query_row(&sql, [since], group_row)?.totals;
        let Some(by) = query.by else {
            return Ok(Report {
                totals,
                groups: Vec::new(),
            });
        };
        let order = match by {
            GroupBy::Day => "1",
            _ => "SUM(cost_usd) IS NULL, SUM(cost_usd) DESC, COUNT(*) DESC, 1",
        };
        let sql = format!(
            "SELECT {key}, {SUMS} FROM requests WHERE ts_ms >= ?1 GROUP BY 1 ORDER BY {order}",
            key = group_key(by),
        );
        let mut statement = self.conn.prepare(&sql)?;
        let groups = statement
            .query_map([since], group_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Report { totals, groups })
    }

    fn export(
        &self,
        query: &Query,
        each: &mut dyn FnMut(RequestRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let since = query.since_ms.unwrap_or(i64::MIN);
        let sql = format!("SELECT id, {COLUMNS} FROM requests WHERE ts_ms >= ?1 ORDER BY id");
        let mut statement = self.conn.prepare(&sql)?;
        let mut rows = statement.query([since])?;
        while let Some(row) = rows.next()? {
            each(request_row(row)?)?;
        }
        Ok(())
    }

    fn prune(&mut self, retention: &Retention, now_ms: i64) -> Result<u64, StoreError> {
        let mut deleted = 0;
        if let Some(age) = retention.max_age {
            let cutoff = now_ms.saturating_sub(i64::try_from(age.as_millis()).unwrap_or(i64::MAX));
            deleted += self
                .conn
                .execute("DELETE FROM requests WHERE ts_ms < ?1", [cutoff])?;
        }
        if let Some(max) = retention.max_bytes {
            deleted += self.prune_to_size(max)?;
        }
        if deleted > 0 {
            self.conn.execute_batch("PRAGMA incremental_vacuum")?;
        }
        Ok(deleted as u64)
    }
}

impl SqliteStore {
    /// Deletes the oldest tenth until the rows fit in `max` bytes.
    fn prune_to_size(&mut self, max: u64) -> Result<usize, StoreError> {
        let mut deleted = 0;
        while self.used_bytes()? > max {
            let count: i64 = self
                .conn
                .query_row("SELECT COUNT(*) FROM requests", [], |row| row.get(0))?;
            if count == 0 {
                break;
            }
            deleted += self.conn.execute(
                "DELETE FROM requests WHERE id IN (SELECT id FROM requests ORDER BY id LIMIT ?1)",
                [(count / 10).max(1)],
            )?;
        }
        Ok(deleted)
    }
}

/// Safe to splice into SQL: a fixed string per variant.
fn group_key(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Model => "upstream_model",
        GroupBy::Provider => "provider",
        GroupBy::Client => "client",
        GroupBy::Profile => "profile",
        GroupBy::Day => "strftime('%Y-%m-%d', ts_ms / 1000, 'unixepoch')",
    }
}

/// A key and the `SUMS` columns after it.
fn group_row(row: &Row<'_>) -> rusqlite::Result<super::Group> {
    let count = |index: usize| -> rusqlite::Result<u64> {
        let total: f64 = row.get(index)?;
        Ok(total as u64)
    };
    Ok(super::Group {
        key: row.get::<_, Option<String>>(0)?.unwrap_or_default(),
        totals: Totals {
            requests: row.get::<_, i64>(1)?.unsigned_abs(),
            input_tokens: count(2)?,
            output_tokens: count(3)?,
            cache_read_tokens: count(4)?,
            cache_write_tokens: count(5)?,
            reasoning_tokens: count(6)?,
            cost_usd: row.get(7)?,
            unpriced_requests: count(8)?,
            failed_requests: count(9)?,
        },
    })
}

fn request_row(row: &Row<'_>) -> rusqlite::Result<RequestRow> {
    let count =
        |index: usize| -> rusqlite::Result<u64> { Ok(row.get::<_, i64>(index)?.unsigned_abs()) };
    Ok(RequestRow {
        id: row.get(0)?,
        ts_ms: row.get(1)?,
        client: row.get(2)?,
        endpoint: row.get(3)?,
        inbound_format: row.get(4)?,
        profile: row.get(5)?,
        route: row.get(6)?,
        client_model: row.get(7)?,
        provider: row.get(8)?,
        upstream_model: row.get(9)?,
        attempts: row.get(10)?,
        attempts_detail: row.get(11)?,
        status: row.get(12)?,
        outcome: row.get(13)?,
        error_kind: row.get(14)?,
        error: row.get(15)?,
        stream: row.get(16)?,
        latency_ms: count(17)?,
        ttft_ms: row.get::<_, Option<i64>>(18)?.map(i64::unsigned_abs),
        input_tokens: count(19)?,
        output_tokens: count(20)?,
        cache_read_tokens: count(21)?,
        cache_write_tokens: count(22)?,
        reasoning_tokens: count(23)?,
        cost_usd: row.get(24)?,
        request_bytes: count(25)?,
        response_bytes: count(26)?,
        price_source: row.get(27)?,
    })
}

/// SQLite integers are signed; counts never come near the limit.
fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
