//! OpenAI Chat Completions in: translated to an Anthropic upstream, or passed
//! through to an OpenAI-compatible one.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

mod support;

use serde_json::{Value, json};
use support::*;
use switchyard_engine::usage::Outcome;

fn chat_request(stream: bool) -> Value {
    json!({
        "model": "claude-sonnet-4-5",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hi"}],
        "stream": stream,
        "stream_options": {"include_usage": true},
    })
}

fn post(gw: &TestGateway) -> reqwest::RequestBuilder {
    gw.client
        .post(gw.url("/v1/chat/completions"))
        .bearer_auth(CLIENT_KEY)
}

#[tokio::test]
async fn chat_in_anthropic_upstream_non_stream() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("anthropic", &mock.url(), "").await;
    mock.push(Reply::json(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "upstream-model-1",
        "content": [{"type": "text", "text": "Hi!"}], "stop_reason": "end_turn",
        "usage": {"input_tokens": 9, "output_tokens": 2}
    })));
    let response = post(&gw).json(&chat_request(false)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["choices"][0]["message"]["content"], "Hi!");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert_eq!(body["usage"]["total_tokens"], 11);
    assert!(body["created"].as_u64().unwrap() > 1_700_000_000);
    let seen = &mock.seen()[0];
    assert_eq!(seen.path, "/v1/messages");
    assert_eq!(seen.headers["x-api-key"], UPSTREAM_KEY);
    assert_eq!(seen.headers["anthropic-version"], "2023-06-01");
    let sent = seen.json();
    assert_eq!(sent["model"], "upstream-model-1");
    assert_eq!(
        sent["system"],
        json!([{"type": "text", "text": "Be brief."}])
    );
    assert_eq!(sent["max_tokens"], 8192);
}

#[tokio::test]
async fn chat_in_anthropic_upstream_stream() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("anthropic", &mock.url(), "").await;
    mock.push(Reply::sse(&[
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"model\":\"upstream-model-1\",\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    ]));
    let response = post(&gw).json(&chat_request(true)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.trim_end().ends_with("data: [DONE]"), "{text}");
    assert!(text.contains("\"content\":\"Hello\""));
    assert!(text.contains("\"finish_reason\":\"stop\""));
    assert!(text.contains("\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3"));
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].outcome, Outcome::Ok);
    assert_eq!(events[0].usage.output_tokens, 3);
}

#[tokio::test]
async fn chat_in_chat_upstream_is_passed_through() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("openai_chat", &format!("{}/v1", mock.url()), "").await;
    let answer = json!({"id": "c1", "object": "chat.completion", "created": 5, "model": "upstream-model-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 4, "completion_tokens": 1, "total_tokens": 5}, "vendor_extra": true});
    mock.push(Reply::json(answer.clone()));
    let body =
        r#"{"model":"claude-x","messages":[{"role":"user","content":"hi"}],"vendor_knob":{"a":1}}"#;
    let response = post(&gw)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.json::<Value>().await.unwrap(), answer);
    let seen = &mock.seen()[0];
    assert_eq!(seen.path, "/v1/chat/completions");
    assert_eq!(
        String::from_utf8_lossy(&seen.body),
        body.replace("claude-x", "upstream-model-1")
    );
    assert_eq!(gw.recorder.wait_for(1).await[0].usage.output_tokens, 1);
}

#[tokio::test]
async fn chat_in_errors_use_the_openai_shape() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("anthropic", &mock.url(), "").await;
    mock.push(Reply::Json {
        status: 429,
        body: r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#
            .into(),
        headers: vec![("retry-after", "3".into())],
    });
    let response = post(&gw).json(&chat_request(false)).send().await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "3");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], "slow down");
    assert_eq!(body["error"]["type"], "rate_limit_error");

    let bad = post(&gw)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.json::<Value>().await.unwrap()["error"]["type"],
        "invalid_request_error"
    );
    let no_key = gw
        .client
        .post(gw.url("/v1/chat/completions"))
        .json(&chat_request(false))
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), 401);
    assert_eq!(
        no_key.json::<Value>().await.unwrap()["error"]["code"],
        "invalid_api_key"
    );
}
