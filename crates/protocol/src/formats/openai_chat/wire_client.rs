//! OpenAI Chat wire types for the client side: requests we read, answers we write.

use serde::{Deserialize, Serialize};

use crate::formats::{LenientText, TextOr};
use crate::ir::Text;
use crate::json::RawJson;

#[derive(Deserialize)]
pub(super) struct ChatRequestIn {
    pub model: String,
    pub messages: Vec<ChatMessageIn>,
    pub max_tokens: Option<u32>,
    pub max_completion_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub stop: Option<TextOr<String>>,
    #[serde(default)]
    pub stream: bool,
    pub stream_options: Option<StreamOptionsIn>,
    #[serde(default)]
    pub tools: Vec<ToolIn>,
    pub tool_choice: Option<ToolChoiceIn>,
    pub parallel_tool_calls: Option<bool>,
    pub user: Option<String>,
    pub reasoning_effort: Option<String>,
    pub n: Option<u32>,
    pub response_format: Option<crate::formats::structured::ChatFormatIn>,
}

#[derive(Deserialize)]
pub(super) struct StreamOptionsIn {
    #[serde(default)]
    pub include_usage: bool,
}

#[derive(Deserialize)]
pub(super) struct ChatMessageIn {
    pub role: ChatRole,
    #[serde(default)]
    pub content: Option<TextOr<ContentPartIn>>,
    #[serde(default)]
    pub tool_calls: Vec<ToolCallIn>,
    pub tool_call_id: Option<String>,
    #[serde(default)]
    pub reasoning_content: LenientText,
    #[serde(default)]
    pub reasoning: LenientText,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(super) enum ChatRole {
    System,
    Developer,
    User,
    Assistant,
    Tool,
    Function,
}

#[derive(Deserialize)]
pub(super) struct ContentPartIn {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: Option<Text>,
    pub image_url: Option<ImageUrlIn>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum ImageUrlIn {
    Object { url: String },
    Text(String),
}

#[derive(Deserialize)]
pub(super) struct ToolCallIn {
    pub id: String,
    pub function: FunctionCallIn,
}

#[derive(Deserialize)]
pub(super) struct FunctionCallIn {
    pub name: String,
    #[serde(default)]
    pub arguments: String,
}

#[derive(Deserialize)]
pub(super) struct ToolIn {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    pub function: Option<FunctionIn>,
}

#[derive(Deserialize)]
pub(super) struct FunctionIn {
    pub name: String,
    pub description: Option<Text>,
    pub parameters: Option<RawJson>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum ToolChoiceIn {
    Mode(String),
    Named { function: NamedIn },
}

#[derive(Deserialize)]
pub(super) struct NamedIn {
    pub name: String,
}

// ---- what we write ----

#[derive(Serialize)]
pub(super) struct CompletionOut<'a> {
    pub id: &'a str,
    pub object: &'static str,
    pub created: u64,
    pub model: &'a str,
    pub choices: [ChoiceOut<'a>; 1],
    pub usage: UsageOut,
}

#[derive(Serialize)]
pub(super) struct ChoiceOut<'a> {
    pub index: u32,
    pub message: AnswerOut<'a>,
    pub finish_reason: Option<&'static str>,
}

#[derive(Serialize)]
pub(super) struct AnswerOut<'a> {
    pub role: &'static str,
    pub content: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCallOut<'a>>,
}

#[derive(Serialize)]
pub(super) struct ToolCallOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    pub function: FunctionOut<'a>,
}

#[derive(Serialize)]
pub(super) struct FunctionOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    pub arguments: &'a str,
}

#[derive(Serialize, Default)]
pub(super) struct UsageOut {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
    pub prompt_tokens_details: CachedOut,
    pub completion_tokens_details: ReasoningOut,
}

#[derive(Serialize, Default)]
pub(super) struct CachedOut {
    pub cached_tokens: u64,
}

#[derive(Serialize, Default)]
pub(super) struct ReasoningOut {
    pub reasoning_tokens: u64,
}

impl From<&crate::ir::Usage> for UsageOut {
    fn from(usage: &crate::ir::Usage) -> Self {
        let prompt = usage.total_input();
        Self {
            prompt_tokens: prompt,
            completion_tokens: usage.output_tokens,
            total_tokens: prompt + usage.output_tokens,
            prompt_tokens_details: CachedOut {
                cached_tokens: usage.cache_read_tokens,
            },
            completion_tokens_details: ReasoningOut {
                reasoning_tokens: usage.reasoning_tokens,
            },
        }
    }
}

#[derive(Serialize)]
pub(super) struct ChunkOut<'a> {
    pub id: &'a str,
    pub object: &'static str,
    pub created: u64,
    pub model: &'a str,
    pub choices: Vec<ChunkChoiceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageOut>,
}

#[derive(Serialize)]
pub(super) struct ChunkChoiceOut<'a> {
    pub index: u32,
    pub delta: DeltaOut<'a>,
    pub finish_reason: Option<&'static str>,
}

#[derive(Serialize, Default)]
pub(super) struct DeltaOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCallOut<'a>>,
}
