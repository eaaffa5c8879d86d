//! IR stream events → a strictly valid Anthropic SSE sequence.
//!
//! Anthropic clients accept one open content block at a time, with
//! consecutive indices. IR streams may interleave blocks (parallel tool
//! calls), so one block is "live" and the others are held back, with their
//! deltas, until it stops.

use std::collections::VecDeque;

use super::encode_response::{stop_reason_out, with_prefix};
use super::error::encode_error;
use super::wire_client::{
    BlockDeltaFrame, BlockOut, BlockStartFrame, BlockStopFrame, DeltaOut, EmptyObject,
    MessageDeltaBody, MessageDeltaFrame, MessageOut, MessageStartFrame, TypeOnly, UsageOut,
};
use super::{MESSAGE_ID_PREFIX, TOOL_ID_PREFIX};
use crate::error::ApiError;
use crate::ir::{BlockKind, Delta, StreamEvent, Usage};
use crate::sse::write_event;

#[derive(Debug, Default)]
pub struct StreamEncoder {
    started: bool,
    stopped: bool,
    next_out_index: usize,
    /// Blocks by IR index.
    blocks: Vec<Option<HeldBlock>>,
    live: Option<usize>,
    /// IR indices started while another block was live, in arrival order.
    waiting: VecDeque<usize>,
}

#[derive(Debug)]
struct HeldBlock {
    kind: BlockKind,
    out_index: usize,
    deltas: Vec<Delta>,
    stopped: bool,
}

impl StreamEncoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the SSE frames for one event to `out`.
    pub fn encode(&mut self, event: &StreamEvent, out: &mut Vec<u8>) {
        if self.stopped {
            return;
        }
        match event {
            StreamEvent::MessageStart { id, model, usage } => {
                self.message_start(id, model, usage, out);
            }
            StreamEvent::BlockStart { index, kind } => self.block_start(*index, kind, out),
            StreamEvent::BlockDelta { index, delta } => self.block_delta(*index, delta, out),
            StreamEvent::BlockStop { index } => self.block_stop(*index, out),
            StreamEvent::MessageDelta { stop_reason, usage } => {
                self.ensure_started(out);
                self.flush_all(out);
                let (stop_reason, stop_sequence) = stop_reason_out(stop_reason.as_ref());
                let frame = MessageDeltaFrame {
                    kind: "message_delta",
                    delta: MessageDeltaBody {
                        stop_reason,
                        stop_sequence,
                    },
                    usage: UsageOut::from(usage),
                };
                write_event(out, "message_delta", &frame);
            }
            StreamEvent::MessageStop => {
                self.ensure_started(out);
                self.flush_all(out);
                write_event(
                    out,
                    "message_stop",
                    &TypeOnly {
                        kind: "message_stop",
                    },
                );
                self.stopped = true;
            }
            StreamEvent::Error { status, message } => {
                let error = ApiError::new(*status, message.clone());
                write_raw_event(out, "error", &encode_error(&error));
                self.stopped = true;
            }
        }
    }

    fn message_start(&mut self, id: &str, model: &str, usage: &Usage, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        let id = with_prefix(MESSAGE_ID_PREFIX, id);
        let frame = MessageStartFrame {
            kind: "message_start",
            message: MessageOut {
                id: &id,
                kind: "message",
                role: "assistant",
                model,
                content: Vec::new(),
                stop_reason: None,
                stop_sequence: None,
                usage: UsageOut::from(usage),
            },
        };
        write_event(out, "message_start", &frame);
    }

    /// A decoder that skipped `MessageStart` still yields a valid stream.
    fn ensure_started(&mut self, out: &mut Vec<u8>) {
        if !self.started {
            self.message_start("", "", &Usage::default(), out);
        }
    }

    fn block_start(&mut self, index: usize, kind: &BlockKind, out: &mut Vec<u8>) {
        self.ensure_started(out);
        if self.blocks.get(index).is_some_and(Option::is_some) {
            return;
        }
        if self.blocks.len() <= index {
            self.blocks.resize_with(index + 1, || None);
        }
        self.blocks[index] = Some(HeldBlock {
            kind: kind.clone(),
            out_index: 0,
            deltas: Vec::new(),
            stopped: false,
        });
        if self.live.is_none() {
            self.go_live(index, out);
        } else {
            self.waiting.push_back(index);
        }
    }

    fn block_delta(&mut self, index: usize, delta: &Delta, out: &mut Vec<u8>) {
        let is_live = self.live == Some(index);
        let Some(Some(block)) = self.blocks.get_mut(index) else {
            return;
        };
        if block.stopped || !delta_fits(&block.kind, delta) {
            return;
        }
        if is_live {
            write_delta(block.out_index, delta, out);
        } else {
            block.deltas.push(delta.clone());
        }
    }

    fn block_stop(&mut self, index: usize, out: &mut Vec<u8>) {
        let Some(Some(block)) = self.blocks.get_mut(index) else {
            return;
        };
        if block.stopped {
            return;
        }
        block.stopped = true;
        if self.live == Some(index) {
            write_block_stop(block.out_index, out);
            self.live = None;
            self.promote_waiting(out);
        }
    }

    /// Emits held blocks in arrival order until one is still open.
    fn promote_waiting(&mut self, out: &mut Vec<u8>) {
        while self.live.is_none() {
            let Some(index) = self.waiting.pop_front() else {
                return;
            };
            self.go_live(index, out);
        }
    }

    fn go_live(&mut self, index: usize, out: &mut Vec<u8>) {
        let out_index = self.next_out_index;
        let Some(Some(block)) = self.blocks.get_mut(index) else {
            return;
        };
        self.next_out_index += 1;
        block.out_index = out_index;
        write_block_start(out_index, &block.kind, out);
        for delta in block.deltas.drain(..) {
            write_delta(out_index, &delta, out);
        }
        if block.stopped {
            write_block_stop(out_index, out);
        } else {
            self.live = Some(index);
        }
    }

    /// Closes every block, live or held, before the message ends.
    fn flush_all(&mut self, out: &mut Vec<u8>) {
        loop {
            if let Some(live) = self.live {
                self.block_stop(live, out);
            } else if self.waiting.is_empty() {
                return;
            } else {
                self.promote_waiting(out);
            }
        }
    }
}

fn delta_fits(kind: &BlockKind, delta: &Delta) -> bool {
    matches!(
        (kind, delta),
        (BlockKind::Text, Delta::Text(_))
            | (
                BlockKind::Reasoning,
                Delta::Reasoning(_) | Delta::ReasoningSignature(_)
            )
            | (BlockKind::ToolCall { .. }, Delta::ToolArguments(_))
    )
}

fn write_block_start(index: usize, kind: &BlockKind, out: &mut Vec<u8>) {
    let tool_id;
    let content_block = match kind {
        BlockKind::Text => BlockOut::Text { text: "" },
        BlockKind::Reasoning => BlockOut::Thinking {
            thinking: "",
            signature: "",
        },
        BlockKind::RedactedReasoning { data } => BlockOut::RedactedThinking { data },
        BlockKind::ToolCall { id, name } => {
            tool_id = with_prefix(TOOL_ID_PREFIX, id);
            BlockOut::ToolUse {
                id: &tool_id,
                name,
                input: EmptyObject {},
            }
        }
    };
    let frame = BlockStartFrame {
        kind: "content_block_start",
        index,
        content_block,
    };
    write_event(out, "content_block_start", &frame);
}

fn write_delta(index: usize, delta: &Delta, out: &mut Vec<u8>) {
    let delta = match delta {
        Delta::Text(text) => DeltaOut::Text { text },
        Delta::Reasoning(thinking) => DeltaOut::Thinking { thinking },
        Delta::ReasoningSignature(signature) => DeltaOut::Signature { signature },
        Delta::ToolArguments(partial_json) => DeltaOut::InputJson { partial_json },
    };
    let frame = BlockDeltaFrame {
        kind: "content_block_delta",
        index,
        delta,
    };
    write_event(out, "content_block_delta", &frame);
}

fn write_block_stop(index: usize, out: &mut Vec<u8>) {
    let frame = BlockStopFrame {
        kind: "content_block_stop",
        index,
    };
    write_event(out, "content_block_stop", &frame);
}

fn write_raw_event(out: &mut Vec<u8>, event: &str, json: &[u8]) {
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(event.as_bytes());
    out.extend_from_slice(b"\ndata: ");
    out.extend_from_slice(json);
    out.extend_from_slice(b"\n\n");
}
