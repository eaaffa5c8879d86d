//! Reads token usage out of OpenAI Chat answers we pass through untouched.

use super::decode_response::decode_usage;
use super::wire::UsageIn;
use crate::ir::Usage;

/// Usage of a complete answer; zero when absent or unreadable.
pub fn usage_from_response(body: &[u8]) -> Usage {
    #[derive(serde::Deserialize)]
    struct WithUsage {
        usage: Option<UsageIn>,
    }
    serde_json::from_slice::<WithUsage>(body)
        .ok()
        .and_then(|wire| wire.usage)
        .map(|usage| decode_usage(&usage))
        .unwrap_or_default()
}
