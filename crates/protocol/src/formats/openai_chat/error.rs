//! Errors in OpenAI's shape: `{"error":{"message","type","param","code"}}`.

use serde::Serialize;

use crate::error::ApiError;
use crate::sse::write_json;

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    message: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    param: Option<&'a str>,
    code: Option<&'static str>,
}

/// OpenAI's error `type` and `code` for an HTTP status.
pub fn error_type(status: u16) -> (&'static str, Option<&'static str>) {
    match status {
        401 => ("authentication_error", Some("invalid_api_key")),
        403 => ("permission_error", None),
        404 => ("invalid_request_error", Some("model_not_found")),
        429 => ("rate_limit_error", Some("rate_limit_exceeded")),
        // OpenAI has no type for these; the codes keep them apart (and
        // map back to the same statuses when read from a stream).
        503 => ("server_error", Some("service_unavailable")),
        529 => ("server_error", Some("overloaded")),
        500..=599 => ("server_error", None),
        _ => ("invalid_request_error", None),
    }
}

/// The JSON body of an error response.
pub fn encode_error(error: &ApiError) -> Vec<u8> {
    let (kind, code) = error_type(error.status);
    let envelope = Envelope {
        error: Body {
            message: &error.message,
            kind,
            param: None,
            code,
        },
    };
    let mut out = Vec::with_capacity(96 + error.message.len());
    write_json(&mut out, &envelope);
    out
}
