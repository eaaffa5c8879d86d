//! A trip through the Gemini API.

use std::collections::HashMap;

use switchyard_protocol::formats::EncodeOptions;
use switchyard_protocol::ir::{
    Message, Part, Reasoning, ReasoningEffort, Request, Response, ResponseFormat, Role, StopReason,
    Text, ToolResultPart,
};

use super::{
    cache_writes_as_input, capped, join, result_texts, row, split_user_turn,
    tool_settings_need_tools, tools_without_schema,
};

const MIN_THINKING_BUDGET: u32 = 128;

pub fn request(ir: &Request, options: &EncodeOptions) -> Request {
    let contents: Vec<Message> = ir.messages.iter().filter_map(content).collect();
    let max_tokens = capped(ir.max_tokens, options);
    let mut out = Request {
        messages: with_gemini_ids(contents),
        tools: tools_without_schema(&ir.tools),
        max_tokens,
        reasoning: ir
            .reasoning
            .map(|reasoning| thinking(reasoning, max_tokens)),
        response_format: response_format(ir.response_format.as_ref()),
        ..ir.clone()
    };
    row("tool schemas | sent as `parametersJsonSchema`");
    tool_settings_need_tools(&mut out);
    row("model, stream | from the URL");
    out.model = String::new();
    out.stream = false;
    row("`parallel_tool_calls`, `user` | dropped: no Gemini equivalent");
    out.parallel_tool_calls = None;
    out.user = None;
    row("(stream usage) | always true: Gemini streams always report usage");
    out.stream_usage = true;
    out
}

/// A message as a Gemini content read back, ids still the IR's.
fn content(message: &Message) -> Option<Message> {
    let (role, content) = match message.role {
        Role::Assistant => {
            row("reasoning text in history | dropped");
            row("redacted reasoning | dropped");
            let kept = message
                .content
                .iter()
                .filter(|part| matches!(part, Part::Text(_) | Part::ToolCall { .. }));
            (Role::Assistant, kept.cloned().collect())
        }
        Role::User => (Role::User, user(&message.content)),
        Role::System => {
            row("mid-conversation system messages | a `user` turn");
            (Role::User, user(&message.content))
        }
    };
    (!content.is_empty()).then_some(Message { role, content })
}

/// Results lead the turn, then its text and images, then the images the
/// results held.
fn user(parts: &[Part]) -> Vec<Part> {
    let (answers, rest, images) = split_user_turn(parts);
    let mut out: Vec<Part> = answers
        .into_iter()
        .map(|answer| {
            let (content, is_error) = result(answer.content, answer.is_error);
            let call_id = answer.call_id.to_owned();
            Part::ToolResult {
                call_id,
                content,
                is_error,
            }
        })
        .collect();
    if !images.is_empty() {
        row("images follow as `inlineData` parts");
    }
    out.extend(rest);
    out.extend(images);
    out
}

/// A result as a `functionResponse.response` object, read back.
fn result(content: &[ToolResultPart], is_error: bool) -> (Vec<ToolResultPart>, bool) {
    row(
        "tool result text that is a JSON object | sent as the `response` object; other text as `{\"result\": …}`, errors as `{\"error\": …}`",
    );
    let text = join(result_texts(content), "\n").into_plain();
    let json = text.trim_matches([' ', '\t', '\n', '\r']);
    let is_object = text.trim_start().starts_with('{')
        && serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok();
    if is_error || !is_object {
        return (vec![ToolResultPart::Text(text.into())], is_error);
    }
    row(
        "`functionResponse.response` | `{output}` / `{result}` with a string → that text; `{error}` → error result; any other object → its JSON text",
    );
    let single: Option<(String, bool)> = match serde_json::from_str(json) {
        Ok(serde_json::Value::Object(members)) if members.len() == 1 => members
            .into_iter()
            .find_map(|(key, value)| match (key.as_str(), value) {
                ("output" | "result", serde_json::Value::String(text)) => Some((text, false)),
                ("error", serde_json::Value::String(text)) => Some((text, true)),
                _ => None,
            }),
        _ => None,
    };
    let (text, is_error) = single.unwrap_or_else(|| (json.to_owned(), false));
    (vec![ToolResultPart::Text(text.into())], is_error)
}

/// Call ids replaced as Gemini pairs calls and results: by name and order.
fn with_gemini_ids(mut messages: Vec<Message>) -> Vec<Message> {
    row(
        "tool-call ids | not sent (Gemini pairs by order); a tool result names its function, looked up from the call with that id",
    );
    row(
        "`functionCall` without `id` | a stable id from name and position (`call_{name}_{n}`); `functionResponse` without `id` pairs with the earliest unanswered call of that name",
    );
    let names: HashMap<String, String> = messages
        .iter()
        .flat_map(|message| &message.content)
        .filter_map(|part| match part {
            Part::ToolCall { id, name, .. } => Some((id.clone(), name.clone())),
            _ => None,
        })
        .collect();
    let mut count = 0;
    let mut unanswered: Vec<(String, String)> = Vec::new();
    for part in messages.iter_mut().flat_map(|message| &mut message.content) {
        match part {
            Part::ToolCall { id, name, .. } => {
                *id = synthetic_id(name, count);
                count += 1;
                unanswered.push((name.clone(), id.clone()));
            }
            Part::ToolResult { call_id, .. } => {
                let name = names.get(call_id.as_str()).map_or("tool", String::as_str);
                *call_id = match unanswered.iter().position(|(call, _)| call == name) {
                    Some(at) => unanswered.remove(at).1,
                    None => synthetic_id(name, usize::MAX),
                };
            }
            _ => {}
        }
    }
    messages
}

fn synthetic_id(name: &str, position: usize) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("call_{name}_{position}")
}

fn thinking(reasoning: Reasoning, max_tokens: Option<u32>) -> Reasoning {
    row(
        "reasoning | `thinkingConfig.includeThoughts` plus `thinkingBudget` (budget, or effort → 512/2048/8192/24576), at most half of `maxOutputTokens`",
    );
    row("`thinkingLevel` is not sent");
    let budget = reasoning
        .budget_tokens
        .or(reasoning.effort.map(|effort| match effort {
            ReasoningEffort::Minimal => 512,
            ReasoningEffort::Low => 2048,
            ReasoningEffort::Medium => 8192,
            ReasoningEffort::High => 24_576,
        }));
    let cap = max_tokens.map(|max| (max / 2).max(MIN_THINKING_BUDGET));
    let budget_tokens = match (budget, cap) {
        (Some(budget), Some(cap)) => Some(budget.min(cap)),
        (budget, _) => budget,
    };
    Reasoning {
        effort: None,
        budget_tokens,
    }
}

fn response_format(format: Option<&ResponseFormat>) -> Option<ResponseFormat> {
    row(
        "response format | `responseMimeType: application/json`, plus `responseJsonSchema` for a schema; its `name` and `strict` are not sent",
    );
    Some(match format? {
        ResponseFormat::JsonObject => ResponseFormat::JsonObject,
        ResponseFormat::JsonSchema { schema, .. } => ResponseFormat::JsonSchema {
            name: "response".into(),
            schema: schema.clone(),
            strict: false,
        },
    })
}

pub fn response(ir: &Response) -> Response {
    let mut content: Vec<Part> = Vec::with_capacity(ir.content.len());
    for part in &ir.content {
        match (content.last_mut(), part) {
            (_, Part::RedactedReasoning(_)) => {
                row("reasoning signatures, redacted reasoning | dropped");
            }
            (Some(Part::Text(into)), Part::Text(text)) => {
                row("consecutive text parts, consecutive thought parts | one part");
                *into = Text::from(format!("{}{}", into.plain(), text.plain()));
            }
            (Some(Part::Reasoning { text: into, .. }), Part::Reasoning { text, .. }) => {
                *into = Text::from(format!("{}{}", into.plain(), text.plain()));
            }
            (_, Part::Reasoning { text, .. }) => content.push(Part::Reasoning {
                text: text.clone(),
                signature: None,
            }),
            (_, other) => content.push(other.clone()),
        }
    }
    let has_calls = content
        .iter()
        .any(|part| matches!(part, Part::ToolCall { .. }));
    row(
        "stop reasons | EndTurn, ToolUse, StopSequence → `STOP`; MaxTokens → `MAX_TOKENS`; ContentFilter → `SAFETY`; Other → `OTHER`",
    );
    row("`finishReason` | `STOP` with function calls → ToolUse");
    let stop_reason = match &ir.stop_reason {
        Some(StopReason::MaxTokens) => StopReason::MaxTokens,
        Some(StopReason::ContentFilter) => StopReason::ContentFilter,
        Some(StopReason::Other(_)) => StopReason::Other("OTHER".into()),
        _ if has_calls => StopReason::ToolUse,
        _ => StopReason::EndTurn,
    };
    let mut usage = ir.usage;
    row("usage | `promptTokenCount` includes cache reads and writes");
    cache_writes_as_input(&mut usage);
    row("answer time (`created`) | not sent");
    Response {
        content,
        created: 0,
        stop_reason: Some(stop_reason),
        usage,
        ..ir.clone()
    }
}
