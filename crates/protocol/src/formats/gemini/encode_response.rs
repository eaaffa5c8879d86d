//! IR answer → a Gemini `GenerateContentResponse` (for Gemini CLI and
//! @google/genai).

use super::wire::{CandidateOut, ContentOut, FunctionCallOut, PartOut, ResponseOut, UsageOut};
use crate::ir::{Part, Response, StopReason};
use crate::sse::write_json;

/// Encodes a complete answer.
pub fn encode_response(response: &Response) -> Vec<u8> {
    let parts: Vec<PartOut<'_>> = response.content.iter().filter_map(answer_part).collect();
    let wire = ResponseOut {
        candidates: [CandidateOut {
            content: Some(model_content(parts)),
            finish_reason: Some(response.stop_reason.as_ref().map_or("STOP", finish_reason)),
            index: 0,
        }],
        usage_metadata: Some(UsageOut::from(&response.usage)),
        model_version: &response.model,
        response_id: &response.id,
    };
    let mut out = Vec::with_capacity(256);
    write_json(&mut out, &wire);
    out
}

fn answer_part(part: &Part) -> Option<PartOut<'_>> {
    match part {
        Part::Text(text) => Some(PartOut {
            text: Some(text.into()),
            ..PartOut::default()
        }),
        Part::Reasoning { text, .. } => Some(PartOut {
            text: Some(text.into()),
            thought: true,
            ..PartOut::default()
        }),
        Part::ToolCall {
            id,
            name,
            arguments,
        } => Some(PartOut {
            function_call: Some(FunctionCallOut {
                name,
                args: arguments,
                id: Some(id),
            }),
            ..PartOut::default()
        }),
        Part::Image(_) | Part::ToolResult { .. } | Part::RedactedReasoning(_) => None,
    }
}

pub(super) fn model_content(parts: Vec<PartOut<'_>>) -> ContentOut<'_> {
    ContentOut {
        role: Some("model"),
        parts,
    }
}

/// Gemini has no tool-use or stop-sequence reason: a turn that calls tools ends with `STOP`.
pub(super) fn finish_reason(stop: &StopReason) -> &'static str {
    match stop {
        StopReason::EndTurn | StopReason::ToolUse | StopReason::StopSequence(_) => "STOP",
        StopReason::MaxTokens => "MAX_TOKENS",
        StopReason::ContentFilter => "SAFETY",
        StopReason::Other(_) => "OTHER",
    }
}
