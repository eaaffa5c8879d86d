//! The config as written: serde structs, read with field paths and spans.

use std::collections::BTreeMap;
use std::num::{NonZeroU32, NonZeroU64};

use serde::Deserialize;
use switchyard_protocol::Format;
use toml::Spanned;

use super::error::{ConfigError, Source};
use super::intent::RawIntent;
use super::params::RawParams;
use super::scenario::{RawScenario, RawTiers};

/// The top level of the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawConfig {
    /// Default `127.0.0.1:4315`.
    pub listen: Option<Spanned<String>>,
    /// Required to listen on anything but loopback.
    pub allow_non_loopback: bool,
    /// Keys clients may present (`x-api-key` or `Authorization: Bearer`).
    pub client_keys: Option<Spanned<Vec<Spanned<String>>>>,
    /// Largest client request body accepted, in bytes (default 64 MiB).
    pub max_request_bytes: Option<NonZeroU64>,
    /// Largest non-streamed upstream answer read, in bytes (default 64 MiB).
    pub max_response_bytes: Option<NonZeroU64>,
    pub providers: Vec<RawProvider>,
    /// Routes every profile shares, tried after the active profile's.
    pub routes: Vec<RawRoute>,
    /// The active profile (default: the first of `profiles`).
    pub profile: Option<Spanned<String>>,
    /// Named route sets, one active at a time.
    pub profiles: Vec<RawProfile>,
    /// Per-request rules tried before the routes (every profile shares these).
    pub scenarios: Vec<RawScenario>,
    /// Claude Code's tiers, as routes ahead of `[[routes]]`.
    pub claude_code: Option<RawTiers>,
    /// A small model picks the route by what the user asks (off unless set).
    pub intent: Option<RawIntent>,
    /// Bounds on the attempts one request may make.
    pub retry: RawRetry,
    /// Consecutive failures that open a provider's circuit (default 5).
    pub breaker_failures: Option<NonZeroU32>,
    /// How long an open circuit stays open before one probe (default 30 000).
    pub breaker_cooldown_ms: Option<NonZeroU64>,
    /// The usage store's file (default: `usage.sqlite3` in the platform data dir).
    pub usage_db: Option<Spanned<String>>,
    /// Record requests in the usage store (default true).
    pub record_usage: Option<bool>,
    /// Requests older than this are deleted (default 365; 0 keeps them all).
    pub usage_retention_days: Option<u32>,
    /// The oldest requests are deleted to keep the store under this (default 256; 0: no limit).
    pub usage_max_mb: Option<u64>,
    /// Per-model prices, USD per million tokens, over the catalog's.
    pub prices: Vec<RawPrice>,
    /// Spending limits per day or month.
    pub budgets: Vec<RawBudget>,
}

/// One `[[budgets]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudget {
    /// How it is named in refusals and warnings (default: from its period and limit).
    #[serde(default)]
    pub name: Option<Spanned<String>>,
    pub period: Spanned<BudgetPeriod>,
    /// A limit in USD (known costs only) …
    #[serde(default)]
    pub usd: Option<Spanned<f64>>,
    /// … or in tokens (input, output and cache, all counted).
    #[serde(default)]
    pub tokens: Option<Spanned<u64>>,
    /// Only this provider's requests; default: all.
    #[serde(default)]
    pub provider: Option<Spanned<String>>,
    /// The fraction of the limit that warns (default 0.8).
    #[serde(default)]
    pub warn_at: Option<Spanned<f64>>,
}

/// A budget's period, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetPeriod {
    Day,
    Month,
}

/// `[retry]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawRetry {
    /// Upstream attempts per request, over every target and key (default 3).
    pub max_attempts: Option<NonZeroU32>,
    /// No new attempt starts this long after the request arrived (default 60 000).
    pub max_total_ms: Option<NonZeroU64>,
    /// The first wait before retrying the same provider, doubled (with jitter)
    /// each time (default 200).
    pub backoff_ms: Option<u64>,
}

/// One `[[prices]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrice {
    /// A glob on the upstream model.
    pub model: Spanned<String>,
    /// Only for this provider id; default: any.
    #[serde(default)]
    pub provider: Option<Spanned<String>>,
    #[serde(default)]
    pub input: Option<Spanned<f64>>,
    #[serde(default)]
    pub output: Option<Spanned<f64>>,
    #[serde(default)]
    pub cache_read: Option<Spanned<f64>>,
    #[serde(default)]
    pub cache_write: Option<Spanned<f64>>,
    #[serde(default)]
    pub reasoning: Option<Spanned<f64>>,
}

/// One `[[profiles]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    pub name: Spanned<String>,
    /// Tried before the top-level `[[routes]]`.
    #[serde(default)]
    pub routes: Vec<RawRoute>,
    /// Tried before the top-level `[[scenarios]]`.
    #[serde(default)]
    pub scenarios: Vec<RawScenario>,
    #[serde(default)]
    pub claude_code: Option<RawTiers>,
}

/// One `[[providers]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProvider {
    pub id: Spanned<String>,
    /// `false`: routes skip it (to their fallbacks, else to the next matching route).
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Upstream models (globs) never sent to it.
    #[serde(default)]
    pub exclude_models: Vec<Spanned<String>>,
    /// A built-in preset (`switchyard presets`) to inherit from.
    #[serde(default)]
    pub preset: Option<Spanned<String>>,
    /// Required without a preset.
    #[serde(default)]
    pub format: Option<Format>,
    /// Required without a preset (or for presets with no fixed address).
    #[serde(default)]
    pub base_url: Option<Spanned<String>>,
    /// The environment variable(s) holding the API key(s) (headless servers).
    #[serde(default)]
    pub api_key_env: Option<Spanned<OneOrMany>>,
    /// How requests spread over several keys.
    #[serde(default)]
    pub key_strategy: Option<KeyStrategy>,
    /// Where the key is when `api_key_env` is absent. Default: the keychain,
    /// except for loopback base URLs (local servers need no key).
    #[serde(default)]
    pub api_key: Option<Spanned<KeySetting>>,
    #[serde(default)]
    pub headers: BTreeMap<Spanned<String>, String>,
    #[serde(default)]
    pub reasoning_effort: Option<bool>,
    /// OpenAI Chat: the field that carries the output limit.
    #[serde(default)]
    pub max_tokens_field: Option<MaxTokensField>,
    /// Default 10 000.
    #[serde(default)]
    pub connect_timeout_ms: Option<NonZeroU64>,
    /// Default 300 000.
    #[serde(default)]
    pub first_byte_timeout_ms: Option<NonZeroU64>,
    /// Overrides the top-level `breaker_failures`.
    #[serde(default)]
    pub breaker_failures: Option<NonZeroU32>,
    /// Overrides the top-level `breaker_cooldown_ms`.
    #[serde(default)]
    pub breaker_cooldown_ms: Option<NonZeroU64>,
}

/// A string or an array of strings (`api_key_env = "K"` or `["K1", "K2"]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOrMany(pub Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a variable name or an array of them")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![value.to_owned()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(OneOrMany(names))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// `key_strategy = "round_robin" | "fill_first"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStrategy {
    /// Each request takes the next healthy key.
    #[default]
    RoundRobin,
    /// The first healthy key, the next only while it cools down.
    FillFirst,
}

/// `api_key = "keychain" | "none"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySetting {
    /// The OS keychain entry named after the provider id (`switchyard key set ID`).
    Keychain,
    /// No key at all (a server that needs none).
    None,
}

/// Which OpenAI Chat field carries the output limit: OpenAI's own API wants
/// `max_completion_tokens` (its reasoning models reject `max_tokens`); most
/// compatible servers know only `max_tokens`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxTokensField {
    #[default]
    MaxTokens,
    MaxCompletionTokens,
}

/// One `[[routes]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    /// A glob on the model the client asked for.
    pub model: Spanned<String>,
    pub provider: Spanned<String>,
    #[serde(default)]
    pub upstream_model: Option<Spanned<String>>,
    #[serde(default)]
    pub max_tokens: Option<NonZeroU32>,
    /// Tried in order when the target before fails.
    #[serde(default)]
    pub fallback: Vec<RawTarget>,
    /// Payload settings used when the client sent none.
    #[serde(default)]
    pub defaults: Option<RawParams>,
    /// Payload settings that replace the client's.
    #[serde(default)]
    pub overrides: Option<RawParams>,
    /// Top-level fields merged into the upstream body.
    #[serde(default)]
    pub extra_body: Option<serde_json::Map<String, serde_json::Value>>,
    /// Extra upstream headers for this route.
    #[serde(default)]
    pub headers: BTreeMap<Spanned<String>, String>,
}

/// One `fallback` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub provider: Spanned<String>,
    /// Default: the client's model name.
    #[serde(default)]
    pub upstream_model: Option<Spanned<String>>,
}

/// Parses the TOML, naming the field path and position of any syntax or type error.
pub(super) fn deserialize(source: &Source<'_>) -> Result<RawConfig, ConfigError> {
    let deserializer = toml::Deserializer::parse(source.text).map_err(|err| {
        let hint = "check the TOML syntax here: strings need quotes, tables are `[[providers]]`";
        source.error(err.span(), "", err.message(), hint)
    })?;
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let field = field_path(&err.path().to_string());
        let err = err.into_inner();
        source.error(err.span(), field, err.message(), hint(err.message()))
    })
}

/// `serde_path_to_error` sees through [`Spanned`] as a private field; hide it.
fn field_path(path: &str) -> String {
    match path.replace(".$__serde_spanned_private_value", "") {
        root if root == "." => String::new(),
        path => path,
    }
}

fn hint(message: &str) -> &'static str {
    if message.starts_with("unknown field") {
        "fix the spelling or remove the field; `switchyard init` writes an example with every field"
    } else if message.starts_with("unknown variant") {
        "use one of the values listed"
    } else if message.starts_with("missing field") {
        "add the field; `switchyard init` writes a commented example"
    } else {
        "compare with the commented example that `switchyard init` writes"
    }
}
