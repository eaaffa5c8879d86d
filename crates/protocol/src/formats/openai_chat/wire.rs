//! OpenAI Chat wire types: what we send (borrowed, serialize-only) and what
//! we read (tolerant of vendor extras).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::formats::LenientText;
use crate::ir::Text;

#[derive(Serialize)]
pub(super) struct ChatRequestOut<'a> {
    pub model: &'a str,
    pub messages: Vec<MessageOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub stop: &'a [String],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoiceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<crate::formats::structured::ChatFormatOut<'a>>,
}

#[derive(Serialize)]
pub(super) struct StreamOptions {
    pub include_usage: bool,
}

#[derive(Serialize)]
pub(super) struct MessageOut<'a> {
    pub role: &'static str,
    pub content: ContentOut<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCallOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<&'a str>,
    /// Sent back on assistant turns: DeepSeek's reasoner rejects tool-call
    /// turns without it; other vendors ignore it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<Text>,
}

#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum ContentOut<'a> {
    Null,
    Text(Cow<'a, Text>),
    Parts(Vec<PartOut<'a>>),
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum PartOut<'a> {
    Text { text: Cow<'a, Text> },
    ImageUrl { image_url: ImageUrlOut },
}

#[derive(Serialize)]
pub(super) struct ImageUrlOut {
    pub url: String,
}

#[derive(Serialize)]
pub(super) struct ToolCallOut<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: FunctionCallOut<'a>,
}

#[derive(Serialize)]
pub(super) struct FunctionCallOut<'a> {
    pub name: &'a str,
    pub arguments: &'a str,
}

#[derive(Serialize)]
pub(super) struct ToolOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: FunctionOut<'a>,
}

#[derive(Serialize)]
pub(super) struct FunctionOut<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a Text>,
    pub parameters: crate::json::Verbatim<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum ToolChoiceOut<'a> {
    Mode(&'static str),
    Function {
        #[serde(rename = "type")]
        kind: &'static str,
        function: NamedFunction<'a>,
    },
}

#[derive(Serialize)]
pub(super) struct NamedFunction<'a> {
    pub name: &'a str,
}

// ---- what we read ----

#[derive(Deserialize)]
pub(super) struct ChatResponseIn {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub created: u64,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub choices: Vec<ChoiceIn>,
    pub usage: Option<UsageIn>,
}

#[derive(Deserialize)]
pub(super) struct ChoiceIn {
    pub message: Option<MessageIn>,
    pub finish_reason: Option<String>,
    /// vLLM and SGLang say which stop sequence matched.
    #[serde(default)]
    pub stop_reason: LenientText,
    #[serde(default)]
    pub matched_stop: LenientText,
}

#[derive(Deserialize)]
pub(super) struct MessageIn {
    #[serde(default)]
    pub content: LenientText,
    #[serde(default)]
    pub reasoning_content: LenientText,
    #[serde(default)]
    pub reasoning: LenientText,
    #[serde(default)]
    pub tool_calls: Vec<ToolCallIn>,
    #[serde(default)]
    pub refusal: LenientText,
}

#[derive(Deserialize)]
pub(super) struct ToolCallIn {
    pub index: Option<usize>,
    pub id: Option<String>,
    pub function: Option<FunctionCallIn>,
}

#[derive(Deserialize)]
pub(super) struct FunctionCallIn {
    pub name: Option<String>,
    #[serde(default)]
    pub arguments: LenientText,
}

#[derive(Deserialize, Default)]
pub(super) struct UsageIn {
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
    pub prompt_tokens_details: Option<PromptDetails>,
    pub completion_tokens_details: Option<CompletionDetails>,
    /// DeepSeek's name for cached prompt tokens.
    #[serde(default)]
    pub prompt_cache_hit_tokens: u64,
}

#[derive(Deserialize, Default)]
pub(super) struct PromptDetails {
    #[serde(default)]
    pub cached_tokens: u64,
}

#[derive(Deserialize, Default)]
pub(super) struct CompletionDetails {
    #[serde(default)]
    pub reasoning_tokens: u64,
}

#[derive(Deserialize)]
pub(super) struct ChunkIn {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub choices: Vec<ChunkChoiceIn>,
    pub usage: Option<UsageIn>,
    pub error: Option<ChunkErrorIn>,
}

#[derive(Deserialize)]
pub(super) struct ChunkChoiceIn {
    pub delta: Option<MessageIn>,
    pub finish_reason: Option<String>,
    #[serde(default)]
    pub stop_reason: LenientText,
    #[serde(default)]
    pub matched_stop: LenientText,
}

#[derive(Deserialize)]
pub(super) struct ChunkErrorIn {
    #[serde(default)]
    pub message: LenientText,
    pub code: Option<serde_json::Value>,
    #[serde(default, rename = "type")]
    pub kind: LenientText,
}
