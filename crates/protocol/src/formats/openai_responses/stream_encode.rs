//! IR stream events → Responses SSE events (`event: <type>` + JSON data with
//! a `sequence_number` counting from 0).
//!
//! Each IR block becomes one output item, numbered in the order blocks
//! start. Responses events name their item (`output_index`, `item_id`), so
//! blocks that interleave (parallel tool calls) stay interleaved; each item
//! still gets its own well-formed lifecycle: added, parts, deltas, done.

use std::cell::Cell;

use super::encode_response::{
    function_call_item, item_id, message_item, reasoning_item, response_id, status_for,
};
use super::error::failure_code;
use super::names;
use super::wire_client::{ErrorOut, EventOut, ItemOut, PartOut, ResponseOut, UsageOut};
use crate::ir::{BlockKind, Delta, StopReason, StreamEvent, Usage};
use crate::sse::write_event;

#[derive(Debug, Default)]
pub struct StreamEncoder {
    created: u64,
    /// The next `sequence_number`; a `Cell` so that events may borrow the rest.
    sequence: Cell<u64>,
    id: String,
    model: String,
    started: bool,
    finished: bool,
    /// Output position of each IR block, by IR index.
    positions: Vec<Option<usize>>,
    /// Output items, in output order.
    items: Vec<Item>,
    stop_reason: Option<StopReason>,
    usage: Usage,
}

#[derive(Debug)]
struct Item {
    id: String,
    kind: ItemKind,
    /// Message text, reasoning summary or call arguments, so far.
    text: String,
    /// Reasoning: the signature or redacted data (`encrypted_content`).
    encrypted: Option<String>,
    /// Reasoning: the summary part was announced.
    part_open: bool,
    done: bool,
}

#[derive(Debug)]
enum ItemKind {
    Message,
    Reasoning,
    FunctionCall { call_id: String, name: String },
}

impl StreamEncoder {
    /// `created` is the answer's Unix time (`created_at`).
    pub fn new(created: u64) -> Self {
        Self {
            created,
            ..Self::default()
        }
    }

    /// Appends the SSE frames for one event to `out`.
    pub fn encode(&mut self, event: &StreamEvent, out: &mut Vec<u8>) {
        if self.finished {
            return;
        }
        match event {
            StreamEvent::MessageStart { id, model, usage } => {
                self.usage.merge(usage);
                self.start(id, model, out);
            }
            StreamEvent::BlockStart { index, kind } => self.block_start(*index, kind, out),
            StreamEvent::BlockDelta { index, delta } => self.block_delta(*index, delta, out),
            StreamEvent::BlockStop { index } => {
                if let Some(position) = self.position(*index) {
                    self.close(position, out);
                }
            }
            StreamEvent::MessageDelta { stop_reason, usage } => {
                self.usage.merge(usage);
                self.stop_reason.clone_from(stop_reason);
            }
            StreamEvent::MessageStop => self.complete(out),
            StreamEvent::Error { status, message } => self.fail(*status, message, out),
        }
    }

    fn start(&mut self, id: &str, model: &str, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        self.id = response_id(id, self.created);
        model.clone_into(&mut self.model);
        for kind in ["response.created", "response.in_progress"] {
            let response = Some(self.snapshot("in_progress"));
            emit(&self.sequence, event(kind, response), out);
        }
    }

    /// A decoder that skipped `MessageStart` still yields a valid stream.
    fn ensure_started(&mut self, out: &mut Vec<u8>) {
        if !self.started {
            self.start("", "", out);
        }
    }

    fn position(&self, index: usize) -> Option<usize> {
        self.positions.get(index).copied().flatten()
    }

    fn block_start(&mut self, index: usize, kind: &BlockKind, out: &mut Vec<u8>) {
        self.ensure_started(out);
        if self.position(index).is_some() {
            return;
        }
        if self.positions.len() <= index {
            self.positions.resize(index + 1, None);
        }
        let position = self.items.len();
        self.positions[index] = Some(position);
        let (kind, prefix, encrypted) = match kind {
            BlockKind::Text => (ItemKind::Message, "msg", None),
            BlockKind::Reasoning => (ItemKind::Reasoning, "rs", None),
            BlockKind::RedactedReasoning { data } => {
                (ItemKind::Reasoning, "rs", Some(data.clone()))
            }
            BlockKind::ToolCall { id, name } => (
                ItemKind::FunctionCall {
                    call_id: id.clone(),
                    name: name.clone(),
                },
                "fc",
                None,
            ),
        };
        self.items.push(Item {
            id: item_id(prefix, &self.id, position),
            kind,
            text: String::new(),
            encrypted,
            part_open: false,
            done: false,
        });
        let item = &self.items[position];
        let mut added = event("response.output_item.added", None);
        added.output_index = Some(position);
        added.item = Some(item_out(item, false));
        emit(&self.sequence, added, out);
        if matches!(item.kind, ItemKind::Message) {
            let mut part = item_event("response.content_part.added", position, item);
            part.content_index = Some(0);
            part.part = Some(PartOut::output_text(""));
            emit(&self.sequence, part, out);
        }
    }

    fn block_delta(&mut self, index: usize, delta: &Delta, out: &mut Vec<u8>) {
        let Some(position) = self.position(index) else {
            return;
        };
        let item = &mut self.items[position];
        if item.done {
            return;
        }
        let (kind, piece) = match (&item.kind, delta) {
            (ItemKind::Message, Delta::Text(text)) => ("response.output_text.delta", text),
            (ItemKind::Reasoning, Delta::Reasoning(text)) => {
                if !item.part_open && !text.is_empty() {
                    item.part_open = true;
                    let mut added =
                        item_event("response.reasoning_summary_part.added", position, item);
                    added.summary_index = Some(0);
                    added.part = Some(PartOut::SummaryText { text: "".into() });
                    emit(&self.sequence, added, out);
                }
                ("response.reasoning_summary_text.delta", text)
            }
            (ItemKind::Reasoning, Delta::ReasoningSignature(signature)) => {
                item.encrypted
                    .get_or_insert_with(String::new)
                    .push_str(signature);
                return;
            }
            (ItemKind::FunctionCall { .. }, Delta::ToolArguments(arguments)) => {
                ("response.function_call_arguments.delta", arguments)
            }
            _ => return,
        };
        if piece.is_empty() {
            return;
        }
        item.text.push_str(piece);
        let mut frame = item_event(kind, position, item);
        frame.delta = Some(piece);
        match item.kind {
            ItemKind::Message => {
                frame.content_index = Some(0);
                frame.logprobs = Some([]);
            }
            ItemKind::Reasoning => frame.summary_index = Some(0),
            ItemKind::FunctionCall { .. } => {}
        }
        emit(&self.sequence, frame, out);
    }

    /// Ends an item: its part's `done` events, then `output_item.done`.
    fn close(&mut self, position: usize, out: &mut Vec<u8>) {
        let Some(item) = self.items.get_mut(position) else {
            return;
        };
        if item.done {
            return;
        }
        item.done = true;
        if matches!(item.kind, ItemKind::FunctionCall { .. }) && item.text.trim().is_empty() {
            // A call without arguments still has a JSON object for them.
            let mut frame = item_event("response.function_call_arguments.delta", position, item);
            frame.delta = Some("{}");
            emit(&self.sequence, frame, out);
            item.text = "{}".into();
        }
        let item = &self.items[position];
        match &item.kind {
            ItemKind::Message => {
                let mut text = item_event("response.output_text.done", position, item);
                text.content_index = Some(0);
                text.text = Some(&item.text);
                text.logprobs = Some([]);
                emit(&self.sequence, text, out);
                let mut part = item_event("response.content_part.done", position, item);
                part.content_index = Some(0);
                part.part = Some(PartOut::output_text(&item.text));
                emit(&self.sequence, part, out);
            }
            ItemKind::Reasoning if item.part_open => {
                let mut text = item_event("response.reasoning_summary_text.done", position, item);
                text.summary_index = Some(0);
                text.text = Some(&item.text);
                emit(&self.sequence, text, out);
                let mut part = item_event("response.reasoning_summary_part.done", position, item);
                part.summary_index = Some(0);
                part.part = Some(PartOut::SummaryText {
                    text: (&item.text).into(),
                });
                emit(&self.sequence, part, out);
            }
            ItemKind::Reasoning => {}
            ItemKind::FunctionCall { name, .. } => {
                let mut done = item_event("response.function_call_arguments.done", position, item);
                done.arguments = Some(&item.text);
                done.name = Some(names::split(name).1);
                emit(&self.sequence, done, out);
            }
        }
        let mut done = event("response.output_item.done", None);
        done.output_index = Some(position);
        done.item = Some(item_out(item, true));
        emit(&self.sequence, done, out);
    }

    /// Closes what is still open and sends the complete response.
    fn complete(&mut self, out: &mut Vec<u8>) {
        self.ensure_started(out);
        for position in 0..self.items.len() {
            self.close(position, out);
        }
        let (status, incomplete) = status_for(self.stop_reason.as_ref());
        let kind = match status {
            "incomplete" => "response.incomplete",
            _ => "response.completed",
        };
        let mut response = self.snapshot(status);
        response.incomplete_details = incomplete;
        response.usage = Some(UsageOut::from(&self.usage));
        emit(&self.sequence, event(kind, Some(response)), out);
        self.finished = true;
    }

    /// `response.failed`; items still open are left as they are.
    fn fail(&mut self, status: u16, message: &str, out: &mut Vec<u8>) {
        self.ensure_started(out);
        let mut response = self.snapshot("failed");
        response.error = Some(ErrorOut {
            code: failure_code(status),
            message,
        });
        emit(
            &self.sequence,
            event("response.failed", Some(response)),
            out,
        );
        self.finished = true;
    }

    /// The response so far: its finished items only.
    fn snapshot(&self, status: &'static str) -> ResponseOut<'_> {
        let mut response = ResponseOut::new(&self.id, self.created, &self.model, status);
        response.output = self
            .items
            .iter()
            .filter(|item| item.done)
            .map(|item| item_out(item, true))
            .collect();
        response
    }
}

fn event<'a>(kind: &'static str, response: Option<ResponseOut<'a>>) -> EventOut<'a> {
    EventOut {
        kind,
        response,
        ..EventOut::default()
    }
}

fn item_event<'a>(kind: &'static str, position: usize, item: &'a Item) -> EventOut<'a> {
    EventOut {
        kind,
        output_index: Some(position),
        item_id: Some(&item.id),
        ..EventOut::default()
    }
}

fn emit(sequence: &Cell<u64>, mut event: EventOut<'_>, out: &mut Vec<u8>) {
    event.sequence_number = sequence.get();
    sequence.set(event.sequence_number + 1);
    write_event(out, event.kind, &event);
}

/// The item as announced (`complete` false: empty, in progress) or finished.
fn item_out(item: &Item, complete: bool) -> ItemOut<'_> {
    let status = if complete { "completed" } else { "in_progress" };
    let text = if complete { item.text.as_str() } else { "" };
    match &item.kind {
        ItemKind::Message => {
            let content = if complete {
                vec![PartOut::output_text(text)]
            } else {
                Vec::new()
            };
            message_item(&item.id, status, content)
        }
        ItemKind::Reasoning => {
            let encrypted = item.encrypted.as_deref().filter(|_| complete);
            reasoning_item(&item.id, text.into(), encrypted)
        }
        ItemKind::FunctionCall { call_id, name } => {
            function_call_item(&item.id, call_id, name, text, status)
        }
    }
}
