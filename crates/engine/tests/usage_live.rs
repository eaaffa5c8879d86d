//! Issue 12 §4: the in-process broadcast (finished requests and running
//! streams' progress) and `GET /_switchyard/events`, its SSE form behind
//! the gateway's guard.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::*;
use switchyard_engine::usage::{LiveEvent, UsageSink};

fn slow_stream() -> Reply {
    let mut chunks = vec![chat_chunk(
        json!({"role": "assistant", "content": ""}),
        None,
    )];
    for _ in 0..6 {
        chunks.push(chat_chunk(json!({"content": "abcdefgh"}), None));
    }
    chunks.push(chat_chunk(json!({}), Some("stop")));
    chunks.push(
        "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":12}}\n\n"
            .into(),
    );
    chunks.push("data: [DONE]\n\n".into());
    Reply::Sse {
        chunks,
        delay: Duration::from_millis(120),
    }
}

async fn gateway(dir: &TempDir) -> (MockUpstream, TestGateway) {
    let mock = MockUpstream::start().await;
    let extra = format!(
        "usage_db = {:?}\n[[prices]]\nmodel = \"*\"\ninput = 1.0\noutput = 2.0",
        dir.db()
    );
    let url = format!("{}/v1", mock.url());
    let gw = TestGateway::with_store(&mock_config("openai_chat", &url, &extra)).await;
    (mock, gw)
}

#[tokio::test]
async fn issue_12_subscribers_get_throttled_progress_then_the_finished_request() {
    let dir = TempDir::new("live-progress");
    let (mock, gw) = gateway(&dir).await;
    let mut live = gw.hub.as_ref().unwrap().subscribe().unwrap();
    mock.push(slow_stream());
    let text = gw.send_messages(true).await.text().await.unwrap();
    assert!(text.contains("message_stop"), "{text}");

    let mut progress = Vec::new();
    let row = loop {
        match tokio::time::timeout(Duration::from_secs(5), live.recv())
            .await
            .unwrap()
            .unwrap()
        {
            LiveEvent::Progress(update) => progress.push(update),
            LiveEvent::Request(row) => break row,
        }
    };
    // ~800 ms of stream at most one update per 250 ms: a few, growing.
    assert!((2..=8).contains(&progress.len()), "{progress:?}");
    assert!(
        progress
            .windows(2)
            .all(|w| w[0].output_bytes <= w[1].output_bytes)
    );
    assert!(progress.iter().all(|p| p.id == row.id.unsigned_abs()));
    assert_eq!(progress[0].client_model, "claude-sonnet-4-5");
    assert_eq!(
        progress.last().unwrap().output_tokens_estimate,
        progress.last().unwrap().output_bytes.div_ceil(4)
    );
    assert_eq!((row.input_tokens, row.output_tokens), (40, 12));
    assert!((row.cost_usd.unwrap() - 64e-6).abs() < 1e-15);
}

async fn frames_until(response: &mut reqwest::Response, event: &str) -> (String, Value) {
    let mut text = String::new();
    loop {
        let chunk = tokio::time::timeout(Duration::from_secs(5), response.chunk())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
        let marker = format!("event: {event}\ndata: ");
        if let Some(start) = text.find(&marker) {
            let rest = &text[start + marker.len()..];
            if let Some(end) = rest.find("\n\n") {
                return (text.clone(), serde_json::from_str(&rest[..end]).unwrap());
            }
        }
    }
}

#[tokio::test]
async fn issue_12_the_events_endpoint_streams_requests_to_key_holders_only() {
    let dir = TempDir::new("live-sse");
    let (mock, gw) = gateway(&dir).await;
    let get = || gw.client.get(gw.url("/_switchyard/events"));
    assert_eq!(get().send().await.unwrap().status(), 401);
    let with_key = || get().bearer_auth(CLIENT_KEY);
    let from_page = with_key().header("origin", "https://evil.example");
    assert_eq!(from_page.send().await.unwrap().status(), 403);
    let rebound = with_key().header("host", "evil.example:4315");
    assert_eq!(rebound.send().await.unwrap().status(), 403);

    let mut events = with_key().send().await.unwrap();
    assert_eq!(events.status(), 200);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    frames_until(&mut events, "hello").await;

    mock.push(Reply::json(json!({
        "id": "chatcmpl-1", "model": "upstream-model-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 2}
    })));
    assert_eq!(gw.send_messages(false).await.status(), 200);
    let (_, row) = frames_until(&mut events, "request").await;
    assert_eq!(row["client_model"], "claude-sonnet-4-5");
    assert_eq!(row["upstream_model"], "upstream-model-1");
    assert_eq!(
        (row["input_tokens"].as_u64(), row["output_tokens"].as_u64()),
        (Some(11), Some(2))
    );
    assert_eq!(row["outcome"], "ok");

    // Stopping ends the feed instead of waiting on it forever.
    tokio::time::timeout(Duration::from_secs(5), gw.gateway.stop())
        .await
        .unwrap()
        .unwrap();
    let rest = tokio::time::timeout(Duration::from_secs(5), events.text()).await;
    assert!(rest.is_ok());
}
