//! The hub and its writer on a real SQLite file: once per request, drained
//! on flush, priced, and a failing store only reported.

use std::sync::Arc;

use switchyard_protocol::Format;
use switchyard_protocol::ir::Usage;

use super::store::tests::TempDir;
use super::store::{Query, SqliteStore};
use super::*;
use crate::config::{ModelGlob, PriceOverride};

fn prices(model: &str, rates: ModelPrices) -> Arc<dyn PriceTable> {
    let entry = PriceOverride {
        model: ModelGlob::new(model),
        provider: None,
        prices: rates,
    };
    Arc::new(ConfigPrices::new(vec![entry], None))
}

fn deepseek() -> ModelPrices {
    ModelPrices {
        input: Some(0.27),
        output: Some(1.10),
        cache_read: Some(0.07),
        cache_write: Some(0.0),
        reasoning: None,
    }
}

fn hub(dir: &TempDir, table: Arc<dyn PriceTable>) -> Arc<UsageHub> {
    let options = HubOptions {
        prices: table,
        retention: store::Retention::default(),
        forward: None,
        budgets: Vec::new(),
    };
    Arc::new(UsageHub::open(&dir.db(), options))
}

fn usage(input: u64, output: u64, cache_read: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: cache_read,
        ..Usage::default()
    }
}

/// A request as the server records it.
fn request(hub: &Arc<UsageHub>, model: &str, outcome: Outcome, usage: Usage) {
    let mut record = RequestRecord::new(hub.clone(), "anthropic.messages");
    record.set_inbound(
        Format::Anthropic,
        Some("claude-cli/2.1.330 (external, cli)"),
        321,
    );
    record.set_route("claude-sonnet-4-5", "claude-*", "deepseek", model);
    record.set_status(200);
    record.attempt(200, None, std::time::Duration::from_millis(5));
    record.finish(outcome, usage, None);
}

fn stored(dir: &TempDir) -> Vec<RequestRow> {
    let store = SqliteStore::open(&dir.db()).unwrap();
    let mut rows = Vec::new();
    store
        .export(&Query::default(), &mut |row| {
            rows.push(row);
            Ok(())
        })
        .unwrap();
    rows
}

#[test]
fn issue_12_cost_counts_cache_and_reasoning_and_unknown_is_not_zero() {
    let rates = ModelPrices {
        reasoning: Some(2.0),
        cache_write: Some(0.5),
        ..deepseek()
    };
    let used = Usage {
        input_tokens: 1_000_000,
        output_tokens: 300_000,
        cache_read_tokens: 2_000_000,
        cache_write_tokens: 100_000,
        reasoning_tokens: 100_000,
    };
    // 0.27 + 0.2 × 1.10 + 0.1 × 2.0 + 2 × 0.07 + 0.1 × 0.5
    let cost = rates.cost_usd(&used).unwrap();
    assert!((cost - 0.88).abs() < 1e-12, "{cost}");
    // Reasoning without its own rate is output.
    let cost = deepseek().cost_usd(&usage(0, 1_000_000, 0)).unwrap();
    assert!((cost - 1.10).abs() < 1e-12);
    // A cache read with no cache rate known: unknown, not the input rate.
    let no_cache = ModelPrices {
        cache_read: None,
        ..deepseek()
    };
    assert_eq!(no_cache.cost_usd(&usage(10, 10, 10)), None);
    assert_eq!(ModelPrices::default().cost_usd(&usage(1, 1, 0)), None);
}

#[tokio::test]
async fn issue_12_each_request_is_stored_once_with_its_cost_and_flush_drains() {
    let dir = TempDir::new("hub-once");
    let hub = hub(&dir, prices("deepseek-*", deepseek()));
    for _ in 0..300 {
        request(&hub, "deepseek-chat", Outcome::Ok, usage(1_000, 500, 2_000));
    }
    request(&hub, "unknown-model", Outcome::Ok, usage(10, 10, 0));
    request(&hub, "unknown-model", Outcome::Error, Usage::default());
    // Dropped unfinished: the client went away.
    drop(RequestRecord::new(hub.clone(), "openai.chat"));
    hub.flush().await;

    let rows = stored(&dir);
    assert_eq!(rows.len(), 303);
    assert_eq!(hub.status().stored, 303);
    let first = &rows[0];
    assert_eq!(first.client, "claude_code");
    assert_eq!(first.inbound_format, "anthropic");
    assert_eq!(first.route, "claude-*");
    assert_eq!((first.attempts, first.request_bytes), (1, 321));
    assert_eq!(
        first.attempts_detail,
        r#"[{"provider":"deepseek","model":"deepseek-chat","status":200,"error_kind":null}]"#
    );
    let want = (1_000.0 * 0.27 + 500.0 * 1.10 + 2_000.0 * 0.07) / 1e6;
    assert!((first.cost_usd.unwrap() - want).abs() < 1e-15);
    assert_eq!(first.price_source.as_deref(), Some("config"));
    assert_eq!(rows[300].cost_usd, None, "unknown price");
    assert_eq!(rows[301].cost_usd, Some(0.0), "no tokens, nothing to price");
    assert_eq!(rows[302].outcome, "client_gone");
    assert_eq!(rows[302].attempts, 0);
}

#[tokio::test]
async fn issue_12_a_store_that_fails_is_reported_once_and_recording_goes_on() {
    let dir = TempDir::new("hub-fails");
    let hub = hub(&dir, prices("*", deepseek()));
    request(&hub, "m", Outcome::Ok, usage(1, 1, 0));
    hub.flush().await;
    assert_eq!(hub.status().error, None);

    // Someone breaks the file under the running gateway.
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    conn.execute_batch("ALTER TABLE requests RENAME TO broken")
        .unwrap();
    for _ in 0..3 {
        request(&hub, "m", Outcome::Ok, usage(1, 1, 0));
        hub.flush().await;
    }
    let status = hub.status();
    assert!(status.error.unwrap().contains("requests"));
    assert_eq!((status.stored, status.lost), (1, 3));

    // Repaired: the hub writes again and clears its error.
    conn.execute_batch("ALTER TABLE broken RENAME TO requests")
        .unwrap();
    request(&hub, "m", Outcome::Ok, usage(1, 1, 0));
    hub.flush().await;
    let status = hub.status();
    assert_eq!((status.error, status.stored), (None, 2));
}

#[tokio::test]
async fn issue_12_a_store_that_cannot_open_leaves_a_working_sink() {
    let dir = TempDir::new("hub-no-store");
    // A regular file where the directory should be: fails even for root.
    std::fs::write(dir.0.join("file"), b"x").unwrap();
    let options = HubOptions {
        prices: prices("*", deepseek()),
        retention: store::Retention::default(),
        forward: None,
        budgets: Vec::new(),
    };
    let hub = Arc::new(UsageHub::open(&dir.0.join("file/usage.sqlite3"), options));
    let mut live = hub.subscribe().unwrap();
    request(&hub, "m", Outcome::Ok, usage(1, 1, 0));
    hub.flush().await;
    assert!(hub.status().error.is_some());
    // Live subscribers still hear of it.
    let LiveEvent::Request(row) = live.recv().await.unwrap() else {
        panic!("not a request event");
    };
    assert_eq!(row.upstream_model, "m");
}

#[test]
fn issue_12_fields_lists_every_row_field_in_order() {
    let value = serde_json::to_value(RequestRow::default()).unwrap();
    let mut names: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut fields = store::FIELDS.to_vec();
    names.sort_unstable();
    fields.sort_unstable();
    assert_eq!(names, fields);
}

#[test]
fn issue_12_since_takes_durations_days_and_times() {
    use std::time::{Duration, UNIX_EPOCH};
    let now = UNIX_EPOCH + Duration::from_secs(1_796_083_200 + 3600);
    let parse = |text| report::parse_since(text, now);
    assert_eq!(parse("24h"), Ok((1_796_083_200 + 3600 - 86_400) * 1000));
    assert_eq!(parse("7d"), Ok((1_796_083_200 + 3600 - 7 * 86_400) * 1000));
    assert_eq!(parse("2026-12-01"), Ok(1_796_083_200_000));
    assert_eq!(parse("2026-12-01T00:30:00Z"), Ok(1_796_085_000_000));
    assert!(parse("last tuesday").unwrap_err().contains("--since"));
}

#[test]
fn issue_12_table_and_cost_text_never_show_an_unknown_cost_as_zero() {
    use store::{Group, Report, Totals};
    let priced = Totals {
        requests: 1234,
        input_tokens: 1_234_567,
        cost_usd: Some(0.123_456),
        ..Totals::default()
    };
    let partly = Totals {
        unpriced_requests: 2,
        ..priced.clone()
    };
    let unknown = Totals {
        requests: 2,
        unpriced_requests: 2,
        ..Totals::default()
    };
    assert_eq!(report::cost_text(&priced), "$0.1235");
    assert_eq!(report::cost_text(&partly), "$0.1235 + 2 unpriced");
    assert_eq!(report::cost_text(&unknown), "unknown");
    let report = Report {
        totals: priced,
        groups: vec![Group {
            key: "glm-4.6".into(),
            totals: unknown,
        }],
    };
    let mut out = Vec::new();
    report::write_table(&mut out, &report, Some(store::GroupBy::Model)).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("model") && lines[0].ends_with("cost"),
        "{text}"
    );
    assert!(
        lines[1].contains("1,234,567") && lines[1].ends_with("$0.1235"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("glm-4.6") && lines[2].ends_with("unknown"),
        "{text}"
    );
}

#[test]
fn issue_12_exports_quote_csv_fields_and_keep_json_valid() {
    let dir = TempDir::new("export");
    let mut store = SqliteStore::open(&dir.db()).unwrap();
    let row = RequestRow {
        ts_ms: 1_796_083_200_000,
        client_model: "odd, \"model\"\nname".into(),
        cost_usd: None,
        ..RequestRow::default()
    };
    store.insert(&[Arc::new(row)]).unwrap();
    let mut csv = Vec::new();
    report::export(
        &store,
        &Query::default(),
        report::ExportFormat::Csv,
        &mut csv,
    )
    .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains(",\"odd, \"\"model\"\"\nname\","), "{csv}");
    assert!(csv.starts_with("time,id,ts_ms,"));
    assert!(csv.contains("2026-12-01T00:00:00.000Z,1,"), "{csv}");
    let mut json = Vec::new();
    report::export(
        &store,
        &Query::default(),
        report::ExportFormat::Json,
        &mut json,
    )
    .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(rows[0]["client_model"], "odd, \"model\"\nname");
    assert_eq!(rows[0]["cost_usd"], serde_json::Value::Null);
}

#[test]
fn issue_12_tail_lines_escape_control_characters() {
    let row = RequestRow {
        ts_ms: 1_796_083_200_000 + 45_296_000,
        client: "claude_code".into(),
        client_model: "claude\u{1b}[31m".into(),
        provider: "deepseek".into(),
        upstream_model: "deepseek-chat".into(),
        status: 200,
        outcome: "ok".into(),
        latency_ms: 812,
        input_tokens: 496,
        cache_read_tokens: 1024,
        output_tokens: 96,
        cost_usd: Some(0.0012),
        ..RequestRow::default()
    };
    assert_eq!(
        tail::request_line(&row),
        "12:34:56 claude_code claude\\u{1b}[31m -> deepseek/deepseek-chat 200 ok 812ms in=1520 out=96 cached=1024 $0.0012"
    );
    let progress = StreamProgress {
        id: 1,
        client_model: "claude-sonnet-4-5".into(),
        provider: "deepseek".into(),
        upstream_model: "deepseek-chat".into(),
        elapsed_ms: 3250,
        output_bytes: 1360,
        output_tokens_estimate: 340,
        input_tokens: 0,
        output_tokens: 0,
    };
    assert_eq!(
        tail::progress_line([&progress].into_iter()),
        "▸ 1 running: claude-sonnet-4-5 3.2s ~340 tok"
    );
}

/// Keeps the events it is given.
#[derive(Default)]
struct Kept(std::sync::Mutex<Vec<UsageEvent>>);

impl UsageSink for Kept {
    fn record(&self, event: &UsageEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

#[test]
fn issue_10_fallback_attempts_are_stored_counted_and_detailed() {
    let kept = Arc::new(Kept::default());
    let mut record = RequestRecord::new(kept.clone(), "anthropic.messages");
    record.set_route("claude-sonnet-4-5", "claude-*", "down", "m1");
    record.attempt(0, Some("circuit_open"), std::time::Duration::ZERO);
    record.set_target("flaky", "m2");
    let waited = std::time::Duration::from_millis(3);
    record.attempt(503, Some("upstream_status"), waited);
    record.set_target("deepseek", "deepseek-chat");
    record.attempt(200, None, waited);
    record.set_status(200);
    record.finish(Outcome::Ok, Usage::default(), None);
    let event = kept.0.lock().unwrap().pop().unwrap();
    let row = RequestRow::from_event(&event, None);
    // The skipped target is in the detail, not in the count of requests sent.
    assert_eq!(row.attempts, 2);
    assert_eq!(
        row.attempts_detail,
        concat!(
            r#"[{"provider":"down","model":"m1","status":0,"error_kind":"circuit_open"},"#,
            r#"{"provider":"flaky","model":"m2","status":503,"error_kind":"upstream_status"},"#,
            r#"{"provider":"deepseek","model":"deepseek-chat","status":200,"error_kind":null}]"#
        )
    );
}
