//! `switchyard provider test ID`: the smallest real request, through the
//! gateway's own upstream client, and how long the answer took.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::HeaderMap;
use switchyard_protocol::error::upstream_message;
use switchyard_protocol::formats::{self, EncodeOptions};
use switchyard_protocol::{Format, ir::Request};

use super::ProbeError;
use crate::config::{Config, Provider};
use crate::upstream::{ReadError, UpstreamRequest, Upstreams};

/// A successful probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probed {
    pub model: String,
    pub status: u16,
    pub latency: Duration,
}

/// The model to ask: `model`, else the first route's upstream model for the
/// provider, else the first model its preset lists.
pub fn pick_model(config: &Config, provider: &Provider, model: Option<&str>) -> Option<String> {
    if let Some(model) = model {
        return Some(model.to_owned());
    }
    let routed = (config.routes.iter())
        .filter(|route| route.provider.id == provider.id)
        .find_map(|route| route.upstream_model.clone());
    let preset = provider.preset.as_deref().and_then(crate::catalog::preset);
    routed.or_else(|| {
        preset
            .and_then(|preset| preset.models.first())
            .map(|model| model.id.clone())
    })
}

/// Sends "ping" with a tiny output limit and waits for the whole answer.
pub async fn probe(
    config: &Config,
    provider: &Provider,
    model: &str,
) -> Result<Probed, ProbeError> {
    let request = tiny_request(model);
    let options = EncodeOptions {
        max_tokens_field: crate::server::max_tokens_field(provider),
        ..EncodeOptions::default()
    };
    let body = formats::encode_request(provider.format, &request, &options);
    let path = crate::server::upstream_path(provider, model, false)
        .map_err(|err| ProbeError::Request(err.to_string()))?;
    let upstreams = Upstreams::new(config).map_err(|err| ProbeError::Request(err.to_string()))?;
    let started = Instant::now();
    let response = upstreams
        .send(
            &UpstreamRequest {
                provider,
                path,
                query: None,
                forward_headers: anthropic_version(provider.format),
                body: Bytes::from(body),
            },
            provider.key.secret(),
        )
        .await
        .map_err(|err| ProbeError::Request(err.to_string()))?;
    let status = response.status().as_u16();
    let answer = response.into_body().bytes(1 << 20).await;
    let latency = started.elapsed();
    let body = match answer {
        Ok(body) => body,
        Err(ReadError::TooLarge) => Bytes::new(),
        Err(ReadError::Failed(err)) => return Err(ProbeError::Request(err.to_string())),
    };
    if !(200..300).contains(&status) {
        let provider = provider.id.to_string();
        return Err(ProbeError::Upstream {
            provider,
            status,
            message: upstream_message(&body),
        });
    }
    Ok(Probed {
        model: model.to_owned(),
        status,
        latency,
    })
}

fn tiny_request(model: &str) -> Request {
    let text = format!(
        "{{\"model\":{},\"max_tokens\":16,\"messages\":[{{\"role\":\"user\",\"content\":\"ping\"}}]}}",
        serde_json::Value::from(model)
    );
    // Our own fixed request: it always decodes.
    formats::decode_request(Format::Anthropic, text.as_bytes()).unwrap_or_default()
}

fn anthropic_version(format: Format) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if format == Format::Anthropic {
        headers.insert(
            "anthropic-version",
            http::HeaderValue::from_static("2023-06-01"),
        );
    }
    headers
}
