//! Structured output (JSON answers) carried between every format.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

use serde_json::{Value, json};
use switchyard_protocol::Format;
use switchyard_protocol::formats::{EncodeOptions, decode_request, encode_request};

const SCHEMA: &str =
    r#"{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}"#;

fn translate(from: Format, body: &Value, to: Format) -> Value {
    let request = decode_request(from, body.to_string().as_bytes()).unwrap();
    serde_json::from_slice(&encode_request(to, &request, &EncodeOptions::default())).unwrap()
}

fn schema() -> Value {
    serde_json::from_str(SCHEMA).unwrap()
}

#[test]
fn chat_json_schema_reaches_every_upstream() {
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema(), "strict": true}}});
    let anthropic = translate(Format::OpenaiChat, &body, Format::Anthropic);
    assert_eq!(
        anthropic["output_config"],
        json!({"format": {"type": "json_schema", "schema": schema()}})
    );
    let gemini = translate(Format::OpenaiChat, &body, Format::Gemini);
    assert_eq!(
        gemini["generationConfig"]["responseMimeType"],
        "application/json"
    );
    assert_eq!(gemini["generationConfig"]["responseJsonSchema"], schema());
    let responses = translate(Format::OpenaiChat, &body, Format::OpenaiResponses);
    assert_eq!(
        responses["text"]["format"],
        json!({"type": "json_schema", "name": "reply", "schema": schema(), "strict": true})
    );
}

/// Gemini CLI's model picker asks for JSON through `responseJsonSchema`; an
/// upstream that never hears of it answers prose, and the CLI retries for 100 s.
#[test]
fn issue4_gemini_response_schema_reaches_chat_and_anthropic() {
    let body = json!({"contents": [{"role": "user", "parts": [{"text": "pick"}]}],
        "generationConfig": {"responseMimeType": "application/json", "responseJsonSchema": schema()}});
    let chat = translate(Format::Gemini, &body, Format::OpenaiChat);
    assert_eq!(chat["response_format"]["type"], "json_schema");
    assert_eq!(chat["response_format"]["json_schema"]["schema"], schema());
    assert_eq!(chat["response_format"]["json_schema"]["name"], "response");
    let anthropic = translate(Format::Gemini, &body, Format::Anthropic);
    assert_eq!(anthropic["output_config"]["format"]["schema"], schema());
}

#[test]
fn gemini_cli_upper_case_types_in_response_json_schema_are_lowered() {
    let body = json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}],
        "generationConfig": {"responseMimeType": "application/json",
            "responseJsonSchema": {"type": "OBJECT", "properties": {"score": {"type": "INTEGER"}}}}});
    let chat = translate(Format::Gemini, &body, Format::OpenaiChat);
    assert_eq!(
        chat["response_format"]["json_schema"]["schema"],
        json!({"type": "object", "properties": {"score": {"type": "integer"}}})
    );
}

#[test]
fn gemini_openapi_schema_is_converted() {
    let body = json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}],
        "generationConfig": {"responseSchema": {"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}}}}});
    let chat = translate(Format::Gemini, &body, Format::OpenaiChat);
    assert_eq!(
        chat["response_format"]["json_schema"]["schema"],
        json!({"type": "object", "properties": {"n": {"type": "integer"}}})
    );
}

#[test]
fn json_object_mode_and_responses_text_format() {
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "response_format": {"type": "json_object"}});
    let gemini = translate(Format::OpenaiChat, &body, Format::Gemini);
    assert_eq!(
        gemini["generationConfig"]["responseMimeType"],
        "application/json"
    );
    assert!(
        gemini["generationConfig"]
            .get("responseJsonSchema")
            .is_none()
    );
    // Anthropic has no "any JSON object" mode: nothing is sent (LOSSY.md).
    assert!(
        translate(Format::OpenaiChat, &body, Format::Anthropic)
            .get("output_config")
            .is_none()
    );

    let responses = json!({"model": "m", "input": "hi", "text": {"format": {"type": "json_schema", "name": "r", "schema": schema()}}});
    let chat = translate(Format::OpenaiResponses, &responses, Format::OpenaiChat);
    assert_eq!(chat["response_format"]["json_schema"]["name"], "r");
    let anthropic_in = json!({"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}],
        "output_config": {"effort": "low", "format": {"type": "json_schema", "schema": schema()}}});
    let chat = translate(Format::Anthropic, &anthropic_in, Format::OpenaiChat);
    assert_eq!(chat["response_format"]["json_schema"]["schema"], schema());
}

/// max_tokens covers thinking and the answer: a budget that left one token
/// for the answer (Gemini CLI's includeThoughts at 8192) broke every reply.
#[test]
fn issue4_thinking_budget_leaves_room_for_the_answer() {
    let body = json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}],
        "generationConfig": {"maxOutputTokens": 8192, "thinkingConfig": {"includeThoughts": true}}});
    let anthropic = translate(Format::Gemini, &body, Format::Anthropic);
    assert_eq!(anthropic["max_tokens"], 8192);
    assert_eq!(anthropic["thinking"]["budget_tokens"], 4096);
}
