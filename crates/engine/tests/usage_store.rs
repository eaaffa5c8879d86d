//! Issue 12: exactly one row per request in a real SQLite store whatever
//! happens (errors, a client hanging up mid-stream, an upstream cut,
//! shutdown), and a store that fails never stops the gateway.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::*;
use switchyard_engine::usage::{RequestRow, UsageSink};

const PRICES: &str = r#"
[[prices]]
model = "upstream-model-1"
input = 1.0
output = 2.0
cache_read = 0.1
cache_write = 1.25
"#;

const MESSAGE_START: &str = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_u\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"upstream-model-1\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":200,\"output_tokens\":1,\"cache_read_input_tokens\":1000,\"cache_creation_input_tokens\":30}}}\n\n";
const BLOCK_START: &str = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
const DELTA: &str = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n";
const MESSAGE_END: [&str; 3] = [
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n",
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
];

async fn anthropic_gateway(dir: &TempDir) -> (MockUpstream, TestGateway) {
    let mock = MockUpstream::start().await;
    let extra = format!("usage_db = {:?}\n{PRICES}", dir.db());
    let gw = TestGateway::with_store(&mock_config("anthropic", &mock.url(), &extra)).await;
    (mock, gw)
}

/// Flushes until `count` rows are stored (a hang-up is noticed asynchronously).
async fn rows_when(gw: &TestGateway, dir: &TempDir, count: usize) -> Vec<RequestRow> {
    let hub = gw.hub.as_ref().unwrap();
    let started = Instant::now();
    loop {
        hub.flush().await;
        let rows = stored_rows(&dir.db());
        if rows.len() >= count || started.elapsed() > Duration::from_secs(5) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn issue_12_client_gone_mid_stream_is_stored_once_with_the_tokens_so_far() {
    let dir = TempDir::new("usage-gone");
    let (mock, gw) = anthropic_gateway(&dir).await;
    mock.push(Reply::SseThenHang {
        chunks: vec![MESSAGE_START.into(), BLOCK_START.into(), DELTA.into()],
    });
    let mut response = gw.send_messages(true).await;
    let mut seen = String::new();
    while !seen.contains("Hello") {
        let chunk = response.chunk().await.unwrap().unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(response);

    let rows = rows_when(&gw, &dir, 1).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.outcome, "client_gone");
    let tokens = [
        row.input_tokens,
        row.output_tokens,
        row.cache_read_tokens,
        row.cache_write_tokens,
    ];
    assert_eq!(tokens, [200, 1, 1000, 30]);
    // 200 × 1.0 + 1 × 2.0 + 1000 × 0.1 + 30 × 1.25, per million
    assert!((row.cost_usd.unwrap() - 339.5e-6).abs() < 1e-15);
    assert!(row.ttft_ms.is_some());
    assert_eq!(row.response_bytes, seen.len() as u64);
    gw.gateway.stop().await.unwrap();
    assert_eq!(stored_rows(&dir.db()).len(), 1, "recorded once");
}

#[tokio::test]
async fn issue_12_upstream_cut_mid_stream_is_a_stream_error_with_partial_tokens() {
    let dir = TempDir::new("usage-cut");
    let (mock, gw) = anthropic_gateway(&dir).await;
    mock.push(Reply::SseThenCut {
        chunks: vec![MESSAGE_START.into(), BLOCK_START.into(), DELTA.into()],
    });
    let text = gw.send_messages(true).await.text().await.unwrap();
    assert!(text.contains("event: error"), "{text}");
    gw.gateway.stop().await.unwrap();
    let rows = stored_rows(&dir.db());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, "stream_error");
    assert_eq!(rows[0].error_kind.as_deref(), Some("upstream_stream"));
    assert_eq!(
        (rows[0].input_tokens, rows[0].cache_read_tokens),
        (200, 1000)
    );
}

#[tokio::test]
async fn issue_12_errors_are_stored_with_their_kind_status_and_attempts() {
    let dir = TempDir::new("usage-errors");
    let (mock, gw) = anthropic_gateway(&dir).await;
    // 529 is transient: the provider is tried again, up to [retry]'s 3 attempts.
    for _ in 0..3 {
        mock.push(Reply::error(
            529,
            r#"{"type":"error","error":{"type":"overloaded_error","message":"busy"}}"#,
        ));
    }
    assert_eq!(gw.send_messages(false).await.status(), 529);
    let unrouted = json!({"model": "gpt-9", "max_tokens": 5,
                          "messages": [{"role": "user", "content": "hi"}]});
    let response = gw
        .post("/v1/messages")
        .json(&unrouted)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = gw
        .post("/v1/messages")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    gw.gateway.stop().await.unwrap();

    let rows = stored_rows(&dir.db());
    let summary: Vec<(u16, &str, Option<&str>, u32)> = rows
        .iter()
        .map(|row| {
            (
                row.status,
                row.outcome.as_str(),
                row.error_kind.as_deref(),
                row.attempts,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (529, "error", Some("upstream_status"), 3),
            (404, "error", Some("no_route"), 0),
            (400, "error", Some("bad_request"), 0),
        ]
    );
    assert!(rows[0].error.as_deref().unwrap().contains("busy"));
    assert_eq!(
        rows[0].attempts_detail.matches(r#""status":529"#).count(),
        3
    );
    assert_eq!(rows[1].client_model, "gpt-9");
    assert_eq!(rows[1].route, "");
    // Nothing was used, so nothing is owed: $0, not unknown.
    assert!(rows.iter().all(|row| row.cost_usd == Some(0.0)));
}

#[tokio::test]
async fn issue_12_stopping_lets_a_running_stream_finish_and_stores_it() {
    let dir = TempDir::new("usage-drain");
    let (mock, gw) = anthropic_gateway(&dir).await;
    let mut chunks = vec![MESSAGE_START.to_owned(), BLOCK_START.to_owned()];
    chunks.extend([DELTA; 4].map(str::to_owned));
    chunks.extend(MESSAGE_END.map(str::to_owned));
    mock.push(Reply::Sse {
        chunks,
        delay: Duration::from_millis(60),
    });
    let mut response = gw.send_messages(true).await;
    let first = response.chunk().await.unwrap().unwrap();
    let stopping = tokio::spawn(gw.gateway.stop());
    let mut text = String::from_utf8_lossy(&first).into_owned();
    while let Some(chunk) = response.chunk().await.unwrap() {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("message_stop"), "{text}");
    stopping.await.unwrap().unwrap();
    // stop() returned: the row is already in the file.
    let rows = stored_rows(&dir.db());
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].outcome.as_str(), rows[0].output_tokens), ("ok", 9));
}

async fn serves_anyway(usage_db: &std::path::Path) {
    let mock = MockUpstream::start().await;
    mock.push(Reply::json(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "upstream-model-1",
        "content": [{"type": "text", "text": "Hi"}], "stop_reason": "end_turn",
        "usage": {"input_tokens": 3, "output_tokens": 1},
    })));
    let extra = format!("usage_db = {usage_db:?}");
    let gw = TestGateway::with_store(&mock_config("anthropic", &mock.url(), &extra)).await;
    let response = gw.send_messages(false).await;
    assert_eq!(response.status(), 200);
    let hub = gw.hub.clone().unwrap();
    hub.flush().await;
    let status = hub.status();
    assert!(status.error.is_some(), "{status:?}");
    assert_eq!(status.path.as_deref(), Some(usage_db));
    // The request was still seen (log line, live feed, the desktop shell).
    assert_eq!(gw.recorder.wait_for(1).await.len(), 1);
    gw.gateway.stop().await.unwrap();
}

#[tokio::test]
async fn issue_12_a_store_that_cannot_be_opened_does_not_stop_serving() {
    let dir = TempDir::new("usage-broken");
    // A regular file where a directory should be (fails for root too).
    std::fs::write(dir.0.join("file"), b"x").unwrap();
    serves_anyway(&dir.0.join("file/usage.sqlite3")).await;
    // A file that is not a database.
    std::fs::write(dir.db(), vec![b'x'; 8192]).unwrap();
    serves_anyway(&dir.db()).await;
}

#[tokio::test]
async fn issue_12_record_usage_false_writes_no_file() {
    let dir = TempDir::new("usage-off");
    let mock = MockUpstream::start().await;
    let extra = format!("usage_db = {:?}\nrecord_usage = false", dir.db());
    let gw = TestGateway::with_store(&mock_config("anthropic", &mock.url(), &extra)).await;
    mock.push(Reply::json(
        json!({"id": "m", "type": "message", "role": "assistant",
        "content": [], "usage": {"input_tokens": 1, "output_tokens": 1}}),
    ));
    assert_eq!(gw.send_messages(false).await.status(), 200);
    gw.gateway.stop().await.unwrap();
    assert!(!dir.db().exists());
}

fn deepseek_answer(model: &str) -> Reply {
    Reply::json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 50,
                  "prompt_tokens_details": {"cached_tokens": 1000}}
    }))
}

#[tokio::test]
async fn issue_12_catalog_prices_cost_preset_providers_and_the_config_overrides_them() {
    let dir = TempDir::new("usage-catalog");
    let mock = MockUpstream::start().await;
    let text = format!(
        r#"
listen = "127.0.0.1:0"
client_keys = ["{CLIENT_KEY}"]
usage_db = {db:?}
[[providers]]
id = "ds"
preset = "deepseek"
base_url = "{url}/v1"
api_key_env = "TEST_UPSTREAM_KEY"
[[routes]]
model = "claude-haiku*"
provider = "ds"
upstream_model = "deepseek-chat"
[[routes]]
model = "claude-opus*"
provider = "ds"
upstream_model = "deepseek-v4-pro"
[[routes]]
model = "*"
provider = "ds"
upstream_model = "not-in-the-catalog"
[[prices]]
model = "deepseek-v4-pro"
provider = "ds"
input = 1.0
output = 1.0
cache_read = 1.0
"#,
        db = dir.db(),
        url = mock.url()
    );
    let gw = TestGateway::with_store(&text).await;
    for (model, upstream) in [
        ("claude-haiku-4-5", "deepseek-chat"),
        ("claude-opus-4-5", "deepseek-v4-pro"),
        ("claude-sonnet-4-5", "not-in-the-catalog"),
    ] {
        mock.push(deepseek_answer(upstream));
        let body = json!({"model": model, "max_tokens": 5,
                          "messages": [{"role": "user", "content": "hi"}]});
        let response = gw.post("/v1/messages").json(&body).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    gw.gateway.stop().await.unwrap();

    let rows = stored_rows(&dir.db());
    let prices = &switchyard_engine::catalog::model("deepseek", "deepseek-chat")
        .unwrap()
        .prices;
    let want = (200.0 * prices.input.unwrap()
        + 50.0 * prices.output.unwrap()
        + 1000.0 * prices.cache_read.unwrap())
        / 1e6;
    assert!((rows[0].cost_usd.unwrap() - want).abs() < 1e-15, "{rows:?}");
    assert_eq!(rows[0].price_source.as_deref(), Some("catalog"));
    assert!((rows[1].cost_usd.unwrap() - 1250e-6).abs() < 1e-15);
    assert_eq!(rows[1].price_source.as_deref(), Some("config"));
    assert_eq!(
        (rows[2].cost_usd, rows[2].price_source.as_deref()),
        (None, None)
    );
}
