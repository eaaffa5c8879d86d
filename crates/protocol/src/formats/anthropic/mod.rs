//! Anthropic Messages API (`POST /v1/messages`).

mod decode_request;
mod decode_response;
mod encode_request;
mod encode_response;
mod error;
mod foreign_thinking;
mod stream_decode;
mod stream_encode;
mod usage_tap;
mod wire;
mod wire_client;

pub use decode_request::decode_request;
pub use decode_response::decode_response;
pub use encode_request::encode_request;
pub use encode_response::encode_response;
pub use error::{encode_error, error_type, status_for_type};
pub use foreign_thinking::strip_unsigned_thinking;
pub use stream_decode::StreamDecoder;
pub use stream_encode::StreamEncoder;
pub use usage_tap::usage_from_response;

/// Anthropic tool ids carry this prefix; other formats' ids get it on the way
/// out and lose it on the way back, so ids round-trip unchanged.
pub(crate) const TOOL_ID_PREFIX: &str = "toolu_";
const MESSAGE_ID_PREFIX: &str = "msg_";
