//! Reads token usage out of Gemini answers we pass through untouched.

use super::wire::UsageIn;
use crate::ir::Usage;

/// Usage of a complete answer; zero when absent or unreadable.
pub fn usage_from_response(body: &[u8]) -> Usage {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct WithUsage {
        usage_metadata: Option<UsageIn>,
    }
    serde_json::from_slice::<WithUsage>(body)
        .ok()
        .and_then(|wire| wire.usage_metadata)
        .map(|usage| Usage::from(&usage))
        .unwrap_or_default()
}
