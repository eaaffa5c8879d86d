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

/// HTTP clients for every configured provider.
pub struct Upstreams {
    clients: HashMap<String, reqwest::Client>,
}

/// One request to send upstream.
pub struct UpstreamRequest<'a> {
    pub provider: &'a Provider,
    /// Path after the provider's base URL, e.g. `/chat/completions`.
    pub path: &'a str,
    pub query: Option<&'a str>,
    /// Client headers to forward (Anthropic version and betas).
    pub forward_headers: HeaderMap,
    pub body: Bytes,
}

impl Upstreams {
    pub fn new(config: &Config) -> Result<Self, reqwest::Error> {
        let mut clients = HashMap::new();
        for provider in &config.providers {
            let client = reqwest::Client::builder()
                .connect_timeout(provider.connect_timeout)
                .pool_idle_timeout(std::time::Duration::from_secs(90))
                .tcp_nodelay(true)
                .user_agent(concat!("switchyard/", env!("CARGO_PKG_VERSION")))
                .build()?;
            clients.insert(provider.id.to_string(), client);
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
        let client = self
            .clients
            .get(&provider_id)
            .ok_or_else(|| ProxyError::Connect {
                provider: provider_id.clone(),
                message: "provider has no HTTP client (configuration changed?)".into(),
            })?;
        let mut url = format!("{}{}", provider.base_url, request.path);
        if let Some(query) = request.query.filter(|query| !query.is_empty()) {
            url.push('?');
            url.push_str(query);
        }
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
