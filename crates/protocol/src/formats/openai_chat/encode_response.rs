//! IR answer → an OpenAI Chat Completions `chat.completion`.

use super::wire_client::{AnswerOut, ChoiceOut, CompletionOut, FunctionOut, ToolCallOut, UsageOut};
use crate::ir::{Part, Response, StopReason, TextBuilder};

/// Encodes a complete answer as a `chat.completion`.
pub fn encode_response(response: &Response) -> Vec<u8> {
    let mut text = TextBuilder::new();
    let mut reasoning = TextBuilder::new();
    let mut tool_calls = Vec::new();
    for part in &response.content {
        match part {
            Part::Text(piece) => text.push(piece),
            Part::Reasoning { text: piece, .. } => reasoning.push(piece),
            Part::ToolCall {
                id,
                name,
                arguments,
            } => tool_calls.push(ToolCallOut {
                index: None,
                id: Some(id),
                kind: Some("function"),
                function: FunctionOut {
                    name: Some(name),
                    arguments: arguments.get(),
                },
            }),
            _ => {}
        }
    }
    let has_tools = !tool_calls.is_empty();
    let completion = CompletionOut {
        id: &response.id,
        object: "chat.completion",
        created: response.created,
        model: &response.model,
        choices: [ChoiceOut {
            index: 0,
            message: AnswerOut {
                role: "assistant",
                content: (!text.is_empty() || !has_tools).then(|| text.build()),
                reasoning_content: (!reasoning.is_empty()).then(|| reasoning.build()),
                tool_calls,
            },
            finish_reason: response.stop_reason.as_ref().map(finish_reason),
        }],
        usage: UsageOut::from(&response.usage),
    };
    let mut out = Vec::with_capacity(256);
    crate::sse::write_json(&mut out, &completion);
    out
}

pub(super) fn finish_reason(stop: &StopReason) -> &'static str {
    match stop {
        StopReason::EndTurn | StopReason::StopSequence(_) | StopReason::Other(_) => "stop",
        StopReason::MaxTokens => "length",
        StopReason::ToolUse => "tool_calls",
        StopReason::ContentFilter => "content_filter",
    }
}
