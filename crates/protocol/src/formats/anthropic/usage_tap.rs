//! Reads token usage out of Anthropic answers we pass through untouched.

use serde::Deserialize;

use crate::ir::Usage;

#[derive(Deserialize, Default)]
pub(super) struct UsageWire {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    #[serde(default)]
    cache_creation_input_tokens: u64,
    #[serde(default)]
    cache_read_input_tokens: u64,
}

impl From<UsageWire> for Usage {
    fn from(wire: UsageWire) -> Self {
        Self {
            input_tokens: wire.input_tokens,
            output_tokens: wire.output_tokens,
            cache_read_tokens: wire.cache_read_input_tokens,
            cache_write_tokens: wire.cache_creation_input_tokens,
            reasoning_tokens: 0,
        }
    }
}

#[derive(Deserialize)]
struct WithUsage {
    usage: Option<UsageWire>,
}

/// Usage of a complete Anthropic `message` body; zero when absent.
pub fn usage_from_response(body: &[u8]) -> Usage {
    serde_json::from_slice::<WithUsage>(body)
        .ok()
        .and_then(|message| message.usage)
        .map(Usage::from)
        .unwrap_or_default()
}
