//! Talking to upstream providers: one HTTP client per provider, the auth
//! header its format expects, and timeouts on connect and first byte only
//! (never on the whole stream).

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use switchyard_protocol::Format;

use crate::config::{Config, Provider};
use crate::error::ProxyError;

/// HTTP clients for every configured provider, with its base URL parsed once
/// (parsing a URL per request cost as much as translating a small one).
pub struct Upstreams {
    clients: HashMap<String, (reqwest::Client, reqwest::Url)>,
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamSetupError {
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error("provider `{provider}`: base_url `{url}` is not a valid URL: {source}")]
    BaseUrl {
        provider: String,
        url: String,
        source: url::ParseError,
    },
}

/// One request to send upstream.
pub struct UpstreamRequest<'a> {
    pub provider: &'a Provider,
    /// Path after the provider's base URL, e.g. `/chat/completions` (Gemini's
    /// names the model, so it is built per request).
    pub path: std::borrow::Cow<'a, str>,
    pub query: Option<String>,
    /// Client headers to forward (Anthropic version and betas).
    pub forward_headers: HeaderMap,
    pub body: Bytes,
}

impl Upstreams {
    pub fn new(config: &Config) -> Result<Self, UpstreamSetupError> {
        let mut clients = HashMap::new();
        for provider in &config.providers {
            let client = reqwest::Client::builder()
                .connect_timeout(provider.connect_timeout)
                .pool_idle_timeout(std::time::Duration::from_secs(90))
                .tcp_nodelay(true)
                // LLM APIs do not redirect; following one could carry a key elsewhere.
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("switchyard/", env!("CARGO_PKG_VERSION")))
                .build()?;
            let base = reqwest::Url::parse(&provider.base_url).map_err(|source| {
                UpstreamSetupError::BaseUrl {
                    provider: provider.id.to_string(),
                    url: provider.base_url.clone(),
                    source,
                }
            })?;
            clients.insert(provider.id.to_string(), (client, base));
        }
        Ok(Self { clients })
    }

    /// Sends the request; resolves when the upstream's response headers arrive.
    pub async fn send(
        &self,
        request: UpstreamRequest<'_>,
    ) -> Result<reqwest::Response, ProxyError> {
        let provider = request.provider;
        let provider_id = provider.id.to_string();
        let (client, base) = self
            .clients
            .get(&provider_id)
            .ok_or_else(|| ProxyError::Connect {
                provider: provider_id.clone(),
                message: "provider has no HTTP client (configuration changed?)".into(),
            })?;
        let url = upstream_url(base, &request.path, request.query.as_deref());
        let mut headers = request.forward_headers;
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        add_auth(provider, &mut headers);
        for (name, value) in &provider.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        }
        let send = client.post(url).headers(headers).body(request.body).send();
        match tokio::time::timeout(provider.first_byte_timeout, send).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(err)) if err.is_timeout() || err.is_connect() => Err(ProxyError::Connect {
                provider: provider_id,
                message: error_chain(&err),
            }),
            Ok(Err(err)) => Err(ProxyError::Connect {
                provider: provider_id,
                message: error_chain(&err),
            }),
            Err(_) => Err(ProxyError::Timeout {
                provider: provider_id,
                after: provider.first_byte_timeout,
            }),
        }
    }
}

/// `base` + `path` (+ `?query`), without parsing the whole URL again.
fn upstream_url(base: &reqwest::Url, path: &str, query: Option<&str>) -> reqwest::Url {
    let mut url = base.clone();
    let full_path = format!("{}{path}", base.path().trim_end_matches('/'));
    url.set_path(&full_path);
    url.set_query(query.filter(|query| !query.is_empty()));
    url
}

fn add_auth(provider: &Provider, headers: &mut HeaderMap) {
    let Some(key) = &provider.api_key else {
        return;
    };
    let (name, value) = match provider.format {
        Format::Anthropic => (
            HeaderName::from_static("x-api-key"),
            key.expose().to_owned(),
        ),
        Format::Gemini => (
            HeaderName::from_static("x-goog-api-key"),
            key.expose().to_owned(),
        ),
        Format::OpenaiChat | Format::OpenaiResponses => (
            http::header::AUTHORIZATION,
            format!("Bearer {}", key.expose()),
        ),
    };
    if let Ok(mut value) = HeaderValue::from_str(&value) {
        value.set_sensitive(true);
        headers.insert(name, value);
    }
}

/// reqwest's top-level message hides the cause ("error sending request").
fn error_chain(err: &reqwest::Error) -> String {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    // reqwest includes the URL; it never holds a key (keys go in headers).
    message
}

/// Shared handle used by the server.
pub type SharedUpstreams = Arc<Upstreams>;
