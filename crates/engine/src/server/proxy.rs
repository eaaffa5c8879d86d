//! The generic request path: peek at the model, route, then pass the body
//! through (same format on both sides) or translate it through the IR.

use std::borrow::Cow;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use http::{HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::value::RawValue;
use switchyard_protocol::Format;
use switchyard_protocol::error::DecodeError;
use switchyard_protocol::formats::{self, ClientStream, EncodeOptions, openai_chat};
use switchyard_protocol::ir::Request;

use super::SharedState;
use super::failover::Fallback;
use super::relay::{Answer, Framing, Relay};
use crate::config::{MaxTokensField, Provider, ResolvedRoute};
use crate::error::ProxyError;
use crate::routing::scenario::RequestTraits;
use crate::upstream::UpstreamRequest;
use crate::usage::RequestRecord;

/// Headers an Anthropic upstream needs from an Anthropic client.
const FORWARDED_HEADERS: [&str; 2] = ["anthropic-version", "anthropic-beta"];
const DEFAULT_ANTHROPIC_VERSION: &str = "2023-06-01";

/// The client's side of one request.
pub struct Inbound<'a> {
    pub format: Format,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The model and stream choice when the URL carries them (Gemini's
    /// `models/{model}:streamGenerateContent`) instead of the body.
    pub path_model: Option<PathModel<'a>>,
}

#[derive(Debug, Clone, Copy)]
pub struct PathModel<'a> {
    pub model: &'a str,
    pub stream: bool,
    /// How a stream is framed (Gemini's `alt=sse` or its JSON array).
    pub framing: Framing,
}

/// The body, or why it could not be read: over `limit` is a 413.
pub fn body_or_error(
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<Bytes, ProxyError> {
    body.map_err(|err| match err.status() {
        http::StatusCode::PAYLOAD_TOO_LARGE => ProxyError::RequestTooLarge { limit },
        _ => DecodeError::invalid("", err.body_text()).into(),
    })
}

/// Routes the request and builds what to send upstream.
pub fn prepare<'s>(
    state: &'s SharedState,
    inbound: &Inbound<'_>,
    traits: Option<&RequestTraits>,
    record: &mut RequestRecord,
) -> Result<Relay<'s>, ProxyError> {
    if inbound.path_model.is_none() && !state.config.has_provider_speaking(inbound.format) {
        // No provider speaks the client's API, so no route passes the body
        // through: decode it once and route on the decoded model, instead of
        // peeking first (a fifth of the cost of a 100 KB body).
        let mut request = formats::decode_request(inbound.format, inbound.body)?;
        let model = std::mem::take(&mut request.model);
        let route = resolve(state, &model, traits, record)?;
        admit(state, &route)?;
        let mut relay = translate(inbound, request, &route)?;
        relay.fallback = Fallback::of(&route, traits);
        return Ok(relay);
    }
    let peek = inbound_peek(inbound)?;
    let route = resolve(state, &peek.model, traits, record)?;
    admit(state, &route)?;
    let mut relay = for_route(inbound, &peek, &route)?;
    relay.fallback = Fallback::of(&route, traits);
    Ok(relay)
}

/// The request for a route's fallback: re-encoded from the client's body,
/// since each target may speak another format.
pub fn prepare_fallback<'s>(
    inbound: &Inbound<'_>,
    route: &ResolvedRoute<'s, '_>,
) -> Result<Relay<'s>, ProxyError> {
    for_route(inbound, &inbound_peek(inbound)?, route)
}

fn inbound_peek<'i>(inbound: &Inbound<'i>) -> Result<Peek<'i>, DecodeError> {
    match inbound.path_model {
        // The body names no model: nothing in it is replaced (the span is unused).
        Some(path) => Ok(Peek {
            model: Cow::Borrowed(path.model),
            model_span: (0, 0),
            stream: path.stream,
        }),
        None => peek(inbound.body),
    }
}

/// Passed through when the provider speaks the client's format, else translated.
fn for_route<'s>(
    inbound: &Inbound<'_>,
    peek: &Peek<'_>,
    route: &ResolvedRoute<'s, '_>,
) -> Result<Relay<'s>, ProxyError> {
    let provider = route.provider;
    let upstream = provider.format;
    // Route params land in the right fields only through the IR.
    if upstream != inbound.format || route.params.is_some() {
        let request = formats::decode_request(inbound.format, inbound.body)?;
        return translate(inbound, request, route);
    }
    // Only Anthropic's query (`beta=true`) is forwarded; Gemini's may hold
    // the client's `key`, which must never leave the gateway.
    let query = match upstream {
        Format::Anthropic => inbound.query.map(str::to_owned),
        _ => upstream_query(upstream, peek.stream),
    };
    let request = UpstreamRequest {
        provider,
        path: upstream_path(provider, route.upstream_model, peek.stream)?,
        query,
        forward_headers: upstream_headers(upstream, inbound.headers),
        body: Bytes::from(passthrough_body(
            upstream,
            inbound.body,
            peek,
            route.upstream_model,
        )?),
    };
    Ok(Relay {
        request,
        stream: peek.stream,
        answer: Answer::Passthrough(upstream),
        framing: framing(inbound),
        fallback: Fallback::default(),
    })
}

/// Through the IR: the decoded request re-encoded for the route's provider.
fn translate<'s>(
    inbound: &Inbound<'_>,
    mut request: Request,
    route: &ResolvedRoute<'s, '_>,
) -> Result<Relay<'s>, ProxyError> {
    let provider = route.provider;
    let upstream = provider.format;
    route.upstream_model.clone_into(&mut request.model);
    if let Some(path) = inbound.path_model {
        request.stream = path.stream;
    }
    if let Some(params) = route.params {
        params.apply(&mut request);
    }
    let mut body = formats::encode_request(upstream, &request, &encode_options(route));
    if let Some(params) = route.params {
        body = params.merge_body(body);
    }
    let client = ClientStream {
        created: unix_now(),
        include_usage: request.stream_usage,
    };
    Ok(Relay {
        request: UpstreamRequest {
            provider,
            path: upstream_path(provider, route.upstream_model, request.stream)?,
            query: upstream_query(upstream, request.stream),
            forward_headers: route_headers(upstream, inbound, route),
            body: Bytes::from(body),
        },
        stream: request.stream,
        framing: framing(inbound),
        answer: Answer::Translate {
            upstream,
            client: inbound.format,
            client_stream: client,
        },
        fallback: Fallback::default(),
    })
}

/// The client's version and betas when it speaks the upstream's format
/// (a route with params), then the route's own headers.
fn route_headers(
    upstream: Format,
    inbound: &Inbound<'_>,
    route: &ResolvedRoute<'_, '_>,
) -> HeaderMap {
    let client = match inbound.format == upstream {
        true => inbound.headers,
        false => &HeaderMap::new(),
    };
    let mut headers = upstream_headers(upstream, client);
    for (name, value) in route.params.iter().flat_map(|params| &params.headers) {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    headers
}

fn framing(inbound: &Inbound<'_>) -> Framing {
    inbound.path_model.map_or(Framing::Sse, |path| path.framing)
}

/// `traits`: what the request holds, when the config has scenarios.
pub fn resolve<'c: 'm, 'm>(
    state: &'c SharedState,
    model: &'m str,
    traits: Option<&RequestTraits>,
    record: &mut RequestRecord,
) -> Result<ResolvedRoute<'c, 'm>, ProxyError> {
    record.set_client_model(model);
    let route =
        (state.config.resolve_for(model, traits)).ok_or_else(|| no_route(&state.config, model))?;
    let route = usable(route, traits)?;
    if let Some(profile) = &state.config.active_profile {
        record.set_profile(profile);
    }
    record.set_route(
        model,
        route.pattern,
        route.provider.id.as_ref(),
        route.upstream_model,
    );
    if let Some(missing) = route.provider.key.missing() {
        return Err(ProxyError::MissingKey {
            provider: route.provider.id.clone(),
            missing: missing.clone(),
        });
    }
    Ok(route)
}

/// The route, or its first fallback whose model can take the request.
fn usable<'c: 'm, 'm>(
    route: ResolvedRoute<'c, 'm>,
    request: Option<&RequestTraits>,
) -> Result<ResolvedRoute<'c, 'm>, ProxyError> {
    let traits = request.map(|request| &request.traits);
    route
        .usable(traits)
        .map_err(|missing| ProxyError::Incapable {
            provider: route.provider.id.clone(),
            model: route.upstream_model.to_owned(),
            missing,
        })
}

fn no_route(config: &crate::config::Config, model: &str) -> ProxyError {
    let model = model.to_owned();
    match config.disabled_route(&model) {
        Some(route) => {
            let ids: Vec<&str> = route.providers.iter().map(|id| id.as_str()).collect();
            ProxyError::ProviderDisabled {
                model,
                providers: ids.join(", "),
            }
        }
        None => ProxyError::NoRoute { model },
    }
}

/// Refuses a request a used-up budget covers, before it costs anything.
fn admit(state: &SharedState, route: &ResolvedRoute<'_, '_>) -> Result<(), ProxyError> {
    match state.sink.budget_check(route.provider.id.as_str()) {
        Some(refusal) => Err(Box::new(refusal).into()),
        None => Ok(()),
    }
}

pub(crate) fn upstream_path(
    provider: &Provider,
    model: &str,
    stream: bool,
) -> Result<Cow<'static, str>, ProxyError> {
    Ok(match provider.format {
        Format::Anthropic => Cow::Borrowed("/v1/messages"),
        Format::OpenaiChat => Cow::Borrowed("/chat/completions"),
        Format::OpenaiResponses => Cow::Borrowed("/responses"),
        Format::Gemini if stream => {
            Cow::Owned(gemini_path(provider, model, "streamGenerateContent")?)
        }
        Format::Gemini => Cow::Owned(gemini_path(provider, model, "generateContent")?),
    })
}

/// `/models/{model}:{action}`, under a base URL ending in `/v1beta`. The
/// model may come from the client: a `/`, `..`, `?`, `#` or `%` in it would
/// change the upstream path or query, so only URL-safe names are sent.
pub fn gemini_path(provider: &Provider, model: &str, action: &str) -> Result<String, ProxyError> {
    let unreserved = |byte: u8| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte);
    let dots_only = model.bytes().all(|byte| byte == b'.');
    if model.is_empty() || dots_only || !model.bytes().all(unreserved) {
        return Err(ProxyError::UnsafeModelName {
            provider: provider.id.clone(),
            model: model.to_owned(),
        });
    }
    Ok(format!("/models/{model}:{action}"))
}

/// Gemini streams SSE only when asked (`alt=sse`); otherwise a JSON array.
fn upstream_query(format: Format, stream: bool) -> Option<String> {
    (format == Format::Gemini && stream).then(|| "alt=sse".to_owned())
}

/// Anthropic upstreams get the client's version and betas (or a default version).
pub fn upstream_headers(upstream: Format, client: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    if upstream != Format::Anthropic {
        return out;
    }
    for name in FORWARDED_HEADERS {
        if let Some(value) = client.get(name) {
            out.insert(name, value.clone());
        }
    }
    if !out.contains_key("anthropic-version") {
        out.insert(
            "anthropic-version",
            HeaderValue::from_static(DEFAULT_ANTHROPIC_VERSION),
        );
    }
    out
}

fn encode_options(route: &ResolvedRoute<'_, '_>) -> EncodeOptions {
    EncodeOptions {
        max_tokens_field: max_tokens_field(route.provider),
        max_tokens_cap: route.caps.cap(route.max_tokens),
        reasoning_effort: route.provider.reasoning_effort,
    }
}

/// A property of the provider, not of its URL: a proxy in front of OpenAI
/// or a lookalike host behaves as configured.
pub(crate) fn max_tokens_field(provider: &Provider) -> openai_chat::MaxTokensField {
    match provider.max_tokens_field {
        MaxTokensField::MaxCompletionTokens => openai_chat::MaxTokensField::MaxCompletionTokens,
        MaxTokensField::MaxTokens => openai_chat::MaxTokensField::MaxTokens,
    }
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

pub struct Peek<'a> {
    pub model: Cow<'a, str>,
    /// Byte range of the `model` value (quotes included) in the body.
    pub model_span: (usize, usize),
    pub stream: bool,
}

/// Reads only `model` and `stream`, without building the body in memory.
pub fn peek(body: &[u8]) -> Result<Peek<'_>, DecodeError> {
    #[derive(Deserialize)]
    struct Wire<'a> {
        #[serde(borrow)]
        model: Option<&'a RawValue>,
        #[serde(default)]
        stream: Option<bool>,
    }
    // Bytes, not text: only the model is read, so only it needs checking as UTF-8.
    let wire: Wire<'_> =
        serde_json::from_slice(body).map_err(|err| DecodeError::from_json(&err))?;
    let raw = wire.model.ok_or_else(|| DecodeError::missing("model"))?;
    let model: Cow<'_, str> = serde_json::from_str(raw.get())
        .map_err(|_| DecodeError::invalid("model", "expected a string"))?;
    // The raw value borrows from `body`, so its offset is a pointer difference.
    let start = (raw.get().as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
    Ok(Peek {
        model,
        model_span: (start, start + raw.get().len()),
        stream: wire.stream.unwrap_or(false),
    })
}

/// The body for a same-format upstream: the model replaced and, for
/// Anthropic, thinking blocks it did not sign removed (it refuses them).
fn passthrough_body(
    format: Format,
    body: &[u8],
    peek: &Peek<'_>,
    model: &str,
) -> Result<Vec<u8>, DecodeError> {
    let stripped = match format {
        Format::Anthropic => formats::anthropic::strip_unsigned_thinking(body),
        // The model is in the URL: the body goes as it came.
        Format::Gemini => return Ok(body.to_vec()),
        _ => None,
    };
    match stripped {
        None => Ok(replace_model(body, peek, model)),
        Some(stripped) => Ok(replace_model(&stripped, &self::peek(&stripped)?, model)),
    }
}

/// The body with only the model's value replaced; every other byte is kept.
pub fn replace_model(body: &[u8], peek: &Peek<'_>, model: &str) -> Vec<u8> {
    let (start, end) = peek.model_span;
    let mut out = Vec::with_capacity(body.len() + model.len());
    out.extend_from_slice(&body[..start]);
    switchyard_protocol::sse::write_json(&mut out, &model);
    out.extend_from_slice(&body[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_model_keeps_every_other_byte() {
        let body = br#"{"a" : [1, {"model":"inner"}], "model" :  "claude-x" ,"z":"\u00e9"}"#;
        let found = peek(body).unwrap();
        assert_eq!(found.model, "claude-x");
        let out = replace_model(body, &found, "deep\"seek");
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#"{"a" : [1, {"model":"inner"}], "model" :  "deep\"seek" ,"z":"\u00e9"}"#
        );
    }

    #[test]
    fn peek_rejects_missing_or_non_string_model() {
        assert!(peek(br#"{"stream":true}"#).is_err());
        assert!(peek(br#"{"model":5}"#).is_err());
        assert!(peek(b"not json").is_err());
    }
}
