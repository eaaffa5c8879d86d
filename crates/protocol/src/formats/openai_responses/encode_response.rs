//! IR answer → a Responses `response` object, plus the pieces the stream
//! encoder shares (ids, status, output items).

use super::wire_client::{IncompleteOut, ItemOut, PartOut, ResponseOut, UsageOut};
use super::{RESPONSE_ID_PREFIX, names};
use crate::ir::{Part, Response, StopReason, TextRef};
use crate::sse::write_json;

/// Encodes a complete answer as a `response` object.
pub fn encode_response(response: &Response) -> Vec<u8> {
    let id = response_id(&response.id, response.created);
    let item_ids: Vec<String> = response
        .content
        .iter()
        .enumerate()
        .map(|(index, part)| item_id(item_prefix(part), &id, index))
        .collect();
    let (status, incomplete) = status_for(response.stop_reason.as_ref());
    let mut object = ResponseOut::new(&id, response.created, &response.model, status);
    object.incomplete_details = incomplete;
    object.usage = Some(UsageOut::from(&response.usage));
    object.output = response
        .content
        .iter()
        .zip(&item_ids)
        .filter_map(|(part, id)| item_for(part, id))
        .collect();
    let mut out = Vec::with_capacity(512);
    write_json(&mut out, &object);
    out
}

/// The upstream's id with the `resp_` prefix; a made-up one when it sent none.
pub(super) fn response_id(id: &str, created: u64) -> String {
    if id.is_empty() {
        format!("{RESPONSE_ID_PREFIX}{created}")
    } else if id.starts_with(RESPONSE_ID_PREFIX) {
        id.to_owned()
    } else {
        format!("{RESPONSE_ID_PREFIX}{id}")
    }
}

/// An output item's id: unique within the answer, and across answers as far
/// as the response id is.
pub(super) fn item_id(prefix: &str, response_id: &str, index: usize) -> String {
    let base = response_id
        .strip_prefix(RESPONSE_ID_PREFIX)
        .unwrap_or(response_id);
    format!("{prefix}_{base}_{index}")
}

fn item_prefix(part: &Part) -> &'static str {
    match part {
        Part::Reasoning { .. } | Part::RedactedReasoning(_) => "rs",
        Part::ToolCall { .. } => "fc",
        _ => "msg",
    }
}

/// `status` and `incomplete_details` for a stop reason: the answer is
/// `incomplete` when it was cut by the token limit or a content filter.
pub(super) fn status_for(stop: Option<&StopReason>) -> (&'static str, Option<IncompleteOut>) {
    let reason = match stop {
        Some(StopReason::MaxTokens) => "max_output_tokens",
        Some(StopReason::ContentFilter) => "content_filter",
        _ => return ("completed", None),
    };
    ("incomplete", Some(IncompleteOut { reason }))
}

fn item_for<'a>(part: &'a Part, id: &'a str) -> Option<ItemOut<'a>> {
    Some(match part {
        Part::Text(text) => message_item(id, "completed", vec![PartOut::output_text(text)]),
        Part::Reasoning { text, signature } => {
            reasoning_item(id, text.into(), signature.as_deref())
        }
        Part::RedactedReasoning(data) => reasoning_item(id, "".into(), Some(data)),
        Part::ToolCall {
            id: call_id,
            name,
            arguments,
        } => function_call_item(id, call_id, name, arguments.get(), "completed"),
        Part::Image(_) | Part::ToolResult { .. } => return None,
    })
}

pub(super) fn message_item<'a>(
    id: &'a str,
    status: &'static str,
    content: Vec<PartOut<'a>>,
) -> ItemOut<'a> {
    ItemOut::Message {
        id,
        status,
        role: "assistant",
        content,
    }
}

/// Reasoning as a summary; a signature (Anthropic) or redacted data rides in
/// `encrypted_content`, which Codex sends back with the next request.
pub(super) fn reasoning_item<'a>(
    id: &'a str,
    text: TextRef<'a>,
    encrypted: Option<&'a str>,
) -> ItemOut<'a> {
    let summary = if text.is_empty() {
        Vec::new()
    } else {
        vec![PartOut::SummaryText { text }]
    };
    ItemOut::Reasoning {
        id,
        summary,
        encrypted_content: encrypted,
    }
}

/// A function call; a flattened namespaced name is split back into the
/// `namespace` and `name` the client declared.
pub(super) fn function_call_item<'a>(
    id: &'a str,
    call_id: &'a str,
    flat_name: &'a str,
    arguments: &'a str,
    status: &'static str,
) -> ItemOut<'a> {
    let (namespace, name) = names::split(flat_name);
    ItemOut::FunctionCall {
        id,
        call_id,
        name,
        namespace,
        arguments,
        status,
    }
}
