//! Errors of the request path, folded into one type with one status mapping.

use std::time::Duration;

use switchyard_protocol::error::{ApiError, DecodeError};

use crate::config::{MissingKey, ProviderId};
use crate::usage::budget::BudgetRefusal;

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(
        "no route matches model `{model}`; add a [[routes]] entry for it (or a catch-all `model = \"*\"`)"
    )]
    NoRoute { model: String },
    #[error(
        "model `{model}` at provider `{provider}` cannot take this request: {missing}; route it elsewhere (a `[[scenarios]]` rule or a fallback)"
    )]
    Incapable {
        provider: ProviderId,
        model: String,
        missing: &'static str,
    },
    #[error(
        "model `{model}` routes only to switched-off provider(s) {providers}; switch one on (the tray, or `switchyard provider enable ID`)"
    )]
    ProviderDisabled { model: String, providers: String },
    #[error(
        "the request body is larger than the gateway accepts ({limit} bytes); raise `max_request_bytes` in the config if it is legitimate"
    )]
    RequestTooLarge { limit: usize },
    #[error(
        "model name `{model}` cannot be sent to the Gemini provider `{provider}`: it goes into the URL path, so only letters, digits, `-`, `.`, `_` and `~` are allowed"
    )]
    UnsafeModelName { provider: ProviderId, model: String },
    #[error("provider `{provider}` has no API key ({missing}): {}", .missing.fix())]
    MissingKey {
        provider: ProviderId,
        missing: MissingKey,
    },
    #[error("upstream `{provider}` answered {status}: {message}")]
    Upstream {
        provider: ProviderId,
        status: u16,
        message: String,
    },
    #[error("could not reach upstream `{provider}`: {message}")]
    Connect {
        provider: ProviderId,
        message: String,
    },
    #[error("upstream `{provider}` sent no answer within {}s", .after.as_secs())]
    Timeout {
        provider: ProviderId,
        after: Duration,
    },
    #[error(
        "upstream `{provider}` answered more than {limit} bytes; raise `max_response_bytes` in the config if that is expected"
    )]
    ResponseTooLarge { provider: ProviderId, limit: usize },
    #[error("every provider for this model is paused after repeated failures: {providers}")]
    CircuitOpen {
        providers: String,
        retry_in: Duration,
    },
    #[error(
        "every key of provider `{provider}` was refused (401/403); fix them (config, environment or `switchyard key set`), then `switchyard reload`"
    )]
    KeysRefused { provider: ProviderId },
    #[error("every key of provider `{provider}` is rate-limited; try again shortly")]
    KeysCooling { provider: ProviderId },
    #[error("upstream `{provider}` sent an answer we cannot read: {message}")]
    BadUpstreamAnswer {
        provider: ProviderId,
        message: String,
    },
    #[error(transparent)]
    Budget(#[from] Box<BudgetRefusal>),
}

impl ProxyError {
    /// The HTTP status the client gets.
    pub fn status(&self) -> u16 {
        match self {
            Self::Decode(DecodeError::Unsupported { .. }) => 501,
            Self::Decode(_) => 400,
            Self::NoRoute { .. } => 404,
            Self::Incapable { .. } => 400,
            Self::ProviderDisabled { .. } => 503,
            Self::RequestTooLarge { .. } => 413,
            Self::UnsafeModelName { .. } => 400,
            // What the upstream would answer without a key; unlike a 5xx,
            // clients do not retry it, so the reason shows at once.
            Self::MissingKey { .. } | Self::KeysRefused { .. } => 401,
            Self::CircuitOpen { .. } => 503,
            Self::KeysCooling { .. } => 429,
            Self::Upstream { status, .. } => *status,
            Self::Connect { .. }
            | Self::BadUpstreamAnswer { .. }
            | Self::ResponseTooLarge { .. } => 502,
            Self::Timeout { .. } => 504,
            Self::Budget(_) => 429,
        }
    }

    /// A low-cardinality label for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Decode(DecodeError::Unsupported { .. }) => "unsupported",
            Self::Decode(_) => "bad_request",
            Self::NoRoute { .. } => "no_route",
            Self::Incapable { .. } => "unsupported_capability",
            Self::ProviderDisabled { .. } => "provider_disabled",
            Self::RequestTooLarge { .. } => "request_too_large",
            Self::UnsafeModelName { .. } => "bad_model_name",
            Self::MissingKey { .. } => "missing_upstream_key",
            Self::KeysRefused { .. } => "upstream_keys_refused",
            Self::CircuitOpen { .. } => "circuit_open",
            Self::KeysCooling { .. } => "upstream_keys_cooling",
            Self::Upstream { .. } => "upstream_status",
            Self::Connect { .. } => "upstream_connect",
            Self::Timeout { .. } => "upstream_timeout",
            Self::BadUpstreamAnswer { .. } => "upstream_unreadable",
            Self::ResponseTooLarge { .. } => "upstream_too_large",
            Self::Budget(_) => "budget_exceeded",
        }
    }

    pub fn to_api_error(&self) -> ApiError {
        let message = match self {
            // The upstream's own words reach the client unprefixed.
            Self::Upstream { message, .. } => message.clone(),
            other => other.to_string(),
        };
        ApiError::new(self.status(), message)
    }
}
