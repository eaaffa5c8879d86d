//! Anthropic answer (JSON) → IR, for clients of other formats.

use super::decode_request::strip_tool_prefix;
use super::wire::{Block, BlockType, MessageIn};
use crate::error::DecodeError;
use crate::ir::{Part, Response, StopReason, Usage};

/// Decodes a complete Anthropic `message`.
pub fn decode_response(body: &[u8]) -> Result<Response, DecodeError> {
    let wire: MessageIn = DecodeError::parse(body)?;
    let content = wire.content.into_iter().filter_map(response_part).collect();
    Ok(Response {
        id: wire.id,
        model: wire.model,
        created: 0,
        content,
        stop_reason: wire
            .stop_reason
            .map(|reason| stop_reason(&reason, wire.stop_sequence)),
        usage: Usage::from(wire.usage),
    })
}

fn response_part(block: Block) -> Option<Part> {
    Some(match block.kind {
        BlockType::Text => Part::Text(block.text?),
        BlockType::Thinking => Part::Reasoning {
            text: block.thinking.unwrap_or_default(),
            signature: block.signature.filter(|signature| !signature.is_empty()),
        },
        BlockType::RedactedThinking => Part::RedactedReasoning(block.data?),
        BlockType::ToolUse => Part::ToolCall {
            id: strip_tool_prefix(block.id?),
            name: block.name?,
            arguments: block.input.unwrap_or_else(crate::json::empty_object),
        },
        _ => return None,
    })
}

pub(super) fn stop_reason(reason: &str, sequence: Option<String>) -> StopReason {
    match reason {
        "end_turn" => StopReason::EndTurn,
        "max_tokens" | "model_context_window_exceeded" => StopReason::MaxTokens,
        "stop_sequence" => StopReason::StopSequence(sequence),
        "tool_use" => StopReason::ToolUse,
        "refusal" => StopReason::ContentFilter,
        other => StopReason::Other(other.to_owned()),
    }
}
