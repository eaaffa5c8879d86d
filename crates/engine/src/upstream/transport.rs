//! The HTTP client under each provider.
//!
//! Direct connections use hyper's pooled client with rustls: reqwest's own
//! layers (a redirect policy that re-parses the URL twice per request, a
//! timeout wrapper, header merging) cost a third of a small translated
//! request. A provider that the environment routes through a proxy
//! (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, minus `NO_PROXY`) uses reqwest,
//! which does CONNECT tunnels and proxy authentication.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::{ConfigBuilderExt as _, HttpsConnector};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::body::{UpstreamBody, UpstreamResponse};
use crate::config::Provider;

/// Idle pooled connections are closed after this long.
const POOL_IDLE: Duration = Duration::from_secs(90);
const USER_AGENT: &str = concat!("switchyard/", env!("CARGO_PKG_VERSION"));

type DirectClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

pub enum Transport {
    Direct(Box<DirectClient>),
    Proxied(reqwest::Client),
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("cannot load the system's root certificates: {0}")]
    Roots(std::io::Error),
    #[error("cannot set up TLS: {0}")]
    Tls(#[from] rustls::Error),
    #[error("cannot set up the proxied HTTP client: {0}")]
    Proxied(#[from] reqwest::Error),
}

/// Builds each provider's transport, sharing one TLS configuration (the
/// system roots are read once, and only if some provider needs them).
pub struct TransportFactory {
    proxies: Matcher,
    tls: Option<rustls::ClientConfig>,
}

impl TransportFactory {
    pub fn new() -> Self {
        Self {
            proxies: Matcher::from_system(),
            tls: None,
        }
    }

    pub fn build(
        &mut self,
        provider: &Provider,
        base: &http::Uri,
    ) -> Result<Transport, TransportError> {
        if self.proxies.intercept(base).is_some() {
            return Ok(Transport::Proxied(proxied(provider)?));
        }
        let tls = match (&self.tls, base.scheme_str()) {
            (Some(tls), _) => tls.clone(),
            (None, Some("https")) => self.tls.insert(tls_with_system_roots()?).clone(),
            // Plain-HTTP providers (Ollama, LM Studio) need no roots.
            (None, _) => tls_without_roots()?,
        };
        Ok(Transport::Direct(Box::new(direct(provider, tls))))
    }
}

impl Transport {
    pub async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<UpstreamResponse, Box<dyn std::error::Error + Send + Sync>> {
        match self {
            Self::Direct(client) => {
                let (mut parts, body) = request.into_parts();
                parts
                    .headers
                    .entry(http::header::USER_AGENT)
                    .or_insert(http::HeaderValue::from_static(USER_AGENT));
                let response = client
                    .request(http::Request::from_parts(parts, Full::new(body)))
                    .await?;
                Ok(response.map(UpstreamBody::Direct))
            }
            Self::Proxied(client) => {
                let request = reqwest::Request::try_from(request)?;
                let response = http::Response::from(client.execute(request).await?);
                Ok(response.map(UpstreamBody::Proxied))
            }
        }
    }
}

fn direct(provider: &Provider, tls: rustls::ClientConfig) -> DirectClient {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(provider.connect_timeout));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(http);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(POOL_IDLE)
        .pool_timer(TokioTimer::new())
        .build(https)
}

fn proxied(provider: &Provider) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(provider.connect_timeout)
        .pool_idle_timeout(POOL_IDLE)
        .tcp_nodelay(true)
        // LLM APIs do not redirect; following one could carry a key elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .build()
}

fn tls_builder()
-> Result<rustls::ConfigBuilder<rustls::ClientConfig, rustls::WantsVerifier>, rustls::Error> {
    // Name the provider: with more than one compiled in, rustls would not pick.
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
}

fn tls_with_system_roots() -> Result<rustls::ClientConfig, TransportError> {
    Ok(tls_builder()?
        .with_native_roots()
        .map_err(TransportError::Roots)?
        .with_no_client_auth())
}

fn tls_without_roots() -> Result<rustls::ClientConfig, TransportError> {
    Ok(tls_builder()?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth())
}
