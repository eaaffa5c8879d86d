//! Responses in the client's own API format.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use switchyard_protocol::Format;
use switchyard_protocol::error::ApiError;
use switchyard_protocol::formats;

/// A JSON error body in `format`'s shape, with the right status.
pub fn error_response(format: Format, error: &ApiError) -> Response {
    let body = formats::encode_error(format, error);
    json_response(status_code(error.status), body)
}

/// The same error as `error_response`, plus the upstream's `retry-after`.
pub fn error_response_with_retry(
    format: Format,
    error: &ApiError,
    retry_after: Option<HeaderValue>,
) -> Response {
    let mut response = error_response(format, error);
    if let Some(value) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

pub fn json_response(status: StatusCode, body: impl Into<Body>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.into(),
    )
        .into_response()
}

pub fn sse_response(body: Body) -> Response {
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

pub fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY)
}

/// The client's API, from the path it called (for errors raised before a handler).
pub fn format_for_path(path: &str) -> Format {
    if path.starts_with("/v1/chat/") {
        Format::OpenaiChat
    } else if path.starts_with("/v1/responses") {
        Format::OpenaiResponses
    } else if path.starts_with("/v1beta/") {
        Format::Gemini
    } else {
        Format::Anthropic
    }
}
