//! IR → Anthropic response JSON, plus the pieces the stream encoder shares.

use super::wire_client::{ContentOut, MessageOut, UsageOut};
use super::{MESSAGE_ID_PREFIX, TOOL_ID_PREFIX};
use crate::ir::{Part, Response, StopReason};
use crate::sse::write_json;

/// Encodes a complete answer as an Anthropic `message` object.
pub fn encode_response(response: &Response) -> Vec<u8> {
    let id = with_prefix(MESSAGE_ID_PREFIX, &response.id);
    let tool_ids: Vec<String> = response
        .content
        .iter()
        .filter_map(|part| match part {
            Part::ToolCall { id, .. } => Some(with_prefix(TOOL_ID_PREFIX, id)),
            _ => None,
        })
        .collect();
    let mut tool_ids = tool_ids.iter();
    let content = response
        .content
        .iter()
        .filter_map(|part| content_out(part, &mut tool_ids))
        .collect();
    let (stop_reason, stop_sequence) = stop_reason_out(response.stop_reason.as_ref());
    let message = MessageOut {
        id: &id,
        kind: "message",
        role: "assistant",
        model: &response.model,
        content,
        stop_reason,
        stop_sequence,
        usage: UsageOut::from(&response.usage),
    };
    let mut out = Vec::with_capacity(256);
    write_json(&mut out, &message);
    out
}

fn content_out<'a>(
    part: &'a Part,
    tool_ids: &mut std::slice::Iter<'a, String>,
) -> Option<ContentOut<'a>> {
    Some(match part {
        Part::Text(text) => ContentOut::Text { text },
        Part::Reasoning { text, signature } => ContentOut::Thinking {
            thinking: text,
            signature: signature.as_deref().unwrap_or(""),
        },
        Part::RedactedReasoning(data) => ContentOut::RedactedThinking { data },
        Part::ToolCall {
            name, arguments, ..
        } => ContentOut::ToolUse {
            id: tool_ids.next()?,
            name,
            input: arguments,
        },
        Part::Image(_) | Part::ToolResult { .. } => return None,
    })
}

/// Anthropic's `stop_reason` and `stop_sequence` for an IR stop reason.
pub(super) fn stop_reason_out(stop: Option<&StopReason>) -> (Option<&'static str>, Option<&str>) {
    let Some(stop) = stop else {
        return (None, None);
    };
    match stop {
        StopReason::EndTurn | StopReason::Other(_) => (Some("end_turn"), None),
        StopReason::MaxTokens => (Some("max_tokens"), None),
        StopReason::StopSequence(sequence) => (Some("stop_sequence"), sequence.as_deref()),
        StopReason::ToolUse => (Some("tool_use"), None),
        StopReason::ContentFilter => (Some("refusal"), None),
    }
}

pub(super) fn with_prefix(prefix: &str, id: &str) -> String {
    if id.starts_with(prefix) {
        id.to_owned()
    } else {
        let mut out = String::with_capacity(prefix.len() + id.len());
        out.push_str(prefix);
        out.push_str(id);
        out
    }
}
