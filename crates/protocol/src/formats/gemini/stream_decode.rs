//! Gemini SSE chunks (`?alt=sse`) → IR stream events. Each chunk is a
//! partial response: thought and text parts arrive piecewise, a function
//! call arrives whole.

use super::decode_response::{error_message, stop_reason};
use super::ids::call_id;
use super::wire::{PartIn, ResponseIn};
use crate::ir::{BlockKind, Delta, StopReason, StreamEvent, Usage};
use crate::sse::SseFrame;

/// Gemini SSE chunks → IR stream events.
#[derive(Debug, Default)]
pub struct StreamDecoder {
    started: bool,
    finished: bool,
    next_index: usize,
    /// The open text or thought block: its index and whether it is a thought.
    open: Option<(usize, bool)>,
    calls: usize,
    usage: Usage,
}

impl StreamDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes one SSE frame.
    pub fn feed(&mut self, frame: &SseFrame, out: &mut Vec<StreamEvent>) {
        if self.finished {
            return;
        }
        let data = frame.data.trim();
        if data.is_empty() || data == "[DONE]" {
            return;
        }
        match serde_json::from_str::<ResponseIn>(data) {
            Ok(chunk) => self.chunk(chunk, out),
            Err(err) => self.fail(
                502,
                format!("upstream sent an unreadable chunk: {err}"),
                out,
            ),
        }
    }

    /// The body ended. Gemini ends a proper stream with a `finishReason`,
    /// which already closed the answer; without one the stream was cut, and
    /// the client must not take what came for a whole answer.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        if self.finished {
            return;
        }
        let message = if self.started {
            "upstream stream ended before its finishReason"
        } else {
            "upstream stream ended before any answer"
        };
        self.fail(502, message.into(), out);
    }

    fn fail(&mut self, status: u16, message: String, out: &mut Vec<StreamEvent>) {
        out.push(StreamEvent::Error { status, message });
        self.finished = true;
    }

    fn chunk(&mut self, chunk: ResponseIn, out: &mut Vec<StreamEvent>) {
        if let Some(error) = chunk.error {
            let status = error
                .code
                .as_ref()
                .and_then(serde_json::Value::as_u64)
                .and_then(|code| u16::try_from(code).ok())
                .filter(|code| (400..600).contains(code))
                .unwrap_or(502);
            self.fail(status, error_message(&error), out);
            return;
        }
        if !self.started {
            self.started = true;
            out.push(StreamEvent::MessageStart {
                id: chunk.response_id.unwrap_or_default(),
                model: chunk.model_version.unwrap_or_default(),
                usage: Usage::default(),
            });
        }
        if let Some(usage) = &chunk.usage_metadata {
            // Each chunk reports the running totals.
            self.usage = Usage::from(usage);
        }
        let blocked = chunk
            .prompt_feedback
            .is_some_and(|feedback| feedback.block_reason.is_some());
        let Some(candidate) = chunk.candidates.into_iter().next() else {
            if blocked {
                self.end(StopReason::ContentFilter, out);
            }
            return;
        };
        for part in candidate.content.parts {
            self.part(part, out);
        }
        if let Some(reason) = candidate.finish_reason {
            self.end(stop_reason(&reason, self.calls > 0), out);
        }
    }

    fn part(&mut self, part: PartIn, out: &mut Vec<StreamEvent>) {
        if let Some(call) = part.function_call {
            self.close(out);
            let index = self.take_index();
            let signature = part.thought_signature.as_deref();
            let id = call_id(call.id.as_deref(), &call.name, self.calls, signature);
            self.calls += 1;
            out.push(StreamEvent::BlockStart {
                index,
                kind: BlockKind::ToolCall {
                    id,
                    name: call.name,
                },
            });
            let arguments = call
                .args
                .map_or_else(|| "{}".to_owned(), |args| args.get().to_owned());
            out.push(StreamEvent::BlockDelta {
                index,
                delta: Delta::ToolArguments(arguments),
            });
            out.push(StreamEvent::BlockStop { index });
            return;
        }
        let Some(text) = part.text.0 else {
            return;
        };
        if !part.thought && text.is_empty() {
            return;
        }
        let index = self.open_block(part.thought, out);
        if !text.is_empty() {
            let delta = if part.thought {
                Delta::Reasoning(text)
            } else {
                Delta::Text(text)
            };
            out.push(StreamEvent::BlockDelta { index, delta });
        }
        if let Some(signature) = part.thought_signature.filter(|_| part.thought) {
            out.push(StreamEvent::BlockDelta {
                index,
                delta: Delta::ReasoningSignature(signature),
            });
        }
    }

    fn open_block(&mut self, thought: bool, out: &mut Vec<StreamEvent>) -> usize {
        match self.open {
            Some((index, kind)) if kind == thought => return index,
            Some(_) => self.close(out),
            None => {}
        }
        let index = self.take_index();
        self.open = Some((index, thought));
        let kind = if thought {
            BlockKind::Reasoning
        } else {
            BlockKind::Text
        };
        out.push(StreamEvent::BlockStart { index, kind });
        index
    }

    fn take_index(&mut self) -> usize {
        let index = self.next_index;
        self.next_index += 1;
        index
    }

    fn close(&mut self, out: &mut Vec<StreamEvent>) {
        if let Some((index, _)) = self.open.take() {
            out.push(StreamEvent::BlockStop { index });
        }
    }

    fn end(&mut self, stop: StopReason, out: &mut Vec<StreamEvent>) {
        self.close(out);
        out.push(StreamEvent::MessageDelta {
            stop_reason: Some(stop),
            usage: self.usage,
        });
        out.push(StreamEvent::MessageStop);
        self.finished = true;
    }
}
