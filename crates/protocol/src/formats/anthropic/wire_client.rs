//! Anthropic wire types for the client side: requests we read (unknown
//! fields ignored, so that fields Anthropic adds tomorrow never fail a
//! request), answers and stream events we write.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::wire::Block;
use crate::formats::TextOr;
use crate::ir::{Text, Usage};
use crate::json::RawJson;

#[derive(Debug, Deserialize)]
pub(super) struct MessagesRequest {
    pub model: String,
    #[serde(default)]
    pub system: TextOr<Block>,
    pub messages: Vec<InMessage>,
    pub max_tokens: Option<u32>,
    #[serde(default)]
    pub stop_sequences: Vec<String>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub top_k: Option<u32>,
    #[serde(default)]
    pub stream: bool,
    #[serde(default)]
    pub tools: Vec<InTool>,
    pub tool_choice: Option<InToolChoice>,
    pub metadata: Option<Metadata>,
    pub thinking: Option<Thinking>,
    pub output_config: Option<OutputConfig>,
}

#[derive(Debug, Deserialize)]
pub(super) struct InMessage {
    pub role: InRole,
    pub content: TextOr<Block>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum InRole {
    User,
    Assistant,
    System,
}

#[derive(Debug, Deserialize)]
pub(super) struct InTool {
    pub name: String,
    pub description: Option<Text>,
    pub input_schema: Option<RawJson>,
    /// Set on Anthropic-hosted tools (`web_search_20250305`, …).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct InToolChoice {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: Option<String>,
    #[serde(default)]
    pub disable_parallel_tool_use: bool,
}

#[derive(Debug, Deserialize)]
pub(super) struct Metadata {
    pub user_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Thinking {
    #[serde(rename = "type")]
    pub kind: String,
    pub budget_tokens: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub(super) struct OutputConfig {
    pub effort: Option<String>,
    /// Structured output: `{type: "json_schema", schema}`.
    pub format: Option<crate::formats::structured::FlatFormatIn>,
}

// ---- what we write ----

#[derive(Serialize)]
pub(super) struct MessageOut<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub role: &'static str,
    pub model: &'a str,
    pub content: Vec<ContentOut<'a>>,
    pub stop_reason: Option<&'static str>,
    pub stop_sequence: Option<&'a str>,
    pub usage: UsageOut,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ContentOut<'a> {
    Text {
        text: &'a Text,
    },
    Thinking {
        thinking: &'a Text,
        signature: &'a str,
    },
    RedactedThinking {
        data: &'a str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: &'a RawValue,
    },
}

#[derive(Serialize, Default)]
pub(super) struct UsageOut {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_input_tokens: u64,
    pub cache_read_input_tokens: u64,
}

impl From<&Usage> for UsageOut {
    fn from(usage: &Usage) -> Self {
        Self {
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            cache_creation_input_tokens: usage.cache_write_tokens,
            cache_read_input_tokens: usage.cache_read_tokens,
        }
    }
}

// Stream events.

#[derive(Serialize)]
pub(super) struct TypeOnly {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Serialize)]
pub(super) struct MessageStartFrame<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub message: MessageOut<'a>,
}

#[derive(Serialize)]
pub(super) struct MessageDeltaFrame<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub delta: MessageDeltaBody<'a>,
    pub usage: UsageOut,
}

#[derive(Serialize)]
pub(super) struct MessageDeltaBody<'a> {
    pub stop_reason: Option<&'static str>,
    pub stop_sequence: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct BlockStartFrame<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub index: usize,
    pub content_block: BlockOut<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum BlockOut<'a> {
    Text {
        text: &'static str,
    },
    Thinking {
        thinking: &'static str,
        signature: &'static str,
    },
    RedactedThinking {
        data: &'a str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: EmptyObject,
    },
}

/// Serializes as `{}`: the `input` every streamed `tool_use` block starts with.
#[derive(Serialize)]
pub(super) struct EmptyObject {}

#[derive(Serialize)]
pub(super) struct BlockDeltaFrame<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub index: usize,
    pub delta: DeltaOut<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type")]
pub(super) enum DeltaOut<'a> {
    #[serde(rename = "text_delta")]
    Text { text: &'a str },
    #[serde(rename = "thinking_delta")]
    Thinking { thinking: &'a str },
    #[serde(rename = "signature_delta")]
    Signature { signature: &'a str },
    #[serde(rename = "input_json_delta")]
    InputJson { partial_json: &'a str },
}

#[derive(Serialize)]
pub(super) struct BlockStopFrame {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub index: usize,
}
