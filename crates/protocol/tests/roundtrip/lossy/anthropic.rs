//! A trip through Anthropic Messages.

use switchyard_protocol::formats::EncodeOptions;
use switchyard_protocol::ir::{
    Message, Part, Reasoning, ReasoningEffort, Request, Response, ResponseFormat, Role, StopReason,
    ToolChoice,
};

use super::{capped, row, texts};

const DEFAULT_MAX_TOKENS: u32 = 8192;
const MIN_THINKING_BUDGET: u32 = 1024;

pub fn request(ir: &Request, options: &EncodeOptions) -> Request {
    let mut system = ir.system.clone();
    let mut messages: Vec<Message> = Vec::new();
    for message in &ir.messages {
        if message.role == Role::System && messages.is_empty() {
            row("leading `system` / `developer` messages | Anthropic `system` blocks");
            system.extend(texts(&message.content).cloned());
            continue;
        }
        let content: Vec<Part> = message.content.iter().filter_map(part).collect();
        if !content.is_empty() {
            messages.push(Message {
                role: message.role,
                content,
            });
        }
    }
    row("missing `max_tokens` | 8192 (Anthropic requires one)");
    let max_tokens = capped(ir.max_tokens, options).unwrap_or(DEFAULT_MAX_TOKENS);
    let budget = thinking_budget(ir, max_tokens);
    let (tool_choice, parallel_tool_calls) = tool_choice(ir);
    let mut out = Request {
        system,
        messages,
        tool_choice,
        parallel_tool_calls,
        max_tokens: Some(max_tokens),
        reasoning: budget.map(|budget| Reasoning {
            effort: None,
            budget_tokens: Some(budget),
        }),
        response_format: response_format(ir.response_format.as_ref()),
        ..ir.clone()
    };
    if budget.is_some() {
        row("`temperature`/`top_p`/`top_k` then dropped");
        (out.temperature, out.top_p, out.top_k) = (None, None, None);
    }
    row("(stream usage) | always true: Anthropic streams always report usage");
    out.stream_usage = true;
    out
}

fn part(part: &Part) -> Option<Part> {
    Some(match part {
        Part::ToolCall {
            id,
            name,
            arguments,
        } => Part::ToolCall {
            id: without_prefix(id),
            name: name.clone(),
            arguments: arguments.clone(),
        },
        Part::ToolResult {
            call_id,
            content,
            is_error,
        } => Part::ToolResult {
            call_id: without_prefix(call_id),
            content: content.clone(),
            is_error: *is_error,
        },
        Part::Reasoning {
            signature: None, ..
        } => {
            row(
                "assistant `reasoning_content` in history | dropped: Anthropic accepts only thinking it signed",
            );
            return None;
        }
        other => other.clone(),
    })
}

fn without_prefix(id: &str) -> String {
    row("`tool_use.id` / `tool_use_id` `toolu_` prefix | removed");
    match id.strip_prefix("toolu_") {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => id.to_owned(),
    }
}

fn thinking_budget(ir: &Request, max_tokens: u32) -> Option<u32> {
    let reasoning = ir.reasoning?;
    let forced = matches!(
        ir.tool_choice,
        Some(ToolChoice::Required | ToolChoice::Tool(_))
    );
    if forced && !ir.tools.is_empty() {
        row("`reasoning_effort` with `tool_choice` required/function | no thinking");
        return None;
    }
    row(
        "`reasoning_effort` | `thinking: {type: enabled, budget_tokens}` (minimal and low 2048, medium 8192, high 24576",
    );
    let budget = reasoning.budget_tokens.unwrap_or(match reasoning.effort {
        Some(ReasoningEffort::Minimal | ReasoningEffort::Low) => 2048,
        Some(ReasoningEffort::High) => 24_576,
        Some(ReasoningEffort::Medium) | None => 8192,
    });
    let budget = budget.max(MIN_THINKING_BUDGET).min(max_tokens / 2);
    (budget >= MIN_THINKING_BUDGET).then_some(budget)
}

fn tool_choice(ir: &Request) -> (Option<ToolChoice>, Option<bool>) {
    if ir.tools.is_empty() {
        row("`tool_choice`, `parallel_tool_calls` without tools | dropped");
        return (None, None);
    }
    row("`parallel_tool_calls: false` | `tool_choice.disable_parallel_tool_use`");
    let serial = ir.parallel_tool_calls == Some(false);
    match &ir.tool_choice {
        None if serial => (Some(ToolChoice::Auto), Some(false)),
        Some(ToolChoice::None) | None => (ir.tool_choice.clone(), None),
        Some(choice) => (Some(choice.clone()), serial.then_some(false)),
    }
}

fn response_format(format: Option<&ResponseFormat>) -> Option<ResponseFormat> {
    row(
        "`response_format` | `json_schema` → `output_config.format` (JSON Schema, without its `name` and `strict`); `json_object` has no Anthropic equivalent and is dropped",
    );
    match format? {
        ResponseFormat::JsonObject => None,
        ResponseFormat::JsonSchema { schema, .. } => Some(ResponseFormat::JsonSchema {
            name: "response".into(),
            schema: schema.clone(),
            strict: false,
        }),
    }
}

pub fn response(ir: &Response) -> Response {
    let mut out = ir.clone();
    row("answer id | `msg_` + the upstream's id");
    if !out.id.starts_with("msg_") {
        out.id = format!("msg_{}", ir.id);
    }
    row("answer time (`created`) | not sent");
    out.created = 0;
    for part in &mut out.content {
        if let Part::ToolCall { id, .. } = part {
            *id = without_prefix(id);
        }
    }
    if let Some(StopReason::Other(_)) = out.stop_reason {
        row("other stop reasons | `end_turn`");
        out.stop_reason = Some(StopReason::EndTurn);
    }
    row("reasoning token count | dropped: Anthropic's usage has none");
    out.usage.reasoning_tokens = 0;
    out
}
