//! Every format's request encoder and decoder agree: a request encoded in a
//! format and decoded again means the same (ids may be renamed, but every
//! tool result still pairs with its call), and any client format reaches any
//! upstream format (the 4 × 4 matrix) with the conversation intact.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] fns"
)]

use std::collections::HashSet;

use serde_json::value::RawValue;
use switchyard_protocol::Format;
use switchyard_protocol::formats::{EncodeOptions, decode_request, encode_request};
use switchyard_protocol::ir::{
    ImageSource, Message, Part, Request, ResponseFormat, Role, Tool, ToolResultPart,
};
use switchyard_protocol::json::RawJson;

const FORMATS: [Format; 4] = [
    Format::Anthropic,
    Format::OpenaiChat,
    Format::OpenaiResponses,
    Format::Gemini,
];

fn raw(text: &str) -> RawJson {
    RawJson(RawValue::from_string(text.to_owned()).unwrap())
}

fn message(role: Role, content: Vec<Part>) -> Message {
    Message { role, content }
}

/// A conversation with text, an image, parallel tool calls and their
/// results (one an error), a tool list and structured output.
fn case() -> Request {
    Request {
        model: "m".into(),
        system: vec!["Be brief.".into()],
        messages: vec![
            message(
                Role::User,
                vec![
                    Part::Text("Look at this and read /a and /b.".into()),
                    Part::Image(ImageSource::Base64 {
                        media_type: "image/png".into(),
                        data: "iVBORw0KGgo=".into(),
                    }),
                ],
            ),
            message(
                Role::Assistant,
                vec![
                    Part::Text("Reading both.".into()),
                    Part::ToolCall {
                        id: "call_1".into(),
                        name: "read".into(),
                        arguments: raw(r#"{"path":"/a"}"#),
                    },
                    Part::ToolCall {
                        id: "call_2".into(),
                        name: "read".into(),
                        arguments: raw(r#"{"path":"/b"}"#),
                    },
                ],
            ),
            message(
                Role::User,
                vec![
                    Part::ToolResult {
                        call_id: "call_1".into(),
                        content: vec![ToolResultPart::Text("alpha".into())],
                        is_error: false,
                    },
                    Part::ToolResult {
                        call_id: "call_2".into(),
                        content: vec![ToolResultPart::Text("no such file".into())],
                        is_error: true,
                    },
                ],
            ),
            message(Role::User, vec![Part::Text("Summarize.".into())]),
        ],
        tools: vec![Tool {
            name: "read".into(),
            description: Some("Read a file".into()),
            parameters: raw(
                r#"{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}"#,
            ),
        }],
        max_tokens: Some(1000),
        stop_sequences: vec!["END".into()],
        stream: true,
        stream_usage: true,
        response_format: Some(ResponseFormat::JsonSchema {
            name: "summary".into(),
            schema: raw(r#"{"type":"object"}"#),
            strict: false,
        }),
        ..Request::default()
    }
}

/// What must survive any format: text per role, images, tool calls by name
/// and arguments, results by text, with ids only required to pair.
fn meaning(request: &Request) -> Vec<String> {
    let mut calls = HashSet::new();
    let mut out = Vec::new();
    for message in &request.messages {
        for part in &message.content {
            let line = match part {
                Part::Text(text) => format!(
                    "{:?} text {}",
                    message.role,
                    text.plain().trim_start_matches("Error: ")
                ),
                Part::Image(_) => format!("{:?} image", message.role),
                Part::ToolCall {
                    id,
                    name,
                    arguments,
                } => {
                    calls.insert(id.clone());
                    let arguments: serde_json::Value =
                        serde_json::from_str(arguments.get()).unwrap();
                    format!("call {name} {arguments}")
                }
                Part::ToolResult {
                    call_id, content, ..
                } => {
                    assert!(
                        calls.contains(call_id),
                        "result for unknown call {call_id}: {request:?}"
                    );
                    let text: Vec<String> = content
                        .iter()
                        .map(|part| match part {
                            ToolResultPart::Text(text) => {
                                text.plain().trim_start_matches("Error: ").to_owned()
                            }
                            ToolResultPart::Image(_) => "image".into(),
                        })
                        .collect();
                    format!("result {}", text.join(""))
                }
                Part::Reasoning { .. } | Part::RedactedReasoning(_) => continue,
            };
            out.push(line);
        }
    }
    out
}

fn through(format: Format, request: &Request) -> Request {
    let body = encode_request(format, request, &EncodeOptions::default());
    let mut decoded = decode_request(format, &body).unwrap_or_else(|err| {
        panic!(
            "{format} cannot read its own request: {err}\n{}",
            String::from_utf8_lossy(&body)
        )
    });
    // Gemini carries the model and the stream flag in the URL, not the body.
    if format == Format::Gemini {
        decoded.model.clone_from(&request.model);
        decoded.stream = request.stream;
    }
    decoded
}

#[test]
fn decode_of_encode_keeps_the_meaning_in_every_format() {
    let original = case();
    for format in FORMATS {
        let back = through(format, &original);
        assert_eq!(meaning(&back), meaning(&original), "{format}");
        assert_eq!(back.system, original.system, "{format}");
        assert_eq!(back.tools, original.tools, "{format}");
        assert_eq!(back.max_tokens, original.max_tokens, "{format}");
        assert!(back.response_format.is_some(), "{format}");
        // Responses has no stop sequences (LOSSY.md).
        if format != Format::OpenaiResponses {
            assert_eq!(back.stop_sequences, original.stop_sequences, "{format}");
        }
    }
}

#[test]
fn every_client_format_reaches_every_upstream_format() {
    let original = case();
    for client in FORMATS {
        let from_client = through(client, &original);
        for upstream in FORMATS {
            let at_upstream = through(upstream, &from_client);
            assert_eq!(
                meaning(&at_upstream),
                meaning(&original),
                "{client} → {upstream}"
            );
        }
    }
}

/// serde_json's default float parser may be one ulp off, so a client's
/// `1.9843879833784441` reached the upstream as `1.984387983378444`. Every
/// format reads sampling settings exactly now.
#[test]
fn issue_9_sampling_settings_keep_every_digit() {
    let request = Request {
        model: "m".into(),
        temperature: Some(1.984_387_983_378_444_1),
        top_p: Some(0.984_387_983_378_444_1),
        ..Request::default()
    };
    for format in FORMATS {
        let body = encode_request(format, &request, &EncodeOptions::default()).unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("1.9843879833784441"), "{format}: {text}");
        let back = decode_request(format, &body).unwrap();
        assert_eq!(back.temperature, request.temperature, "{format}: {text}");
        assert_eq!(back.top_p, request.top_p, "{format}: {text}");
    }
}
