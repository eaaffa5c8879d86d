//! OpenAI Chat Completions SSE chunks → IR stream events.
//!
//! Text and reasoning blocks open and close as the kind of content changes.
//! Tool calls stay open until the answer finishes, because vendors may
//! interleave fragments of parallel calls; a call's block starts only once
//! its name is known.

use super::decode_response::{decode_usage, stop_reason, synthetic_call_id};
use super::wire::{ChunkErrorIn, ChunkIn, MessageIn, ToolCallIn};
use crate::ir::{BlockKind, Delta, StopReason, StreamEvent, Usage};
use crate::sse::SseFrame;

#[derive(Debug, Default)]
pub struct StreamDecoder {
    started: bool,
    finished: bool,
    next_index: usize,
    text_block: Option<usize>,
    reasoning_block: Option<usize>,
    tools: Vec<ToolSlot>,
    finish_reason: Option<String>,
    matched_stop: Option<String>,
    usage: Usage,
}

#[derive(Debug)]
struct ToolSlot {
    /// The vendor's `index` for this call.
    wire_index: usize,
    block: Option<usize>,
    open: bool,
    id: Option<String>,
    name: String,
    /// Arguments that arrived before the name.
    pending: String,
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
        if data == "[DONE]" {
            self.end(out);
            return;
        }
        if data.is_empty() {
            return;
        }
        match serde_json::from_str::<ChunkIn>(data) {
            Ok(chunk) => self.chunk(chunk, out),
            Err(err) => self.fail(
                502,
                format!("upstream sent an unreadable chunk: {err}"),
                out,
            ),
        }
    }

    /// The body ended. A proper answer has had its `finish_reason` or
    /// `[DONE]` by now; without either the stream was cut, and the client
    /// must not take what came for a whole answer.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        if self.finished {
            return;
        }
        if self.finish_reason.is_none() {
            let message = if self.started {
                "upstream stream ended before its finish_reason or [DONE]"
            } else {
                "upstream stream ended before any answer"
            };
            self.fail(502, message.into(), out);
            return;
        }
        self.end(out);
    }

    /// Ends the answer: closes open blocks, reports stop reason and usage.
    fn end(&mut self, out: &mut Vec<StreamEvent>) {
        if self.finished {
            return;
        }
        if !self.started {
            self.fail(502, "upstream stream ended before any answer".into(), out);
            return;
        }
        self.close_all(out);
        let has_tools = self.tools.iter().any(|slot| slot.block.is_some());
        let stop = match self.finish_reason.as_deref() {
            Some(reason) => stop_reason(reason, has_tools, self.matched_stop.take()),
            None if has_tools => StopReason::ToolUse,
            None => StopReason::EndTurn,
        };
        out.push(StreamEvent::MessageDelta {
            stop_reason: Some(stop),
            usage: self.usage,
        });
        out.push(StreamEvent::MessageStop);
        self.finished = true;
    }

    fn fail(&mut self, status: u16, message: String, out: &mut Vec<StreamEvent>) {
        out.push(StreamEvent::Error { status, message });
        self.finished = true;
    }

    fn chunk(&mut self, chunk: ChunkIn, out: &mut Vec<StreamEvent>) {
        if let Some(error) = chunk.error {
            let status = error_status(&error);
            let message = error.message.0.unwrap_or_else(|| "upstream error".into());
            self.fail(status, message, out);
            return;
        }
        if !self.started {
            self.started = true;
            out.push(StreamEvent::MessageStart {
                id: chunk.id,
                model: chunk.model,
                usage: Usage::default(),
            });
        }
        if let Some(usage) = &chunk.usage {
            self.usage = decode_usage(usage);
        }
        for choice in chunk.choices {
            if let Some(delta) = choice.delta {
                self.delta(delta, out);
            }
            if let Some(reason) = choice.finish_reason {
                self.finish_reason = Some(reason);
                self.matched_stop = choice.stop_reason.0.or(choice.matched_stop.0);
                // Nothing more comes for this answer but, perhaps, usage.
                self.close_all(out);
            }
        }
    }

    fn delta(&mut self, delta: MessageIn, out: &mut Vec<StreamEvent>) {
        let reasoning = delta.reasoning_content.into_non_empty();
        if let Some(text) = reasoning.or_else(|| delta.reasoning.into_non_empty()) {
            close(&mut self.text_block, out);
            let index = self.open(BlockSlot::Reasoning, out);
            out.push(StreamEvent::BlockDelta {
                index,
                delta: Delta::Reasoning(text),
            });
        }
        let text = delta.content.into_non_empty();
        if let Some(text) = text.or_else(|| delta.refusal.into_non_empty()) {
            close(&mut self.reasoning_block, out);
            let index = self.open(BlockSlot::Text, out);
            out.push(StreamEvent::BlockDelta {
                index,
                delta: Delta::Text(text),
            });
        }
        if !delta.tool_calls.is_empty() {
            close(&mut self.reasoning_block, out);
            close(&mut self.text_block, out);
            for (position, call) in delta.tool_calls.into_iter().enumerate() {
                self.tool_call(position, call, out);
            }
        }
    }

    fn open(&mut self, slot: BlockSlot, out: &mut Vec<StreamEvent>) -> usize {
        let (block, kind) = match slot {
            BlockSlot::Text => (&mut self.text_block, BlockKind::Text),
            BlockSlot::Reasoning => (&mut self.reasoning_block, BlockKind::Reasoning),
        };
        if let Some(index) = *block {
            return index;
        }
        let index = self.next_index;
        self.next_index += 1;
        *block = Some(index);
        out.push(StreamEvent::BlockStart { index, kind });
        index
    }

    fn tool_call(&mut self, position: usize, call: ToolCallIn, out: &mut Vec<StreamEvent>) {
        let wire_index = call.index.unwrap_or(position);
        let slot_at = match self
            .tools
            .iter()
            .position(|slot| slot.wire_index == wire_index)
        {
            Some(at) => at,
            None => {
                self.tools.push(ToolSlot {
                    wire_index,
                    block: None,
                    open: false,
                    id: None,
                    name: String::new(),
                    pending: String::new(),
                });
                self.tools.len() - 1
            }
        };
        let slot = &mut self.tools[slot_at];
        let (name, arguments) = match call.function {
            Some(function) => (function.name, function.arguments.0.unwrap_or_default()),
            None => (None, String::new()),
        };
        if slot.id.is_none() {
            slot.id = call.id.filter(|id| !id.is_empty());
        }
        if slot.block.is_none() {
            if let Some(name) = name {
                slot.name.push_str(&name);
            }
            slot.pending.push_str(&arguments);
            if slot.name.is_empty() {
                return;
            }
            let index = self.next_index;
            self.next_index += 1;
            slot.block = Some(index);
            slot.open = true;
            let id = slot.id.clone().unwrap_or_else(|| synthetic_call_id(index));
            let kind = BlockKind::ToolCall {
                id,
                name: slot.name.clone(),
            };
            out.push(StreamEvent::BlockStart { index, kind });
            let pending = std::mem::take(&mut slot.pending);
            push_arguments(index, pending, out);
        } else if let Some(index) = slot.block.filter(|_| slot.open) {
            push_arguments(index, arguments, out);
        }
    }

    fn close_all(&mut self, out: &mut Vec<StreamEvent>) {
        close(&mut self.reasoning_block, out);
        close(&mut self.text_block, out);
        for slot in &mut self.tools {
            if let Some(index) = slot.block.filter(|_| slot.open) {
                slot.open = false;
                out.push(StreamEvent::BlockStop { index });
            }
        }
    }
}

enum BlockSlot {
    Text,
    Reasoning,
}

fn close(block: &mut Option<usize>, out: &mut Vec<StreamEvent>) {
    if let Some(index) = block.take() {
        out.push(StreamEvent::BlockStop { index });
    }
}

fn push_arguments(index: usize, arguments: String, out: &mut Vec<StreamEvent>) {
    if !arguments.is_empty() {
        out.push(StreamEvent::BlockDelta {
            index,
            delta: Delta::ToolArguments(arguments),
        });
    }
}

/// An in-stream error's status: its numeric code when it is an HTTP status
/// (OpenRouter), else what its string code or type names (OpenAI, vLLM),
/// so a rate limit still reaches the client as a rate limit.
fn error_status(error: &ChunkErrorIn) -> u16 {
    let numeric = error
        .code
        .as_ref()
        .and_then(serde_json::Value::as_u64)
        .and_then(|code| u16::try_from(code).ok())
        .filter(|code| (400..600).contains(code));
    let named = || {
        let code = error.code.as_ref().and_then(serde_json::Value::as_str);
        [code, error.kind.0.as_deref()]
            .into_iter()
            .flatten()
            .find_map(status_named)
    };
    numeric.or_else(named).unwrap_or(502)
}

fn status_named(name: &str) -> Option<u16> {
    Some(match name {
        "invalid_request_error" | "invalid_request" | "context_length_exceeded" => 400,
        "authentication_error" | "invalid_api_key" => 401,
        "permission_error" | "permission_denied" => 403,
        "not_found_error" | "model_not_found" => 404,
        "rate_limit_exceeded" | "rate_limit_error" | "insufficient_quota" | "too_many_requests" => {
            429
        }
        "server_error" | "internal_error" | "internal_server_error" | "api_error" => 500,
        "service_unavailable" => 503,
        "timeout" => 504,
        "overloaded" | "overloaded_error" | "server_overloaded" => 529,
        _ => return None,
    })
}
