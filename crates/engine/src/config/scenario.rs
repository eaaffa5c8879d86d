//! `[[scenarios]]` (per request: background, thinking, long context,
//! images, web search) and `[claude_code]` (Claude Code's tiers in one
//! place). Tiers are sugar: they become routes ahead of the others.
//! Scenarios are routes too, picked by what the request holds before its
//! model is matched against `[[routes]]`.

use serde::Deserialize;
use toml::Spanned;

use super::Route;
use super::raw::{RawRoute, RawTarget};

/// Estimated input tokens above which `long_context` applies, unless set.
pub const DEFAULT_LONG_CONTEXT_TOKENS: u64 = 60_000;

/// One `[[scenarios]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub when: Spanned<ScenarioKind>,
    /// A glob on the client's model (default: any; `*haiku*` for `background`).
    #[serde(default)]
    pub model: Option<Spanned<String>>,
    /// `long_context`: estimated input tokens above this.
    #[serde(default)]
    pub above_tokens: Option<u64>,
    pub provider: Spanned<String>,
    #[serde(default)]
    pub upstream_model: Option<Spanned<String>>,
    #[serde(default)]
    pub max_tokens: Option<std::num::NonZeroU32>,
    #[serde(default)]
    pub fallback: Vec<RawTarget>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioKind {
    /// Claude Code's background chatter: its small/haiku tier (titles, summaries).
    Background,
    /// The client asked for reasoning (extended thinking, a reasoning effort).
    Thinking,
    /// The input is estimated (local token counter) above `above_tokens`.
    LongContext,
    /// An image is in the conversation.
    Images,
    /// A hosted web search tool is offered.
    WebSearch,
}

impl ScenarioKind {
    /// How a request it routed shows in the log and the usage record.
    pub fn label(self) -> &'static str {
        match self {
            Self::Background => "scenario:background",
            Self::Thinking => "scenario:thinking",
            Self::LongContext => "scenario:long_context",
            Self::Images => "scenario:images",
            Self::WebSearch => "scenario:web_search",
        }
    }
}

/// A scenario ready to match: its condition and the route it sends to.
#[derive(Debug)]
pub struct Scenario {
    pub kind: ScenarioKind,
    pub above_tokens: u64,
    pub route: Route,
}

impl RawScenario {
    /// The route it sends to, for validation like any other.
    pub(super) fn into_parts(self) -> (ScenarioKind, u64, RawRoute) {
        let kind = *self.when.get_ref();
        let default_glob = match kind {
            ScenarioKind::Background => "*haiku*",
            _ => "*",
        };
        let model = self.model.unwrap_or_else(|| {
            let span = self.when.span();
            Spanned::new(span, default_glob.to_owned())
        });
        let route = RawRoute {
            model,
            provider: self.provider,
            upstream_model: self.upstream_model,
            max_tokens: self.max_tokens,
            fallback: self.fallback,
            defaults: None,
            overrides: None,
            extra_body: None,
            headers: Default::default(),
        };
        let above = self.above_tokens.unwrap_or(DEFAULT_LONG_CONTEXT_TOKENS);
        (kind, above, route)
    }
}

/// `[claude_code]`: where each of Claude Code's tiers goes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawTiers {
    pub opus: Option<Spanned<RawTier>>,
    pub sonnet: Option<Spanned<RawTier>>,
    pub haiku: Option<Spanned<RawTier>>,
    /// Any other `claude-*` model.
    pub default: Option<Spanned<RawTier>>,
}

/// `"provider/upstream-model"`, or a table with fallbacks.
#[derive(Debug)]
pub enum RawTier {
    Short(String),
    Full(RawTierTarget),
}

/// By hand: serde's untagged enums buffer the input, which loses the spans
/// errors point at.
impl<'de> Deserialize<'de> for RawTier {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawTier;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"provider/upstream-model\" or { provider = …, upstream_model = …, fallback = […] }")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<RawTier, E> {
                Ok(RawTier::Short(value.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawTier, A::Error> {
                let inner = serde::de::value::MapAccessDeserializer::new(map);
                RawTierTarget::deserialize(inner).map(RawTier::Full)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTierTarget {
    pub provider: Spanned<String>,
    #[serde(default)]
    pub upstream_model: Option<Spanned<String>>,
    #[serde(default)]
    pub max_tokens: Option<std::num::NonZeroU32>,
    #[serde(default)]
    pub fallback: Vec<RawTarget>,
}

impl RawTiers {
    /// The tiers as routes, most specific first.
    pub(super) fn into_routes(self) -> Vec<RawRoute> {
        let tiers = [
            ("claude-*opus*", self.opus),
            ("claude-*sonnet*", self.sonnet),
            ("claude-*haiku*", self.haiku),
            ("claude-*", self.default),
        ];
        (tiers.into_iter())
            .filter_map(|(glob, tier)| Some(RawTier::into_route(tier?, glob)))
            .collect()
    }
}

impl RawTier {
    fn into_route(tier: Spanned<Self>, glob: &str) -> RawRoute {
        let span = tier.span();
        let target = match tier.into_inner() {
            Self::Full(target) => target,
            Self::Short(text) => short_target(Spanned::new(span, text)),
        };
        let span = target.provider.span();
        RawRoute {
            model: Spanned::new(span, glob.to_owned()),
            provider: target.provider,
            upstream_model: target.upstream_model,
            max_tokens: target.max_tokens,
            fallback: target.fallback,
            defaults: None,
            overrides: None,
            extra_body: None,
            headers: Default::default(),
        }
    }
}

/// `"deepseek/deepseek-chat"`: the provider up to the first `/` (model ids
/// such as OpenRouter's keep theirs: `"openrouter/deepseek/deepseek-chat"`).
fn short_target(text: Spanned<String>) -> RawTierTarget {
    let span = text.span();
    let value = text.into_inner();
    let (provider, model) = match value.split_once('/') {
        Some((provider, model)) => (provider.to_owned(), Some(model.to_owned())),
        None => (value, None),
    };
    RawTierTarget {
        provider: Spanned::new(span.clone(), provider),
        upstream_model: model.map(|model| Spanned::new(span, model)),
        max_tokens: None,
        fallback: Vec::new(),
    }
}
