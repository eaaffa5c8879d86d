//! The catalog's public types: presets, their API formats and their models.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use switchyard_protocol::Format;
use switchyard_protocol::formats::openai_chat;

use super::prices::Prices;

/// A vendor or local server a provider can be configured from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preset {
    pub id: String,
    pub name: String,
    pub kind: PresetKind,
    pub homepage: String,
    /// Where a user creates an API key.
    pub key_url: Option<String>,
    /// The environment variable that conventionally holds the key.
    pub key_env: Option<String>,
    /// Whether requests fail without a key (local servers usually take none).
    pub needs_key: bool,
    /// Quirks worth knowing when configuring the vendor.
    pub notes: Option<String>,
    /// Every API the vendor offers, the first being the one to prefer.
    pub formats: Vec<PresetFormat>,
    /// An aggregator's `vendor/model` ids resolve to these presets' models
    /// (OpenRouter's `deepseek/…` → the `deepseek` preset).
    pub vendor_presets: BTreeMap<String, String>,
    /// Known models; empty for local and generic presets.
    pub models: Vec<ModelInfo>,
}

impl Preset {
    /// This preset's endpoint for `format`, if the vendor offers it.
    pub fn format(&self, format: Format) -> Option<&PresetFormat> {
        self.formats.iter().find(|entry| entry.format == format)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresetKind {
    /// A hosted vendor.
    Cloud,
    /// A server on this machine (Ollama, LM Studio, vLLM, llama.cpp).
    Local,
    /// Any server of a format; the user supplies the base URL.
    Generic,
}

/// One API a vendor offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetFormat {
    pub format: Format,
    /// What a provider's `base_url` is for this format; `None` only for
    /// generic presets, whose user supplies it.
    #[serde(default)]
    pub base_url: Option<String>,
    pub auth: AuthStyle,
    /// Which field carries the output limit (read for `openai_chat` only).
    #[serde(default)]
    pub max_tokens_field: MaxTokensField,
    /// The endpoint accepts OpenAI's `reasoning_effort`.
    #[serde(default)]
    pub reasoning_effort: bool,
}

/// How the key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthStyle {
    /// `Authorization: Bearer KEY`
    Bearer,
    /// `x-api-key: KEY`
    XApiKey,
    /// `x-goog-api-key: KEY`
    XGoogApiKey,
    /// The server ignores keys.
    None,
}

/// The OpenAI Chat field that carries the output limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxTokensField {
    #[default]
    MaxTokens,
    /// OpenAI's own API: its reasoning models reject `max_tokens`.
    MaxCompletionTokens,
}

impl From<MaxTokensField> for openai_chat::MaxTokensField {
    fn from(field: MaxTokensField) -> Self {
        match field {
            MaxTokensField::MaxTokens => Self::MaxTokens,
            MaxTokensField::MaxCompletionTokens => Self::MaxCompletionTokens,
        }
    }
}

/// What is known of one model; every `None` means unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelInfo {
    /// As the upstream spells it.
    pub id: String,
    /// Input tokens the model reads at most.
    #[serde(default)]
    pub context_window: Option<u64>,
    #[serde(default)]
    pub max_output: Option<u64>,
    #[serde(default)]
    pub capabilities: Capabilities,
    #[serde(default)]
    pub prices: Prices,
    /// Where the limits and prices come from (table, version, entry).
    #[serde(default)]
    pub source: Option<String>,
    /// When they were taken from it (YYYY-MM-DD).
    #[serde(default)]
    pub date: Option<String>,
    /// The vendor's price page the source cites.
    #[serde(default)]
    pub pricing_url: Option<String>,
    /// When the vendor retires the model (YYYY-MM-DD).
    #[serde(default)]
    pub deprecation_date: Option<String>,
}

/// `None`: the source does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    #[serde(default)]
    pub tools: Option<bool>,
    #[serde(default)]
    pub vision: Option<bool>,
    #[serde(default)]
    pub reasoning: Option<bool>,
    #[serde(default)]
    pub prompt_caching: Option<bool>,
}

/// Where the generated model data came from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSource {
    pub name: String,
    pub version: String,
    pub file: String,
    /// YYYY-MM-DD
    pub retrieved: String,
}
