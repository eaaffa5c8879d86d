//! Anthropic wire types for what we read. Unknown fields are ignored so that
//! fields Anthropic adds tomorrow never fail a request.

use crate::ir::Text;
use crate::json::RawJson;
use serde::Deserialize;

use crate::formats::TextOr;

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
