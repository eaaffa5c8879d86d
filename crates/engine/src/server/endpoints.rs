//! The HTTP endpoints, one per client API; all share `proxy` and `relay`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use switchyard_protocol::Format;
use switchyard_protocol::formats::anthropic;

use super::SharedState;
use super::proxy::{
    Inbound, body_or_error, peek, prepare, replace_model, resolve, upstream_headers,
};
use super::relay::{fail, relay, relay_plain};
use super::respond::json_response;
use crate::error::ProxyError;
use crate::upstream::UpstreamRequest;
use crate::usage::{Outcome, RequestRecord};

/// `POST /v1/messages` (Anthropic Messages).
pub async fn messages(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    proxy(
        state,
        Format::Anthropic,
        "anthropic.messages",
        query,
        headers,
        body,
    )
    .await
}

/// `POST /v1/chat/completions` (OpenAI Chat Completions).
pub async fn chat_completions(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    proxy(
        state,
        Format::OpenaiChat,
        "openai.chat",
        None,
        headers,
        body,
    )
    .await
}

/// `POST /v1/responses` (OpenAI Responses: Codex CLI).
pub async fn responses(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    proxy(
        state,
        Format::OpenaiResponses,
        "openai.responses",
        None,
        headers,
        body,
    )
    .await
}

async fn proxy(
    state: SharedState,
    format: Format,
    endpoint: &'static str,
    query: Option<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut record = RequestRecord::new(state.sink.clone(), endpoint);
    let body = match body_or_error(body) {
        Ok(body) => body,
        Err(err) => return fail(record, format, &err),
    };
    let inbound = Inbound {
        format,
        query: query.as_deref(),
        headers: &headers,
        body: &body,
    };
    let prepared = prepare(&state, &inbound, &mut record);
    // The client's body is not needed once translated: free it before the
    // upstream answers (it can be megabytes of images).
    drop(body);
    match prepared {
        Ok(prepared) => relay(&state, prepared, record).await,
        Err(err) => fail(record, format, &err),
    }
}

/// `POST /v1/messages/count_tokens`: asked of Anthropic upstreams, estimated otherwise.
pub async fn count_tokens(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut record = RequestRecord::new(state.sink.clone(), "anthropic.count_tokens");
    let result = match body_or_error(body) {
        Ok(body) => {
            count_tokens_inner(&state, query.as_deref(), &headers, &body, &mut record).await
        }
        Err(err) => Err(err),
    };
    match result {
        Ok(response) => {
            record.set_status(response.status().as_u16());
            record.finish(Outcome::Ok, Default::default(), None);
            response
        }
        Err(err) => fail(record, Format::Anthropic, &err),
    }
}

async fn count_tokens_inner(
    state: &SharedState,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    record: &mut RequestRecord,
) -> Result<Response, ProxyError> {
    let peek = peek(body)?;
    let route = resolve(state, &peek.model, record)?;
    if route.provider.format == Format::Anthropic {
        let request = UpstreamRequest {
            provider: route.provider,
            path: "/v1/messages/count_tokens",
            query: query.map(str::to_owned),
            forward_headers: upstream_headers(Format::Anthropic, headers),
            body: Bytes::from(replace_model(body, &peek, route.upstream_model)),
        };
        return relay_plain(state, request).await;
    }
    let request = anthropic::decode_request(body)?;
    let estimate = switchyard_protocol::estimate::input_tokens(&request);
    let body = format!("{{\"input_tokens\":{estimate}}}").into_bytes();
    Ok(json_response(StatusCode::OK, body))
}
