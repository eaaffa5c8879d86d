//! Errors in Anthropic's shape: `{"type":"error","error":{"type","message"}}`.

use serde::Serialize;

use crate::error::ApiError;
use crate::sse::write_json;

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    message: &'a str,
}

/// Anthropic's error type for an HTTP status.
pub fn error_type(status: u16) -> &'static str {
    match status {
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 | 529 => "overloaded_error",
        504 => "timeout_error",
        500..=599 => "api_error",
        _ => "invalid_request_error",
    }
}

/// The JSON body of an error response (also the `data` of an SSE `error` event).
pub fn encode_error(error: &ApiError) -> Vec<u8> {
    let envelope = ErrorEnvelope {
        kind: "error",
        error: ErrorBody {
            kind: error_type(error.status),
            message: &error.message,
        },
    };
    let mut out = Vec::with_capacity(64 + error.message.len());
    write_json(&mut out, &envelope);
    out
}

/// The HTTP status an Anthropic error type stands for.
pub fn status_for_type(kind: &str) -> u16 {
    match kind {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "overloaded_error" => 529,
        "timeout_error" => 504,
        _ => 500,
    }
}
