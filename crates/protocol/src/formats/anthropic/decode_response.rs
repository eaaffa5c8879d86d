//! Anthropic answers (JSON and SSE) → IR, for clients of other formats.

use serde::Deserialize;

use super::usage_tap::UsageWire;
use super::wire_client::{Block, BlockType};
use crate::error::DecodeError;
use crate::ir::{BlockKind, Delta, Part, Response, StopReason, StreamEvent, Usage};
use crate::sse::SseFrame;

#[derive(Deserialize)]
struct MessageIn {
    #[serde(default)]
    id: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    content: Vec<Block>,
    stop_reason: Option<String>,
    stop_sequence: Option<String>,
    #[serde(default)]
    usage: UsageWire,
}

/// Decodes a complete Anthropic `message`.
pub fn decode_response(body: &[u8]) -> Result<Response, DecodeError> {
    let wire: MessageIn = DecodeError::parse(body)?;
    let content = wire.content.into_iter().filter_map(response_part).collect();
    Ok(Response {
        id: wire.id,
        model: wire.model,
        created: 0,
        content,
        stop_reason: wire
            .stop_reason
            .map(|reason| stop_reason(&reason, wire.stop_sequence)),
        usage: Usage::from(wire.usage),
    })
}

fn response_part(block: Block) -> Option<Part> {
    Some(match block.kind {
        BlockType::Text => Part::Text(block.text?),
        BlockType::Thinking => Part::Reasoning {
            text: block.thinking.unwrap_or_default(),
            signature: block.signature.filter(|signature| !signature.is_empty()),
        },
        BlockType::RedactedThinking => Part::RedactedReasoning(block.data?),
        BlockType::ToolUse => Part::ToolCall {
            id: super::decode_request::strip_tool_prefix(block.id?),
            name: block.name?,
            arguments: block.input.unwrap_or_else(crate::json::empty_object),
        },
        _ => return None,
    })
}

pub(super) fn stop_reason(reason: &str, sequence: Option<String>) -> StopReason {
    match reason {
        "end_turn" => StopReason::EndTurn,
        "max_tokens" | "model_context_window_exceeded" => StopReason::MaxTokens,
        "stop_sequence" => StopReason::StopSequence(sequence),
        "tool_use" => StopReason::ToolUse,
        "refusal" => StopReason::ContentFilter,
        other => StopReason::Other(other.to_owned()),
    }
}

#[derive(Deserialize)]
struct EventIn {
    #[serde(rename = "type")]
    kind: String,
    index: Option<usize>,
    message: Option<MessageIn>,
    content_block: Option<Block>,
    delta: Option<DeltaIn>,
    usage: Option<UsageWire>,
    error: Option<ErrorIn>,
}

#[derive(Deserialize)]
struct DeltaIn {
    #[serde(rename = "type")]
    kind: Option<String>,
    text: Option<String>,
    thinking: Option<String>,
    signature: Option<String>,
    partial_json: Option<String>,
    stop_reason: Option<String>,
    stop_sequence: Option<String>,
}

#[derive(Deserialize)]
struct ErrorIn {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    message: String,
}

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
                    id: super::decode_request::strip_tool_prefix(block.id.unwrap_or_default()),
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

/// The HTTP status an Anthropic error type stands for.
pub fn status_for_type(kind: &str) -> u16 {
    match kind {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "overloaded_error" => 529,
        "timeout_error" => 504,
        _ => 500,
    }
}
