//! Gemini answers → IR: a complete `GenerateContentResponse`, or its SSE
//! chunks (`?alt=sse`). Each chunk is a partial response: thought and text
//! parts arrive piecewise, a function call arrives whole.

use super::ids::call_id;
use super::wire::{ErrorIn, PartIn, ResponseIn, UsageIn};
use crate::error::DecodeError;
use crate::ir::{BlockKind, Delta, Part, Response, StopReason, StreamEvent, Usage};
use crate::sse::SseFrame;

/// Decodes a non-streamed answer.
pub fn decode_response(body: &[u8]) -> Result<Response, DecodeError> {
    let wire: ResponseIn = DecodeError::parse(body)?;
    if let Some(error) = wire.error {
        return Err(DecodeError::Invalid(error_message(&error)));
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

/// Usage of a complete answer; zero when absent or unreadable.
pub fn usage_from_response(body: &[u8]) -> Usage {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct WithUsage {
        usage_metadata: Option<UsageIn>,
    }
    serde_json::from_slice::<WithUsage>(body)
        .ok()
        .and_then(|wire| wire.usage_metadata)
        .map(|usage| Usage::from(&usage))
        .unwrap_or_default()
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

fn error_message(error: &ErrorIn) -> String {
    error
        .message
        .0
        .clone()
        .unwrap_or_else(|| "upstream error".into())
}

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
