//! A trip through OpenAI Responses.

use switchyard_protocol::formats::EncodeOptions;
use switchyard_protocol::ir::{
    Message, Part, Request, Response, Role, StopReason, Text, ToolResultPart,
};

use super::{cache_writes_as_input, join, push_result, result_texts, row, split_user_turn, texts};

/// The input items as Responses sends them.
enum Item {
    Developer(Vec<Text>),
    User(Vec<Part>),
    Output(Part),
    Assistant(Vec<Part>),
}

pub fn request(ir: &Request, options: &EncodeOptions) -> Request {
    let mut items = Vec::new();
    for message in &ir.messages {
        match message.role {
            Role::System => items.push(Item::Developer(texts(&message.content).cloned().collect())),
            Role::User => user(&message.content, &mut items),
            Role::Assistant => assistant(&message.content, &mut items),
        }
    }
    let mut system = Vec::new();
    if !ir.system.is_empty() {
        row("system parts | joined with a blank line into `instructions`");
        system.push(join(&ir.system, "\n\n"));
    }
    let messages = read_back(items, &mut system);
    let mut out = super::openai_chat::openai_request(ir, options, system, messages);
    row("stop sequences, `top_k` | dropped: Responses has neither");
    out.top_k = None;
    out.stop_sequences = Vec::new();
    row("(stream usage) | always reported");
    out.stream_usage = true;
    row(
        "reasoning effort / budget | `reasoning.effort` only when the provider sets `reasoning_effort = true`",
    );
    out
}

fn user(parts: &[Part], items: &mut Vec<Item>) {
    let (answers, content, _) = split_user_turn(parts);
    for answer in answers {
        row("tool results | `function_call_output` items before the rest of the user turn");
        items.push(Item::Output(Part::ToolResult {
            call_id: answer.call_id.to_owned(),
            content: output(answer.content, answer.is_error),
            is_error: false,
        }));
    }
    if !content.is_empty() {
        items.push(Item::User(content));
    }
}

/// A result's output read back: text only → one string, with images → a
/// list of parts; an error says so in its text.
fn output(content: &[ToolResultPart], is_error: bool) -> Vec<ToolResultPart> {
    row(
        "text only → a string, with images → a list of parts; `is_error` → text starts with `Error: `",
    );
    row(
        "consecutive `function_call_output` items | one user turn of tool results; outputs carry no error flag",
    );
    let text_only = content
        .iter()
        .all(|part| matches!(part, ToolResultPart::Text(_)));
    if text_only {
        let text = join(result_texts(content), "\n");
        let prefix = if is_error { "Error: " } else { "" };
        return vec![ToolResultPart::Text(Text::from(format!(
            "{prefix}{}",
            text.plain()
        )))];
    }
    let mut parts = Vec::with_capacity(content.len() + 1);
    if is_error {
        parts.push(ToolResultPart::Text("Error:".into()));
    }
    parts.extend(content.iter().cloned());
    parts
}

fn assistant(parts: &[Part], items: &mut Vec<Item>) {
    row(
        "assistant text / tool calls | an assistant `message` (`output_text`), then `function_call` items",
    );
    row("reasoning, redacted reasoning | dropped: OpenAI accepts only its own reasoning items");
    let text: Vec<Part> = texts(parts).cloned().map(Part::Text).collect();
    if !text.is_empty() {
        items.push(Item::Assistant(text));
    }
    let calls = parts
        .iter()
        .filter(|part| matches!(part, Part::ToolCall { .. }));
    items.extend(calls.map(|call| Item::Assistant(vec![call.clone()])));
}

fn read_back(items: Vec<Item>, system: &mut Vec<Text>) -> Vec<Message> {
    let mut messages: Vec<Message> = Vec::new();
    for item in items {
        match item {
            Item::Developer(texts) if messages.is_empty() => {
                row(
                    "`system` / `developer` messages before any other input | system parts, one per text part",
                );
                system.extend(texts);
            }
            Item::Developer(texts) => {
                row("system message mid-conversation | a `developer` message in place");
                let content = vec![Part::Text(join(&texts, "\n\n"))];
                messages.push(Message {
                    role: Role::System,
                    content,
                });
            }
            Item::User(content) => messages.push(Message {
                role: Role::User,
                content,
            }),
            Item::Output(result) => push_result(&mut messages, result),
            Item::Assistant(parts) => match messages.last_mut() {
                Some(last) if last.role == Role::Assistant => {
                    row(
                        "consecutive `reasoning`, assistant `message` and `function_call` items | one assistant turn, in order",
                    );
                    last.content.extend(parts);
                }
                _ => messages.push(Message {
                    role: Role::Assistant,
                    content: parts,
                }),
            },
        }
    }
    messages
}

pub fn response(ir: &Response) -> Response {
    row("answer id | `resp_` + the upstream's id");
    let id = match ir.id.as_str() {
        "" => format!("resp_{}", ir.created),
        id if id.starts_with("resp_") => id.to_owned(),
        id => format!("resp_{id}"),
    };
    let has_calls = ir
        .content
        .iter()
        .any(|part| matches!(part, Part::ToolCall { .. }));
    row("stop reason `max_tokens` / content filter | `status: incomplete`");
    row("`status: completed` | tool use when the answer has calls, else end of turn");
    let stop_reason = match ir.stop_reason {
        Some(StopReason::MaxTokens) => StopReason::MaxTokens,
        Some(StopReason::ContentFilter) => StopReason::ContentFilter,
        _ if has_calls => StopReason::ToolUse,
        _ => StopReason::EndTurn,
    };
    let mut usage = ir.usage;
    row("`input_tokens` = every prompt token (cache reads and writes included)");
    cache_writes_as_input(&mut usage);
    Response {
        id,
        stop_reason: Some(stop_reason),
        usage,
        ..ir.clone()
    }
}
