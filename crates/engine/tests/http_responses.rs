//! OpenAI Responses in (Codex CLI's API): translated to an OpenAI Chat upstream.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

mod support;

use serde_json::{Value, json};
use support::*;
use switchyard_engine::usage::Outcome;
use switchyard_test_support::openai_responses::validate_stream;

fn post(gw: &TestGateway) -> reqwest::RequestBuilder {
    gw.client
        .post(gw.url("/v1/responses"))
        .bearer_auth(CLIENT_KEY)
}

/// The request Codex CLI 0.169 sent for `codex exec "say hi"`.
fn codex_request() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../protocol/tests/fixtures/openai_responses/codex_first_turn.req.json"
    );
    let mut body: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    body["model"] = json!("claude-codex");
    body
}

async fn chat_gateway() -> (MockUpstream, TestGateway) {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("openai_chat", &format!("{}/v1", mock.url()), "").await;
    (mock, gw)
}

#[tokio::test]
async fn responses_in_chat_upstream_non_stream() {
    let (mock, gw) = chat_gateway().await;
    mock.push(Reply::json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 5, "model": "upstream-model-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11,
                  "prompt_tokens_details": {"cached_tokens": 4}}
    })));
    let request = json!({
        "model": "claude-sonnet-4-5", "instructions": "Be brief.", "input": "Say hi",
        "max_output_tokens": 50, "store": false,
    });
    let response = post(&gw).json(&request).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["object"], "response");
    assert_eq!(body["status"], "completed");
    assert_eq!(body["id"], "resp_chatcmpl-1");
    assert_eq!(body["output"][0]["type"], "message");
    assert_eq!(body["output"][0]["content"][0]["text"], "Hi!");
    assert_eq!(body["usage"]["input_tokens"], 9);
    assert_eq!(body["usage"]["input_tokens_details"]["cached_tokens"], 4);
    assert_eq!(body["usage"]["total_tokens"], 11);
    let seen = &mock.seen()[0];
    assert_eq!(seen.path, "/v1/chat/completions");
    assert_eq!(
        seen.headers["authorization"],
        format!("Bearer {UPSTREAM_KEY}")
    );
    let sent = seen.json();
    assert_eq!(sent["model"], "upstream-model-1");
    assert_eq!(
        sent["messages"],
        json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hi"}])
    );
    assert_eq!(sent["max_tokens"], 50);
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].outcome, Outcome::Ok);
    assert_eq!(events[0].usage.output_tokens, 2);
}

#[tokio::test]
async fn responses_in_chat_upstream_stream() {
    let (mock, gw) = chat_gateway().await;
    mock.push(Reply::sse(&[
        &chat_chunk(json!({"role": "assistant", "content": ""}), None),
        &chat_chunk(json!({"content": "Hel"}), None),
        &chat_chunk(json!({"content": "lo"}), Some("stop")),
        "data: {\"id\":\"chatcmpl-t\",\"model\":\"upstream-model-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}\n\n",
        "data: [DONE]\n\n",
    ]));
    let response = post(&gw).json(&codex_request()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let text = response.text().await.unwrap();
    let summary = validate_stream(&text).unwrap_or_else(|err| panic!("{err}\n{text}"));
    assert_eq!(summary.status, "completed");
    assert_eq!(summary.items, [("message".to_owned(), "Hello".to_owned())]);
    assert_eq!(summary.usage.unwrap()["output_tokens"], 3);
    let sent = mock.seen()[0].json();
    assert_eq!(sent["stream"], true);
    let tools = sent["tools"].as_array().unwrap();
    assert!(tools.iter().all(|tool| tool["type"] == "function"));
    assert!(
        tools
            .iter()
            .any(|tool| tool["function"]["name"] == "multi_agent_v1--spawn_agent")
    );
    for field in [
        "input",
        "store",
        "include",
        "prompt_cache_key",
        "client_metadata",
        "reasoning",
    ] {
        assert!(sent.get(field).is_none(), "{field} leaked upstream");
    }
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].outcome, Outcome::Ok);
    assert_eq!(events[0].usage.input_tokens, 7);
}

fn tool_chunk(index: usize, id: Option<&str>, name: Option<&str>, arguments: &str) -> String {
    let mut call = json!({"index": index, "function": {"arguments": arguments}});
    if let Some(id) = id {
        call["id"] = json!(id);
        call["type"] = json!("function");
    }
    if let Some(name) = name {
        call["function"]["name"] = json!(name);
    }
    chat_chunk(json!({"tool_calls": [call]}), None)
}

#[tokio::test]
async fn tool_call_round_trip() {
    let (mock, gw) = chat_gateway().await;
    mock.push(Reply::sse(&[
        &chat_chunk(json!({"role": "assistant", "content": "Running."}), None),
        &tool_chunk(0, Some("call_x"), Some("exec_command"), "{\"cmd\":"),
        &tool_chunk(1, Some("call_y"), Some("multi_agent_v1--spawn_agent"), "{}"),
        &tool_chunk(0, None, None, "\"echo hi\"}"),
        &chat_chunk(json!({}), Some("tool_calls")),
        "data: [DONE]\n\n",
    ]));
    let first = codex_request();
    let text = post(&gw)
        .json(&first)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let summary = validate_stream(&text).unwrap_or_else(|err| panic!("{err}\n{text}"));
    let output = summary.response["output"].as_array().unwrap().clone();
    assert_eq!(output[1]["name"], "exec_command");
    assert_eq!(output[1]["arguments"], "{\"cmd\":\"echo hi\"}");
    assert_eq!(output[2]["namespace"], "multi_agent_v1");
    assert_eq!(output[2]["name"], "spawn_agent");

    // Codex runs the calls and sends everything back, with the outputs.
    mock.push(Reply::sse(&[
        &chat_chunk(
            json!({"role": "assistant", "content": "Done."}),
            Some("stop"),
        ),
        "data: [DONE]\n\n",
    ]));
    let mut second = first.clone();
    let input = second["input"].as_array_mut().unwrap();
    input.extend(output);
    input.push(json!({"type": "function_call_output", "call_id": "call_x", "output": "Process exited with code 0\nhi\n"}));
    input.push(json!({"type": "function_call_output", "call_id": "call_y", "output": [{"type": "input_text", "text": "agent 7"}]}));
    let text = post(&gw)
        .json(&second)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let summary = validate_stream(&text).unwrap_or_else(|err| panic!("{err}\n{text}"));
    assert_eq!(summary.items, [("message".to_owned(), "Done.".to_owned())]);

    let sent = mock.seen()[1].json();
    let messages = sent["messages"].as_array().unwrap();
    let assistant = &messages[messages.len() - 3];
    assert_eq!(assistant["role"], "assistant");
    assert_eq!(assistant["content"], "Running.");
    assert_eq!(assistant["tool_calls"][0]["id"], "call_x");
    assert_eq!(
        assistant["tool_calls"][0]["function"]["arguments"],
        "{\"cmd\":\"echo hi\"}"
    );
    assert_eq!(
        assistant["tool_calls"][1]["function"]["name"],
        "multi_agent_v1--spawn_agent"
    );
    assert_eq!(
        messages[messages.len() - 2],
        json!({"role": "tool", "tool_call_id": "call_x", "content": "Process exited with code 0\nhi\n"})
    );
    assert_eq!(messages[messages.len() - 1]["tool_call_id"], "call_y");
}

#[tokio::test]
async fn upstream_errors_use_the_openai_shape() {
    let (mock, gw) = chat_gateway().await;
    mock.push(Reply::Json {
        status: 429,
        body: r#"{"error":{"message":"slow down","type":"rate_limit_error"}}"#.into(),
        headers: vec![("retry-after", "3".into())],
    });
    let request = json!({"model": "claude-x", "input": "hi", "stream": true});
    let response = post(&gw).json(&request).send().await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "3");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], "slow down");
    assert_eq!(body["error"]["type"], "rate_limit_error");
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");

    let stateful = json!({"model": "claude-x", "input": "hi", "previous_response_id": "resp_1"});
    let response = post(&gw).json(&stateful).send().await.unwrap();
    assert_eq!(response.status(), 501);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("previous_response_id")
    );

    let bad = post(&gw)
        .header("content-type", "application/json")
        .body(r#"{"model":"claude-x","input":[{"type":"function_call","name":"f"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("input[0].call_id")
    );
    assert_eq!(mock.seen().len(), 1);
}

#[tokio::test]
async fn mid_stream_failure_is_response_failed() {
    let (mock, gw) = chat_gateway().await;
    mock.push(Reply::sse(&[
        &chat_chunk(json!({"role": "assistant", "content": "Start"}), None),
        "data: {\"error\":{\"message\":\"overloaded\",\"code\":503}}\n\n",
    ]));
    let request = json!({"model": "claude-x", "input": "hi", "stream": true});
    let text = post(&gw)
        .json(&request)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let summary = validate_stream(&text).unwrap_or_else(|err| panic!("{err}\n{text}"));
    assert_eq!(summary.status, "failed");
    assert_eq!(summary.error.unwrap()["message"], "overloaded");
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].outcome, Outcome::StreamError);
}

fn responses_fixture(name: &str) -> String {
    let path = format!(
        "{}/../protocol/tests/fixtures/openai_responses/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

async fn responses_gateway() -> (MockUpstream, TestGateway) {
    let mock = MockUpstream::start().await;
    let gw = TestGateway::start("openai_responses", &format!("{}/v1", mock.url()), "").await;
    (mock, gw)
}

#[tokio::test]
async fn responses_in_responses_upstream_is_passed_through_and_tapped() {
    let (mock, gw) = responses_gateway().await;
    let upstream = responses_fixture("tools_reasoning.stream.sse");
    mock.push(Reply::sse(&[&upstream]));
    let body = codex_request().to_string();
    let response = post(&gw)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), upstream);
    let seen = &mock.seen()[0];
    assert_eq!(seen.path, "/v1/responses");
    assert_eq!(
        String::from_utf8_lossy(&seen.body),
        body.replace("claude-codex", "upstream-model-1")
    );
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].outcome, Outcome::Ok);
    assert_eq!(events[0].usage.output_tokens, 80);
    assert_eq!(events[0].usage.reasoning_tokens, 64);

    let answer = responses_fixture("max_tokens.resp.json");
    mock.push(Reply::Json {
        status: 200,
        body: answer.clone(),
        headers: Vec::new(),
    });
    let plain = json!({"model": "claude-x", "input": "hi"});
    let response = post(&gw).json(&plain).send().await.unwrap();
    assert_eq!(response.text().await.unwrap(), answer);
    let events = gw.recorder.wait_for(2).await;
    assert_eq!(events[1].usage.cache_read_tokens, 100);
}

#[tokio::test]
async fn cut_responses_passthrough_ends_in_response_failed() {
    let (mock, gw) = responses_gateway().await;
    mock.push(Reply::sse(&[&responses_fixture(
        "done_only_cut.stream.sse",
    )]));
    let request = json!({"model": "claude-x", "input": "hi", "stream": true});
    let text = post(&gw)
        .json(&request)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.trim_end().ends_with("}"), "{text}");
    let last = text.trim_end().rsplit("\n\n").next().unwrap();
    assert!(last.starts_with("event: response.failed\ndata: "), "{last}");
    assert!(last.contains("\"status\":\"failed\""), "{last}");
    assert_eq!(
        gw.recorder.wait_for(1).await[0].outcome,
        Outcome::StreamError
    );
}

#[tokio::test]
async fn chat_in_responses_upstream_is_translated() {
    let (mock, gw) = responses_gateway().await;
    mock.push(Reply::sse(&[&responses_fixture("text.stream.sse")]));
    let request = json!({
        "model": "claude-x", "stream": true, "max_tokens": 64,
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
    });
    let text = gw
        .client
        .post(gw.url("/v1/chat/completions"))
        .bearer_auth(CLIENT_KEY)
        .json(&request)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("\"content\":\"Hello\""), "{text}");
    assert!(text.trim_end().ends_with("data: [DONE]"));
    let seen = &mock.seen()[0];
    assert_eq!(seen.path, "/v1/responses");
    let sent = seen.json();
    assert_eq!(sent["instructions"], "Be brief.");
    assert_eq!(sent["input"][0]["content"][0]["text"], "hi");
    assert_eq!(sent["max_output_tokens"], 64);
    assert_eq!(sent["store"], false);
}
