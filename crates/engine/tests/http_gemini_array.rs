//! Gemini's JSON-array stream: `:streamGenerateContent` without `alt=sse`
//! answers one JSON array, element by element, whatever the upstream speaks.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

mod support;

use serde_json::{Value, json};
use support::*;
use switchyard_engine::usage::Outcome;

fn gemini_request() -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": "Say hi"}]}]})
}

async fn stream_without_alt(gw: &TestGateway) -> (String, String) {
    let response = gw
        .client
        .post(gw.url("/v1beta/models/claude-x:streamGenerateContent"))
        .header("x-goog-api-key", CLIENT_KEY)
        .json(&gemini_request())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (content_type, response.text().await.unwrap())
}

fn texts(elements: &[Value]) -> String {
    elements
        .iter()
        .filter_map(|chunk| chunk["candidates"][0]["content"]["parts"][0]["text"].as_str())
        .collect()
}

#[tokio::test]
async fn issue4_gemini_stream_without_alt_sse_is_a_json_array() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("openai_chat", &mock.url(), "").await;
    mock.push(Reply::sse(&[
        &chat_chunk(json!({"role": "assistant", "content": "Hel"}), None),
        &chat_chunk(json!({"content": "lo"}), Some("stop")),
        "data: [DONE]\n\n",
    ]));
    let (content_type, body) = stream_without_alt(&gw).await;
    assert_eq!(content_type, "application/json");
    let elements: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(texts(&elements), "Hello");
    let last = elements.last().unwrap();
    assert_eq!(last["candidates"][0]["finishReason"], "STOP");
    // The upstream is still asked for SSE.
    assert_eq!(mock.seen()[0].json()["stream"], true);
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].outcome, Outcome::Ok);
}

#[tokio::test]
async fn issue4_gemini_passthrough_stream_is_reframed_as_an_array() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("gemini", &mock.url(), "").await;
    let chunk = |text: &str, finish: Option<&str>| {
        let mut candidate = json!({"content": {"role": "model", "parts": [{"text": text}]}});
        if let Some(reason) = finish {
            candidate["finishReason"] = json!(reason);
        }
        format!("data: {}\r\n\r\n", json!({"candidates": [candidate]}))
    };
    mock.push(Reply::sse(&[
        &chunk("Hi", None),
        &chunk(" there", Some("STOP")),
    ]));
    let (content_type, body) = stream_without_alt(&gw).await;
    assert_eq!(content_type, "application/json");
    let elements: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(texts(&elements), "Hi there");
    assert_eq!(mock.seen()[0].query.as_deref(), Some("alt=sse"));
}

#[tokio::test]
async fn issue4_gemini_array_stream_cut_ends_with_an_error_element() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("openai_chat", &mock.url(), "").await;
    mock.push(Reply::sse(&[&chat_chunk(
        json!({"role": "assistant", "content": "Hel"}),
        None,
    )]));
    let (_, body) = stream_without_alt(&gw).await;
    let elements: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(texts(&elements), "Hel");
    let last = elements.last().unwrap();
    assert_eq!(last["error"]["code"], 502, "{body}");
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].outcome, Outcome::StreamError);
}

#[tokio::test]
async fn issue4_gemini_non_streamed_upstream_answer_replayed_as_an_array() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("openai_chat", &mock.url(), "").await;
    mock.push(Reply::json(json!({
        "id": "chatcmpl-1", "model": "m", "created": 1,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": "Whole"}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
    })));
    let (content_type, body) = stream_without_alt(&gw).await;
    assert_eq!(content_type, "application/json");
    let elements: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(texts(&elements), "Whole");
}
