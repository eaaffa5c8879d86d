//! IR → Anthropic response JSON, plus the wire pieces the stream encoder shares.

use serde::Serialize;
use serde_json::value::RawValue;

use super::{MESSAGE_ID_PREFIX, TOOL_ID_PREFIX};
use crate::ir::{Part, Response, StopReason, Text, Usage};
use crate::sse::write_json;

#[derive(Serialize)]
pub(super) struct MessageOut<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub role: &'static str,
    pub model: &'a str,
    pub content: Vec<ContentOut<'a>>,
    pub stop_reason: Option<&'static str>,
    pub stop_sequence: Option<&'a str>,
    pub usage: UsageOut,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ContentOut<'a> {
    Text {
        text: &'a Text,
    },
    Thinking {
        thinking: &'a Text,
        signature: &'a str,
    },
    RedactedThinking {
        data: &'a str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: &'a RawValue,
    },
}

#[derive(Serialize, Default)]
pub(super) struct UsageOut {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_input_tokens: u64,
    pub cache_read_input_tokens: u64,
}

impl From<&Usage> for UsageOut {
    fn from(usage: &Usage) -> Self {
        Self {
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            cache_creation_input_tokens: usage.cache_write_tokens,
            cache_read_input_tokens: usage.cache_read_tokens,
        }
    }
}

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
