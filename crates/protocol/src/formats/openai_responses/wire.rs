//! OpenAI Responses wire types for the upstream side: requests we send,
//! answers and stream events we read.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::wire_client::{Lenient, PartIn};
use crate::formats::LenientText;
use crate::ir::Text;

#[derive(Serialize)]
pub(super) struct RequestOut<'a> {
    pub model: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<Text>,
    pub input: Vec<InputOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoiceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<ReasoningOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<&'a str>,
    pub stream: bool,
    /// The gateway keeps no state, and asks the upstream to keep none either.
    pub store: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<TextOut<'a>>,
}

#[derive(Serialize)]
pub(super) struct TextOut<'a> {
    pub format: crate::formats::structured::ResponsesFormatOut<'a>,
}

#[derive(Serialize)]
pub(super) struct ReasoningOut {
    pub effort: &'static str,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum InputOut<'a> {
    Message {
        role: &'static str,
        content: Vec<ContentOut<'a>>,
    },
    FunctionCall {
        call_id: &'a str,
        name: &'a str,
        arguments: &'a str,
    },
    FunctionCallOutput {
        call_id: &'a str,
        output: CallOutputOut<'a>,
    },
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ContentOut<'a> {
    InputText { text: Cow<'a, Text> },
    OutputText { text: &'a Text },
    InputImage { image_url: String },
}

#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum CallOutputOut<'a> {
    Text(Text),
    Parts(Vec<ContentOut<'a>>),
}

#[derive(Serialize)]
pub(super) struct ToolOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a Text>,
    pub parameters: crate::json::Verbatim<'a>,
    /// Responses defaults to strict schemas, which most client schemas fail.
    pub strict: bool,
}

#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum ToolChoiceOut<'a> {
    Mode(&'static str),
    Function {
        #[serde(rename = "type")]
        kind: &'static str,
        name: &'a str,
    },
}

// ---- what we read ----

#[derive(Deserialize, Default)]
pub(super) struct ResponseIn {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub created_at: Option<f64>,
    #[serde(default)]
    pub status: LenientText,
    #[serde(default)]
    pub output: Vec<OutputItemIn>,
    pub incomplete_details: Option<IncompleteIn>,
    pub error: Option<ErrorIn>,
    pub usage: Option<UsageIn>,
}

/// Every output item type in one flat struct, tolerant of types we skip.
#[derive(Deserialize, Default)]
pub(super) struct OutputItemIn {
    #[serde(rename = "type", default)]
    pub kind: String,
    pub content: Option<Lenient<PartIn>>,
    pub summary: Option<Lenient<PartIn>>,
    #[serde(default)]
    pub encrypted_content: LenientText,
    pub call_id: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    #[serde(default)]
    pub arguments: LenientText,
}

#[derive(Deserialize)]
pub(super) struct IncompleteIn {
    #[serde(default)]
    pub reason: LenientText,
}

#[derive(Deserialize, Default)]
pub(super) struct ErrorIn {
    #[serde(default)]
    pub code: LenientText,
    #[serde(default)]
    pub message: LenientText,
}

#[derive(Deserialize, Default, Clone, Copy)]
pub(super) struct UsageIn {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    pub input_tokens_details: Option<CachedIn>,
    pub output_tokens_details: Option<ReasoningIn>,
}

#[derive(Deserialize, Default, Clone, Copy)]
pub(super) struct CachedIn {
    #[serde(default)]
    pub cached_tokens: u64,
}

#[derive(Deserialize, Default, Clone, Copy)]
pub(super) struct ReasoningIn {
    #[serde(default)]
    pub reasoning_tokens: u64,
}

impl From<UsageIn> for crate::ir::Usage {
    fn from(wire: UsageIn) -> Self {
        // `input_tokens` counts cached tokens too; the IR keeps them apart.
        let cached = wire.input_tokens_details.map_or(0, |d| d.cached_tokens);
        Self {
            input_tokens: wire.input_tokens.saturating_sub(cached),
            output_tokens: wire.output_tokens,
            cache_read_tokens: cached,
            cache_write_tokens: 0,
            reasoning_tokens: wire.output_tokens_details.map_or(0, |d| d.reasoning_tokens),
        }
    }
}

/// One stream event; each type fills some of the fields.
#[derive(Deserialize, Default)]
pub(super) struct EventIn {
    #[serde(rename = "type", default)]
    pub kind: String,
    pub response: Option<ResponseIn>,
    pub output_index: Option<usize>,
    pub summary_index: Option<usize>,
    pub item: Option<OutputItemIn>,
    #[serde(default)]
    pub delta: LenientText,
    /// A bare `error` event's fields.
    #[serde(default)]
    pub code: LenientText,
    #[serde(default)]
    pub message: LenientText,
}
