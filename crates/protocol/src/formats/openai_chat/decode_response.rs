//! OpenAI Chat Completions response → IR.

use super::wire::{ChatResponseIn, UsageIn};
use crate::error::DecodeError;
use crate::formats::LenientText;
use crate::ir::{Part, Response, StopReason, Usage};

/// Decodes a non-streamed answer.
pub fn decode_response(body: &[u8]) -> Result<Response, DecodeError> {
    let wire: ChatResponseIn = DecodeError::parse(body)?;
    let Some(choice) = wire.choices.into_iter().next() else {
        return Err(DecodeError::invalid("", "upstream answer has no choices"));
    };
    let mut content = Vec::new();
    let mut has_tool_calls = false;
    if let Some(message) = choice.message {
        let reasoning = message.reasoning_content.into_non_empty();
        if let Some(text) = reasoning.or_else(|| message.reasoning.into_non_empty()) {
            content.push(Part::Reasoning {
                text: text.into(),
                signature: None,
            });
        }
        let text = message.content.into_non_empty();
        if let Some(text) = text.or_else(|| message.refusal.into_non_empty()) {
            content.push(Part::Text(text.into()));
        }
        for (position, call) in message.tool_calls.into_iter().enumerate() {
            let function = call.function.unwrap_or(super::wire::FunctionCallIn {
                name: None,
                arguments: LenientText::default(),
            });
            has_tool_calls = true;
            content.push(Part::ToolCall {
                id: call.id.unwrap_or_else(|| synthetic_call_id(position)),
                name: function.name.unwrap_or_default(),
                arguments: crate::json::arguments_json(function.arguments.0.unwrap_or_default()),
            });
        }
    }
    let matched = choice.stop_reason.0.or(choice.matched_stop.0);
    Ok(Response {
        id: wire.id,
        model: wire.model,
        created: wire.created,
        content,
        stop_reason: choice
            .finish_reason
            .map(|reason| stop_reason(&reason, has_tool_calls, matched)),
        usage: wire
            .usage
            .map(|usage| decode_usage(&usage))
            .unwrap_or_default(),
    })
}

pub(super) fn decode_usage(usage: &UsageIn) -> Usage {
    let cached = usage
        .prompt_tokens_details
        .as_ref()
        .map_or(0, |details| details.cached_tokens)
        .max(usage.prompt_cache_hit_tokens);
    Usage {
        input_tokens: usage.prompt_tokens.saturating_sub(cached),
        output_tokens: usage.completion_tokens,
        cache_read_tokens: cached,
        cache_write_tokens: 0,
        reasoning_tokens: usage
            .completion_tokens_details
            .as_ref()
            .map_or(0, |details| details.reasoning_tokens),
    }
}

/// Maps `finish_reason`. Some vendors (Ollama among them) say `stop` after
/// tool calls; the calls decide, or an agent loop would end early.
pub(super) fn stop_reason(
    reason: &str,
    has_tool_calls: bool,
    matched: Option<String>,
) -> StopReason {
    if has_tool_calls && matches!(reason, "stop" | "tool_calls" | "function_call") {
        return StopReason::ToolUse;
    }
    match reason {
        "stop" | "eos" => match matched {
            Some(sequence) => StopReason::StopSequence(Some(sequence)),
            None => StopReason::EndTurn,
        },
        "length" => StopReason::MaxTokens,
        "tool_calls" | "function_call" => StopReason::ToolUse,
        "content_filter" => StopReason::ContentFilter,
        other => StopReason::Other(other.to_owned()),
    }
}

pub(super) fn synthetic_call_id(position: usize) -> String {
    format!("call_{position}")
}
