//! Errors of the request path, folded into one type with one status mapping.

use std::time::Duration;

use switchyard_protocol::error::{ApiError, DecodeError};

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(
        "no route matches model `{model}`; add a [[routes]] entry for it (or a catch-all `model = \"*\"`)"
    )]
    NoRoute { model: String },
    #[error("upstream `{provider}` answered {status}: {message}")]
    Upstream {
        provider: String,
        status: u16,
        message: String,
    },
    #[error("could not reach upstream `{provider}`: {message}")]
    Connect { provider: String, message: String },
    #[error("upstream `{provider}` sent no answer within {}s", .after.as_secs())]
    Timeout { provider: String, after: Duration },
    #[error("upstream `{provider}` sent an answer we cannot read: {message}")]
    BadUpstreamAnswer { provider: String, message: String },
}

impl ProxyError {
    /// The HTTP status the client gets.
    pub fn status(&self) -> u16 {
        match self {
            Self::Decode(DecodeError::Unsupported { .. }) => 501,
            Self::Decode(_) => 400,
            Self::NoRoute { .. } => 404,
            Self::Upstream { status, .. } => *status,
            Self::Connect { .. } | Self::BadUpstreamAnswer { .. } => 502,
            Self::Timeout { .. } => 504,
        }
    }

    /// A low-cardinality label for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Decode(DecodeError::Unsupported { .. }) => "unsupported",
            Self::Decode(_) => "bad_request",
            Self::NoRoute { .. } => "no_route",
            Self::Upstream { .. } => "upstream_status",
            Self::Connect { .. } => "upstream_connect",
            Self::Timeout { .. } => "upstream_timeout",
            Self::BadUpstreamAnswer { .. } => "upstream_unreadable",
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
