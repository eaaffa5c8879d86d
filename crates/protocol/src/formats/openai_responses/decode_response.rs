//! Responses answers (JSON) → IR, plus the pieces the stream decoder shares.

use super::decode_request::{joined_text, reasoning_part};
use super::names;
use super::wire::{OutputItemIn, ResponseIn};
use crate::error::DecodeError;
use crate::ir::{Part, Response, StopReason, Usage};

/// Decodes a complete `response` object.
pub fn decode_response(body: &[u8]) -> Result<Response, DecodeError> {
    let wire: ResponseIn = DecodeError::parse(body)?;
    if wire.status.0.as_deref() == Some("failed") {
        let message = wire.error.and_then(|error| error.message.0);
        return Err(DecodeError::invalid(
            "",
            format!(
                "the upstream's response failed: {}",
                message.as_deref().unwrap_or("no reason given")
            ),
        ));
    }
    let mut content = Vec::with_capacity(wire.output.len());
    for (position, item) in wire.output.into_iter().enumerate() {
        content.extend(item_part(position, item));
    }
    let has_calls = content
        .iter()
        .any(|part| matches!(part, Part::ToolCall { .. }));
    let reason = wire.incomplete_details.and_then(|details| details.reason.0);
    Ok(Response {
        id: wire.id,
        model: wire.model,
        created: unix_seconds(wire.created_at),
        content,
        stop_reason: Some(stop_reason(
            wire.status.0.as_deref(),
            reason.as_deref(),
            has_calls,
        )),
        usage: wire.usage.map(Usage::from).unwrap_or_default(),
    })
}

fn unix_seconds(created_at: Option<f64>) -> u64 {
    // Saturating: a negative or absurd value becomes 0 or u64::MAX.
    created_at.map_or(0, |seconds| seconds as u64)
}

/// One output item → at most one part; hosted tool calls and other item
/// types are dropped (LOSSY.md).
pub(super) fn item_part(position: usize, item: OutputItemIn) -> Option<Part> {
    match item.kind.as_str() {
        "message" => {
            let text = joined_text(item.content);
            (!text.is_empty()).then_some(Part::Text(text))
        }
        "reasoning" => reasoning_part(item.summary, item.content, item.encrypted_content),
        "function_call" => Some(Part::ToolCall {
            id: call_id(item.call_id, position),
            name: names::flatten(
                item.namespace.as_deref(),
                item.name.as_deref().unwrap_or(""),
            ),
            arguments: crate::json::arguments_json(item.arguments.0.unwrap_or_default()),
        }),
        _ => None,
    }
}

/// The call's id; `call_<n>` when a vendor left it out.
pub(super) fn call_id(id: Option<String>, position: usize) -> String {
    id.filter(|id| !id.is_empty())
        .unwrap_or_else(|| format!("call_{position}"))
}

/// An IR stop reason from the answer's `status` and `incomplete_details.reason`.
pub(super) fn stop_reason(
    status: Option<&str>,
    reason: Option<&str>,
    has_calls: bool,
) -> StopReason {
    match (status, reason) {
        (Some("incomplete"), Some("max_output_tokens")) => StopReason::MaxTokens,
        (Some("incomplete"), Some("content_filter")) => StopReason::ContentFilter,
        (Some("incomplete"), other) => StopReason::Other(other.unwrap_or("incomplete").to_owned()),
        _ if has_calls => StopReason::ToolUse,
        _ => StopReason::EndTurn,
    }
}

/// The HTTP status an in-stream error code stands for.
pub(super) fn status_for_code(code: Option<&str>) -> u16 {
    match code {
        Some("rate_limit_exceeded" | "insufficient_quota") => 429,
        Some("context_length_exceeded" | "invalid_prompt") => 400,
        _ => 502,
    }
}
