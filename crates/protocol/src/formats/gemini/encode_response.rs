//! IR answers → Gemini `GenerateContentResponse` JSON and SSE chunks (for
//! Gemini CLI and @google/genai).

use super::wire::{CandidateOut, ContentOut, FunctionCallOut, PartOut, ResponseOut, UsageOut};
use crate::error::ApiError;
use crate::ir::{BlockKind, Delta, Part, Response, StopReason, StreamEvent, Usage};
use crate::json::RawJson;
use crate::sse::{write_data, write_json};

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

fn model_content(parts: Vec<PartOut<'_>>) -> ContentOut<'_> {
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

/// IR stream events → Gemini SSE chunks (`data: <GenerateContentResponse>`,
/// no event names, no end marker). Text and thoughts go out as they come;
/// a function call goes out whole when its block stops, since Gemini
/// clients read `args` as a complete object.
#[derive(Debug, Default)]
pub struct StreamEncoder {
    id: String,
    model: String,
    /// Open tool-call blocks by IR index: id, name, arguments so far.
    calls: Vec<(usize, String, String, String)>,
    done: bool,
}

impl StreamEncoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn encode(&mut self, event: &StreamEvent, out: &mut Vec<u8>) {
        if self.done {
            return;
        }
        match event {
            StreamEvent::MessageStart { id, model, .. } => {
                id.clone_into(&mut self.id);
                model.clone_into(&mut self.model);
            }
            StreamEvent::BlockStart {
                index,
                kind: BlockKind::ToolCall { id, name },
            } => self
                .calls
                .push((*index, id.clone(), name.clone(), String::new())),
            StreamEvent::BlockStart { .. } => {}
            StreamEvent::BlockDelta { index, delta } => self.delta(*index, delta, out),
            StreamEvent::BlockStop { index } => self.stop(*index, out),
            StreamEvent::MessageDelta { stop_reason, usage } => {
                let reason = stop_reason.as_ref().map_or("STOP", finish_reason);
                self.chunk(Vec::new(), Some(reason), Some(usage), out);
            }
            StreamEvent::MessageStop => self.done = true,
            StreamEvent::Error { status, message } => {
                let error = ApiError::new(*status, message.clone());
                out.extend_from_slice(b"data: ");
                out.extend_from_slice(&super::encode_error(&error));
                out.extend_from_slice(b"\n\n");
                self.done = true;
            }
        }
    }

    fn delta(&mut self, index: usize, delta: &Delta, out: &mut Vec<u8>) {
        let part = match delta {
            Delta::Text(text) => PartOut {
                text: Some(text.into()),
                ..PartOut::default()
            },
            Delta::Reasoning(text) => PartOut {
                text: Some(text.into()),
                thought: true,
                ..PartOut::default()
            },
            Delta::ToolArguments(fragment) => {
                if let Some(call) = self.calls.iter_mut().find(|call| call.0 == index) {
                    call.3.push_str(fragment);
                }
                return;
            }
            // Another vendor's proof of reasoning means nothing to Gemini.
            Delta::ReasoningSignature(_) => return,
        };
        self.chunk(vec![part], None, None, out);
    }

    fn stop(&mut self, index: usize, out: &mut Vec<u8>) {
        let Some(at) = self.calls.iter().position(|call| call.0 == index) else {
            return;
        };
        let (_, id, name, arguments) = self.calls.remove(at);
        let arguments: RawJson = crate::json::arguments_json(arguments);
        let part = PartOut {
            function_call: Some(FunctionCallOut {
                name: &name,
                args: &arguments,
                id: Some(&id),
            }),
            ..PartOut::default()
        };
        self.chunk(vec![part], None, None, out);
    }

    fn chunk(
        &self,
        parts: Vec<PartOut<'_>>,
        finish: Option<&'static str>,
        usage: Option<&Usage>,
        out: &mut Vec<u8>,
    ) {
        let wire = ResponseOut {
            candidates: [CandidateOut {
                content: (!parts.is_empty()).then(|| model_content(parts)),
                finish_reason: finish,
                index: 0,
            }],
            usage_metadata: usage.map(UsageOut::from),
            model_version: &self.model,
            response_id: &self.id,
        };
        write_data(out, &wire);
    }
}
