//! Talking to a provider outside the request path: the smallest real request
//! (`switchyard provider test`), its model list (`switchyard models`), and
//! local servers found running (`switchyard providers detect`).

pub mod cli;
pub mod detect;
pub mod models;
pub mod probe;

use std::time::Duration;

/// Model lists and probes give up after this long.
const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("no provider `{id}` in the config (known: {known})")]
    UnknownProvider { id: String, known: String },
    #[error("provider `{id}` has no API key: {reason}")]
    NoKey { id: String, reason: String },
    #[error("{0}")]
    Request(String),
    #[error("`{provider}` answered {status}: {message}")]
    Upstream {
        provider: String,
        status: u16,
        message: String,
    },
    #[error("`{provider}` sent a model list we cannot read: {message}")]
    BadList { provider: String, message: String },
}

/// The provider named `id`, with a key unless it needs none.
pub fn find<'c>(
    config: &'c crate::config::Config,
    id: &str,
) -> Result<&'c crate::config::Provider, ProbeError> {
    let provider = (config.providers.iter())
        .find(|provider| provider.id.as_str() == id)
        .ok_or_else(|| ProbeError::UnknownProvider {
            id: id.to_owned(),
            known: (config.providers.iter())
                .map(|provider| provider.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    if let Some(missing) = provider.key.missing() {
        return Err(ProbeError::NoKey {
            id: id.to_owned(),
            reason: format!("{missing}; {}", missing.fix()),
        });
    }
    Ok(provider)
}

fn http_client() -> Result<reqwest::Client, ProbeError> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|err| ProbeError::Request(err.to_string()))
}
