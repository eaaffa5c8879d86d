//! OpenAI Responses in (Codex CLI) → OpenAI Chat or Anthropic upstreams, both ways.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] fns"
)]

mod support;

use proptest::prelude::*;
use serde_json::{Value, json};
use support::{fixture, split_at};
use switchyard_protocol::Transcoder;
use switchyard_protocol::error::{DecodeError, Feature};
use switchyard_protocol::formats::{EncodeOptions, anthropic, openai_chat, openai_responses};
use switchyard_protocol::ir::{Part, Role, ToolChoice};

const CODEX: &str = "openai_responses/codex_first_turn.req.json";
const KITCHEN_SINK: &str = "openai_responses/kitchen_sink.req.json";

fn to_chat(path: &str) -> Value {
    let request = openai_responses::decode_request(&fixture(path)).unwrap();
    serde_json::from_slice(&openai_chat::encode_request(
        &request,
        &EncodeOptions::default(),
    ))
    .unwrap()
}

fn to_anthropic(path: &str) -> Value {
    let request = openai_responses::decode_request(&fixture(path)).unwrap();
    serde_json::from_slice(&anthropic::encode_request(
        &request,
        &EncodeOptions::default(),
    ))
    .unwrap()
}

fn tool_names(tools: &Value, pointer: &str) -> Vec<String> {
    tools
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool.pointer(pointer).unwrap().as_str().unwrap().to_owned())
        .collect()
}

/// A name every vendor accepts: `[A-Za-z0-9_-]{1,64}`.
fn portable(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
}

fn head(text: &str) -> String {
    text.chars().take(48).collect()
}

#[test]
fn codex_request_translates_cleanly() {
    let out = to_chat(CODEX);
    let keys: Vec<&str> = out
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in &keys {
        let known = [
            "model",
            "messages",
            "stream",
            "stream_options",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
        ];
        assert!(known.contains(key), "unexpected field {key}");
    }
    assert!(
        out["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|tool| { tool["type"] == "function" && tool["function"].get("strict").is_none() })
    );
    let names = tool_names(&out["tools"], "/function/name");
    assert!(names.iter().all(|name| portable(name)), "{names:?}");
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len());
    assert!(names.contains(&"exec_command".to_owned()));
    assert!(names.contains(&"multi_agent_v1--spawn_agent".to_owned()));
    assert!(!names.iter().any(|name| name.contains("web_search")));
    // Both developer messages lead the conversation: one system message.
    let messages = out["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "user"]);
    let system = messages[0]["content"].as_str().unwrap();
    assert!(system.starts_with("You are a coding agent running in the Codex CLI"));
    assert!(system.contains("<permissions instructions>"));
    assert_eq!(messages[2]["content"], "say hi");
    assert_eq!(out["stream_options"], json!({"include_usage": true}));
    let summary = json!({
        "keys": keys,
        "roles": roles,
        "heads": messages.iter().map(|m| head(m["content"].as_str().unwrap())).collect::<Vec<_>>(),
        "tools": names,
        "tool_choice": out["tool_choice"],
        "parallel_tool_calls": out["parallel_tool_calls"],
    });
    insta::assert_json_snapshot!(summary);
}

#[test]
fn codex_request_to_anthropic_keeps_only_client_tools() {
    let out = to_anthropic(CODEX);
    let names = tool_names(&out["tools"], "/name");
    assert_eq!(names.len(), 12, "{names:?}");
    assert!(
        out["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|tool| { tool.get("type").is_none() && tool["input_schema"]["type"] == "object" })
    );
    assert!(names.iter().all(|name| portable(name)));
    let system = out["system"].as_array().unwrap();
    assert_eq!(system.len(), 3);
    assert_eq!(out["messages"].as_array().unwrap().len(), 2);
    // Codex's `reasoning` has a summary setting but no effort: no thinking.
    assert!(out.get("thinking").is_none());
}

#[test]
fn kitchen_sink_request_golden() {
    let out = to_chat(KITCHEN_SINK);
    assert_eq!(
        out["tool_choice"]["function"]["name"],
        "multi_agent_v1--spawn_agent"
    );
    assert_eq!(out["parallel_tool_calls"], false);
    assert_eq!(out["user"], "user-7");
    assert_eq!(
        out["response_format"],
        serde_json::json!({"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": true}})
    );
    insta::assert_json_snapshot!(out);
}

#[test]
fn kitchen_sink_decodes_item_by_item() {
    let request = openai_responses::decode_request(&fixture(KITCHEN_SINK)).unwrap();
    assert_eq!(request.system, ["You are terse.", "Prefer ripgrep."]);
    assert_eq!(request.max_tokens, Some(4096));
    assert!(request.reasoning.is_some_and(|r| r.effort.is_some()));
    assert_eq!(
        request.tool_choice,
        Some(ToolChoice::Tool("multi_agent_v1--spawn_agent".into()))
    );
    let roles: Vec<Role> = request.messages.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [
            Role::User,
            Role::Assistant,
            Role::User,
            Role::System,
            Role::User
        ]
    );
    let assistant = &request.messages[1].content;
    assert_eq!(
        assistant[0],
        Part::Reasoning {
            text: "Look at /a first.".into(),
            signature: Some("sig-abc".into())
        }
    );
    assert_eq!(assistant[1], Part::RedactedReasoning("opaque-blob".into()));
    assert_eq!(assistant[2], Part::Text("Reading /a.".into()));
    assert!(
        matches!(&assistant[4], Part::ToolCall { name, .. } if name == "multi_agent_v1--spawn_agent")
    );
    assert_eq!(request.messages[2].content.len(), 2);
    let tools: Vec<&str> = request.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        tools,
        [
            "exec_command",
            "multi_agent_v1--spawn_agent",
            "multi_agent_v1--close_agent"
        ]
    );
}

#[test]
fn previous_response_id_is_refused_clearly() {
    let body = br#"{"model":"m","input":"hi","previous_response_id":"resp_1"}"#;
    let err = openai_responses::decode_request(body).unwrap_err();
    assert!(matches!(
        err,
        DecodeError::Unsupported { ref path, feature: Feature::PreviousResponseId } if path == "previous_response_id"
    ));
    assert!(err.to_string().contains("previous_response_id"), "{err}");
    assert!(err.to_string().contains("full input"), "{err}");
    let body = br#"{"model":"m","input":"hi","conversation":"conv_1"}"#;
    let err = openai_responses::decode_request(body).unwrap_err();
    assert!(err.to_string().starts_with("conversation:"), "{err}");
}

#[test]
fn malformed_bodies_name_the_field() {
    let cases: [(&str, &str); 9] = [
        (r#"{"input":"hi"}"#, "model"),
        (r#"{"model":5,"input":"hi"}"#, "model"),
        (
            r#"{"model":"m","input":[{"type":"function_call","name":"x"}]}"#,
            "input[0].call_id",
        ),
        (
            r#"{"model":"m","input":[{"content":"x"}]}"#,
            "input[0].role",
        ),
        (
            r#"{"model":"m","input":["x", {"role":"user","content":[{"type":"input_text","text":7}]}]}"#,
            "input[0]",
        ),
        (
            r#"{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":7}]}]}"#,
            "input[0].content[0].text",
        ),
        (
            r#"{"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"f"}]}]}"#,
            "input[0].content[0].file_id",
        ),
        (
            r#"{"model":"m","input":[{"role":"robot","content":"x"}]}"#,
            "input[0].role",
        ),
        (
            r#"{"model":"m","tools":[{"type":"namespace","name":"n","tools":[{"type":"function"}]}]}"#,
            "tools[0].tools[0].name",
        ),
    ];
    for (body, field) in cases {
        let err = openai_responses::decode_request(body.as_bytes()).unwrap_err();
        assert!(err.to_string().contains(field), "{body}: {err}");
    }
    let err = openai_responses::decode_request(b"{oops").unwrap_err();
    assert!(
        matches!(
            err,
            DecodeError::Json {
                line: 1,
                column: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn string_input_hosted_tool_choice_and_no_effort() {
    let body = br#"{"model":"m","input":"hi","tool_choice":{"type":"web_search"},"reasoning":{"effort":"none"},"tools":[{"type":"web_search"}]}"#;
    let request = openai_responses::decode_request(body).unwrap();
    assert_eq!(request.messages[0].content, [Part::Text("hi".into())]);
    assert_eq!(request.tool_choice, Some(ToolChoice::Auto));
    assert!(request.reasoning.is_none() && request.tools.is_empty());
    assert!(request.stream_usage && !request.stream);
}

fn chat_answer(path: &str) -> Value {
    let response = openai_chat::decode_response(&fixture(path)).unwrap();
    serde_json::from_slice(&openai_responses::encode_response(&response)).unwrap()
}

#[test]
fn non_stream_answer_golden() {
    let out = chat_answer("openai_chat/tools_reasoning.resp.json");
    assert_eq!(out["object"], "response");
    assert_eq!(out["status"], "completed");
    assert_eq!(out["output"][1]["type"], "function_call");
    insta::assert_json_snapshot!(out);
}

#[test]
fn anthropic_answer_carries_its_signature_in_encrypted_content() {
    let response =
        anthropic::decode_response(&fixture("anthropic/tools_thinking.resp.json")).unwrap();
    let out: Value = serde_json::from_slice(&openai_responses::encode_response(&response)).unwrap();
    let output = out["output"].as_array().unwrap();
    assert_eq!(output[0]["type"], "reasoning");
    assert_eq!(output[0]["encrypted_content"], "sig");
    assert_eq!(output[1]["content"][0]["text"], "Calling.");
    assert_eq!(output[2]["call_id"], "01A");
    // Prompt tokens include cache reads and writes; cached ones are named.
    assert_eq!(out["usage"]["input_tokens"], 18);
    assert_eq!(out["usage"]["input_tokens_details"]["cached_tokens"], 5);
    assert_eq!(out["usage"]["total_tokens"], 38);
}

#[test]
fn truncated_answer_is_incomplete() {
    let body = br#"{"id":"t","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Once upon"},"finish_reason":"length"}]}"#;
    let response = openai_chat::decode_response(body).unwrap();
    let out: Value = serde_json::from_slice(&openai_responses::encode_response(&response)).unwrap();
    assert_eq!(out["status"], "incomplete");
    assert_eq!(out["incomplete_details"]["reason"], "max_output_tokens");
}

/// Codex sends the answer's output items back, with the call outputs, as the
/// next request's input: the IR must come back as it left.
#[test]
fn answer_items_round_trip_as_the_next_input() {
    let response =
        anthropic::decode_response(&fixture("anthropic/tools_thinking.resp.json")).unwrap();
    let mut response = response;
    response.content.push(Part::ToolCall {
        id: "call_9".into(),
        name: "multi_agent_v1--wait_agent".into(),
        arguments: switchyard_protocol::json::arguments_json("{\"targets\":[]}".into()),
    });
    let out: Value = serde_json::from_slice(&openai_responses::encode_response(&response)).unwrap();
    let mut input = vec![json!({"role": "user", "content": "go"})];
    input.extend(out["output"].as_array().unwrap().iter().cloned());
    input.push(json!({"type": "function_call_output", "call_id": "01A", "output": "zoomed"}));
    let body = json!({"model": "m", "input": input}).to_string();
    let request = openai_responses::decode_request(body.as_bytes()).unwrap();
    let sent: Vec<&Part> = response
        .content
        .iter()
        .filter(|part| !matches!(part, Part::ToolCall { name, .. } if name == "web_search"))
        .collect();
    let back: Vec<&Part> = request.messages[1].content.iter().collect();
    assert_eq!(back, sent);
    assert_eq!(request.messages[2].role, Role::User);
}

fn chat_stream_to_responses(chunks: &[&[u8]]) -> String {
    let mut transcoder = Transcoder::new(
        openai_chat::StreamDecoder::new(),
        openai_responses::StreamEncoder::new(1_700_000_000),
    );
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(transcoder.feed(chunk));
    }
    out.extend(transcoder.finish());
    String::from_utf8(out).unwrap()
}

fn validated(sse: &str) -> switchyard_test_support::openai_responses::StreamSummary {
    switchyard_test_support::openai_responses::validate_stream(sse)
        .unwrap_or_else(|err| panic!("{err}\n{sse}"))
}

const STREAMS: [&str; 7] = [
    "text",
    "reasoning_then_text",
    "tool_call_split",
    "parallel_interleaved",
    "no_finish_chunk",
    "name_after_args",
    "error_mid_stream",
];

#[test]
fn every_chat_stream_becomes_a_valid_responses_stream() {
    for name in STREAMS {
        let raw = fixture(&format!("openai_chat/{name}.stream.sse"));
        validated(&chat_stream_to_responses(&[&raw]));
    }
}

#[test]
fn stream_text_golden() {
    let sse = chat_stream_to_responses(&[&fixture("openai_chat/text.stream.sse")]);
    let summary = validated(&sse);
    assert_eq!(summary.status, "completed");
    let events: Vec<Value> = support::frames(&sse)
        .iter()
        .map(|frame| serde_json::from_str(&frame.data).unwrap())
        .collect();
    insta::assert_json_snapshot!(events);
}

#[test]
fn stream_parallel_interleaved_tool_calls() {
    let raw = fixture("openai_chat/parallel_interleaved.stream.sse");
    let summary = validated(&chat_stream_to_responses(&[&raw]));
    let items: Vec<(&str, &str)> = summary
        .items
        .iter()
        .map(|(kind, text)| (kind.as_str(), text.as_str()))
        .collect();
    assert_eq!(
        items,
        [
            ("function_call", "{\"file_path\":\"/a\"}"),
            ("function_call", "{\"command\":\"ls\"}"),
        ]
    );
    let output = &summary.response["output"];
    assert_eq!(output[0]["call_id"], "call_a");
    assert_eq!(output[1]["name"], "Bash");
}

#[test]
fn stream_reasoning_then_text() {
    let raw = fixture("openai_chat/reasoning_then_text.stream.sse");
    let summary = validated(&chat_stream_to_responses(&[&raw]));
    assert_eq!(summary.items[0].0, "reasoning");
    assert_eq!(summary.items[1].0, "message");
    assert!(summary.usage.unwrap()["input_tokens"].as_u64().unwrap() > 0);
}

#[test]
fn stream_error_mid_stream_is_response_failed() {
    let raw = fixture("openai_chat/error_mid_stream.stream.sse");
    let summary = validated(&chat_stream_to_responses(&[&raw]));
    assert_eq!(summary.status, "failed");
    let error = summary.error.unwrap();
    assert_eq!(error["code"], "rate_limit_exceeded");
    assert_eq!(error["message"], "Rate limit reached for requests");
}

#[test]
fn anthropic_stream_keeps_thinking_signature() {
    let mut transcoder = Transcoder::new(
        anthropic::StreamDecoder::new(),
        openai_responses::StreamEncoder::new(1),
    );
    let mut out = transcoder.feed(&fixture("anthropic/tools_thinking.stream.sse"));
    out.extend(transcoder.finish());
    let summary = validated(&String::from_utf8(out).unwrap());
    assert_eq!(summary.response["output"][0]["encrypted_content"], "abc");
    assert_eq!(summary.items[0], ("reasoning".into(), "Let me see.".into()));
    assert_eq!(
        summary.usage.unwrap()["input_tokens_details"]["cached_tokens"],
        12
    );
}

#[test]
fn hub_error_frame_is_response_failed() {
    use switchyard_protocol::Format;
    use switchyard_protocol::error::ApiError;
    let frame = switchyard_protocol::formats::stream_error_frame(
        Format::OpenaiResponses,
        &ApiError::new(502, "cut"),
        7,
    );
    let text = String::from_utf8(frame).unwrap();
    assert!(text.starts_with("event: response.failed\ndata: "), "{text}");
    let data: Value =
        serde_json::from_str(text.trim_end().split_once("data: ").unwrap().1).unwrap();
    assert_eq!(data["response"]["status"], "failed");
    assert_eq!(data["response"]["error"]["message"], "cut");
    assert_eq!(data["sequence_number"], 7);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn rechunking_keeps_the_responses_stream(
        which in 0..STREAMS.len(),
        cuts in prop::collection::vec(any::<usize>(), 0..40),
    ) {
        let raw = fixture(&format!("openai_chat/{}.stream.sse", STREAMS[which]));
        let whole = chat_stream_to_responses(&[&raw]);
        prop_assert_eq!(&whole, &chat_stream_to_responses(&split_at(&raw, cuts)));
    }

    #[test]
    fn request_decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = openai_responses::decode_request(&bytes);
    }

    #[test]
    fn request_decoder_survives_mutated_fixtures(at in any::<usize>(), byte in any::<u8>()) {
        let mut body = fixture(KITCHEN_SINK);
        let at = at % body.len();
        body[at] = byte;
        let _ = openai_responses::decode_request(&body);
    }
}
