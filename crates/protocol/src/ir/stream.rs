use super::{StopReason, Usage};

/// One event of a streamed answer, in a block lifecycle.
///
/// Decoders may leave several blocks open at once (parallel tool calls arrive
/// interleaved); encoders for formats that need one block at a time serialize them.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    MessageStart {
        id: String,
        model: String,
        usage: Usage,
    },
    BlockStart {
        index: usize,
        kind: BlockKind,
    },
    BlockDelta {
        index: usize,
        delta: Delta,
    },
    BlockStop {
        index: usize,
    },
    MessageDelta {
        stop_reason: Option<StopReason>,
        usage: Usage,
    },
    MessageStop,
    /// The upstream failed mid-stream; `status` is the HTTP status it would have had.
    Error {
        status: u16,
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    Text,
    Reasoning,
    RedactedReasoning { data: String },
    ToolCall { id: String, name: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delta {
    Text(String),
    Reasoning(String),
    ReasoningSignature(String),
    /// A fragment of a tool call's JSON arguments; fragments concatenate.
    ToolArguments(String),
}
