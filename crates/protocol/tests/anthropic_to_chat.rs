//! Anthropic Messages in → OpenAI Chat Completions upstream, both ways.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

mod support;

use serde_json::{Value, json};
use support::{chat_to_anthropic, fixture, validate_anthropic_stream};
use switchyard_protocol::error::ApiError;
use switchyard_protocol::formats::{EncodeOptions, anthropic, openai_chat};

fn translate_request(path: &str, options: &EncodeOptions) -> Value {
    let request = anthropic::decode_request(&fixture(path)).unwrap();
    serde_json::from_slice(&openai_chat::encode_request(&request, options)).unwrap()
}

fn translate_response(path: &str) -> Value {
    let response = openai_chat::decode_response(&fixture(path)).unwrap();
    serde_json::from_slice(&anthropic::encode_response(&response)).unwrap()
}

#[test]
fn kitchen_sink_request_golden() {
    let options = EncodeOptions {
        reasoning_effort: true,
        ..Default::default()
    };
    insta::assert_json_snapshot!(translate_request(
        "anthropic/kitchen_sink.req.json",
        &options
    ));
}

#[test]
fn tool_choice_tool_and_string_system_golden() {
    let options = EncodeOptions {
        max_tokens_field: openai_chat::MaxTokensField::MaxCompletionTokens,
        max_tokens_cap: Some(8192),
        reasoning_effort: false,
    };
    insta::assert_json_snapshot!(translate_request(
        "anthropic/tool_choice_tool.req.json",
        &options
    ));
}

/// The recorded Claude Code request: everything Anthropic-only is gone, the
/// conversation keeps its order, and the upstream gets only fields it knows.
#[test]
fn claude_code_request_translates_cleanly() {
    let out = translate_request(
        "anthropic/claude_code_write_loop.req.json",
        &EncodeOptions::default(),
    );
    let allowed = [
        "model",
        "messages",
        "max_tokens",
        "stream",
        "stream_options",
        "tools",
        "user",
    ];
    for key in out.as_object().unwrap().keys() {
        assert!(
            allowed.contains(&key.as_str()),
            "unexpected upstream field {key}"
        );
    }
    let text = out.to_string();
    for banned in [
        "cache_control",
        "context_management",
        "output_config",
        "defer_loading",
        "$schema",
    ] {
        assert!(!text.contains(banned), "{banned} leaked upstream");
    }
    let roles: Vec<&str> = out["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "system", "assistant", "tool"]);
    let messages = &out["messages"];
    assert_eq!(messages[3]["tool_calls"][0]["id"], "conf_w1");
    assert_eq!(messages[3]["tool_calls"][0]["function"]["name"], "Write");
    let arguments: Value = serde_json::from_str(
        messages[3]["tool_calls"][0]["function"]["arguments"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(arguments["file_path"], "/home/dev/project/hello.txt");
    assert_eq!(messages[4]["tool_call_id"], "conf_w1");
    assert_eq!(out["stream_options"], json!({"include_usage": true}));
    assert_eq!(out["tools"].as_array().unwrap().len(), 12);
    assert_eq!(out["max_tokens"], 128000);
}

#[test]
fn non_stream_text_golden() {
    insta::assert_json_snapshot!(translate_response("openai_chat/text.resp.json"));
}

#[test]
fn non_stream_tools_and_reasoning_golden() {
    insta::assert_json_snapshot!(translate_response("openai_chat/tools_reasoning.resp.json"));
}

#[test]
fn non_stream_matched_stop_sequence_is_reported() {
    let out = translate_response("openai_chat/stop_sequence.resp.json");
    assert_eq!(out["stop_reason"], "stop_sequence");
    assert_eq!(out["stop_sequence"], "END");
}

/// Ollama says `stop` after tool calls and omits call ids; the loop must go on.
#[test]
fn non_stream_stop_with_tool_calls_is_tool_use() {
    let out = translate_response("openai_chat/length_ollama_tools.resp.json");
    assert_eq!(out["stop_reason"], "tool_use");
    assert_eq!(out["content"][0]["type"], "thinking");
    assert_eq!(out["content"][1]["type"], "tool_use");
    assert_eq!(out["content"][1]["input"], json!({"command": "pwd"}));
    assert!(
        out["content"][1]["id"]
            .as_str()
            .unwrap()
            .starts_with("toolu_")
    );
}

fn stream_golden(name: &str) -> String {
    let sse = fixture(&format!("openai_chat/{name}.stream.sse"));
    chat_to_anthropic(&[&sse])
}

#[test]
fn stream_text_golden() {
    let out = stream_golden("text");
    let summary = validate_anthropic_stream(&out);
    assert_eq!(summary.blocks, [("text".into(), "Hello, wörld".into())]);
    assert_eq!(summary.stop_reason.as_deref(), Some("end_turn"));
    let usage = summary.usage.unwrap();
    assert_eq!(usage["input_tokens"], 20);
    assert_eq!(usage["cache_read_input_tokens"], 100);
    assert_eq!(usage["output_tokens"], 3);
    insta::assert_snapshot!(out);
}

#[test]
fn stream_reasoning_then_text() {
    let out = stream_golden("reasoning_then_text");
    let summary = validate_anthropic_stream(&out);
    assert_eq!(
        summary.blocks,
        [
            ("thinking".into(), "Let me think.".into()),
            ("text".into(), "Answer: 4".into())
        ]
    );
    assert_eq!(summary.stop_reason.as_deref(), Some("max_tokens"));
    assert_eq!(summary.usage.unwrap()["cache_read_input_tokens"], 4);
    insta::assert_snapshot!(out);
}

#[test]
fn stream_tool_call_split_arguments() {
    let out = stream_golden("tool_call_split");
    let summary = validate_anthropic_stream(&out);
    assert_eq!(summary.blocks[0], ("text".into(), "I'll write it.".into()));
    assert_eq!(summary.blocks[1].0, "tool_use");
    let input: Value = serde_json::from_str(&summary.blocks[1].1).unwrap();
    assert_eq!(input, json!({"file_path": "/tmp/a.txt", "content": "hi\n"}));
    assert_eq!(summary.stop_reason.as_deref(), Some("tool_use"));
    insta::assert_snapshot!(out);
}

#[test]
fn stream_parallel_interleaved_tool_calls_are_serialized() {
    let out = stream_golden("parallel_interleaved");
    let summary = validate_anthropic_stream(&out);
    let inputs: Vec<Value> = summary
        .blocks
        .iter()
        .map(|(_, text)| serde_json::from_str(text).unwrap())
        .collect();
    assert_eq!(
        inputs,
        [json!({"file_path": "/a"}), json!({"command": "ls"})]
    );
    assert!(out.contains("\"name\":\"Read\"") && out.contains("\"name\":\"Bash\""));
    insta::assert_snapshot!(out);
}

#[test]
fn stream_without_finish_chunk_still_ends_properly() {
    let out = stream_golden("no_finish_chunk");
    let summary = validate_anthropic_stream(&out);
    assert_eq!(summary.blocks.len(), 2);
    assert_eq!(summary.stop_reason.as_deref(), Some("tool_use"));
}

#[test]
fn stream_tool_name_after_arguments_is_held_back() {
    let out = stream_golden("name_after_args");
    let summary = validate_anthropic_stream(&out);
    assert_eq!(summary.blocks[0], ("thinking".into(), "hmm".into()));
    assert_eq!(summary.blocks[1], ("tool_use".into(), "{\"q\":1}".into()));
    assert!(out.contains("toolu_call_late"));
    assert_eq!(summary.stop_reason.as_deref(), Some("tool_use"));
}

#[test]
fn stream_error_mid_stream_becomes_error_event() {
    let out = stream_golden("error_mid_stream");
    let summary = validate_anthropic_stream(&out);
    let error = summary.error.unwrap();
    assert_eq!(error["type"], "rate_limit_error");
    assert_eq!(error["message"], "Rate limit reached for requests");
    assert!(!out.contains("message_stop"));
}

#[test]
fn issue4_chat_in_stream_error_names_map_to_anthropic_types() {
    let cases = [
        (
            r#"{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}"#,
            "rate_limit_error",
        ),
        (
            r#"{"message":"busy","type":"server_overloaded","code":null}"#,
            "overloaded_error",
        ),
        (
            r#"{"message":"too long","code":"context_length_exceeded"}"#,
            "invalid_request_error",
        ),
        (r#"{"message":"boom","type":"server_error"}"#, "api_error"),
        (r#"{"message":"odd","code":"something_new"}"#, "api_error"),
    ];
    for (error, expected) in cases {
        let start = b"data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n";
        let failure = format!("data: {{\"error\":{error}}}\n\n");
        let out = chat_to_anthropic(&[start, failure.as_bytes()]);
        let summary = validate_anthropic_stream(&out);
        let got = summary.error.unwrap();
        assert_eq!(got["type"], expected, "{error}");
        assert!(!got["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn stream_that_never_started_is_an_error() {
    let out = chat_to_anthropic(&[b""]);
    let summary = validate_anthropic_stream(&out);
    assert_eq!(summary.error.unwrap()["type"], "api_error");
}

#[test]
fn error_types_follow_anthropic_statuses() {
    let cases = [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (413, "request_too_large"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (502, "api_error"),
        (503, "overloaded_error"),
        (529, "overloaded_error"),
    ];
    for (status, want) in cases {
        let body: Value =
            serde_json::from_slice(&anthropic::encode_error(&ApiError::new(status, "m"))).unwrap();
        assert_eq!(
            body,
            json!({"type": "error", "error": {"type": want, "message": "m"}})
        );
    }
}

#[test]
fn malformed_requests_name_the_field() {
    let cases: [(&[u8], &str); 5] = [
        (b"{", "not valid JSON"),
        (br#"{"model":"m","messages":"hi"}"#, "messages"),
        (
            br#"{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}"#,
            "messages[0].content[0].text",
        ),
        (
            br#"{"model":"m","messages":[{"role":"robot","content":"x"}]}"#,
            "robot",
        ),
        (
            br#"{"model":"m","messages":[],"tool_choice":{"type":"tool"}}"#,
            "tool_choice.name",
        ),
    ];
    for (body, want) in cases {
        let err = anthropic::decode_request(body).unwrap_err().to_string();
        assert!(err.contains(want), "{err} should mention {want}");
    }
}

/// A chat stream cut before both its `finish_reason` and `[DONE]` is an
/// error event, never an `end_turn`; one that had its `finish_reason` is a
/// whole answer even when `[DONE]` never comes.
#[test]
fn issue4_chat_stream_cut_before_finish_is_an_error() {
    let text =
        br#"data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"partial"}}]}

"#;
    let out = chat_to_anthropic(&[text]);
    let summary = validate_anthropic_stream(&out);
    let error = summary.error.unwrap();
    assert_eq!(error["type"], "api_error");
    assert_eq!(
        error["message"],
        "upstream stream ended before its finish_reason or [DONE]"
    );
    assert!(!out.contains("message_stop"), "{out}");
    let finish =
        br#"data: {"id":"c","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

"#;
    let out = chat_to_anthropic(&[text, finish]);
    let summary = validate_anthropic_stream(&out);
    assert_eq!(summary.stop_reason.as_deref(), Some("end_turn"));
}
