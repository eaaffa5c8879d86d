//! Errors in Gemini's shape: `{"error":{"code","message","status"}}`. The
//! same object is a stream's last `data:` chunk when it fails mid-way.

use serde::Serialize;

use crate::error::ApiError;
use crate::sse::write_json;

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: u16,
    message: &'a str,
    status: &'static str,
}

/// Google's canonical status name for an HTTP status.
pub fn status_name(status: u16) -> &'static str {
    match status {
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        500..=599 => "INTERNAL",
        _ => "INVALID_ARGUMENT",
    }
}

/// The JSON body of an error response.
pub fn encode_error(error: &ApiError) -> Vec<u8> {
    let envelope = Envelope {
        error: Body {
            code: error.status,
            message: &error.message,
            status: status_name(error.status),
        },
    };
    let mut out = Vec::with_capacity(80 + error.message.len());
    write_json(&mut out, &envelope);
    out
}
