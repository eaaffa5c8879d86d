//! Responses SSE events → IR stream events.
//!
//! Each output item becomes one IR block. Text and reasoning blocks start
//! with their first delta (items may be empty); a reasoning item that only
//! carries `encrypted_content` becomes a redacted block when it is done.
//! Only `response.completed` (or `.incomplete`) ends the answer properly.

use super::decode_request::{joined_text, reasoning_part};
use super::decode_response::{call_id, status_for_code, stop_reason};
use super::names;
use super::wire::{EventIn, OutputItemIn, ResponseIn};
use crate::ir::{BlockKind, Delta, Part, StreamEvent, Usage};
use crate::sse::SseFrame;

#[derive(Debug, Default)]
pub struct StreamDecoder {
    started: bool,
    finished: bool,
    next_index: usize,
    /// Items by `output_index`.
    items: Vec<Option<Slot>>,
    saw_calls: bool,
}

#[derive(Debug)]
struct Slot {
    kind: SlotKind,
    /// IR index, once the block started.
    block: Option<usize>,
    open: bool,
    got_delta: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlotKind {
    Message,
    Reasoning,
    Call,
}

impl StreamDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes one SSE frame.
    pub fn feed(&mut self, frame: &SseFrame, out: &mut Vec<StreamEvent>) {
        let data = frame.data.trim();
        if self.finished || data.is_empty() || data == "[DONE]" {
            return;
        }
        match serde_json::from_str::<EventIn>(data) {
            Ok(event) => self.event(event, out),
            Err(err) => self.fail(
                502,
                format!("upstream sent an unreadable event: {err}"),
                out,
            ),
        }
    }

    /// The upstream body ended: without `response.completed`, that is an error.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        if self.finished {
            return;
        }
        let message = if self.started {
            "upstream stream ended before response.completed"
        } else {
            "upstream stream ended before any answer"
        };
        self.fail(502, message.into(), out);
    }

    fn event(&mut self, event: EventIn, out: &mut Vec<StreamEvent>) {
        let index = event.output_index.unwrap_or(0);
        match event.kind.as_str() {
            "response.created" | "response.in_progress" => {
                self.start(event.response.as_ref(), out);
            }
            "response.output_item.added" => {
                if let Some(item) = &event.item {
                    self.item_added(index, item, out);
                }
            }
            "response.output_text.delta" | "response.refusal.delta" => {
                self.delta(index, SlotKind::Message, event.delta.0, out);
            }
            "response.reasoning_summary_text.delta" | "response.reasoning_text.delta" => {
                self.delta(index, SlotKind::Reasoning, event.delta.0, out);
            }
            // Summary parts after the first are separate paragraphs.
            "response.reasoning_summary_part.added" if event.summary_index.unwrap_or(0) > 0 => {
                self.delta(index, SlotKind::Reasoning, Some("\n\n".into()), out);
            }
            "response.function_call_arguments.delta" => {
                self.delta(index, SlotKind::Call, event.delta.0, out);
            }
            "response.output_item.done" => {
                if let Some(item) = event.item {
                    self.item_done(index, item, out);
                }
            }
            "response.completed" | "response.incomplete" => self.complete(event.response, out),
            "response.failed" => {
                let error = event.response.and_then(|response| response.error);
                let (code, message) = error.map_or((None, None), |e| (e.code.0, e.message.0));
                self.fail_with(code, message, out);
            }
            "error" => self.fail_with(event.code.0, event.message.0, out),
            _ => {}
        }
    }

    fn start(&mut self, response: Option<&ResponseIn>, out: &mut Vec<StreamEvent>) {
        if std::mem::replace(&mut self.started, true) {
            return;
        }
        out.push(StreamEvent::MessageStart {
            id: response.map(|r| r.id.clone()).unwrap_or_default(),
            model: response.map(|r| r.model.clone()).unwrap_or_default(),
            usage: Usage::default(),
        });
    }

    fn item_added(&mut self, index: usize, item: &OutputItemIn, out: &mut Vec<StreamEvent>) {
        self.start(None, out);
        let kind = match item.kind.as_str() {
            "message" => SlotKind::Message,
            "reasoning" => SlotKind::Reasoning,
            "function_call" => SlotKind::Call,
            _ => return,
        };
        if self.items.len() <= index {
            self.items.resize_with(index + 1, || None);
        }
        self.items[index] = Some(Slot {
            kind,
            block: None,
            open: false,
            got_delta: false,
        });
        if kind == SlotKind::Call {
            self.saw_calls = true;
            let block = BlockKind::ToolCall {
                id: call_id(item.call_id.clone(), index),
                name: names::flatten(
                    item.namespace.as_deref(),
                    item.name.as_deref().unwrap_or(""),
                ),
            };
            self.open(index, block, out);
            self.delta(index, SlotKind::Call, item.arguments.0.clone(), out);
        }
    }

    /// Starts the item's block; returns its IR index.
    fn open(&mut self, index: usize, kind: BlockKind, out: &mut Vec<StreamEvent>) -> Option<usize> {
        let slot = self.items.get_mut(index)?.as_mut()?;
        if let Some(block) = slot.block {
            return slot.open.then_some(block);
        }
        let block = self.next_index;
        self.next_index += 1;
        slot.block = Some(block);
        slot.open = true;
        out.push(StreamEvent::BlockStart { index: block, kind });
        Some(block)
    }

    fn delta(
        &mut self,
        index: usize,
        kind: SlotKind,
        piece: Option<String>,
        out: &mut Vec<StreamEvent>,
    ) {
        let Some(piece) = piece.filter(|piece| !piece.is_empty()) else {
            return;
        };
        if !self.slot(index).is_some_and(|slot| slot.kind == kind) {
            return;
        }
        // Calls open when added; text and reasoning with their first delta.
        let (block, delta) = match kind {
            SlotKind::Message => (self.open(index, BlockKind::Text, out), Delta::Text(piece)),
            SlotKind::Reasoning => (
                self.open(index, BlockKind::Reasoning, out),
                Delta::Reasoning(piece),
            ),
            SlotKind::Call => (self.open_block(index), Delta::ToolArguments(piece)),
        };
        let Some(block) = block else {
            return;
        };
        if let Some(Some(slot)) = self.items.get_mut(index) {
            slot.got_delta = true;
        }
        out.push(StreamEvent::BlockDelta {
            index: block,
            delta,
        });
    }

    /// The item's block, if it started and is still open.
    fn open_block(&self, index: usize) -> Option<usize> {
        self.slot(index)
            .and_then(|slot| slot.block.filter(|_| slot.open))
    }

    fn slot(&self, index: usize) -> Option<&Slot> {
        self.items.get(index).and_then(Option::as_ref)
    }

    /// Fills in what no delta carried (some servers send only the done
    /// item), then closes the block.
    fn item_done(&mut self, index: usize, item: OutputItemIn, out: &mut Vec<StreamEvent>) {
        if self.slot(index).is_none() {
            self.item_added(index, &item, out);
        }
        let Some(slot) = self.slot(index) else {
            return;
        };
        let (kind, got_delta) = (slot.kind, slot.got_delta);
        match kind {
            SlotKind::Message if !got_delta => {
                self.delta(
                    index,
                    kind,
                    Some(joined_text(item.content).into_plain()),
                    out,
                );
            }
            SlotKind::Reasoning => self.reasoning_done(index, item, got_delta, out),
            SlotKind::Call if !got_delta => self.delta(index, kind, item.arguments.0, out),
            _ => {}
        }
        self.close(index, out);
    }

    /// The signature (`encrypted_content`) follows the summary; without a
    /// summary, the item is redacted reasoning.
    fn reasoning_done(
        &mut self,
        index: usize,
        item: OutputItemIn,
        got_delta: bool,
        out: &mut Vec<StreamEvent>,
    ) {
        let signature = if got_delta {
            item.encrypted_content.into_non_empty()
        } else {
            match reasoning_part(item.summary, item.content, item.encrypted_content) {
                Some(Part::Reasoning { text, signature }) => {
                    self.delta(index, SlotKind::Reasoning, Some(text.into_plain()), out);
                    signature
                }
                Some(Part::RedactedReasoning(data)) => {
                    self.open(index, BlockKind::RedactedReasoning { data }, out);
                    None
                }
                _ => None,
            }
        };
        if let (Some(block), Some(signature)) = (self.open_block(index), signature) {
            out.push(StreamEvent::BlockDelta {
                index: block,
                delta: Delta::ReasoningSignature(signature),
            });
        }
    }

    fn close(&mut self, index: usize, out: &mut Vec<StreamEvent>) {
        if let Some(Some(slot)) = self.items.get_mut(index) {
            if let Some(block) = slot.block.filter(|_| slot.open) {
                slot.open = false;
                out.push(StreamEvent::BlockStop { index: block });
            }
        }
    }

    fn complete(&mut self, response: Option<ResponseIn>, out: &mut Vec<StreamEvent>) {
        self.start(response.as_ref(), out);
        for index in 0..self.items.len() {
            self.close(index, out);
        }
        let response = response.unwrap_or_default();
        let reason = response
            .incomplete_details
            .and_then(|details| details.reason.0);
        let stop = stop_reason(
            response.status.0.as_deref(),
            reason.as_deref(),
            self.saw_calls,
        );
        out.push(StreamEvent::MessageDelta {
            stop_reason: Some(stop),
            usage: response.usage.map(Usage::from).unwrap_or_default(),
        });
        out.push(StreamEvent::MessageStop);
        self.finished = true;
    }

    fn fail_with(
        &mut self,
        code: Option<String>,
        message: Option<String>,
        out: &mut Vec<StreamEvent>,
    ) {
        let status = status_for_code(code.as_deref());
        self.fail(
            status,
            message.unwrap_or_else(|| "upstream error".into()),
            out,
        );
    }

    fn fail(&mut self, status: u16, message: String, out: &mut Vec<StreamEvent>) {
        out.push(StreamEvent::Error { status, message });
        self.finished = true;
    }
}
