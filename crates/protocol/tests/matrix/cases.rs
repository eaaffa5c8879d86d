//! The shared cases, written once in the IR: what the client asks and what
//! the upstream answers. Every client format's request and every upstream
//! format's answer is generated from these by the crate's own encoders.

use serde_json::value::RawValue;
use switchyard_protocol::ir::{
    ImageSource, Message, Part, Reasoning, ReasoningEffort, Request, Response, Role, StopReason,
    Tool, ToolChoice, ToolResultPart, Usage,
};
use switchyard_protocol::json::RawJson;

/// Which answers a case is run with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modes {
    /// A complete JSON answer only.
    Json,
    /// A streamed answer only (the request asks for a stream).
    Sse,
    /// Both: the JSON answer, and the same answer streamed to a client that
    /// asked for a stream.
    Both,
}

pub struct Case {
    pub name: &'static str,
    pub request: fn() -> Request,
    pub answer: fn() -> Response,
    pub modes: Modes,
}

pub const TEXT: Case = Case {
    name: "text",
    request: text_request,
    answer: text_answer,
    modes: Modes::Json,
};

pub const STREAM_TEXT: Case = Case {
    name: "stream_text",
    request: stream_text_request,
    answer: text_answer,
    modes: Modes::Sse,
};

pub const TOOLS: Case = Case {
    name: "tools",
    request: tools_request,
    answer: one_call_answer,
    modes: Modes::Both,
};

pub const PARALLEL_TOOLS: Case = Case {
    name: "parallel_tools",
    request: parallel_tools_request,
    answer: parallel_calls_answer,
    modes: Modes::Both,
};

pub const TOOL_RESULTS: Case = Case {
    name: "tool_results",
    request: tool_results_request,
    answer: done_answer,
    modes: Modes::Json,
};

pub const IMAGES: Case = Case {
    name: "images",
    request: images_request,
    answer: done_answer,
    modes: Modes::Json,
};

pub const REASONING: Case = Case {
    name: "reasoning",
    request: reasoning_request,
    answer: reasoning_answer,
    modes: Modes::Both,
};

pub const STOP_SEQUENCES: Case = Case {
    name: "stop_sequences",
    request: stop_sequences_request,
    answer: stop_sequence_answer,
    modes: Modes::Both,
};

pub const LENGTH: Case = Case {
    name: "length",
    request: length_request,
    answer: length_answer,
    modes: Modes::Both,
};

/// Every case with a request and an answer (errors and failed streams are
/// run by their own tests).
pub const ALL: [&Case; 9] = [
    &TEXT,
    &STREAM_TEXT,
    &TOOLS,
    &PARALLEL_TOOLS,
    &TOOL_RESULTS,
    &IMAGES,
    &REASONING,
    &STOP_SEQUENCES,
    &LENGTH,
];

pub const CLIENT_MODEL: &str = "client-model";
pub const UPSTREAM_MODEL: &str = "upstream-model";
/// The Unix time every answer carries, so snapshots never depend on the clock.
pub const CREATED: u64 = 1_700_000_000;

pub fn raw(text: &str) -> RawJson {
    RawJson(RawValue::from_string(text.to_owned()).unwrap())
}

fn user(content: Vec<Part>) -> Message {
    Message {
        role: Role::User,
        content,
    }
}

fn assistant(content: Vec<Part>) -> Message {
    Message {
        role: Role::Assistant,
        content,
    }
}

fn text(text: &str) -> Part {
    Part::Text(text.into())
}

fn call(id: &str, name: &str, arguments: &str) -> Part {
    Part::ToolCall {
        id: id.into(),
        name: name.into(),
        arguments: raw(arguments),
    }
}

fn png() -> ImageSource {
    ImageSource::Base64 {
        media_type: "image/png".into(),
        data: "iVBORw0KGgo=".into(),
    }
}

fn read_file_tool() -> Tool {
    Tool {
        name: "read_file".into(),
        description: Some("Read a file".into()),
        parameters: raw(
            r#"{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"path":{"type":"string"}},"required":["path"]}"#,
        ),
    }
}

fn base(messages: Vec<Message>) -> Request {
    Request {
        model: CLIENT_MODEL.into(),
        system: vec!["You are terse.".into()],
        messages,
        max_tokens: Some(256),
        ..Request::default()
    }
}

fn text_request() -> Request {
    base(vec![user(vec![text("Say hello.")])])
}

fn stream_text_request() -> Request {
    Request {
        stream: true,
        stream_usage: true,
        ..text_request()
    }
}

fn tools_request() -> Request {
    Request {
        tools: vec![read_file_tool()],
        tool_choice: Some(ToolChoice::Auto),
        ..base(vec![user(vec![text("Read /etc/hostname.")])])
    }
}

fn parallel_tools_request() -> Request {
    Request {
        tools: vec![read_file_tool()],
        tool_choice: Some(ToolChoice::Required),
        parallel_tool_calls: Some(true),
        ..base(vec![user(vec![text("Read /a and /b.")])])
    }
}

/// Three results for three calls: plain text, an error, and text with an image.
fn tool_results_request() -> Request {
    let result = |call_id: &str, content: Vec<ToolResultPart>, is_error: bool| Part::ToolResult {
        call_id: call_id.into(),
        content,
        is_error,
    };
    Request {
        tools: vec![read_file_tool()],
        ..base(vec![
            user(vec![text("Read /a, /b and /shot.png.")]),
            assistant(vec![
                text("Reading all three."),
                call("call_a", "read_file", r#"{"path":"/a"}"#),
                call("call_b", "read_file", r#"{"path":"/b"}"#),
                call("call_c", "read_file", r#"{"path":"/shot.png"}"#),
            ]),
            user(vec![
                result("call_a", vec![ToolResultPart::Text("alpha".into())], false),
                result(
                    "call_b",
                    vec![ToolResultPart::Text("no such file".into())],
                    true,
                ),
                result(
                    "call_c",
                    vec![
                        ToolResultPart::Text("the screenshot:".into()),
                        ToolResultPart::Image(png()),
                    ],
                    false,
                ),
            ]),
        ])
    }
}

fn images_request() -> Request {
    base(vec![user(vec![
        text("Compare these two."),
        Part::Image(png()),
        Part::Image(ImageSource::Url("https://example.com/cat.jpg".into())),
    ])])
}

/// A thinking budget, and a previous turn's signed thinking in the history.
fn reasoning_request() -> Request {
    Request {
        max_tokens: Some(4096),
        reasoning: Some(Reasoning {
            effort: Some(ReasoningEffort::Medium),
            budget_tokens: Some(2048),
        }),
        ..base(vec![
            user(vec![text("What is 6 * 7?")]),
            assistant(vec![
                Part::Reasoning {
                    text: "6 * 7 = 42.".into(),
                    signature: Some("sig-earlier".into()),
                },
                text("42"),
            ]),
            user(vec![text("And 6 * 8?")]),
        ])
    }
}

fn stop_sequences_request() -> Request {
    Request {
        stop_sequences: vec!["END".into(), "STOP".into()],
        ..base(vec![user(vec![text("Count to five, then say END.")])])
    }
}

fn length_request() -> Request {
    Request {
        max_tokens: Some(8),
        ..base(vec![user(vec![text("Tell me a long story.")])])
    }
}

fn answer(content: Vec<Part>, stop: StopReason, usage: Usage) -> Response {
    Response {
        id: "up_1".into(),
        model: UPSTREAM_MODEL.into(),
        created: CREATED,
        content,
        stop_reason: Some(stop),
        usage,
    }
}

fn usage(input_tokens: u64, output_tokens: u64) -> Usage {
    Usage {
        input_tokens,
        output_tokens,
        ..Usage::default()
    }
}

fn text_answer() -> Response {
    let usage = Usage {
        cache_read_tokens: 4,
        ..usage(12, 5)
    };
    answer(
        vec![text("Hello there, friend!")],
        StopReason::EndTurn,
        usage,
    )
}

fn one_call_answer() -> Response {
    answer(
        vec![
            text("Reading it."),
            call("call_a", "read_file", r#"{"path":"/etc/hostname"}"#),
        ],
        StopReason::ToolUse,
        usage(40, 18),
    )
}

fn parallel_calls_answer() -> Response {
    answer(
        vec![
            call("call_a", "read_file", r#"{"path":"/a"}"#),
            call("call_b", "read_file", r#"{"path":"/b"}"#),
        ],
        StopReason::ToolUse,
        usage(40, 30),
    )
}

fn done_answer() -> Response {
    answer(vec![text("Done.")], StopReason::EndTurn, usage(90, 2))
}

fn reasoning_answer() -> Response {
    let usage = Usage {
        reasoning_tokens: 9,
        ..usage(30, 14)
    };
    answer(
        vec![
            Part::Reasoning {
                text: "6 * 8 = 48, one more six than 42.".into(),
                signature: Some("sig-new".into()),
            },
            text("48"),
        ],
        StopReason::EndTurn,
        usage,
    )
}

fn stop_sequence_answer() -> Response {
    answer(
        vec![text("1 2 3 4 5 ")],
        StopReason::StopSequence(Some("END".into())),
        usage(20, 10),
    )
}

fn length_answer() -> Response {
    answer(
        vec![text("Once upon a time, in a")],
        StopReason::MaxTokens,
        usage(15, 8),
    )
}
