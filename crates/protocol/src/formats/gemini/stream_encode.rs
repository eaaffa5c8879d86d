//! IR stream events → Gemini SSE chunks (for Gemini CLI and @google/genai).

use super::encode_response::{finish_reason, model_content};
use super::wire::{CandidateOut, FunctionCallOut, PartOut, ResponseOut, UsageOut};
use crate::error::ApiError;
use crate::ir::{BlockKind, Delta, StreamEvent, Usage};
use crate::json::RawJson;
use crate::sse::write_data;

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
