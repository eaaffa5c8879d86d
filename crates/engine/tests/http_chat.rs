//! The real server, Anthropic in, against a mock OpenAI Chat upstream on port 0.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use support::*;
use switchyard_engine::usage::Outcome;

async fn setup() -> (MockUpstream, TestGateway) {
    let mock = MockUpstream::start().await;
    let gateway = TestGateway::start("openai_chat", &format!("{}/v1", mock.url()), "").await;
    (mock, gateway)
}

#[tokio::test]
async fn plain_request_is_translated_both_ways() {
    let (mock, gw) = setup().await;
    mock.push(Reply::json(json!({
        "id": "chatcmpl-1", "model": "upstream-model-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 2}
    })));
    let response = gw.send_messages(false).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["content"], json!([{"type": "text", "text": "Hi!"}]));
    assert_eq!(body["stop_reason"], "end_turn");
    assert_eq!(body["usage"]["input_tokens"], 11);
    assert!(body["id"].as_str().unwrap().starts_with("msg_"));

    let seen = &mock.seen()[0];
    assert_eq!(seen.path, "/v1/chat/completions");
    assert_eq!(
        seen.headers["authorization"],
        format!("Bearer {UPSTREAM_KEY}")
    );
    assert!(
        seen.headers.get("x-api-key").is_none(),
        "client key must not travel upstream"
    );
    let sent = seen.json();
    assert_eq!(sent["model"], "upstream-model-1");
    assert_eq!(
        sent["messages"],
        json!([{"role": "user", "content": "Say hi"}])
    );

    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].outcome, Outcome::Ok);
    assert_eq!(events[0].status, 200);
    assert_eq!(events[0].provider, "mock");
    assert_eq!(events[0].upstream_model, "upstream-model-1");
    assert_eq!(events[0].usage.output_tokens, 2);
}

#[tokio::test]
async fn streaming_tools_and_thinking_form_a_valid_anthropic_stream() {
    let (mock, gw) = setup().await;
    mock.push(Reply::Sse {
        chunks: vec![
            chat_chunk(json!({"role": "assistant", "reasoning_content": "plan"}), None),
            chat_chunk(json!({"content": "Writing."}), None),
            chat_chunk(json!({"tool_calls": [{"index": 0, "id": "call_1", "function": {"name": "Write", "arguments": "{\"file_path\":"}}]}), None),
            chat_chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"/tmp/x\"}"}}]}), None),
            chat_chunk(json!({}), Some("tool_calls")),
            "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":9}}\n\n".into(),
            "data: [DONE]\n\n".into(),
        ],
        delay: Duration::from_millis(5),
    });
    let response = gw.send_messages(true).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let text = response.text().await.unwrap();
    let summary = validate_stream(&text).unwrap();
    assert_eq!(summary.blocks[0], ("thinking".into(), "plan".into()));
    assert_eq!(summary.blocks[1], ("text".into(), "Writing.".into()));
    assert_eq!(
        summary.blocks[2],
        ("tool_use".into(), "{\"file_path\":\"/tmp/x\"}".into())
    );
    assert_eq!(summary.stop_reason.as_deref(), Some("tool_use"));
    assert_eq!(summary.usage.unwrap()["output_tokens"], 9);
    let sent = mock.seen()[0].json();
    assert_eq!(sent["stream_options"], json!({"include_usage": true}));
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].usage.input_tokens, 40);
}

/// Tokens reach the client while the upstream is still writing.
#[tokio::test]
async fn stream_is_not_buffered() {
    let (mock, gw) = setup().await;
    mock.push(Reply::Sse {
        chunks: vec![
            chat_chunk(json!({"content": "first"}), None),
            chat_chunk(json!({"content": "second"}), None),
            chat_chunk(json!({}), Some("stop")),
        ],
        delay: Duration::from_millis(400),
    });
    let mut response = gw.send_messages(true).await;
    let started = std::time::Instant::now();
    let mut seen = String::new();
    while !seen.contains("first") {
        let chunk = response.chunk().await.unwrap().unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        started.elapsed() < Duration::from_millis(750),
        "first token took {:?}",
        started.elapsed()
    );
    assert!(!seen.contains("second"));
}

#[tokio::test]
async fn upstream_statuses_map_to_anthropic_errors() {
    let cases = [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (413, "request_too_large"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (503, "overloaded_error"),
        (529, "overloaded_error"),
    ];
    let mock = MockUpstream::start().await;
    // Nine failing statuses in a row would open the circuit (5 by default).
    let gw = TestGateway::start(
        "openai_chat",
        &format!("{}/v1", mock.url()),
        "breaker_failures = 100",
    )
    .await;
    for (status, kind) in cases {
        let mut reply = Reply::error(
            status,
            &format!(r#"{{"error":{{"message":"upstream says {status}"}}}}"#),
        );
        if status == 429 {
            if let Reply::Json { headers, .. } = &mut reply {
                headers.push(("retry-after", "17".into()));
            }
        }
        // 5xx are retried (`[retry] max_attempts`, 3 by default): each attempt fails.
        let attempts = if status >= 500 { 3 } else { 1 };
        for _ in 0..attempts {
            mock.push(reply.clone());
        }
        let response = gw.send_messages(false).await;
        assert_eq!(response.status().as_u16(), status);
        if status == 429 {
            assert_eq!(response.headers()["retry-after"], "17");
        }
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["type"], "error");
        assert_eq!(body["error"]["type"], kind, "status {status}");
        assert_eq!(body["error"]["message"], format!("upstream says {status}"));
    }
    let events = gw.recorder.wait_for(cases.len()).await;
    assert_eq!(events.len(), cases.len());
    assert!(events.iter().all(|event| event.outcome == Outcome::Error));
}

#[tokio::test]
async fn our_own_errors_use_the_anthropic_shape() {
    let (_mock, gw) = setup().await;
    let cases: [(&str, u16, &str, &str); 4] = [
        ("{not json", 400, "invalid_request_error", "not valid JSON"),
        (
            r#"{"model":"claude-x","messages":"hi"}"#,
            400,
            "invalid_request_error",
            "messages",
        ),
        (
            r#"{"model":"gpt-4o","messages":[]}"#,
            404,
            "not_found_error",
            "no route matches model `gpt-4o`",
        ),
        (r#"{"messages":[]}"#, 400, "invalid_request_error", "model"),
    ];
    for (body, status, kind, needle) in cases {
        let response = gw.post("/v1/messages").body(body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{body}");
        let json: Value = response.json().await.unwrap();
        assert_eq!(json["error"]["type"], kind, "{body}");
        let message = json["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(needle),
            "{message} should mention {needle}"
        );
    }
    assert_eq!(
        gw.recorder.wait_for(4).await.len(),
        4,
        "every request is recorded once"
    );
}

#[tokio::test]
async fn keys_hosts_and_origins_are_checked() {
    let (_mock, gw) = setup().await;
    let body = anthropic_request(false);
    let no_key = gw
        .client
        .post(gw.url("/v1/messages"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), 401);
    assert_eq!(
        no_key.json::<Value>().await.unwrap()["error"]["type"],
        "authentication_error"
    );
    let wrong_key = gw
        .client
        .post(gw.url("/v1/messages"))
        .header("x-api-key", "sk-wrong-but-long-enough")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_key.status(), 401);
    let origin = gw
        .post("/v1/messages")
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(origin.status(), 403);
    assert!(
        origin
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let host = gw
        .post("/v1/messages")
        .header("host", "evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(host.status(), 403);
    let health = gw.client.get(gw.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let bearer = gw
        .client
        .post(gw.url("/v1/nope"))
        .bearer_auth(CLIENT_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 404);
}

#[tokio::test]
async fn upstream_cut_mid_stream_becomes_an_error_event() {
    let (mock, gw) = setup().await;
    mock.push(Reply::SseThenCut {
        chunks: vec![chat_chunk(json!({"content": "partial"}), None)],
    });
    let response = gw.send_messages(true).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let summary = validate_stream(&text).unwrap();
    assert_eq!(summary.error.unwrap()["type"], "api_error");
    assert!(!text.contains("message_stop"));
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].outcome, Outcome::StreamError);
}

#[tokio::test]
async fn client_disconnect_cancels_the_upstream_request() {
    let (mock, gw) = setup().await;
    let dropped = Arc::new(AtomicBool::new(false));
    mock.push(Reply::Endless {
        dropped: dropped.clone(),
    });
    let mut response = gw.send_messages(true).await;
    let _ = response.chunk().await.unwrap();
    drop(response);
    for _ in 0..100 {
        if dropped.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        dropped.load(Ordering::SeqCst),
        "upstream stream still running"
    );
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].outcome, Outcome::ClientGone);
}

#[tokio::test]
async fn unreachable_and_silent_upstreams_fail_clearly() {
    let gw = TestGateway::start("openai_chat", "http://127.0.0.1:9/v1", "").await;
    let response = gw.send_messages(false).await;
    assert_eq!(response.status(), 502);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("could not reach upstream `mock`")
    );

    let (mock, gw) = setup().await;
    mock.push(Reply::Hang);
    let response = gw.send_messages(false).await;
    assert_eq!(response.status(), 504);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["type"],
        "timeout_error"
    );
}

/// Counted locally with o200k_base: system, tools, text, tool calls and
/// results, each text's count known from tiktoken-rs, plus 3 tokens of
/// framing per message (the system prompt is one) and 3 priming the reply.
#[tokio::test]
async fn issue4_count_tokens_is_counted_locally_for_chat_upstreams() {
    let (mock, gw) = setup().await;
    let body = r##"{"model": "claude-sonnet-4-5", "system": "You are terse.",
        "tools": [{"name": "read_file", "description": "Reads a file from disk.",
            "input_schema": {"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}],
        "messages": [
            {"role": "user", "content": "Hello, world!"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "read_file", "input": {"path":"README.md"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "# Switchyard"}]}
        ]}"##;
    let response = gw
        .post("/v1/messages/count_tokens")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let tokens = response.json::<Value>().await.unwrap()["input_tokens"]
        .as_u64()
        .unwrap();
    // system 4; tool 2 + 6 + 19; text 4; call 2 + 6; result 3; 4 messages.
    assert_eq!(tokens, 4 + (2 + 6 + 19) + 4 + (2 + 6) + 3 + (4 * 3 + 3));
    assert!(mock.seen().is_empty());
}

/// Small SSE writes must not wait for ACKs: without TCP_NODELAY, Nagle and
/// the client's delayed ACK hold a write that follows an unacknowledged one
/// back by about 40 ms on loopback, once per stream. A short stream shows it
/// best: straight from the mock it takes a few ms, and the gateway adds little
/// to that, so a stall would multiply the time. The bound is relative to that
/// baseline, measured in the same rounds, so a loaded machine that slows both
/// paths does not make it fail (it may then miss the stall, never invent it).
/// Measured on 2 cores: about 6 ms direct and 8 ms through the gateway, 45 ms
/// with the gateway's TCP_NODELAY off (caught in a full `nextest` run too);
/// with 4 busy loops about 35 ms for both.
#[tokio::test]
async fn issue3_streams_are_not_delayed_by_nagle() {
    let (mock, gw) = setup().await;
    const ROUNDS: usize = 15;
    let stream = || {
        let mut chunks: Vec<String> = (0..3)
            .map(|i| chat_chunk(json!({"content": format!("t{i} ")}), None))
            .collect();
        chunks.push(chat_chunk(json!({}), Some("stop")));
        chunks.push("data: [DONE]\n\n".into());
        Reply::Sse {
            chunks,
            delay: Duration::ZERO,
        }
    };
    let mut direct = Vec::new();
    let mut through = Vec::new();
    for _ in 0..ROUNDS {
        mock.push(stream());
        let started = std::time::Instant::now();
        let url = format!("{}/v1/chat/completions", mock.url());
        gw.client
            .post(url)
            .body("{}")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        direct.push(started.elapsed());
        mock.push(stream());
        let started = std::time::Instant::now();
        let response = gw
            .post("/v1/messages")
            .json(&anthropic_request(true))
            .send()
            .await;
        assert!(
            response
                .unwrap()
                .text()
                .await
                .unwrap()
                .contains("message_stop")
        );
        through.push(started.elapsed());
    }
    direct.sort();
    through.sort();
    let (direct, through) = (direct[ROUNDS / 2], through[ROUNDS / 2]);
    let bound = direct * 2 + Duration::from_millis(10);
    assert!(
        through < bound,
        "median stream: {through:?} through the gateway, {direct:?} straight from the mock \
         (bound {bound:?}): small writes are held back"
    );
}

/// Some upstreams ignore `stream: true` and answer JSON; the client still gets its stream.
#[tokio::test]
async fn json_answer_to_a_stream_request_is_replayed_as_a_stream() {
    let (mock, gw) = setup().await;
    mock.push(Reply::json(json!({
        "id": "c9", "model": "upstream-model-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "whole",
            "tool_calls": [{"id": "call_9", "type": "function", "function": {"name": "Bash", "arguments": "{\"command\":\"ls\"}"}}]},
            "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4}
    })));
    let response = gw.send_messages(true).await;
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let summary = validate_stream(&response.text().await.unwrap()).unwrap();
    assert_eq!(summary.blocks[0], ("text".into(), "whole".into()));
    assert_eq!(
        summary.blocks[1],
        ("tool_use".into(), "{\"command\":\"ls\"}".into())
    );
    assert_eq!(summary.stop_reason.as_deref(), Some("tool_use"));
    assert_eq!(summary.usage.unwrap()["output_tokens"], 4);
}

/// Codex hangs up as soon as it has the end marker, while the upstream
/// connection is still open: that request is complete, not abandoned.
#[tokio::test]
async fn issue4_hanging_up_after_the_end_marker_is_a_complete_request() {
    let (mock, gw) = setup().await;
    mock.push(Reply::SseThenHang {
        chunks: vec![
            chat_chunk(json!({"content": "done"}), None),
            chat_chunk(json!({}), Some("stop")),
            "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\n".into(),
            "data: [DONE]\n\n".into(),
        ],
    });
    let mut response = gw.send_messages(true).await;
    let mut seen = String::new();
    while !seen.contains("message_stop") {
        let chunk = response.chunk().await.unwrap().unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(response);
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].outcome, Outcome::Ok);
    assert_eq!(events[0].usage.output_tokens, 1);
}
