//! Sends a prepared request upstream and answers the client: streamed or
//! not, translated or passed through, errors in the client's shape.

use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt;
use http::{HeaderValue, StatusCode, header};
use switchyard_protocol::error::{ApiError, upstream_message};
use switchyard_protocol::formats::{anthropic, openai_chat};
use switchyard_protocol::{Format, Transcoder};

use super::SharedState;
use super::messages::fail;
use super::respond::{error_response_with_retry, json_response, sse_response, status_code};
use super::stream::{AnthropicPassthrough, tapped_body};
use crate::error::ProxyError;
use crate::upstream::UpstreamRequest;
use crate::usage::{Outcome, RequestRecord};

/// How the upstream's answer becomes the client's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Anthropic in, Anthropic upstream: bytes untouched.
    AnthropicPassthrough,
    /// Anthropic in, OpenAI Chat upstream.
    AnthropicFromChat,
}

pub struct Relay<'a> {
    pub request: UpstreamRequest<'a>,
    pub stream: bool,
    pub answer: Answer,
}

/// Upstream error bodies are read up to this size; the rest is dropped.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn relay(state: &SharedState, relay: Relay<'_>, mut record: RequestRecord) -> Response {
    let provider = relay.request.provider.id.to_string();
    let response = match state.upstreams.send(relay.request).await {
        Ok(response) => response,
        Err(err) => return fail(record, &err),
    };
    let status = response.status();
    if !status.is_success() {
        return upstream_error(record, relay.answer, provider, response).await;
    }
    record.set_status(status.as_u16());
    let is_sse = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"));
    if is_sse {
        let upstream = response.bytes_stream().boxed();
        let body = match relay.answer {
            Answer::AnthropicPassthrough => {
                tapped_body(upstream, AnthropicPassthrough::default(), record)
            }
            Answer::AnthropicFromChat => {
                let transcoder = Transcoder::new(
                    openai_chat::StreamDecoder::new(),
                    anthropic::StreamEncoder::new(),
                );
                tapped_body(upstream, transcoder, record)
            }
        };
        return sse_response(body);
    }
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(err) => {
            let message = format!("upstream body failed: {err}");
            return fail(record, &ProxyError::Connect { provider, message });
        }
    };
    complete_answer(record, relay.answer, relay.stream, provider, &body)
}

/// A non-streamed upstream answer (also when the client asked for a stream
/// and the upstream ignored it: the answer is then replayed as a stream).
fn complete_answer(
    record: RequestRecord,
    answer: Answer,
    client_wants_stream: bool,
    provider: String,
    body: &Bytes,
) -> Response {
    match answer {
        Answer::AnthropicPassthrough => {
            let usage = anthropic::usage_from_response(body);
            record.finish(Outcome::Ok, usage, None);
            json_response(StatusCode::OK, body.to_vec())
        }
        Answer::AnthropicFromChat => {
            let response = match openai_chat::decode_response(body) {
                Ok(response) => response,
                Err(err) => {
                    let message = err.to_string();
                    return fail(record, &ProxyError::BadUpstreamAnswer { provider, message });
                }
            };
            record.finish(Outcome::Ok, response.usage, None);
            if client_wants_stream {
                let mut encoder = anthropic::StreamEncoder::new();
                let mut out = Vec::new();
                for event in switchyard_protocol::ir::response_events(&response) {
                    encoder.encode(&event, &mut out);
                }
                return sse_response(axum::body::Body::from(out));
            }
            json_response(StatusCode::OK, anthropic::encode_response(&response))
        }
    }
}

async fn upstream_error(
    mut record: RequestRecord,
    answer: Answer,
    provider: String,
    response: reqwest::Response,
) -> Response {
    let status = response.status().as_u16();
    let status = if (400..600).contains(&status) {
        status
    } else {
        502
    };
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let body = read_bounded(response).await;
    let message = upstream_message(&body);
    record.set_status(status);
    let error = ProxyError::Upstream {
        provider,
        status,
        message,
    };
    record.finish(Outcome::Error, Default::default(), Some(error.to_string()));
    match answer {
        // Same API on both sides: the upstream's own error body is already right.
        Answer::AnthropicPassthrough => passthrough_error(status, body, retry_after),
        Answer::AnthropicFromChat => {
            error_response_with_retry(Format::Anthropic, &error.to_api_error(), retry_after)
        }
    }
}

fn passthrough_error(status: u16, body: Vec<u8>, retry_after: Option<HeaderValue>) -> Response {
    if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() {
        let error = ApiError::new(status, upstream_message(&body));
        return error_response_with_retry(Format::Anthropic, &error, retry_after);
    }
    let mut response = json_response(status_code(status), body);
    if let Some(value) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

async fn read_bounded(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = MAX_ERROR_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ERROR_BODY {
            break;
        }
    }
    body
}

/// Forwards a small request and returns the upstream's answer as it is.
pub async fn relay_plain(
    state: &SharedState,
    request: UpstreamRequest<'_>,
) -> Result<Response, ProxyError> {
    let provider = request.provider.id.to_string();
    let response = state.upstreams.send(request).await?;
    let status = response.status();
    let body = response.bytes().await.map_err(|err| ProxyError::Connect {
        provider,
        message: err.to_string(),
    })?;
    Ok(json_response(status, body.to_vec()))
}
