//! Gemini wire types (`GenerateContentRequest` / `GenerateContentResponse`).
//! Both directions share one shape, so one set of tolerant read structs
//! serves client requests and upstream answers, and one set of borrowed
//! write structs serves upstream requests and client answers.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::formats::LenientText;
use crate::ir::{Text, TextRef};
use crate::json::RawJson;

// ---- what we read ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RequestIn {
    #[serde(default)]
    pub contents: Vec<ContentIn>,
    pub system_instruction: Option<ContentIn>,
    #[serde(default)]
    pub tools: Vec<ToolIn>,
    pub tool_config: Option<ToolConfigIn>,
    #[serde(default)]
    pub generation_config: GenerationConfigIn,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct ContentIn {
    pub role: Option<String>,
    #[serde(default)]
    pub parts: Vec<PartIn>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct PartIn {
    #[serde(default)]
    pub text: LenientText,
    #[serde(default)]
    pub thought: bool,
    pub thought_signature: Option<String>,
    pub inline_data: Option<BlobIn>,
    pub file_data: Option<FileDataIn>,
    pub function_call: Option<FunctionCallIn>,
    pub function_response: Option<FunctionResponseIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct BlobIn {
    #[serde(default)]
    pub mime_type: String,
    #[serde(default)]
    pub data: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FileDataIn {
    pub file_uri: String,
}

#[derive(Deserialize)]
pub(super) struct FunctionCallIn {
    #[serde(default)]
    pub name: String,
    pub args: Option<RawJson>,
    pub id: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct FunctionResponseIn {
    #[serde(default)]
    pub name: String,
    pub response: Option<RawJson>,
    pub id: Option<String>,
}

/// One entry of `tools`: function declarations, or a built-in tool
/// (`googleSearch`, `codeExecution`…) whose key we do not read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolIn {
    #[serde(default)]
    pub function_declarations: Vec<FunctionDeclarationIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FunctionDeclarationIn {
    pub name: String,
    pub description: Option<String>,
    /// OpenAPI-subset schema (upper-case type names).
    pub parameters: Option<RawJson>,
    /// Full JSON Schema (what Gemini CLI sends).
    pub parameters_json_schema: Option<RawJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolConfigIn {
    pub function_calling_config: Option<FunctionCallingConfigIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FunctionCallingConfigIn {
    pub mode: Option<String>,
    #[serde(default)]
    pub allowed_function_names: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct GenerationConfigIn {
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    /// An integer in the spec; some SDKs send `64.0`.
    pub top_k: Option<f64>,
    pub max_output_tokens: Option<u32>,
    #[serde(default)]
    pub stop_sequences: Vec<String>,
    pub candidate_count: Option<u32>,
    pub thinking_config: Option<ThinkingConfigIn>,
    pub response_mime_type: Option<String>,
    /// JSON Schema (what Gemini CLI sends).
    pub response_json_schema: Option<RawJson>,
    /// The older OpenAPI-subset schema.
    pub response_schema: Option<RawJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ThinkingConfigIn {
    pub include_thoughts: Option<bool>,
    /// `-1` asks for a dynamic budget, `0` turns thinking off.
    pub thinking_budget: Option<i64>,
    pub thinking_level: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResponseIn {
    #[serde(default)]
    pub candidates: Vec<CandidateIn>,
    pub usage_metadata: Option<UsageIn>,
    pub model_version: Option<String>,
    pub response_id: Option<String>,
    pub prompt_feedback: Option<PromptFeedbackIn>,
    pub error: Option<ErrorIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CandidateIn {
    #[serde(default)]
    pub content: ContentIn,
    pub finish_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PromptFeedbackIn {
    pub block_reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct UsageIn {
    pub prompt_token_count: u64,
    pub candidates_token_count: u64,
    pub cached_content_token_count: u64,
    pub thoughts_token_count: u64,
}

#[derive(Deserialize)]
pub(super) struct ErrorIn {
    pub code: Option<serde_json::Value>,
    #[serde(default)]
    pub message: LenientText,
}

// ---- what we write ----

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RequestOut<'a> {
    pub contents: Vec<ContentOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_instruction: Option<ContentOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_config: Option<ToolConfigOut<'a>>,
    pub generation_config: GenerationConfigOut<'a>,
}

#[derive(Serialize)]
pub(super) struct ContentOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    pub parts: Vec<PartOut<'a>>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct PartOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<TextRef<'a>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub thought: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thought_signature: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inline_data: Option<BlobOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_data: Option<FileDataOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_call: Option<FunctionCallOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_response: Option<FunctionResponseOut<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct BlobOut<'a> {
    pub mime_type: &'a str,
    pub data: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FileDataOut<'a> {
    pub mime_type: &'static str,
    pub file_uri: &'a str,
}

#[derive(Serialize)]
pub(super) struct FunctionCallOut<'a> {
    pub name: &'a str,
    pub args: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct FunctionResponseOut<'a> {
    pub name: &'a str,
    pub response: RawJson,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolOut<'a> {
    pub function_declarations: Vec<FunctionDeclarationOut<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FunctionDeclarationOut<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a Text>,
    pub parameters_json_schema: crate::json::Verbatim<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolConfigOut<'a> {
    pub function_calling_config: FunctionCallingConfigOut<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FunctionCallingConfigOut<'a> {
    pub mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_function_names: Option<[&'a str; 1]>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct GenerationConfigOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub stop_sequences: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking_config: Option<ThinkingConfigOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_mime_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_json_schema: Option<&'a RawJson>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ThinkingConfigOut {
    pub include_thoughts: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking_budget: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResponseOut<'a> {
    pub candidates: [CandidateOut<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_metadata: Option<UsageOut>,
    pub model_version: &'a str,
    pub response_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CandidateOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<ContentOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<&'static str>,
    pub index: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UsageOut {
    pub prompt_token_count: u64,
    pub candidates_token_count: u64,
    pub total_token_count: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub cached_content_token_count: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub thoughts_token_count: u64,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

impl From<&crate::ir::Usage> for UsageOut {
    /// Gemini counts thoughts apart from the answer; the IR's output includes them.
    fn from(usage: &crate::ir::Usage) -> Self {
        let prompt = usage.total_input();
        Self {
            prompt_token_count: prompt,
            candidates_token_count: usage.output_tokens.saturating_sub(usage.reasoning_tokens),
            total_token_count: prompt + usage.output_tokens,
            cached_content_token_count: usage.cache_read_tokens,
            thoughts_token_count: usage.reasoning_tokens,
        }
    }
}

impl From<&UsageIn> for crate::ir::Usage {
    /// `promptTokenCount` includes cached tokens; `candidatesTokenCount` excludes thoughts.
    fn from(usage: &UsageIn) -> Self {
        Self {
            input_tokens: usage
                .prompt_token_count
                .saturating_sub(usage.cached_content_token_count),
            output_tokens: usage.candidates_token_count + usage.thoughts_token_count,
            cache_read_tokens: usage.cached_content_token_count,
            cache_write_tokens: 0,
            reasoning_tokens: usage.thoughts_token_count,
        }
    }
}
