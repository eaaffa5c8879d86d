//! IR stream events → OpenAI Chat Completions SSE chunks and `[DONE]`.

use super::encode_response::finish_reason;
use super::wire_client::{ChunkChoiceOut, ChunkOut, DeltaOut, FunctionOut, ToolCallOut, UsageOut};
use crate::error::ApiError;
use crate::ir::{BlockKind, Delta, StreamEvent};
use crate::sse::write_data;

/// IR stream events → `chat.completion.chunk` SSE frames and `[DONE]`.
#[derive(Debug, Default)]
pub struct StreamEncoder {
    id: String,
    model: String,
    created: u64,
    include_usage: bool,
    /// OpenAI tool-call index of each IR block (by IR index).
    tool_index: Vec<Option<usize>>,
    tool_count: usize,
    done: bool,
}

impl StreamEncoder {
    /// `created` is the answer's Unix time; `include_usage` adds the final
    /// usage chunk (`choices: []`) the client asked for.
    pub fn new(created: u64, include_usage: bool) -> Self {
        Self {
            created,
            include_usage,
            ..Self::default()
        }
    }

    pub fn encode(&mut self, event: &StreamEvent, out: &mut Vec<u8>) {
        if self.done {
            return;
        }
        match event {
            StreamEvent::MessageStart { id, model, .. } => {
                id.clone_into(&mut self.id);
                model.clone_into(&mut self.model);
                let delta = DeltaOut {
                    role: Some("assistant"),
                    content: Some(""),
                    ..DeltaOut::default()
                };
                self.chunk(delta, None, out);
            }
            StreamEvent::BlockStart { index, kind } => self.block_start(*index, kind, out),
            StreamEvent::BlockDelta { index, delta } => self.block_delta(*index, delta, out),
            StreamEvent::BlockStop { .. } => {}
            StreamEvent::MessageDelta { stop_reason, usage } => {
                let reason = stop_reason.as_ref().map_or("stop", finish_reason);
                self.chunk(DeltaOut::default(), Some(reason), out);
                if self.include_usage {
                    self.write(Vec::new(), Some(UsageOut::from(usage)), out);
                }
            }
            StreamEvent::MessageStop => {
                out.extend_from_slice(b"data: [DONE]\n\n");
                self.done = true;
            }
            StreamEvent::Error { status, message } => {
                let error = ApiError::new(*status, message.clone());
                out.extend_from_slice(b"data: ");
                out.extend_from_slice(&super::encode_error(&error));
                out.extend_from_slice(b"\n\n");
                self.done = true;
            }
        }
    }

    fn block_start(&mut self, index: usize, kind: &BlockKind, out: &mut Vec<u8>) {
        let BlockKind::ToolCall { id, name } = kind else {
            return;
        };
        if self.tool_index.len() <= index {
            self.tool_index.resize(index + 1, None);
        }
        let tool = self.tool_count;
        self.tool_count += 1;
        self.tool_index[index] = Some(tool);
        let call = ToolCallOut {
            index: Some(tool),
            id: Some(id),
            kind: Some("function"),
            function: FunctionOut {
                name: Some(name),
                arguments: "",
            },
        };
        let delta = DeltaOut {
            tool_calls: vec![call],
            ..DeltaOut::default()
        };
        self.chunk(delta, None, out);
    }

    fn block_delta(&mut self, index: usize, delta: &Delta, out: &mut Vec<u8>) {
        let delta = match delta {
            Delta::Text(text) => DeltaOut {
                content: Some(text),
                ..DeltaOut::default()
            },
            Delta::Reasoning(text) => DeltaOut {
                reasoning_content: Some(text),
                ..DeltaOut::default()
            },
            Delta::ToolArguments(arguments) => {
                let Some(Some(tool)) = self.tool_index.get(index).copied() else {
                    return;
                };
                let call = ToolCallOut {
                    index: Some(tool),
                    id: None,
                    kind: None,
                    function: FunctionOut {
                        name: None,
                        arguments,
                    },
                };
                DeltaOut {
                    tool_calls: vec![call],
                    ..DeltaOut::default()
                }
            }
            Delta::ReasoningSignature(_) => return,
        };
        self.chunk(delta, None, out);
    }

    fn chunk(&self, delta: DeltaOut<'_>, finish: Option<&'static str>, out: &mut Vec<u8>) {
        let choice = ChunkChoiceOut {
            index: 0,
            delta,
            finish_reason: finish,
        };
        self.write(vec![choice], None, out);
    }

    fn write(&self, choices: Vec<ChunkChoiceOut<'_>>, usage: Option<UsageOut>, out: &mut Vec<u8>) {
        let chunk = ChunkOut {
            id: &self.id,
            object: "chat.completion.chunk",
            created: self.created,
            model: &self.model,
            choices,
            usage,
        };
        write_data(out, &chunk);
    }
}
