//! Issue 12: every inbound API against a mock upstream of every API,
//! streamed and not, records one row in a real SQLite store with the mock's
//! token counts and the exact cost from `[[prices]]`.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use serde_json::{Value, json};
use support::*;
use switchyard_protocol::Format;

const FORMATS: [Format; 4] = [
    Format::Anthropic,
    Format::OpenaiChat,
    Format::OpenaiResponses,
    Format::Gemini,
];

/// USD per million tokens.
const PRICES: &str = r#"
[[prices]]
model = "upstream-model-*"
input = 0.27
output = 1.10
cache_read = 0.07
cache_write = 0.35
reasoning = 2.0
"#;

/// What each upstream's answer reports, as the gateway counts it: input
/// without cache, output with reasoning. Anthropic reports no reasoning
/// count but cache writes; the others report reasoning but no cache writes.
fn expected(upstream: Format) -> ([u64; 5], f64) {
    match upstream {
        // 200 × 0.27 + 50 × 1.10 + 1000 × 0.07 + 30 × 0.35
        Format::Anthropic => ([200, 50, 1000, 30, 0], 189.5e-6),
        // 200 × 0.27 + 40 × 1.10 + 10 × 2.0 + 1000 × 0.07
        _ => ([200, 50, 1000, 0, 10], 188e-6),
    }
}

fn base_url(mock: &MockUpstream, upstream: Format) -> String {
    match upstream {
        Format::Anthropic => mock.url(),
        Format::Gemini => format!("{}/v1beta", mock.url()),
        _ => format!("{}/v1", mock.url()),
    }
}

fn json_reply(upstream: Format) -> Value {
    match upstream {
        Format::Anthropic => json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "upstream-model-1",
            "content": [{"type": "text", "text": "Hi"}], "stop_reason": "end_turn",
            "stop_sequence": null,
            "usage": {"input_tokens": 200, "output_tokens": 50, "cache_read_input_tokens": 1000,
                      "cache_creation_input_tokens": 30},
        }),
        Format::OpenaiChat => json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "upstream-model-1",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1200, "completion_tokens": 50,
                      "prompt_tokens_details": {"cached_tokens": 1000},
                      "completion_tokens_details": {"reasoning_tokens": 10}},
        }),
        Format::OpenaiResponses => json!({
            "id": "resp_1", "object": "response", "created_at": 1, "status": "completed",
            "model": "upstream-model-1",
            "output": [{"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                        "content": [{"type": "output_text", "text": "Hi", "annotations": []}]}],
            "usage": responses_usage(),
        }),
        Format::Gemini => json!({
            "candidates": [{"content": {"role": "model", "parts": [{"text": "Hi"}]},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": gemini_usage(),
            "modelVersion": "upstream-model-1", "responseId": "r1",
        }),
    }
}

fn responses_usage() -> Value {
    json!({"input_tokens": 1200, "input_tokens_details": {"cached_tokens": 1000},
           "output_tokens": 50, "output_tokens_details": {"reasoning_tokens": 10},
           "total_tokens": 1250})
}

fn gemini_usage() -> Value {
    json!({"promptTokenCount": 1200, "cachedContentTokenCount": 1000,
           "candidatesTokenCount": 40, "thoughtsTokenCount": 10, "totalTokenCount": 1250})
}

fn event(name: &str, data: &Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

fn data(data: &Value) -> String {
    format!("data: {data}\n\n")
}

fn sse_reply(upstream: Format) -> Vec<String> {
    match upstream {
        Format::Anthropic => vec![
            event(
                "message_start",
                &json!({"type": "message_start", "message": {
                "id": "msg_1", "type": "message", "role": "assistant", "model": "upstream-model-1",
                "content": [], "stop_reason": null,
                "usage": {"input_tokens": 200, "output_tokens": 1, "cache_read_input_tokens": 1000,
                          "cache_creation_input_tokens": 30}}}),
            ),
            event(
                "content_block_start",
                &json!({"type": "content_block_start", "index": 0,
                "content_block": {"type": "text", "text": ""}}),
            ),
            event(
                "content_block_delta",
                &json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": "Hi"}}),
            ),
            event(
                "content_block_stop",
                &json!({"type": "content_block_stop", "index": 0}),
            ),
            event(
                "message_delta",
                &json!({"type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                "usage": {"output_tokens": 50}}),
            ),
            event("message_stop", &json!({"type": "message_stop"})),
        ],
        Format::OpenaiChat => vec![
            chat_chunk(json!({"role": "assistant", "content": "Hi"}), None),
            chat_chunk(json!({}), Some("stop")),
            data(
                &json!({"id": "chatcmpl-t", "model": "upstream-model-1", "choices": [],
                "usage": json_reply(Format::OpenaiChat)["usage"]}),
            ),
            "data: [DONE]\n\n".into(),
        ],
        Format::OpenaiResponses => responses_stream(),
        Format::Gemini => vec![
            data(
                &json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "Hi"}]}}],
                "modelVersion": "upstream-model-1", "responseId": "r1"}),
            ),
            data(
                &json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "!"}]},
                "finishReason": "STOP"}], "usageMetadata": gemini_usage()}),
            ),
        ],
    }
}

fn responses_stream() -> Vec<String> {
    let response = |status: &str, usage: Value| {
        json!({"id": "resp_1", "object": "response", "created_at": 1, "status": status,
               "model": "upstream-model-1", "output": [], "usage": usage})
    };
    let item = json!({"id": "msg_1", "type": "message", "status": "in_progress", "content": [],
                      "role": "assistant"});
    vec![
        event(
            "response.created",
            &json!({"type": "response.created", "sequence_number": 0,
            "response": response("in_progress", Value::Null)}),
        ),
        event(
            "response.output_item.added",
            &json!({"type": "response.output_item.added",
            "sequence_number": 1, "output_index": 0, "item": item}),
        ),
        event(
            "response.content_part.added",
            &json!({"type": "response.content_part.added",
            "sequence_number": 2, "item_id": "msg_1", "output_index": 0, "content_index": 0,
            "part": {"type": "output_text", "annotations": [], "text": ""}}),
        ),
        event(
            "response.output_text.delta",
            &json!({"type": "response.output_text.delta",
            "sequence_number": 3, "item_id": "msg_1", "output_index": 0, "content_index": 0,
            "delta": "Hi"}),
        ),
        event(
            "response.completed",
            &json!({"type": "response.completed", "sequence_number": 4,
            "response": response("completed", responses_usage())}),
        ),
    ]
}

/// The client's request in `inbound`'s API, from its usual user agent.
fn request(gw: &TestGateway, inbound: Format, stream: bool) -> reqwest::RequestBuilder {
    let messages = json!([{"role": "user", "content": "Say hi"}]);
    let (path, agent, body) = match inbound {
        Format::Anthropic => (
            "/v1/messages".to_owned(),
            "claude-cli/2.1.330 (external, cli)",
            anthropic_request(stream),
        ),
        Format::OpenaiChat => (
            "/v1/chat/completions".to_owned(),
            "OpenAI/Python 1.109.1",
            json!({"model": "claude-sonnet-4-5", "messages": messages, "stream": stream,
                   "stream_options": {"include_usage": true}}),
        ),
        Format::OpenaiResponses => (
            "/v1/responses".to_owned(),
            "codex_exec/0.169.0 (Debian 12.0.0; x86_64)",
            json!({"model": "claude-sonnet-4-5", "input": "Say hi", "stream": stream}),
        ),
        Format::Gemini => (
            if stream {
                "/v1beta/models/claude-sonnet-4-5:streamGenerateContent?alt=sse".to_owned()
            } else {
                "/v1beta/models/claude-sonnet-4-5:generateContent".to_owned()
            },
            "GeminiCLI/0.61.0 (linux; x64)",
            json!({"contents": [{"role": "user", "parts": [{"text": "Say hi"}]}]}),
        ),
    };
    gw.post(&path).header("user-agent", agent).json(&body)
}

fn client_of(inbound: Format) -> &'static str {
    match inbound {
        Format::Anthropic => "claude_code",
        Format::OpenaiChat => "sdk",
        Format::OpenaiResponses => "codex",
        Format::Gemini => "gemini_cli",
    }
}

async fn check(inbound: Format, upstream: Format, stream: bool) {
    let case = format!("{inbound} in, {upstream} upstream, stream {stream}");
    let dir = TempDir::new("usage-formats");
    let mock = MockUpstream::start().await;
    let extra = format!("usage_db = {:?}\n{PRICES}", dir.db());
    let text = mock_config(upstream.as_str(), &base_url(&mock, upstream), &extra);
    let gw = TestGateway::with_store(&text).await;
    if stream {
        let chunks = sse_reply(upstream);
        mock.push(Reply::sse(
            &chunks.iter().map(String::as_str).collect::<Vec<_>>(),
        ));
    } else {
        mock.push(Reply::json(json_reply(upstream)));
    }
    let response = request(&gw, inbound, stream).send().await.unwrap();
    assert_eq!(response.status(), 200, "{case}");
    let body = response.bytes().await.unwrap();
    // Stopping drains the queue into the store.
    gw.gateway.stop().await.unwrap();

    let rows = stored_rows(&dir.db());
    assert_eq!(rows.len(), 1, "{case}");
    let row = &rows[0];
    let (tokens, cost) = expected(upstream);
    let got = [
        row.input_tokens,
        row.output_tokens,
        row.cache_read_tokens,
        row.cache_write_tokens,
        row.reasoning_tokens,
    ];
    assert_eq!(got, tokens, "{case}");
    let got_cost = row.cost_usd.unwrap();
    assert!(
        (got_cost - cost).abs() < 1e-15,
        "{case}: {got_cost} != {cost}"
    );
    assert_eq!(row.price_source.as_deref(), Some("config"), "{case}");
    assert_eq!(
        (row.status, row.outcome.as_str(), row.attempts),
        (200, "ok", 1),
        "{case}"
    );
    assert_eq!(row.inbound_format, inbound.as_str(), "{case}");
    assert_eq!(row.client, client_of(inbound), "{case}");
    assert_eq!(
        (row.provider.as_str(), row.upstream_model.as_str()),
        ("mock", "upstream-model-1"),
        "{case}"
    );
    assert_eq!(
        (row.route.as_str(), row.stream),
        ("claude-*", stream),
        "{case}"
    );
    assert_eq!(row.ttft_ms.is_some(), stream, "{case}");
    assert!(row.request_bytes > 20, "{case}");
    assert_eq!(row.response_bytes, body.len() as u64, "{case}");
    assert_eq!(gw.hub.unwrap().status().stored, 1, "{case}");
}

#[tokio::test]
async fn issue_12_usage_and_cost_are_exact_for_every_format_pair_non_stream() {
    for inbound in FORMATS {
        for upstream in FORMATS {
            check(inbound, upstream, false).await;
        }
    }
}

#[tokio::test]
async fn issue_12_usage_and_cost_are_exact_for_every_format_pair_streamed() {
    for inbound in FORMATS {
        for upstream in FORMATS {
            check(inbound, upstream, true).await;
        }
    }
}
