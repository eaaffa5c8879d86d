//! How large the usage store grows and how fast it takes rows:
//! `cargo run --release -p switchyard-engine --example usage_store_size [ROWS]`
//! inserts ROWS (default 100,000) realistic requests the way the writer
//! does (512 per transaction) into a fresh file, then prints the file size
//! and the insert throughput. Figures are in docs/benchmarks.md.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use switchyard_engine::usage::RequestRow;
use switchyard_engine::usage::store::{Query, SqliteStore, UsageStore};

const BATCH: usize = 512;

/// A Claude Code session through DeepSeek and GLM: long cached prompts,
/// short answers, a stream most of the time, one request in fifty failing.
fn row(index: usize, start_ms: i64) -> RequestRow {
    let (provider, model) = if index % 3 == 0 {
        ("zai", "glm-4.6")
    } else {
        ("deepseek", "deepseek-chat")
    };
    let failed = index % 50 == 49;
    let status = if failed { 529 } else { 200 };
    let error_kind = failed.then(|| "upstream_status".to_owned());
    let attempts_detail = format!(
        "[{{\"provider\":\"{provider}\",\"model\":\"{model}\",\"status\":{status},\"error_kind\":{}}}]",
        error_kind
            .as_deref()
            .map_or("null".to_owned(), |kind| format!("\"{kind}\""))
    );
    let spread = |modulo: usize| (index * 7919 % modulo) as u64;
    RequestRow {
        id: 0,
        ts_ms: start_ms + index as i64 * 30_000,
        client: "claude_code".into(),
        endpoint: "anthropic.messages".into(),
        inbound_format: "anthropic".into(),
        profile: String::new(),
        route: "claude-*".into(),
        client_model: "claude-sonnet-4-5-20250929".into(),
        provider: provider.into(),
        upstream_model: model.into(),
        attempts: 1,
        attempts_detail,
        status,
        outcome: if failed { "error" } else { "ok" }.into(),
        error: failed
            .then(|| "upstream `deepseek` answered 529: Overloaded, please retry later".to_owned()),
        error_kind,
        stream: index % 5 != 0,
        latency_ms: 400 + spread(20_000),
        ttft_ms: Some(150 + spread(2_000)),
        input_tokens: 200 + spread(5_000),
        output_tokens: 20 + spread(2_000),
        cache_read_tokens: 20_000 + spread(60_000),
        cache_write_tokens: 0,
        reasoning_tokens: spread(500),
        cost_usd: Some(spread(10_000) as f64 * 1e-7),
        price_source: Some("catalog".into()),
        request_bytes: 60_000 + spread(100_000),
        response_bytes: 500 + spread(20_000),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = std::env::args()
        .nth(1)
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("switchyard-store-size-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("usage.sqlite3");
    let mut store = SqliteStore::open(&path)?;
    let start_ms = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis())?;
    let all: Vec<Arc<RequestRow>> = (0..rows).map(|i| Arc::new(row(i, start_ms))).collect();
    let started = Instant::now();
    for batch in all.chunks(BATCH) {
        store.insert(batch)?;
    }
    let elapsed = started.elapsed();
    let report_started = Instant::now();
    let report = store.report(&Query::default())?;
    let report_time = report_started.elapsed();
    drop(store);
    // Closing checkpoints the WAL into the file and removes it.
    let bytes = std::fs::metadata(&path)?.len();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "rows: {rows} (report counts {})",
        report.totals.requests
    )?;
    writeln!(
        out,
        "file: {bytes} bytes, {:.1} MiB, {:.0} bytes per row, {:.1} MiB per 100,000 rows",
        mib(bytes),
        bytes as f64 / rows as f64,
        mib(bytes) * 100_000.0 / rows as f64
    )?;
    writeln!(
        out,
        "insert: {:.2} s, {:.0} rows/s, {:.1} µs per row ({BATCH} per transaction)",
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64(),
        micros(elapsed) / rows as f64
    )?;
    writeln!(
        out,
        "totals over all rows: {:.1} ms",
        micros(report_time) / 1000.0
    )?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}
