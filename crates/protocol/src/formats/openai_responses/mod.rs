//! OpenAI Responses API (`POST /v1/responses`): as spoken by clients (Codex
//! CLI, the OpenAI SDKs' `responses.create`) and by upstreams that serve some
//! models only there. Stateless both ways: the whole conversation travels as
//! `input` items each time.

mod decode_request;
mod decode_response;
mod encode_request;
mod encode_response;
mod error;
mod names;
mod stream_decode;
mod stream_encode;
mod usage_tap;
mod wire;
mod wire_client;

pub use decode_request::decode_request;
pub use decode_response::decode_response;
pub use encode_request::encode_request;
pub use encode_response::encode_response;
pub use error::{encode_error, stream_error_frame};
pub use stream_decode::StreamDecoder;
pub use stream_encode::StreamEncoder;
pub use usage_tap::usage_from_response;

const RESPONSE_ID_PREFIX: &str = "resp_";
