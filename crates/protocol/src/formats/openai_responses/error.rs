//! Errors for Responses clients. JSON error bodies have OpenAI's usual shape
//! (`openai_chat::encode_error`); a failure mid-stream is a `response.failed`
//! event whose response carries `error: {code, message}`.

use serde::Serialize;

use super::RESPONSE_ID_PREFIX;
use super::wire_client::{ErrorOut, ResponseOut};
use crate::error::ApiError;
use crate::sse::write_event;

/// Responses clients read errors in OpenAI's usual JSON shape.
pub use crate::formats::openai_chat::encode_error;

/// The `error.code` of a failed response. Codex retries `server_error` and
/// waits out `rate_limit_exceeded`.
pub(super) fn failure_code(status: u16) -> &'static str {
    match status {
        429 => "rate_limit_exceeded",
        400 | 413 | 422 => "invalid_prompt",
        _ => "server_error",
    }
}

#[derive(Serialize)]
struct FailedFrame<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    response: ResponseOut<'a>,
    sequence_number: u64,
}

/// A `response.failed` event appended to a stream we did not write (a
/// passthrough cut short), as its event number `sequence_number`.
pub fn stream_error_frame(error: &ApiError, sequence_number: u64) -> Vec<u8> {
    let mut response = ResponseOut::new(RESPONSE_ID_PREFIX, 0, "", "failed");
    response.error = Some(ErrorOut {
        code: failure_code(error.status),
        message: &error.message,
    });
    let frame = FailedFrame {
        kind: "response.failed",
        response,
        sequence_number,
    };
    let mut out = Vec::with_capacity(512 + error.message.len());
    write_event(&mut out, frame.kind, &frame);
    out
}
