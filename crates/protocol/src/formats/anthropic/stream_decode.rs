//! Anthropic SSE events → IR stream events, for clients of other formats.

use super::decode_request::strip_tool_prefix;
use super::decode_response::stop_reason;
use super::error::status_for_type;
use super::wire::{Block, BlockType, DeltaIn, ErrorIn, EventIn, MessageIn};
use crate::ir::{BlockKind, Delta, StreamEvent, Usage};
use crate::sse::SseFrame;

/// Anthropic SSE events → IR events. Block indices are kept; blocks of
/// types other formats cannot show (server tools) are skipped whole.
#[derive(Debug, Default)]
pub struct StreamDecoder {
    started: bool,
    finished: bool,
    usage: Usage,
    skipped: Vec<usize>,
}

impl StreamDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn feed(&mut self, frame: &SseFrame, out: &mut Vec<StreamEvent>) {
        if self.finished || frame.data.is_empty() {
            return;
        }
        match serde_json::from_str::<EventIn>(&frame.data) {
            Ok(event) => self.event(event, out),
            Err(err) => self.fail(
                502,
                format!("upstream sent an unreadable event: {err}"),
                out,
            ),
        }
    }

    /// An Anthropic stream that ends before `message_stop` was cut short.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        if !self.finished {
            self.fail(502, "upstream stream ended before message_stop".into(), out);
        }
    }

    fn fail(&mut self, status: u16, message: String, out: &mut Vec<StreamEvent>) {
        out.push(StreamEvent::Error { status, message });
        self.finished = true;
    }

    fn event(&mut self, event: EventIn, out: &mut Vec<StreamEvent>) {
        match event.kind.as_str() {
            "message_start" => self.message_start(event.message, out),
            "content_block_start" => self.block_start(event.index, event.content_block, out),
            "content_block_delta" => self.block_delta(event.index, event.delta, out),
            "content_block_stop" => {
                if let Some(index) = event.index.filter(|index| !self.skipped.contains(index)) {
                    out.push(StreamEvent::BlockStop { index });
                }
            }
            "message_delta" => {
                if let Some(usage) = event.usage {
                    self.usage.merge(&Usage::from(usage));
                }
                let stop = event.delta.and_then(|delta| {
                    let reason = delta.stop_reason?;
                    Some(stop_reason(&reason, delta.stop_sequence))
                });
                out.push(StreamEvent::MessageDelta {
                    stop_reason: stop,
                    usage: self.usage,
                });
            }
            "message_stop" => {
                out.push(StreamEvent::MessageStop);
                self.finished = true;
            }
            "error" => {
                let error = event.error.unwrap_or(ErrorIn {
                    kind: String::new(),
                    message: "upstream error".into(),
                });
                self.fail(status_for_type(&error.kind), error.message, out);
            }
            _ => {}
        }
    }

    fn message_start(&mut self, message: Option<MessageIn>, out: &mut Vec<StreamEvent>) {
        if std::mem::replace(&mut self.started, true) {
            return;
        }
        let (id, model) = match message {
            Some(message) => {
                self.usage = Usage::from(message.usage);
                (message.id, message.model)
            }
            None => (String::new(), String::new()),
        };
        out.push(StreamEvent::MessageStart {
            id,
            model,
            usage: self.usage,
        });
    }

    fn block_start(
        &mut self,
        index: Option<usize>,
        block: Option<Block>,
        out: &mut Vec<StreamEvent>,
    ) {
        let (Some(index), Some(block)) = (index, block) else {
            return;
        };
        let (kind, initial) = match block.kind {
            BlockType::Text => (
                BlockKind::Text,
                block.text.map(|text| Delta::Text(text.into_plain())),
            ),
            BlockType::Thinking => (
                BlockKind::Reasoning,
                block
                    .thinking
                    .map(|text| Delta::Reasoning(text.into_plain())),
            ),
            BlockType::RedactedThinking => (
                BlockKind::RedactedReasoning {
                    data: block.data.unwrap_or_default(),
                },
                None,
            ),
            BlockType::ToolUse => {
                let input = block.input.filter(|input| input.get() != "{}");
                let kind = BlockKind::ToolCall {
                    id: strip_tool_prefix(block.id.unwrap_or_default()),
                    name: block.name.unwrap_or_default(),
                };
                (
                    kind,
                    input.map(|input| Delta::ToolArguments(input.get().to_owned())),
                )
            }
            _ => {
                self.skipped.push(index);
                return;
            }
        };
        out.push(StreamEvent::BlockStart { index, kind });
        if let Some(delta) = initial.filter(|delta| !delta_is_empty(delta)) {
            out.push(StreamEvent::BlockDelta { index, delta });
        }
    }

    fn block_delta(
        &mut self,
        index: Option<usize>,
        delta: Option<DeltaIn>,
        out: &mut Vec<StreamEvent>,
    ) {
        let (Some(index), Some(delta)) = (index, delta) else {
            return;
        };
        if self.skipped.contains(&index) {
            return;
        }
        let delta = match delta.kind.as_deref() {
            Some("text_delta") => delta.text.map(Delta::Text),
            Some("thinking_delta") => delta.thinking.map(Delta::Reasoning),
            Some("signature_delta") => delta.signature.map(Delta::ReasoningSignature),
            Some("input_json_delta") => delta.partial_json.map(Delta::ToolArguments),
            _ => None,
        };
        if let Some(delta) = delta {
            out.push(StreamEvent::BlockDelta { index, delta });
        }
    }
}

fn delta_is_empty(delta: &Delta) -> bool {
    match delta {
        Delta::Text(text)
        | Delta::Reasoning(text)
        | Delta::ReasoningSignature(text)
        | Delta::ToolArguments(text) => text.is_empty(),
    }
}
