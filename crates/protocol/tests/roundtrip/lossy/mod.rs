//! What a trip through each format loses, as functions of the IR:
//! `request(format, ir, options)` is what `decode_request(encode_request(ir))`
//! must give back, `response(format, ir)` what
//! `decode_response(encode_response(ir))` must give back. Each change is
//! made next to a `row("…")` quoting the LOSSY.md row that documents it; the
//! `every_cited_row_is_in_lossy_md` test fails on a quote found in no row.
//! A loss missing here fails the roundtrip, and so does one listed here that
//! the code no longer makes.

mod anthropic;
mod gemini;
mod openai_chat;
mod openai_responses;

use switchyard_protocol::Format;
use switchyard_protocol::formats::EncodeOptions;
use switchyard_protocol::ir::{Message, Part, Request, Response, Role, Text, Tool, ToolResultPart};
use switchyard_protocol::json::RawJson;

use crate::generate::{SCHEMA_MEMBER, raw};

/// The sources that cite rows, for `every_cited_row_is_in_lossy_md`.
pub const SOURCES: [&str; 5] = [
    include_str!("mod.rs"),
    include_str!("anthropic.rs"),
    include_str!("gemini.rs"),
    include_str!("openai_chat.rs"),
    include_str!("openai_responses.rs"),
];

/// Marks the LOSSY.md row (quoted) that documents the change next to it.
pub fn row(_quote: &str) {}

pub fn request(format: Format, ir: &Request, options: &EncodeOptions) -> Request {
    match format {
        Format::Anthropic => anthropic::request(ir, options),
        Format::OpenaiChat => openai_chat::request(ir, options),
        Format::OpenaiResponses => openai_responses::request(ir, options),
        Format::Gemini => gemini::request(ir, options),
    }
}

pub fn response(format: Format, ir: &Response) -> Response {
    match format {
        Format::Anthropic => anthropic::response(ir),
        Format::OpenaiChat => openai_chat::response(ir),
        Format::OpenaiResponses => openai_responses::response(ir),
        Format::Gemini => gemini::response(ir),
    }
}

/// The client's limit lowered to the route's cap, or the cap alone.
fn capped(max_tokens: Option<u32>, options: &EncodeOptions) -> Option<u32> {
    row("lowered to the route's `max_tokens` cap");
    match (max_tokens, options.max_tokens_cap) {
        (Some(asked), Some(cap)) => Some(asked.min(cap)),
        (asked, cap) => asked.or(cap),
    }
}

/// The plain texts joined by `separator`, as one text.
fn join<'a>(texts: impl IntoIterator<Item = &'a Text>, separator: &str) -> Text {
    let plain: Vec<String> = texts
        .into_iter()
        .map(|text| text.plain().into_owned())
        .collect();
    Text::from(plain.join(separator))
}

fn texts(parts: &[Part]) -> impl Iterator<Item = &Text> {
    parts.iter().filter_map(|part| match part {
        Part::Text(text) => Some(text),
        _ => None,
    })
}

fn result_texts(content: &[ToolResultPart]) -> impl Iterator<Item = &Text> {
    content.iter().filter_map(|part| match part {
        ToolResultPart::Text(text) => Some(text),
        ToolResultPart::Image(_) => None,
    })
}

/// A tool result of a user turn.
struct Answer<'a> {
    call_id: &'a str,
    content: &'a [ToolResultPart],
    is_error: bool,
}

/// A user turn's tool results, its text and images, and the images inside
/// its results (as parts of the turn).
fn split_user_turn(parts: &[Part]) -> (Vec<Answer<'_>>, Vec<Part>, Vec<Part>) {
    let mut answers = Vec::new();
    let mut rest = Vec::new();
    let mut images = Vec::new();
    for part in parts {
        match part {
            Part::ToolResult {
                call_id,
                content,
                is_error,
            } => {
                answers.push(Answer {
                    call_id,
                    content,
                    is_error: *is_error,
                });
                images.extend(content.iter().filter_map(|part| match part {
                    ToolResultPart::Image(image) => Some(Part::Image(image.clone())),
                    ToolResultPart::Text(_) => None,
                }));
            }
            Part::Text(_) | Part::Image(_) => rest.push(part.clone()),
            _ => {}
        }
    }
    (answers, rest, images)
}

fn is_result(part: &Part) -> bool {
    matches!(part, Part::ToolResult { .. })
}

/// A generated schema without its `$schema` member (see `generate::schema`).
fn without_schema(schema: &RawJson) -> RawJson {
    let text = schema.get();
    let cut = [format!(",{SCHEMA_MEMBER}"), format!("{SCHEMA_MEMBER},")]
        .into_iter()
        .find(|member| text.contains(member.as_str()));
    match cut {
        Some(member) => raw(&text.replacen(&member, "", 1)),
        None => schema.clone(),
    }
}

fn tools_without_schema(tools: &[Tool]) -> Vec<Tool> {
    tools
        .iter()
        .map(|tool| Tool {
            parameters: without_schema(&tool.parameters),
            ..tool.clone()
        })
        .collect()
}

/// OpenAI formats refuse a tool choice or `parallel_tool_calls` without tools.
fn tool_settings_need_tools(out: &mut Request) {
    if out.tools.is_empty() {
        row("`tool_choice`, `parallel_tool_calls` without tools | dropped");
        out.tool_choice = None;
        out.parallel_tool_calls = None;
    }
}

/// A result part read back from a format whose tool results are separate
/// messages: it joins the user turn before it when that turn holds only
/// results, or starts one.
fn push_result(messages: &mut Vec<Message>, result: Part) {
    match messages.last_mut() {
        Some(last) if last.role == Role::User && last.content.iter().all(is_result) => {
            last.content.push(result);
        }
        _ => messages.push(Message {
            role: Role::User,
            content: vec![result],
        }),
    }
}

/// Usage read back from a format that counts cache writes as prompt tokens.
fn cache_writes_as_input(usage: &mut switchyard_protocol::ir::Usage) {
    usage.input_tokens += usage.cache_write_tokens;
    usage.cache_write_tokens = 0;
}
