//! What a local token count reads of a request: everything the upstream
//! would see (system, tools, messages, tool calls and results), nothing it
//! would not (ids, signatures, encrypted reasoning), plus chat framing.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

use switchyard_protocol::estimate::{
    IMAGE_TOKENS, MESSAGE_OVERHEAD, REPLY_PRIMING, compact_json, countable, input_tokens,
    length_estimate,
};
use switchyard_protocol::formats::{anthropic, gemini};

const REQUEST: &str = r##"{"model": "m", "max_tokens": 10,
    "system": [{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Be kind."}],
    "tools": [{"name": "read_file", "description": "Reads a file from disk.",
        "input_schema": {"type":"object","properties":{"path":{"type":"string"}}}}],
    "messages": [
        {"role": "user", "content": [{"type": "text", "text": "Hello"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}]},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "Read it.", "signature": "c2lnbmF0dXJl"},
            {"type": "redacted_thinking", "data": "ZW5jcnlwdGVk"},
            {"type": "tool_use", "id": "toolu_01", "name": "read_file", "input": {"path":"README.md"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "# Switchyard"}]}
    ]}"##;

#[test]
fn issue4_the_count_reads_system_tools_calls_and_results() {
    let request = anthropic::decode_request(REQUEST.as_bytes()).unwrap();
    let parts = countable(&request);
    assert_eq!(
        parts.texts,
        [
            "You are terse.",
            "Be kind.",
            "read_file",
            "Reads a file from disk.",
            r#"{"type":"object","properties":{"path":{"type":"string"}}}"#,
            "Hello",
            "Read it.",
            "read_file",
            r#"{"path":"README.md"}"#,
            "# Switchyard",
        ]
    );
    assert_eq!(parts.images, 1);
    // The system prompt and three messages.
    assert_eq!(parts.messages, 4);
    assert_eq!(parts.framing(), 4 * MESSAGE_OVERHEAD + REPLY_PRIMING);
}

#[test]
fn issue4_tokens_add_texts_images_and_framing() {
    let request = anthropic::decode_request(REQUEST.as_bytes()).unwrap();
    let parts = countable(&request);
    let one_per_text = parts.tokens(|_| 1);
    assert_eq!(one_per_text, 10 + IMAGE_TOKENS + 4 * 3 + 3);
    let chars = parts.tokens(|text| text.chars().count() as u64);
    let text_chars: u64 = parts.texts.iter().map(|t| t.chars().count() as u64).sum();
    assert_eq!(chars, text_chars + IMAGE_TOKENS + parts.framing());
}

#[test]
fn issue4_gemini_system_and_tools_are_read_too() {
    let body = br#"{"systemInstruction": {"parts": [{"text": "Be brief."}]},
        "tools": [{"functionDeclarations": [{"name": "ls", "description": "Lists files.",
            "parametersJsonSchema": {"type":"object"}}]}],
        "contents": [{"role": "user", "parts": [{"text": "Say hi"}]}]}"#;
    let request = gemini::decode_request(body).unwrap();
    let parts = countable(&request);
    assert_eq!(
        parts.texts,
        [
            "Be brief.",
            "ls",
            "Lists files.",
            r#"{"type":"object"}"#,
            "Say hi"
        ]
    );
    assert_eq!(parts.messages, 2);
}

#[test]
fn issue4_an_empty_request_costs_nothing() {
    let request =
        anthropic::decode_request(br#"{"model": "m", "max_tokens": 1, "messages": []}"#).unwrap();
    assert_eq!(input_tokens(&request), 0);
}

#[test]
fn issue4_length_estimate_stays_the_fallback() {
    assert_eq!(length_estimate("abcdefgh"), 2);
    assert_eq!(length_estimate("日本語"), 3);
}

/// Providers parse schemas and arguments and render them themselves: the
/// client's indentation is not counted, the strings' own spaces are.
#[test]
fn issue4_json_counts_without_its_indentation() {
    let pretty =
        "{\n  \"type\": \"object\",\n  \"description\": \"a \\\"quoted\\\" path, with spaces\"\n}";
    assert_eq!(
        compact_json(pretty),
        r#"{"type":"object","description":"a \"quoted\" path, with spaces"}"#
    );
    let compact = r#"{"a":[1,2,{"b":" x "}]}"#;
    assert!(matches!(
        compact_json(compact),
        std::borrow::Cow::Borrowed(_)
    ));
    let body = br#"{"model": "m", "max_tokens": 1, "messages": [], "tools": [{"name": "t",
        "input_schema": {
            "type": "object"
        }}]}"#;
    let request = anthropic::decode_request(body).unwrap();
    assert_eq!(countable(&request).texts, ["t", r#"{"type":"object"}"#]);
}
