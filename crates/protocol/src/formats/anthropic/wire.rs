//! Anthropic wire types for the upstream side (requests we send, answers
//! and stream events we read), and the content block both sides read.
//! Unknown fields are ignored so that fields Anthropic adds tomorrow never
//! fail a request.

use serde::{Deserialize, Serialize};

use crate::formats::TextOr;
use crate::ir::{Text, Usage};
use crate::json::RawJson;

/// Every block type in one flat struct: faster than an internally tagged enum
/// (no buffering) and tolerant of types we do not know.
#[derive(Debug, Deserialize)]
pub(super) struct Block {
    #[serde(rename = "type")]
    pub kind: BlockType,
    pub text: Option<Text>,
    pub source: Option<ImageSourceWire>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub input: Option<RawJson>,
    pub tool_use_id: Option<String>,
    pub content: Option<TextOr<Block>>,
    pub is_error: Option<bool>,
    pub thinking: Option<Text>,
    pub signature: Option<String>,
    pub data: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum BlockType {
    Text,
    Image,
    ToolUse,
    ToolResult,
    Thinking,
    RedactedThinking,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Deserialize)]
pub(super) struct ImageSourceWire {
    #[serde(rename = "type")]
    pub kind: String,
    pub media_type: Option<String>,
    pub data: Option<String>,
    pub url: Option<String>,
}

// ---- what we send ----

#[derive(Serialize)]
pub(super) struct RequestOut<'a> {
    pub model: &'a str,
    pub max_tokens: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub system: Vec<BlockOut<'a>>,
    pub messages: Vec<MessageOut<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub stop_sequences: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stream: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoiceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<MetadataOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking: Option<ThinkingOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_config: Option<OutputConfigOut<'a>>,
}

/// Structured output: Anthropic takes a JSON Schema; a bare "any JSON
/// object" has no equivalent (LOSSY.md).
#[derive(Serialize)]
pub(super) struct OutputConfigOut<'a> {
    pub format: SchemaFormatOut<'a>,
}

#[derive(Serialize)]
pub(super) struct SchemaFormatOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub schema: &'a RawJson,
}

#[derive(Serialize)]
pub(super) struct MessageOut<'a> {
    pub role: &'static str,
    pub content: Vec<BlockOut<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum BlockOut<'a> {
    Text {
        text: &'a Text,
    },
    Image {
        source: SourceOut<'a>,
    },
    ToolUse {
        id: String,
        name: &'a str,
        input: &'a RawJson,
    },
    ToolResult {
        tool_use_id: String,
        content: Vec<BlockOut<'a>>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        is_error: bool,
    },
    Thinking {
        thinking: &'a Text,
        signature: &'a str,
    },
    RedactedThinking {
        data: &'a str,
    },
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum SourceOut<'a> {
    Base64 { media_type: &'a str, data: &'a str },
    Url { url: &'a str },
}

#[derive(Serialize)]
pub(super) struct ToolOut<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a Text>,
    pub input_schema: &'a RawJson,
}

#[derive(Serialize)]
pub(super) struct ToolChoiceOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disable_parallel_tool_use: bool,
}

#[derive(Serialize)]
pub(super) struct MetadataOut<'a> {
    pub user_id: &'a str,
}

#[derive(Serialize)]
pub(super) struct ThinkingOut {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub budget_tokens: u32,
}

// ---- what we read ----

#[derive(Deserialize)]
pub(super) struct MessageIn {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub content: Vec<Block>,
    pub stop_reason: Option<String>,
    pub stop_sequence: Option<String>,
    #[serde(default)]
    pub usage: UsageIn,
}

#[derive(Deserialize)]
pub(super) struct EventIn {
    #[serde(rename = "type")]
    pub kind: String,
    pub index: Option<usize>,
    pub message: Option<MessageIn>,
    pub content_block: Option<Block>,
    pub delta: Option<DeltaIn>,
    pub usage: Option<UsageIn>,
    pub error: Option<ErrorIn>,
}

#[derive(Deserialize)]
pub(super) struct DeltaIn {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub text: Option<String>,
    pub thinking: Option<String>,
    pub signature: Option<String>,
    pub partial_json: Option<String>,
    pub stop_reason: Option<String>,
    pub stop_sequence: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct ErrorIn {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Deserialize, Default)]
pub(super) struct UsageIn {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub cache_creation_input_tokens: u64,
    #[serde(default)]
    pub cache_read_input_tokens: u64,
}

impl From<UsageIn> for Usage {
    fn from(wire: UsageIn) -> Self {
        Self {
            input_tokens: wire.input_tokens,
            output_tokens: wire.output_tokens,
            cache_read_tokens: wire.cache_read_input_tokens,
            cache_write_tokens: wire.cache_creation_input_tokens,
            reasoning_tokens: 0,
        }
    }
}
