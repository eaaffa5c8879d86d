//! Gemini in (Gemini CLI, @google/genai) translated to an OpenAI Chat
//! upstream, and OpenAI Chat in translated to a Gemini upstream.
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
    json!({
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "contents": [{"role": "user", "parts": [{"text": "Say hi"}]}],
        "tools": [{"functionDeclarations": [{
            "name": "read_file", "description": "Reads a file",
            "parametersJsonSchema": {"type": "object", "properties": {"path": {"type": "string"}}}
        }]}],
        "generationConfig": {"temperature": 1, "maxOutputTokens": 50},
    })
}

fn post(gw: &TestGateway, path: &str) -> reqwest::RequestBuilder {
    gw.client
        .post(gw.url(path))
        .header("x-goog-api-key", CLIENT_KEY)
}

#[tokio::test]
async fn gemini_in_chat_upstream_non_stream_tool_call() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("openai_chat", &mock.url(), "").await;
    mock.push(Reply::json(json!({
        "id": "chatcmpl-1", "model": "upstream-model-1", "created": 1,
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": null,
            "tool_calls": [{"id": "call_9", "type": "function",
                "function": {"name": "read_file", "arguments": "{\"path\":\"a.txt\"}"}}]}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16}
    })));
    let response = post(&gw, "/v1beta/models/claude-x:generateContent")
        .json(&gemini_request())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let candidate = &body["candidates"][0];
    assert_eq!(candidate["finishReason"], "STOP");
    assert_eq!(
        candidate["content"]["parts"][0]["functionCall"],
        json!({"name": "read_file", "args": {"path": "a.txt"}, "id": "call_9"})
    );
    assert_eq!(body["usageMetadata"]["promptTokenCount"], 12);
    assert_eq!(body["usageMetadata"]["totalTokenCount"], 16);
    let seen = &mock.seen()[0];
    assert_eq!(seen.path, "/chat/completions");
    let sent = seen.json();
    assert_eq!(sent["model"], "upstream-model-1");
    assert_ne!(sent["stream"], true);
    assert_eq!(
        sent["messages"][0],
        json!({"role": "system", "content": "Be brief."})
    );
    assert_eq!(sent["tools"][0]["function"]["name"], "read_file");
    assert_eq!(sent["max_tokens"], 50);
}

#[tokio::test]
async fn gemini_in_chat_upstream_stream_with_key_in_query() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("openai_chat", &mock.url(), "").await;
    mock.push(Reply::sse(&[
        &chat_chunk(json!({"role": "assistant", "content": "Hel"}), None),
        &chat_chunk(json!({"content": "lo"}), Some("stop")),
        "data: {\"id\":\"chatcmpl-t\",\"model\":\"upstream-model-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n",
        "data: [DONE]\n\n",
    ]));
    let url = format!("/v1beta/models/claude-x:streamGenerateContent?alt=sse&key={CLIENT_KEY}");
    let response = gw
        .client
        .post(gw.url(&url))
        .json(&gemini_request())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let text = response.text().await.unwrap();
    let chunks: Vec<Value> = text
        .split("\n\n")
        .filter_map(|frame| frame.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect();
    let joined: String = chunks
        .iter()
        .filter_map(|chunk| chunk["candidates"][0]["content"]["parts"][0]["text"].as_str())
        .collect();
    assert_eq!(joined, "Hello");
    let last = chunks.last().unwrap();
    assert_eq!(last["candidates"][0]["finishReason"], "STOP");
    assert_eq!(last["usageMetadata"]["totalTokenCount"], 7);
    let seen = &mock.seen()[0];
    assert_eq!(
        seen.query, None,
        "the client's key must not travel upstream"
    );
    assert_eq!(seen.json()["stream"], true);
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].outcome, Outcome::Ok);
}

#[tokio::test]
async fn chat_in_gemini_upstream_stream() {
    let mock = MockUpstream::start().await;
    let base = format!("{}/v1beta", mock.url());
    let gw = TestGateway::start("gemini", &base, "").await;
    mock.push(Reply::sse(&[
        "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Thinking\",\"thought\":true}]}}],\"modelVersion\":\"upstream-model-1\",\"responseId\":\"r1\"}\n\n",
        "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hi \"}]}}]}\n\n",
        "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"there\"}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":3,\"thoughtsTokenCount\":2,\"totalTokenCount\":15}}\n\n",
    ]));
    let response = gw
        .client
        .post(gw.url("/v1/chat/completions"))
        .bearer_auth(CLIENT_KEY)
        .json(&json!({
            "model": "claude-sonnet-4-5", "stream": true,
            "stream_options": {"include_usage": true},
            "messages": [{"role": "user", "content": "Say hi"}],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.contains("\"content\":\"Hi \""), "{text}");
    assert!(
        text.contains("\"reasoning_content\":\"Thinking\""),
        "{text}"
    );
    assert!(text.contains("\"finish_reason\":\"stop\""), "{text}");
    assert!(
        text.contains("\"prompt_tokens\":10,\"completion_tokens\":5"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("data: [DONE]"));
    let seen = &mock.seen()[0];
    assert_eq!(
        seen.path,
        "/v1beta/models/upstream-model-1:streamGenerateContent"
    );
    assert_eq!(seen.query.as_deref(), Some("alt=sse"));
    assert_eq!(seen.headers["x-goog-api-key"], UPSTREAM_KEY);
    let sent = seen.json();
    assert_eq!(sent["contents"][0]["parts"][0]["text"], "Say hi");
    assert!(sent.get("model").is_none());
}

#[tokio::test]
async fn gemini_passthrough_rewrites_the_url_model_not_the_body() {
    let mock = MockUpstream::start().await;
    let base = format!("{}/v1beta", mock.url());
    let gw = TestGateway::start("gemini", &base, "").await;
    mock.push(Reply::json(json!({
        "candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1, "totalTokenCount": 4}
    })));
    let body = gemini_request().to_string();
    let response = post(&gw, "/v1beta/models/claude-x:generateContent?key=ignored")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let seen = &mock.seen()[0];
    assert_eq!(seen.path, "/v1beta/models/upstream-model-1:generateContent");
    assert_eq!(seen.query, None);
    assert_eq!(seen.body, body.as_bytes());
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].usage.input_tokens, 3);
}

#[tokio::test]
async fn count_tokens_is_estimated_or_forwarded() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("openai_chat", &mock.url(), "").await;
    let response = post(&gw, "/v1beta/models/claude-x:countTokens")
        .json(&json!({"contents": [{"role": "user", "parts": [{"text": "Hello there, how are you?"}]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body["totalTokens"].as_u64().unwrap() > 0, "{body}");
    assert!(mock.seen().is_empty());

    let gemini = MockUpstream::start().await;
    let gw = TestGateway::start("gemini", &format!("{}/v1beta", gemini.url()), "").await;
    gemini.push(Reply::json(json!({"totalTokens": 42})));
    let response = post(&gw, "/v1beta/models/claude-x:countTokens")
        .json(&json!({"contents": []}))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["totalTokens"], 42);
    assert_eq!(
        gemini.seen()[0].path,
        "/v1beta/models/upstream-model-1:countTokens"
    );
}

/// Counted locally with o200k_base for an upstream that cannot count, in
/// both request shapes: system 4, tool 2 + 6 + 19, text 4 (counts known from
/// tiktoken-rs), 2 messages × 3 framing + 3 priming the reply.
#[tokio::test]
async fn issue4_count_tokens_is_counted_locally_for_chat_upstreams() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("openai_chat", &mock.url(), "").await;
    let request = r#"{"systemInstruction": {"parts": [{"text": "You are terse."}]},
        "tools": [{"functionDeclarations": [{"name": "read_file", "description": "Reads a file from disk.",
            "parametersJsonSchema": {"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}]}],
        "contents": [{"role": "user", "parts": [{"text": "Hello, world!"}]}]}"#;
    let wrapped = format!(r#"{{"generateContentRequest": {request}}}"#);
    for body in [request.to_owned(), wrapped] {
        let response = post(&gw, "/v1beta/models/claude-x:countTokens")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["totalTokens"],
            4 + (2 + 6 + 19) + 4 + (2 * 3 + 3),
            "{body}"
        );
    }
    assert!(mock.seen().is_empty());
}

#[tokio::test]
async fn errors_have_gemini_shape() {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("openai_chat", &mock.url(), "").await;
    let unauthenticated = gw
        .client
        .post(gw.url("/v1beta/models/claude-x:generateContent?key=wrong"))
        .json(&gemini_request())
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    let body: Value = unauthenticated.json().await.unwrap();
    assert_eq!(body["error"]["code"], 401);
    assert_eq!(body["error"]["status"], "UNAUTHENTICATED");

    let no_route = post(&gw, "/v1beta/models/gpt-unknown:generateContent")
        .json(&gemini_request())
        .send()
        .await
        .unwrap();
    let status = no_route.status().as_u16();
    let body: Value = no_route.json().await.unwrap();
    assert_eq!(body["error"]["code"], status);
    assert!(body["error"]["status"].is_string(), "{body}");

    let bad = post(&gw, "/v1beta/models/claude-x:generateContent")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["status"], "INVALID_ARGUMENT");

    mock.push(Reply::error(429, r#"{"error":{"message":"slow down"}}"#));
    let limited = post(&gw, "/v1beta/models/claude-x:generateContent")
        .json(&gemini_request())
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("slow down")
    );
}
