//! Issue 12 §3: a used-up budget refuses requests in each client's API
//! format (429 naming the budget and when it resets), before they reach the
//! upstream; warnings go out live; totals survive a restart through the store.
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

/// $1 per input or output token: a request of 3 + 1 tokens costs $4.
fn config(dir: &TempDir, mock: &MockUpstream) -> String {
    let extra = format!(
        "usage_db = {:?}\n\
         [[prices]]\nmodel = \"*\"\ninput = 1000000.0\noutput = 1000000.0\n\
         [[budgets]]\nname = \"daily\"\nperiod = \"day\"\nusd = 5.0\n",
        dir.db()
    );
    mock_config("openai_chat", &format!("{}/v1", mock.url()), &extra)
}

fn answer() -> Reply {
    Reply::json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "upstream-model-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1}
    }))
}

async fn notice(live: &mut tokio::sync::broadcast::Receiver<LiveEvent>) -> (String, f64) {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(5), live.recv());
        if let LiveEvent::Budget(notice) = event.await.unwrap().unwrap() {
            return (notice.level.clone(), notice.spent);
        }
    }
}

/// The same request in each client API (all four put the text in `error.message`).
fn in_every_format(gw: &TestGateway) -> Vec<reqwest::RequestBuilder> {
    let chat = json!({"model": "claude-x", "messages": [{"role": "user", "content": "hi"}]});
    let responses = json!({"model": "claude-x", "input": "hi", "stream": true});
    let gemini = json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]});
    vec![
        gw.post("/v1/messages").json(&anthropic_request(false)),
        gw.post("/v1/chat/completions").json(&chat),
        gw.post("/v1/responses").json(&responses),
        gw.post("/v1beta/models/claude-x:streamGenerateContent?alt=sse")
            .json(&gemini),
    ]
}

#[tokio::test]
async fn issue_12_a_used_up_budget_refuses_in_each_clients_format_and_survives_a_restart() {
    let dir = TempDir::new("budget-http");
    let mock = MockUpstream::start().await;
    let gw = TestGateway::with_store(&config(&dir, &mock)).await;
    let mut live = gw.hub.as_ref().unwrap().subscribe().unwrap();
    mock.push(answer());
    assert_eq!(gw.send_messages(false).await.status(), 200);
    assert_eq!(notice(&mut live).await, ("warning".into(), 4.0));
    mock.push(answer());
    assert_eq!(gw.send_messages(false).await.status(), 200);
    assert_eq!(notice(&mut live).await, ("exhausted".into(), 8.0));

    for request in in_every_format(&gw) {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 429);
        let retry: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=86_400).contains(&retry), "{retry}");
        let body: Value = response.json().await.unwrap();
        let text = body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            text.starts_with("budget `daily` is used up ($8.00 of $5.00)"),
            "{body}"
        );
        assert!(
            text.contains("resets at ") && text.contains("T00:00:00Z"),
            "{text}"
        );
    }
    assert_eq!(
        mock.seen().len(),
        2,
        "refused requests never reach the upstream"
    );
    gw.gateway.stop().await.unwrap();
    let rows = stored_rows(&dir.db());
    let refused: Vec<_> = rows
        .iter()
        .skip(2)
        .map(|r| (r.status, r.error_kind.as_deref(), r.attempts))
        .collect();
    assert_eq!(refused, [(429, Some("budget_exceeded"), 0); 4]);

    // A new gateway on the same store starts from what was spent today.
    let again = TestGateway::with_store(&config(&dir, &mock)).await;
    assert_eq!(again.send_messages(false).await.status(), 429);
    assert_eq!(mock.seen().len(), 2);
    again.gateway.stop().await.unwrap();
}
