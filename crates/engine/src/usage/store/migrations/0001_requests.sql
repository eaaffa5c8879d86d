-- One row per client request, written once when the request ends.
CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    ts_ms INTEGER NOT NULL,            -- unix milliseconds when the request arrived
    client TEXT NOT NULL,              -- claude_code | codex | gemini_cli | sdk | other
    endpoint TEXT NOT NULL,            -- anthropic.messages, openai.chat, ...
    inbound_format TEXT NOT NULL,      -- the client's API; '' when unknown
    profile TEXT NOT NULL,             -- '' until profiles exist
    route TEXT NOT NULL,               -- the matched [[routes]] pattern
    client_model TEXT NOT NULL,
    provider TEXT NOT NULL,
    upstream_model TEXT NOT NULL,
    attempts INTEGER NOT NULL,         -- requests sent upstream
    attempts_detail TEXT NOT NULL,     -- JSON array, one object per attempt
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,             -- ok | error | stream_error | client_gone
    error_kind TEXT,
    error TEXT,
    stream INTEGER NOT NULL,
    latency_ms INTEGER NOT NULL,
    ttft_ms INTEGER,
    input_tokens INTEGER NOT NULL,     -- uncached input
    output_tokens INTEGER NOT NULL,    -- reasoning included
    cache_read_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cost_usd REAL,                     -- NULL: unknown price, never $0
    request_bytes INTEGER NOT NULL,
    response_bytes INTEGER NOT NULL
);

CREATE INDEX requests_ts ON requests (ts_ms);
