//! A trip through OpenAI Chat Completions.

use switchyard_protocol::formats::EncodeOptions;
use switchyard_protocol::ir::{
    Message, Part, Reasoning, ReasoningEffort, Request, Response, Role, StopReason, Text,
    ToolResultPart,
};

use super::{
    cache_writes_as_input, capped, join, push_result, result_texts, row, split_user_turn, texts,
    tool_settings_need_tools, tools_without_schema,
};

/// The messages as Chat sends them.
enum Wire {
    System(Text),
    Tool { call_id: String, text: Text },
    User(Vec<Part>),
    Assistant(Vec<Part>),
}

pub fn request(ir: &Request, options: &EncodeOptions) -> Request {
    let mut wire = Vec::new();
    if !ir.system.is_empty() {
        row("system blocks | joined with a blank line into one leading `system` message");
        wire.push(Wire::System(join(&ir.system, "\n\n")));
    }
    for message in &ir.messages {
        match message.role {
            Role::System => wire.push(Wire::System(join(texts(&message.content), "\n\n"))),
            Role::User => user(&message.content, &mut wire),
            Role::Assistant => {
                row(
                    "assistant turn | one message: reasoning parts joined with a blank line as `reasoning_content`",
                );
                wire.push(Wire::Assistant(assistant(&message.content, "\n\n")));
            }
        }
    }
    let (system, messages) = read_back(wire);
    let mut out = openai_request(ir, options, system, messages);
    row("`top_k` | dropped (not an OpenAI parameter)");
    out.top_k = None;
    row("`stream_usage` | always asked for when streaming");
    out.stream_usage = ir.stream;
    out
}

/// What Chat and Responses requests both lose, around the conversation
/// each reads back its own way.
pub(super) fn openai_request(
    ir: &Request,
    options: &EncodeOptions,
    system: Vec<Text>,
    messages: Vec<Message>,
) -> Request {
    row("tool `input_schema.$schema` | removed");
    row("tools | `function` tools with `strict: false`");
    let mut out = Request {
        system,
        messages,
        tools: tools_without_schema(&ir.tools),
        max_tokens: capped(ir.max_tokens, options),
        reasoning: effort(ir.reasoning, options),
        ..ir.clone()
    };
    tool_settings_need_tools(&mut out);
    out
}

/// Reasoning as `reasoning_effort`, when the provider takes it.
pub(super) fn effort(reasoning: Option<Reasoning>, options: &EncodeOptions) -> Option<Reasoning> {
    row("`reasoning_effort` only when the provider sets `reasoning_effort = true`");
    let reasoning = reasoning.filter(|_| options.reasoning_effort)?;
    row("`budget_tokens` maps to low (< 4096), medium, high (≥ 16384)");
    let effort = reasoning.effort.unwrap_or(match reasoning.budget_tokens {
        Some(budget) if budget < 4096 => ReasoningEffort::Low,
        Some(budget) if budget >= 16384 => ReasoningEffort::High,
        _ => ReasoningEffort::Medium,
    });
    Some(Reasoning {
        effort: Some(effort),
        budget_tokens: None,
    })
}

fn user(parts: &[Part], wire: &mut Vec<Wire>) {
    let (answers, mut out, mut images) = split_user_turn(parts);
    for answer in answers {
        row("`tool_result.is_error` | the tool message text starts with `Error: `");
        let text = join(result_texts(answer.content), "\n");
        let text = match answer.is_error {
            true => Text::from(format!("Error: {}", text.plain())),
            false => text,
        };
        let call_id = answer.call_id.to_owned();
        wire.push(Wire::Tool { call_id, text });
    }
    if !images.is_empty() {
        out.push(Part::Text(
            "(images returned by the tool call above)".into(),
        ));
        out.append(&mut images);
    }
    if out.iter().any(|part| matches!(part, Part::Image(_))) {
        wire.push(Wire::User(out));
    } else if !out.is_empty() {
        row("several text blocks in one user turn | joined with a blank line into one string");
        wire.push(Wire::User(vec![Part::Text(join(texts(&out), "\n\n"))]));
    }
}

/// An assistant turn as Chat carries it: reasoning, then text, then calls.
fn assistant(parts: &[Part], separator: &str) -> Vec<Part> {
    row("`thinking` blocks in history | sent back as the assistant message's `reasoning_content`");
    row("`redacted_thinking` blocks | dropped");
    let reasoning: Vec<&Text> = parts
        .iter()
        .filter_map(|part| match part {
            Part::Reasoning { text, .. } => Some(text),
            _ => None,
        })
        .collect();
    let reasoning = join(reasoning, separator);
    let text = join(texts(parts), separator);
    let mut out = Vec::new();
    if !reasoning.is_empty() {
        out.push(Part::Reasoning {
            text: reasoning,
            signature: None,
        });
    }
    if !text.is_empty() {
        out.push(Part::Text(text));
    }
    out.extend(
        parts
            .iter()
            .filter(|part| matches!(part, Part::ToolCall { .. }))
            .cloned(),
    );
    out
}

fn read_back(wire: Vec<Wire>) -> (Vec<Text>, Vec<Message>) {
    let mut system = Vec::new();
    let mut messages: Vec<Message> = Vec::new();
    for message in wire {
        match message {
            Wire::System(text) if messages.is_empty() => {
                row("leading `system` / `developer` messages | Anthropic `system` blocks");
                system.push(text);
            }
            Wire::System(text) => {
                row("later `system` / `developer` messages | kept in place as `role: \"system\"`");
                messages.push(Message {
                    role: Role::System,
                    content: vec![Part::Text(text)],
                });
            }
            Wire::Tool { call_id, text } => {
                row("consecutive `tool` messages | `tool_result` blocks of one user turn");
                let content = vec![ToolResultPart::Text(text)];
                let is_error = false;
                push_result(
                    &mut messages,
                    Part::ToolResult {
                        call_id,
                        content,
                        is_error,
                    },
                );
            }
            Wire::User(content) => messages.push(Message {
                role: Role::User,
                content,
            }),
            Wire::Assistant(content) => messages.push(Message {
                role: Role::Assistant,
                content,
            }),
        }
    }
    (system, messages)
}

pub fn response(ir: &Response) -> Response {
    row("several text parts of an answer | concatenated");
    let content = assistant(&ir.content, "");
    let has_calls = content
        .iter()
        .any(|part| matches!(part, Part::ToolCall { .. }));
    let mut usage = ir.usage;
    row("`usage.input_tokens` + cache reads + cache writes | `prompt_tokens`");
    cache_writes_as_input(&mut usage);
    Response {
        content,
        stop_reason: ir
            .stop_reason
            .as_ref()
            .map(|stop| stop_reason(stop, has_calls)),
        usage,
        ..ir.clone()
    }
}

fn stop_reason(stop: &StopReason, has_calls: bool) -> StopReason {
    match stop {
        StopReason::MaxTokens => StopReason::MaxTokens,
        StopReason::ContentFilter => StopReason::ContentFilter,
        _ if has_calls => {
            row("`finish_reason: stop` after tool calls (Ollama) | `tool_use`");
            StopReason::ToolUse
        }
        StopReason::ToolUse => StopReason::ToolUse,
        StopReason::EndTurn | StopReason::StopSequence(_) | StopReason::Other(_) => {
            row("stop sequence, other stop reasons | `finish_reason: stop`");
            StopReason::EndTurn
        }
    }
}
