//! `POST /v1/messages` (Anthropic Messages) and its `count_tokens` sibling.

use std::borrow::Cow;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use http::HeaderMap;
use serde::Deserialize;
use serde_json::value::RawValue;
use switchyard_protocol::Format;
use switchyard_protocol::error::DecodeError;
use switchyard_protocol::formats::{anthropic, openai_chat};

use super::SharedState;
use super::relay::{Relay, relay};
use super::respond::{error_response, json_response};
use crate::config::ResolvedRoute;
use crate::error::ProxyError;
use crate::upstream::UpstreamRequest;
use crate::usage::{Outcome, RequestRecord};

/// Headers an Anthropic upstream needs from the client.
const FORWARDED_HEADERS: [&str; 2] = ["anthropic-version", "anthropic-beta"];
const DEFAULT_ANTHROPIC_VERSION: &str = "2023-06-01";

pub async fn messages(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut record = RequestRecord::new(state.sink.clone(), "anthropic.messages");
    let body = match body {
        Ok(body) => body,
        Err(err) => return fail(record, &DecodeError::Invalid(err.body_text()).into()),
    };
    match prepare(&state, query.as_deref(), &headers, &body, &mut record) {
        Ok(prepared) => relay(&state, prepared, record).await,
        Err(err) => fail(record, &err),
    }
}

/// Records the failure and answers in Anthropic's shape.
pub fn fail(mut record: RequestRecord, err: &ProxyError) -> Response {
    let api_error = err.to_api_error();
    record.set_status(api_error.status);
    record.finish(Outcome::Error, Default::default(), Some(err.to_string()));
    error_response(Format::Anthropic, &api_error)
}

fn prepare<'a>(
    state: &'a SharedState,
    query: Option<&'a str>,
    headers: &HeaderMap,
    body: &'a [u8],
    record: &mut RequestRecord,
) -> Result<Relay<'a>, ProxyError> {
    let peek = peek(body)?;
    record.set_client_model(&peek.model);
    let route = state
        .config
        .resolve(&peek.model)
        .ok_or_else(|| ProxyError::NoRoute {
            model: peek.model.to_string(),
        })?;
    record.set_route(
        &peek.model,
        route.provider.id.as_ref(),
        route.upstream_model,
    );
    let provider = route.provider;
    let relay = match provider.format {
        Format::Anthropic => Relay {
            request: UpstreamRequest {
                provider,
                path: "/v1/messages",
                query,
                forward_headers: anthropic_headers(headers),
                body: Bytes::from(replace_model(body, &peek, route.upstream_model)),
            },
            stream: peek.stream,
            answer: super::relay::Answer::AnthropicPassthrough,
        },
        Format::OpenaiChat => {
            let mut request = anthropic::decode_request(body)?;
            route.upstream_model.clone_into(&mut request.model);
            Relay {
                request: UpstreamRequest {
                    provider,
                    path: "/chat/completions",
                    query: None,
                    forward_headers: HeaderMap::new(),
                    body: Bytes::from(openai_chat::encode_request(&request, &chat_options(&route))),
                },
                stream: request.stream,
                answer: super::relay::Answer::AnthropicFromChat,
            }
        }
        other => {
            return Err(DecodeError::Invalid(format!(
                "provider `{}` speaks {other}, which this gateway cannot reach from the Anthropic API yet",
                provider.id
            ))
            .into());
        }
    };
    Ok(relay)
}

pub fn chat_options(route: &ResolvedRoute<'_, '_>) -> openai_chat::ChatOptions {
    let provider = route.provider;
    let max_tokens_field = if provider.base_url.contains("://api.openai.com") {
        openai_chat::MaxTokensField::MaxCompletionTokens
    } else {
        openai_chat::MaxTokensField::MaxTokens
    };
    openai_chat::ChatOptions {
        max_tokens_field,
        max_tokens_cap: route.max_tokens,
        reasoning_effort: provider.reasoning_effort,
    }
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
    let wire: Wire<'_> =
        serde_json::from_slice(body).map_err(|err| DecodeError::from_json(&err))?;
    let raw = wire
        .model
        .ok_or_else(|| DecodeError::Invalid("model: required field is missing".into()))?;
    let model: Cow<'_, str> = serde_json::from_str(raw.get())
        .map_err(|_| DecodeError::Invalid("model: expected a string".into()))?;
    // The raw value borrows from `body`, so its offset is a pointer difference.
    let start = (raw.get().as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
    Ok(Peek {
        model,
        model_span: (start, start + raw.get().len()),
        stream: wire.stream.unwrap_or(false),
    })
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

fn anthropic_headers(headers: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for name in FORWARDED_HEADERS {
        if let Some(value) = headers.get(name) {
            out.insert(name, value.clone());
        }
    }
    if !out.contains_key("anthropic-version") {
        out.insert(
            "anthropic-version",
            http::HeaderValue::from_static(DEFAULT_ANTHROPIC_VERSION),
        );
    }
    out
}

pub async fn count_tokens(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut record = RequestRecord::new(state.sink.clone(), "anthropic.count_tokens");
    match count_tokens_inner(&state, query.as_deref(), &headers, body, &mut record).await {
        Ok(response) => {
            record.set_status(response.status().as_u16());
            record.finish(Outcome::Ok, Default::default(), None);
            response
        }
        Err(err) => fail(record, &err),
    }
}

async fn count_tokens_inner(
    state: &SharedState,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    record: &mut RequestRecord,
) -> Result<Response, ProxyError> {
    let body = body.map_err(|err| DecodeError::Invalid(err.body_text()))?;
    let peek = peek(&body)?;
    let route = state
        .config
        .resolve(&peek.model)
        .ok_or_else(|| ProxyError::NoRoute {
            model: peek.model.to_string(),
        })?;
    record.set_route(
        &peek.model,
        route.provider.id.as_ref(),
        route.upstream_model,
    );
    if route.provider.format == Format::Anthropic {
        let request = UpstreamRequest {
            provider: route.provider,
            path: "/v1/messages/count_tokens",
            query,
            forward_headers: anthropic_headers(headers),
            body: Bytes::from(replace_model(&body, &peek, route.upstream_model)),
        };
        return super::relay::relay_plain(state, request).await;
    }
    let request = anthropic::decode_request(&body)?;
    let estimate = switchyard_protocol::estimate::input_tokens(&request);
    let body = format!("{{\"input_tokens\":{estimate}}}").into_bytes();
    Ok(json_response(http::StatusCode::OK, body))
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
