//! Gemini answer → IR: a complete `GenerateContentResponse`.

use super::ids::call_id;
use super::wire::{ErrorIn, PartIn, ResponseIn};
use crate::error::DecodeError;
use crate::ir::{Part, Response, StopReason, Usage};

/// Decodes a non-streamed answer.
pub fn decode_response(body: &[u8]) -> Result<Response, DecodeError> {
    let wire: ResponseIn = DecodeError::parse(body)?;
    if let Some(error) = wire.error {
        return Err(DecodeError::invalid("", error_message(&error)));
    }
    let blocked = wire
        .prompt_feedback
        .as_ref()
        .is_some_and(|feedback| feedback.block_reason.is_some());
    let candidate = wire.candidates.into_iter().next();
    let mut content: Vec<Part> = Vec::new();
    let mut finish = None;
    if let Some(candidate) = candidate {
        finish = candidate.finish_reason;
        for part in candidate.content.parts {
            push_part(&mut content, part);
        }
    }
    let has_calls = content
        .iter()
        .any(|part| matches!(part, Part::ToolCall { .. }));
    let stop_reason = match finish {
        Some(reason) => Some(stop_reason(&reason, has_calls)),
        None if blocked => Some(StopReason::ContentFilter),
        None => None,
    };
    Ok(Response {
        id: wire.response_id.unwrap_or_default(),
        model: wire.model_version.unwrap_or_default(),
        created: 0,
        content,
        stop_reason,
        usage: wire
            .usage_metadata
            .as_ref()
            .map(Usage::from)
            .unwrap_or_default(),
    })
}

/// Appends a part, joining text to the text before it (Gemini splits freely).
/// Calls are numbered as the stream decoder numbers them.
fn push_part(content: &mut Vec<Part>, part: PartIn) {
    if let Some(call) = part.function_call {
        let position = content
            .iter()
            .filter(|part| matches!(part, Part::ToolCall { .. }))
            .count();
        let signature = part.thought_signature.as_deref();
        content.push(Part::ToolCall {
            id: call_id(call.id.as_deref(), &call.name, position, signature),
            name: call.name,
            arguments: call.args.unwrap_or_else(crate::json::empty_object),
        });
        return;
    }
    let Some(text) = part.text.0 else {
        return;
    };
    match (content.last_mut(), part.thought) {
        (
            Some(Part::Reasoning {
                text: into,
                signature,
            }),
            true,
        ) => {
            into.push_plain(&text);
            if part.thought_signature.is_some() {
                *signature = part.thought_signature;
            }
        }
        (_, true) => content.push(Part::Reasoning {
            text: text.into(),
            signature: part.thought_signature,
        }),
        (Some(Part::Text(into)), false) => into.push_plain(&text),
        (_, false) if !text.is_empty() => content.push(Part::Text(text.into())),
        (_, false) => {}
    }
}

/// Maps `finishReason`. Gemini says `STOP` after function calls too.
pub(super) fn stop_reason(reason: &str, has_calls: bool) -> StopReason {
    match reason {
        "STOP" | "FINISH_REASON_UNSPECIFIED" if has_calls => StopReason::ToolUse,
        "STOP" => StopReason::EndTurn,
        "MAX_TOKENS" => StopReason::MaxTokens,
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => {
            StopReason::ContentFilter
        }
        other => StopReason::Other(other.to_owned()),
    }
}

pub(super) fn error_message(error: &ErrorIn) -> String {
    error
        .message
        .0
        .clone()
        .unwrap_or_else(|| "upstream error".into())
}
