//! Sends a prepared request upstream and answers the client: streamed or
//! not, translated or passed through, errors in the client's shape.

use axum::response::Response;
use bytes::Bytes;
use futures_util::Stream;
use http::{HeaderValue, StatusCode, header};
use switchyard_protocol::error::{ApiError, upstream_message};
use switchyard_protocol::formats::gemini::SseToJsonArray;
use switchyard_protocol::formats::{self, ClientStream};
use switchyard_protocol::ir::Usage;
use switchyard_protocol::{Format, StreamWatch, Transcoder};

use super::SharedState;
use super::respond::{
    error_response, error_response_with_retry, json_response, sse_response, status_code,
};
use super::stream::{BodyTap, JsonArray, Passthrough, tapped_body};
use crate::config::Provider;
use crate::error::ProxyError;
use crate::upstream::{BoxError, ReadError, UpstreamRequest, UpstreamResponse};
use crate::usage::{Outcome, RequestRecord};

/// How the upstream's answer becomes the client's.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// Same API on both sides: bytes untouched.
    Passthrough(Format),
    /// Through the IR, from the upstream's format to the client's.
    Translate {
        upstream: Format,
        client: Format,
        client_stream: ClientStream,
    },
}

impl Answer {
    pub fn client(self) -> Format {
        match self {
            Self::Passthrough(format) => format,
            Self::Translate { client, .. } => client,
        }
    }
}

pub struct Relay<'a> {
    pub request: UpstreamRequest<'a>,
    /// The client asked for a stream.
    pub stream: bool,
    pub answer: Answer,
    pub framing: Framing,
    /// Where to go when this target fails.
    pub fallback: super::failover::Fallback<'a>,
}

/// How a streamed answer is framed for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    Sse,
    /// Gemini's `:streamGenerateContent` without `alt=sse`: one JSON array
    /// whose elements arrive as they are generated.
    JsonArray,
}

impl Framing {
    fn body<S, T>(self, upstream: S, tap: T, record: RequestRecord) -> Response
    where
        S: Stream<Item = Result<Bytes, BoxError>> + Send + Unpin + 'static,
        T: BodyTap,
    {
        match self {
            Self::Sse => sse_response(tapped_body(upstream, tap, record)),
            Self::JsonArray => json_response(
                StatusCode::OK,
                tapped_body(upstream, JsonArray::new(tap), record),
            ),
        }
    }

    /// A whole stream at once (the upstream answered without streaming).
    fn complete(self, sse: Vec<u8>) -> Response {
        match self {
            Self::Sse => sse_response(axum::body::Body::from(sse)),
            Self::JsonArray => {
                let mut framer = SseToJsonArray::new();
                let mut out = Vec::with_capacity(sse.len());
                framer.feed(&sse, &mut out);
                framer.finish(&mut out);
                json_response(StatusCode::OK, out)
            }
        }
    }
}

/// Upstream error bodies are read up to this size; the rest is dropped.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Records the failure and answers in the client's format.
pub fn fail(mut record: RequestRecord, format: Format, err: &ProxyError) -> Response {
    let api_error = err.to_api_error();
    record.set_status(api_error.status);
    record.set_error_kind(err.kind());
    let mut response = match err {
        // Tells clients that honour it when to try again.
        ProxyError::Budget(refusal) => {
            let seconds = refusal.retry_after.as_secs().max(1).to_string();
            error_response_with_retry(format, &api_error, HeaderValue::from_str(&seconds).ok())
        }
        _ => error_response(format, &api_error),
    };
    if matches!(err, ProxyError::RequestTooLarge { .. }) {
        // The rest of the body was not read: the connection cannot be reused.
        let close = HeaderValue::from_static("close");
        response.headers_mut().insert(header::CONNECTION, close);
    }
    finish(
        record,
        response,
        Outcome::Error,
        Usage::default(),
        Some(err.to_string()),
    )
}

/// Records a request answered in one piece, with the answer's size.
pub fn finish(
    mut record: RequestRecord,
    response: Response,
    outcome: Outcome,
    usage: Usage,
    error: Option<String>,
) -> Response {
    let size = http_body::Body::size_hint(response.body()).exact();
    record.add_response_bytes(size.map_or(0, |size| size as usize));
    record.finish(outcome, usage, error);
    response
}

/// Answers the client from an upstream's successful response.
pub async fn answer(
    state: &SharedState,
    relay: &Relay<'_>,
    response: UpstreamResponse,
    mut record: RequestRecord,
) -> Response {
    let provider = relay.request.provider;
    record.set_stream(relay.stream);
    record.set_status(response.status().as_u16());
    let is_sse = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"));
    if is_sse {
        return stream_answer(record, relay.answer, relay.framing, response);
    }
    let limit = state.config.max_response_bytes;
    let body = match read_body(provider, response, limit).await {
        Ok(body) => body,
        Err(err) => return fail(record, relay.answer.client(), &err),
    };
    let stream = relay.stream.then_some(relay.framing);
    complete_answer(record, relay.answer, stream, provider, &body)
}

fn stream_answer(
    record: RequestRecord,
    answer: Answer,
    framing: Framing,
    response: UpstreamResponse,
) -> Response {
    let upstream_body = response.into_body().into_stream();
    match answer {
        Answer::Passthrough(format) => {
            let watch = StreamWatch::new(formats::stream_decoder(format));
            framing.body(upstream_body, Passthrough::new(format, watch), record)
        }
        Answer::Translate {
            upstream,
            client,
            client_stream,
        } => {
            let decoder = formats::stream_decoder(upstream);
            let encoder = formats::stream_encoder(client, client_stream);
            framing.body(upstream_body, Transcoder::new(decoder, encoder), record)
        }
    }
}

/// A non-streamed upstream answer (also when the client asked for a stream
/// and the upstream ignored it: the answer is then replayed as a stream).
fn complete_answer(
    record: RequestRecord,
    answer: Answer,
    stream: Option<Framing>,
    provider: &Provider,
    body: &Bytes,
) -> Response {
    let (upstream, client, client_stream) = match answer {
        Answer::Passthrough(format) => {
            let usage = formats::usage_from_response(format, body);
            let response = json_response(StatusCode::OK, body.clone());
            return finish(record, response, Outcome::Ok, usage, None);
        }
        Answer::Translate {
            upstream,
            client,
            client_stream,
        } => (upstream, client, client_stream),
    };
    let mut response = match formats::decode_response(upstream, body) {
        Ok(response) => response,
        Err(err) => {
            let message = err.to_string();
            return fail(
                record,
                client,
                &ProxyError::BadUpstreamAnswer {
                    provider: provider.id.clone(),
                    message,
                },
            );
        }
    };
    if response.created == 0 {
        response.created = client_stream.created;
    }
    let out = if stream.is_some() {
        let mut encoder = formats::stream_encoder(client, client_stream);
        let mut out = Vec::new();
        for event in switchyard_protocol::ir::response_events(&response) {
            encoder.encode(&event, &mut out);
        }
        out
    } else {
        formats::encode_response(client, &response)
    };
    let answer = match stream {
        Some(framing) => framing.complete(out),
        None => json_response(StatusCode::OK, out),
    };
    finish(record, answer, Outcome::Ok, response.usage, None)
}

/// An upstream's error answer, read (its body up to 64 KiB).
pub struct UpstreamFailure {
    pub status: u16,
    pub retry_after: Option<HeaderValue>,
    pub body: Vec<u8>,
}

impl UpstreamFailure {
    pub async fn read(response: UpstreamResponse) -> Self {
        let status = response.status().as_u16();
        let status = if (400..600).contains(&status) {
            status
        } else {
            502
        };
        let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
        let body = response.into_body().bytes_up_to(MAX_ERROR_BODY).await;
        Self {
            status,
            retry_after,
            body,
        }
    }
}

/// Records the upstream's error and answers it in the client's format.
pub fn upstream_error(
    mut record: RequestRecord,
    answer: Answer,
    provider: &Provider,
    failure: UpstreamFailure,
) -> Response {
    let UpstreamFailure {
        status,
        retry_after,
        body,
    } = failure;
    let message = upstream_message(&body);
    record.set_status(status);
    let error = ProxyError::Upstream {
        provider: provider.id.clone(),
        status,
        message,
    };
    record.set_error_kind(error.kind());
    let response = match answer {
        // Same API on both sides: the upstream's own error body is already right.
        Answer::Passthrough(format) => passthrough_error(format, status, body, retry_after),
        Answer::Translate { client, .. } => {
            error_response_with_retry(client, &error.to_api_error(), retry_after)
        }
    };
    let message = Some(error.to_string());
    finish(record, response, Outcome::Error, Usage::default(), message)
}

fn passthrough_error(
    format: Format,
    status: u16,
    body: Vec<u8>,
    retry_after: Option<HeaderValue>,
) -> Response {
    if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() {
        let error = ApiError::new(status, upstream_message(&body));
        return error_response_with_retry(format, &error, retry_after);
    }
    let mut response = json_response(status_code(status), body);
    if let Some(value) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Forwards a small request and returns the upstream's answer as it is.
pub async fn relay_plain(
    state: &SharedState,
    request: UpstreamRequest<'_>,
) -> Result<Response, ProxyError> {
    let provider = request.provider;
    let response = state
        .upstreams
        .send(&request, provider.key.secret())
        .await?;
    let status = response.status();
    let body = read_body(provider, response, state.config.max_response_bytes).await?;
    Ok(json_response(status, body))
}

/// A whole non-streamed answer, at most `limit` bytes.
async fn read_body(
    provider: &Provider,
    response: UpstreamResponse,
    limit: usize,
) -> Result<Bytes, ProxyError> {
    response
        .into_body()
        .bytes(limit)
        .await
        .map_err(|err| match err {
            ReadError::TooLarge => ProxyError::ResponseTooLarge {
                provider: provider.id.clone(),
                limit,
            },
            ReadError::Failed(err) => ProxyError::Connect {
                provider: provider.id.clone(),
                message: format!("upstream body failed: {err}"),
            },
        })
}
