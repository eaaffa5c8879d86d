//! Talking to upstream providers: one HTTP client per provider, the auth
//! header its format expects, and timeouts on connect and first byte only
//! (never on the whole stream).

mod body;
mod transport;

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderMap, HeaderName, HeaderValue, Uri};

pub use self::body::{BoxError, ReadError, UpstreamBody, UpstreamResponse};
pub use self::transport::TransportError;
use self::transport::{Transport, TransportFactory};
use crate::config::{AuthHeader, Config, Provider, Secret};
use crate::error::ProxyError;

/// HTTP clients for every configured provider, with its base URL parsed once
/// (parsing a URL per request cost as much as translating a small one).
pub struct Upstreams {
    clients: HashMap<String, (Transport, BaseUrl)>,
}

#[derive(Debug, thiserror::Error)]
pub enum UpstreamSetupError {
    #[error("provider `{provider}`: {source}")]
    Transport {
        provider: String,
        source: TransportError,
    },
    #[error("provider `{provider}`: base_url `{url}` is not a valid http(s) URL: {message}")]
    BaseUrl {
        provider: String,
        url: String,
        message: String,
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
        let mut factory = TransportFactory::new();
        let mut clients = HashMap::new();
        for provider in &config.providers {
            let base = BaseUrl::parse(provider)?;
            let transport = factory.build(provider, &base.uri).map_err(|source| {
                UpstreamSetupError::Transport {
                    provider: provider.id.to_string(),
                    source,
                }
            })?;
            clients.insert(provider.id.to_string(), (transport, base));
        }
        Ok(Self { clients })
    }

    /// Sends the request with `key` (one of the provider's); resolves when
    /// the upstream's response headers arrive. By reference: a failed
    /// attempt may be sent again, with another key.
    pub async fn send(
        &self,
        request: &UpstreamRequest<'_>,
        key: Option<&Secret>,
    ) -> Result<UpstreamResponse, ProxyError> {
        let provider = request.provider;
        // Owned only when an error needs it: this runs on every request.
        let provider_id = || provider.id.clone();
        let Some((transport, base)) = self.clients.get(provider.id.as_str()) else {
            return Err(ProxyError::Connect {
                provider: provider_id(),
                message: "provider has no HTTP client (configuration changed?)".into(),
            });
        };
        let uri = base
            .join(&request.path, request.query.as_deref())
            .map_err(|message| ProxyError::Connect {
                provider: provider_id(),
                message,
            })?;
        let mut http_request = http::Request::post(uri)
            .body(request.body.clone())
            .map_err(|err| ProxyError::Connect {
                provider: provider_id(),
                message: err.to_string(),
            })?;
        let headers = http_request.headers_mut();
        headers.reserve(request.forward_headers.len() + provider.headers.len() + 2);
        for (name, value) in &request.forward_headers {
            headers.insert(name, value.clone());
        }
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        add_auth(provider.auth, key, headers);
        add_configured_headers(provider, headers);
        let send = transport.send(http_request);
        match tokio::time::timeout(provider.first_byte_timeout, send).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(err)) => Err(ProxyError::Connect {
                provider: provider_id(),
                message: error_chain(&*err),
            }),
            Err(_) => Err(ProxyError::Timeout {
                provider: provider_id(),
                after: provider.first_byte_timeout,
            }),
        }
    }
}

/// A provider's base URL, split once so a request URI is one concatenation.
struct BaseUrl {
    uri: Uri,
    scheme: Scheme,
    authority: Authority,
    /// Without a trailing slash.
    path: String,
}

impl BaseUrl {
    fn parse(provider: &Provider) -> Result<Self, UpstreamSetupError> {
        let invalid = |message: String| UpstreamSetupError::BaseUrl {
            provider: provider.id.to_string(),
            url: provider.base_url.clone(),
            message,
        };
        let uri: Uri = provider
            .base_url
            .parse()
            .map_err(|err: http::uri::InvalidUri| invalid(err.to_string()))?;
        let scheme = uri
            .scheme()
            .cloned()
            .filter(|scheme| *scheme == Scheme::HTTP || *scheme == Scheme::HTTPS);
        let (Some(scheme), Some(authority)) = (scheme, uri.authority().cloned()) else {
            return Err(invalid("it needs http:// or https:// and a host".into()));
        };
        if uri.query().is_some() {
            return Err(invalid(
                "put query parameters in the route, not the base URL".into(),
            ));
        }
        let path = uri.path().trim_end_matches('/').to_owned();
        Ok(Self {
            uri,
            scheme,
            authority,
            path,
        })
    }

    /// `base` + `path` (+ `?query`).
    fn join(&self, path: &str, query: Option<&str>) -> Result<Uri, String> {
        let mut path_and_query = String::with_capacity(self.path.len() + path.len() + 64);
        path_and_query.push_str(&self.path);
        path_and_query.push_str(path);
        if let Some(query) = query.filter(|query| !query.is_empty()) {
            path_and_query.push('?');
            path_and_query.push_str(query);
        }
        let path_and_query =
            PathAndQuery::from_maybe_shared(path_and_query).map_err(|err| err.to_string())?;
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path_and_query)
            .build()
            .map_err(|err| err.to_string())
    }
}

/// The provider's auth and configured headers, for requests outside the
/// proxy path (model lists).
pub fn provider_headers(provider: &Provider) -> HeaderMap {
    let mut headers = HeaderMap::new();
    add_auth(provider.auth, provider.key.secret(), &mut headers);
    add_configured_headers(provider, &mut headers);
    headers
}

fn add_configured_headers(provider: &Provider, headers: &mut HeaderMap) {
    for (name, value) in &provider.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
}

fn add_auth(auth: AuthHeader, key: Option<&Secret>, headers: &mut HeaderMap) {
    let Some(key) = key else {
        return;
    };
    let (name, value) = match auth {
        AuthHeader::XApiKey => (
            HeaderName::from_static("x-api-key"),
            key.expose().to_owned(),
        ),
        AuthHeader::XGoogApiKey => (
            HeaderName::from_static("x-goog-api-key"),
            key.expose().to_owned(),
        ),
        AuthHeader::Bearer => (
            http::header::AUTHORIZATION,
            format!("Bearer {}", key.expose()),
        ),
    };
    if let Ok(mut value) = HeaderValue::from_str(&value) {
        value.set_sensitive(true);
        headers.insert(name, value);
    }
}

/// Client errors' top-level message hides the cause ("client error (Connect)").
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    // Messages may name the URL; they never hold a key (keys go in headers).
    message
}

/// Shared handle used by the server.
pub type SharedUpstreams = Arc<Upstreams>;
