//! The SQLite store on real files: migrations, reports, export, retention.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;

use super::*;

const DAY_MS: i64 = 86_400_000;
/// 2026-12-01T00:00:00Z
const DEC_1: i64 = 1_796_083_200_000;

/// A fresh directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(pub PathBuf);

impl TempDir {
    pub(crate) fn new(label: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("switchyard-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub(crate) fn db(&self) -> PathBuf {
        self.0.join("usage.sqlite3")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn row(ts_ms: i64, model: &str, provider: &str, client: &str, cost: Option<f64>) -> RequestRow {
    RequestRow {
        id: 0,
        ts_ms,
        client: client.into(),
        endpoint: "anthropic.messages".into(),
        inbound_format: "anthropic".into(),
        profile: String::new(),
        route: "claude-*".into(),
        client_model: "claude-sonnet-4-5".into(),
        provider: provider.into(),
        upstream_model: model.into(),
        attempts: 1,
        attempts_detail: r#"[{"provider":"p","model":"m","status":200,"error_kind":null}]"#.into(),
        status: 200,
        outcome: "ok".into(),
        error_kind: None,
        error: None,
        stream: true,
        latency_ms: 812,
        ttft_ms: Some(95),
        input_tokens: 100,
        output_tokens: 20,
        cache_read_tokens: 1000,
        cache_write_tokens: 5,
        reasoning_tokens: 7,
        cost_usd: cost,
        price_source: cost.map(|_| "config".into()),
        request_bytes: 4096,
        response_bytes: 2048,
    }
}

fn insert(store: &mut SqliteStore, rows: Vec<RequestRow>) {
    let rows: Vec<Arc<RequestRow>> = rows.into_iter().map(Arc::new).collect();
    store.insert(&rows).unwrap();
}

fn exported(store: &SqliteStore, since_ms: Option<i64>) -> Vec<RequestRow> {
    let mut rows = Vec::new();
    let query = Query { since_ms, by: None };
    store
        .export(&query, &mut |row| {
            rows.push(row);
            Ok(())
        })
        .unwrap();
    rows
}

#[test]
fn issue_12_an_empty_file_is_migrated_to_the_current_schema_in_wal_mode() {
    let dir = TempDir::new("store-empty");
    let path = dir.0.join("nested/dir/usage.sqlite3");
    let mut store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    // WAL is a property of the file: another connection sees it.
    let mode: String = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");

    let written = row(
        DEC_1,
        "deepseek-chat",
        "deepseek",
        "claude_code",
        Some(0.0123),
    );
    insert(&mut store, vec![written.clone()]);
    drop(store);
    // Reopening applies nothing twice.
    let store = SqliteStore::open(&path).unwrap();
    let rows = exported(&store, None);
    assert_eq!(rows, vec![RequestRow { id: 1, ..written }]);
}

#[test]
fn issue_12_the_previous_schema_is_migrated_keeping_its_rows() {
    let dir = TempDir::new("store-previous");
    let path = dir.db();
    let store = SqliteStore::open_at(&path, SCHEMA_VERSION - 1).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION - 1);
    drop(store);
    // A row as the previous version wrote it (no price_source column yet).
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "INSERT INTO requests (ts_ms, client, endpoint, inbound_format, profile, route, \
         client_model, provider, upstream_model, attempts, attempts_detail, status, outcome, \
         stream, latency_ms, input_tokens, output_tokens, cache_read_tokens, \
         cache_write_tokens, reasoning_tokens, cost_usd, request_bytes, response_bytes) VALUES \
         (1796083200000, 'codex', 'openai.responses', 'openai_responses', '', '*', 'gpt-5', \
          'mock', 'm1', 1, '[]', 200, 'ok', 0, 40, 11, 2, 0, 0, 0, 0.5, 300, 200)",
    )
    .unwrap();
    drop(conn);

    let mut store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    insert(
        &mut store,
        vec![row(DEC_1 + 1, "m2", "mock", "sdk", Some(1.0))],
    );
    let rows = exported(&store, None);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[0].client.as_str(),
            rows[0].input_tokens,
            rows[0].cost_usd
        ),
        ("codex", 11, Some(0.5))
    );
    assert_eq!(rows[0].price_source, None);
    assert_eq!(rows[1].price_source.as_deref(), Some("config"));
}

#[test]
fn issue_12_a_store_from_a_newer_switchyard_is_refused() {
    let dir = TempDir::new("store-newer");
    let path = dir.db();
    drop(SqliteStore::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    conn.execute("UPDATE schema_version SET version = 99", [])
        .unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).err().unwrap();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err}"
    );
}

#[test]
fn issue_12_reports_sum_tokens_and_known_costs_by_group() {
    let dir = TempDir::new("store-report");
    let mut store = SqliteStore::open(&dir.db()).unwrap();
    insert(
        &mut store,
        vec![
            row(
                DEC_1,
                "deepseek-chat",
                "deepseek",
                "claude_code",
                Some(0.25),
            ),
            row(
                DEC_1 + 10,
                "deepseek-chat",
                "deepseek",
                "claude_code",
                Some(0.5),
            ),
            RequestRow {
                profile: "cheap".into(),
                ..row(DEC_1 + DAY_MS, "glm-4.6", "zai", "codex", None)
            },
            RequestRow {
                outcome: "error".into(),
                input_tokens: 0,
                output_tokens: 0,
                cache_read_tokens: 0,
                cache_write_tokens: 0,
                reasoning_tokens: 0,
                ..row(DEC_1 + DAY_MS, "glm-4.6", "zai", "codex", Some(0.0))
            },
        ],
    );
    let by = |by| {
        store
            .report(&Query {
                since_ms: None,
                by: Some(by),
            })
            .unwrap()
    };
    let report = by(GroupBy::Model);
    let totals = &report.totals;
    assert_eq!(totals.requests, 4);
    assert_eq!(totals.input_tokens, 300);
    assert_eq!(totals.output_tokens, 60);
    assert_eq!(totals.cache_read_tokens, 3000);
    assert_eq!(totals.cache_write_tokens, 15);
    assert_eq!(totals.reasoning_tokens, 21);
    assert_eq!(totals.cost_usd, Some(0.75));
    assert_eq!(totals.unpriced_requests, 1);
    assert_eq!(totals.failed_requests, 1);
    let keys: Vec<&str> = report.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["deepseek-chat", "glm-4.6"]);
    assert_eq!(report.groups[0].totals.cost_usd, Some(0.75));
    // Only free requests are priced in glm's group: its cost is what is known.
    assert_eq!(report.groups[1].totals.cost_usd, Some(0.0));
    assert_eq!(report.groups[1].totals.unpriced_requests, 1);

    let days = by(GroupBy::Day);
    let keys: Vec<&str> = days.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["2026-12-01", "2026-12-02"]);
    let clients = by(GroupBy::Client);
    assert_eq!(clients.groups[0].key, "claude_code");
    assert_eq!(by(GroupBy::Provider).groups[1].key, "zai");
    let profiles = by(GroupBy::Profile);
    let keyed: Vec<(&str, u64)> = (profiles.groups.iter())
        .map(|g| (g.key.as_str(), g.totals.requests))
        .collect();
    assert_eq!(keyed, [("", 3), ("cheap", 1)]);

    let recent = store
        .report(&Query {
            since_ms: Some(DEC_1 + DAY_MS),
            by: None,
        })
        .unwrap();
    assert_eq!(recent.totals.requests, 2);
    assert_eq!(recent.totals.cost_usd, Some(0.0));
    assert!(recent.groups.is_empty());
}

#[test]
fn issue_12_an_unknown_cost_stays_unknown_in_the_totals() {
    let dir = TempDir::new("store-unknown");
    let mut store = SqliteStore::open(&dir.db()).unwrap();
    insert(&mut store, vec![row(DEC_1, "m", "p", "other", None)]);
    let report = store.report(&Query::default()).unwrap();
    assert_eq!(report.totals.cost_usd, None);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["cost_usd"], serde_json::Value::Null);
    assert_eq!(json["requests"], 1);
    // An empty store has no cost either, and zero requests.
    let empty = SqliteStore::open(&dir.0.join("empty.sqlite3")).unwrap();
    assert_eq!(empty.report(&Query::default()).unwrap(), Report::default());
}

#[test]
fn issue_12_retention_deletes_by_age_then_by_size() {
    let dir = TempDir::new("store-retention");
    let mut store = SqliteStore::open(&dir.db()).unwrap();
    let now = DEC_1 + 100 * DAY_MS;
    let mut rows = Vec::new();
    for index in 0..4000 {
        let ts = if index < 1000 {
            DEC_1
        } else {
            now - 1000 + index
        };
        rows.push(row(
            ts,
            "deepseek-chat",
            "deepseek",
            "claude_code",
            Some(0.1),
        ));
    }
    insert(&mut store, rows);
    let age = Retention {
        max_age: Some(Duration::from_secs(30 * 86_400)),
        max_bytes: None,
    };
    assert_eq!(store.prune(&age, now).unwrap(), 1000);
    assert_eq!(exported(&store, None).len(), 3000);

    let before = store.used_bytes().unwrap();
    let size = Retention {
        max_age: None,
        max_bytes: Some(before / 2),
    };
    let deleted = store.prune(&size, now).unwrap();
    assert!(deleted > 0);
    assert!(store.used_bytes().unwrap() <= before / 2);
    let left = exported(&store, None);
    assert_eq!(left.len() as u64, 3000 - deleted);
    // The newest rows are kept.
    assert_eq!(left.last().unwrap().ts_ms, now - 1000 + 3999);
    // Freed pages go back to the file system.
    let file = std::fs::metadata(dir.db()).unwrap().len();
    assert!(file <= before, "{file} > {before}");
}
