//! The HTTP endpoints, one per client API; all share `proxy` and `relay`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use switchyard_protocol::Format;
use switchyard_protocol::error::ApiError;
use switchyard_protocol::formats::{anthropic, gemini};

use super::SharedState;
use super::failover;
use super::proxy::{
    Inbound, PathModel, body_or_error, gemini_path, peek, prepare, replace_model, resolve,
    upstream_headers,
};
use super::relay::{Framing, fail, finish, relay_plain};
use super::respond::{error_response, json_response};
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
    proxy_with(state, format, endpoint, query, headers, body, None).await
}

async fn proxy_with(
    state: SharedState,
    format: Format,
    endpoint: &'static str,
    query: Option<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
    path_model: Option<PathModel<'_>>,
) -> Response {
    let mut record = RequestRecord::new(state.sink.clone(), endpoint);
    let body = match body_or_error(body, state.config.max_request_bytes) {
        Ok(body) => body,
        Err(err) => return fail(record, format, &err),
    };
    record.set_inbound(format, user_agent(&headers), body.len());
    let inbound = Inbound {
        format,
        query: query.as_deref(),
        headers: &headers,
        body: &body,
        path_model,
    };
    let path = path_model.map(|path| path.model);
    let traits = crate::routing::scenario::request_traits(&state, format, &body, path).await;
    let prepared = match prepare(&state, &inbound, traits.as_ref(), &mut record) {
        Ok(prepared) => prepared,
        Err(err) => return fail(record, format, &err),
    };
    let targets = std::iter::once(prepared.request.provider.index);
    let session = (state.health)
        .wants_session(targets.chain(prepared.fallback.providers()))
        .then(|| crate::routing::session_of(&headers, &body))
        .flatten();
    if prepared.fallback.is_empty() {
        // The client's body is not needed once translated: free it before
        // the upstream answers (it can be megabytes of images).
        drop(body);
        return failover::relay(&state, prepared, None, session, record).await;
    }
    // Kept: each fallback is encoded from it.
    failover::relay(&state, prepared, Some(&inbound), session, record).await
}

/// `POST /v1/messages/count_tokens`: asked of Anthropic upstreams, counted
/// locally with o200k_base otherwise (`crate::tokens`).
pub async fn count_tokens(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut record = RequestRecord::new(state.sink.clone(), "anthropic.count_tokens");
    let result = match body_or_error(body, state.config.max_request_bytes) {
        Ok(body) => {
            record.set_inbound(Format::Anthropic, user_agent(&headers), body.len());
            count_tokens_inner(&state, query.as_deref(), &headers, &body, &mut record).await
        }
        Err(err) => Err(err),
    };
    counted(record, Format::Anthropic, result)
}

/// Records a count-tokens request, answered or failed.
fn counted(
    mut record: RequestRecord,
    format: Format,
    result: Result<Response, ProxyError>,
) -> Response {
    match result {
        Ok(response) => {
            record.set_status(response.status().as_u16());
            finish(record, response, Outcome::Ok, Default::default(), None)
        }
        Err(err) => fail(record, format, &err),
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
    let route = resolve(state, &peek.model, None, record)?;
    if route.provider.format == Format::Anthropic {
        let request = UpstreamRequest {
            provider: route.provider,
            path: "/v1/messages/count_tokens".into(),
            query: query.map(str::to_owned),
            forward_headers: upstream_headers(Format::Anthropic, headers),
            body: Bytes::from(replace_model(body, &peek, route.upstream_model)),
        };
        return relay_noted(state, request, record).await;
    }
    let request = anthropic::decode_request(body)?;
    let tokens = crate::tokens::input_tokens_blocking(request).await;
    let body = format!("{{\"input_tokens\":{tokens}}}").into_bytes();
    Ok(json_response(StatusCode::OK, body))
}

/// `POST /v1beta/models/{model}:{action}` (Gemini: `generateContent`,
/// `streamGenerateContent`, `countTokens`). The model and the stream choice
/// come from the path. A stream is SSE with `alt=sse` (what Gemini CLI and
/// @google/genai ask for), else one JSON array streamed element by element.
pub async fn gemini_models(
    State(state): State<SharedState>,
    Path(model_action): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (model, action) = model_action
        .rsplit_once(':')
        .unwrap_or((model_action.as_str(), ""));
    let (endpoint, stream) = match action {
        "generateContent" => ("gemini.generate_content", false),
        "streamGenerateContent" => ("gemini.stream_generate_content", true),
        "countTokens" => return gemini_count_tokens(state, model, &headers, body).await,
        _ => {
            let message = format!(
                "no such method: models/{model_action} (generateContent, streamGenerateContent and countTokens are served)"
            );
            return error_response(Format::Gemini, &ApiError::new(404, message));
        }
    };
    let path_model = Some(PathModel {
        model,
        stream,
        framing: gemini_framing(query.as_deref()),
    });
    // The query is not forwarded: it may hold the client's `key`.
    proxy_with(
        state,
        Format::Gemini,
        endpoint,
        None,
        headers,
        body,
        path_model,
    )
    .await
}

/// `alt=sse` asks for SSE; without it Gemini streams a JSON array.
fn gemini_framing(query: Option<&str>) -> Framing {
    let sse = query
        .unwrap_or_default()
        .split('&')
        .any(|pair| pair == "alt=sse");
    if sse {
        Framing::Sse
    } else {
        Framing::JsonArray
    }
}

/// `models/{model}:countTokens`: asked of Gemini upstreams, counted locally
/// with o200k_base otherwise (`crate::tokens`).
async fn gemini_count_tokens(
    state: SharedState,
    model: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut record = RequestRecord::new(state.sink.clone(), "gemini.count_tokens");
    let result = match body_or_error(body, state.config.max_request_bytes) {
        Ok(body) => {
            record.set_inbound(Format::Gemini, user_agent(headers), body.len());
            gemini_count_tokens_inner(&state, model, body, &mut record).await
        }
        Err(err) => Err(err),
    };
    counted(record, Format::Gemini, result)
}

async fn gemini_count_tokens_inner(
    state: &SharedState,
    model: &str,
    body: Bytes,
    record: &mut RequestRecord,
) -> Result<Response, ProxyError> {
    let route = resolve(state, model, None, record)?;
    if route.provider.format == Format::Gemini {
        let request = UpstreamRequest {
            provider: route.provider,
            path: gemini_path(route.provider, route.upstream_model, "countTokens")?.into(),
            query: None,
            forward_headers: HeaderMap::new(),
            body,
        };
        return relay_noted(state, request, record).await;
    }
    // `{contents…}`, or the same wrapped as `{generateContentRequest: {…}}`.
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Wrapped<'a> {
        #[serde(borrow)]
        generate_content_request: Option<&'a serde_json::value::RawValue>,
    }
    let wrapped: Wrapped<'_> = switchyard_protocol::error::DecodeError::parse(&body)?;
    let inner = wrapped
        .generate_content_request
        .map_or(&body[..], |inner| inner.get().as_bytes());
    let request = gemini::decode_request(inner)?;
    let tokens = crate::tokens::input_tokens_blocking(request).await;
    let body = format!("{{\"totalTokens\":{tokens}}}").into_bytes();
    Ok(json_response(StatusCode::OK, body))
}

/// [`relay_plain`], noted as the request's one attempt.
async fn relay_noted(
    state: &SharedState,
    request: UpstreamRequest<'_>,
    record: &mut RequestRecord,
) -> Result<Response, ProxyError> {
    let started = std::time::Instant::now();
    let answer = relay_plain(state, request).await;
    let (status, kind) = match &answer {
        Ok(response) if response.status().is_success() => (response.status().as_u16(), None),
        Ok(response) => (response.status().as_u16(), Some("upstream_status")),
        Err(err) => (0, Some(err.kind())),
    };
    record.attempt(status, kind, started.elapsed());
    answer
}

fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(http::header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
}
