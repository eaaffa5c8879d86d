//! Which `[[scenarios]]` a request falls under: its traits read once from
//! the client's bytes (only when the config has scenarios), and its input
//! tokens counted only when a `long_context` scenario could apply, on the
//! blocking pool: a long conversation takes milliseconds to count.

use bytes::Bytes;
use switchyard_protocol::Format;
use switchyard_protocol::formats;
use switchyard_protocol::traits::{self, Traits};

use crate::config::{Config, Scenario, ScenarioKind};
use crate::server::AppState;

/// What the scenarios are matched against.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RequestTraits {
    pub traits: Traits,
    /// Estimated input tokens, when some `long_context` scenario needed them.
    pub input_tokens: Option<u64>,
    /// The intent scene (by index), when intent routing picked one.
    pub scene: Option<usize>,
}

/// `None` when no scenario or model limit needs them (nothing is read).
pub async fn request_traits(
    state: &AppState,
    format: Format,
    body: &Bytes,
    path_model: Option<&str>,
) -> Option<RequestTraits> {
    let config = &state.config;
    if !config.needs_traits {
        return None;
    }
    // Unreadable JSON matches nothing here; decoding it later says why.
    let traits = traits::scan(format, body).unwrap_or_default();
    Some(RequestTraits {
        traits,
        input_tokens: long_context_count(config, format, body).await,
        scene: super::intent::decide(state, format, body, path_model).await,
    })
}

/// A token is at least a byte: a body shorter than every threshold cannot
/// be over one, and is not counted.
async fn long_context_count(config: &Config, format: Format, body: &Bytes) -> Option<u64> {
    let threshold = (config.scenarios.iter())
        .filter(|scenario| scenario.kind == ScenarioKind::LongContext)
        .map(|scenario| scenario.above_tokens)
        .min()?;
    if (body.len() as u64) <= threshold {
        return Some(0);
    }
    let request = formats::decode_request(format, body).ok()?;
    Some(crate::tokens::input_tokens_blocking(request).await)
}

/// The scenario applies to a request for `model` with these traits.
pub fn applies(scenario: &Scenario, model: &str, request: &RequestTraits) -> bool {
    let traits = &request.traits;
    let holds = match scenario.kind {
        ScenarioKind::Background => true,
        ScenarioKind::Thinking => traits.thinking,
        ScenarioKind::LongContext => request
            .input_tokens
            .is_some_and(|n| n > scenario.above_tokens),
        ScenarioKind::Images => traits.images,
        ScenarioKind::WebSearch => traits.web_search,
    };
    holds && scenario.route.pattern.matches(model)
}
