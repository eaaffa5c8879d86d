//! Reads token usage out of Anthropic answers we pass through untouched.

use serde::Deserialize;

use super::wire::UsageIn;
use crate::ir::Usage;

#[derive(Deserialize)]
struct WithUsage {
    usage: Option<UsageIn>,
}

/// Usage of a complete Anthropic `message` body; zero when absent.
pub fn usage_from_response(body: &[u8]) -> Usage {
    serde_json::from_slice::<WithUsage>(body)
        .ok()
        .and_then(|message| message.usage)
        .map(Usage::from)
        .unwrap_or_default()
}
