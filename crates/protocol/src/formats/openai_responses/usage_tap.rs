//! Reads token usage out of Responses answers we pass through untouched.

use serde::Deserialize;

use crate::ir::Usage;

#[derive(Deserialize, Default)]
struct UsageWire {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    input_tokens_details: Option<CachedWire>,
    output_tokens_details: Option<ReasoningWire>,
}

#[derive(Deserialize)]
struct CachedWire {
    #[serde(default)]
    cached_tokens: u64,
}

#[derive(Deserialize)]
struct ReasoningWire {
    #[serde(default)]
    reasoning_tokens: u64,
}

impl From<UsageWire> for Usage {
    fn from(wire: UsageWire) -> Self {
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

#[derive(Deserialize)]
struct WithUsage {
    usage: Option<UsageWire>,
}

/// Usage of a complete `response` object; zero when absent.
pub fn usage_from_response(body: &[u8]) -> Usage {
    serde_json::from_slice::<WithUsage>(body)
        .ok()
        .and_then(|response| response.usage)
        .map(Usage::from)
        .unwrap_or_default()
}
