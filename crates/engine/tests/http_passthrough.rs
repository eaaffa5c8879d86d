//! Anthropic in, Anthropic upstream: bytes pass through, model rewritten.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::*;
use switchyard_engine::usage::Outcome;

async fn setup() -> (MockUpstream, TestGateway) {
    let mock = MockUpstream::start().await;
    let gateway = TestGateway::start("anthropic", &mock.url(), "").await;
    (mock, gateway)
}

const ANTHROPIC_STREAM: [&str; 6] = [
    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_u\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"upstream-model-1\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1,\"cache_read_input_tokens\":7}}}\n\n",
    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n",
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}\n\n",
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
];

#[tokio::test]
async fn body_headers_and_query_pass_through_with_only_the_model_changed() {
    let (mock, gw) = setup().await;
    mock.push(Reply::sse(&ANTHROPIC_STREAM));
    // Unknown fields Anthropic may add tomorrow, odd spacing: all kept.
    let body = r#"{"model" : "claude-opus-5-5","max_tokens":5,"future_field":{"x":[1,2]},"messages":[{"role":"user","content":"hi"}],"stream":true}"#;
    let response = gw
        .post("/v1/messages?beta=true")
        .header("anthropic-beta", "context-management-2025-06-27")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert_eq!(
        text,
        ANTHROPIC_STREAM.concat(),
        "stream bytes are untouched"
    );

    let seen = &mock.seen()[0];
    assert_eq!(seen.path, "/v1/messages");
    assert_eq!(seen.query.as_deref(), Some("beta=true"));
    assert_eq!(seen.headers["x-api-key"], UPSTREAM_KEY);
    assert_eq!(seen.headers["anthropic-version"], "2023-06-01");
    assert_eq!(
        seen.headers["anthropic-beta"],
        "context-management-2025-06-27"
    );
    assert_eq!(
        String::from_utf8_lossy(&seen.body),
        body.replace("\"claude-opus-5-5\"", "\"upstream-model-1\"")
    );
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].usage.input_tokens, 25);
    assert_eq!(events[0].usage.cache_read_tokens, 7);
    assert_eq!(events[0].usage.output_tokens, 5);
    assert_eq!(events[0].outcome, Outcome::Ok);
}

#[tokio::test]
async fn upstream_errors_pass_through_with_status_and_body() {
    let (mock, gw) = setup().await;
    let upstream_body = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}"#;
    // Overloaded is retried (3 attempts by default); the last answer is passed on.
    for _ in 0..3 {
        mock.push(Reply::error(529, upstream_body));
    }
    let response = gw.send_messages(false).await;
    assert_eq!(response.status().as_u16(), 529);
    assert_eq!(response.text().await.unwrap(), upstream_body);
}

#[tokio::test]
async fn truncated_upstream_stream_gets_an_error_event() {
    let (mock, gw) = setup().await;
    mock.push(Reply::Sse {
        chunks: ANTHROPIC_STREAM[..3]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        delay: Duration::ZERO,
    });
    let response = gw.send_messages(true).await;
    let text = response.text().await.unwrap();
    assert!(text.starts_with(&ANTHROPIC_STREAM[..3].concat()));
    let last_event = text.trim_end().rsplit("\n\n").next().unwrap();
    assert!(last_event.starts_with("event: error"), "{last_event}");
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].outcome, Outcome::StreamError);
}

#[tokio::test]
async fn non_stream_usage_is_read_and_body_untouched() {
    let (mock, gw) = setup().await;
    let answer = json!({"id": "msg_1", "type": "message", "role": "assistant", "content": [{"type": "text", "text": "ok"}],
        "model": "upstream-model-1", "stop_reason": "end_turn", "usage": {"input_tokens": 3, "output_tokens": 4}, "new_field": 1});
    mock.push(Reply::json(answer.clone()));
    let response = gw.send_messages(false).await;
    assert_eq!(response.json::<Value>().await.unwrap(), answer);
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].usage.output_tokens, 4);
}

#[tokio::test]
async fn count_tokens_is_forwarded_to_anthropic_upstreams() {
    let (mock, gw) = setup().await;
    mock.push(Reply::json(json!({"input_tokens": 1234})));
    let body =
        json!({"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}]});
    let response = gw
        .post("/v1/messages/count_tokens")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.json::<Value>().await.unwrap()["input_tokens"],
        1234
    );
    let seen = &mock.seen()[0];
    assert_eq!(seen.path, "/v1/messages/count_tokens");
    assert_eq!(seen.json()["model"], "upstream-model-1");
}

/// After a conversation ran on another provider, Claude Code sends back the
/// thinking blocks the gateway synthesized (empty signature); Anthropic
/// would refuse the whole request over them.
#[tokio::test]
async fn issue3_foreign_thinking_is_stripped_before_anthropic() {
    let (mock, gw) = setup().await;
    mock.push(Reply::json(json!({"id": "msg_1", "type": "message", "role": "assistant", "content": [],
        "model": "upstream-model-1", "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}})));
    let body = json!({"model": "claude-sonnet-4-5", "max_tokens": 10, "messages": [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "deepseek thought", "signature": ""},
            {"type": "thinking", "thinking": "claude thought", "signature": "EqQBsig"},
            {"type": "text", "text": "hello"}]},
        {"role": "user", "content": "again"}]});
    let response = gw.post("/v1/messages").json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let sent = mock.seen()[0].json();
    assert_eq!(sent["model"], "upstream-model-1");
    let blocks = sent["messages"][1]["content"].as_array().unwrap();
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0]["signature"], "EqQBsig");
}
