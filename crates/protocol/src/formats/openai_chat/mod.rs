//! OpenAI Chat Completions (`POST /v1/chat/completions`), as served by OpenAI
//! and by most other vendors (DeepSeek, Kimi, GLM, Qwen, OpenRouter, Ollama…),
//! and as spoken by OpenAI SDK clients.

mod decode_request;
mod decode_response;
mod encode_request;
mod encode_response;
mod error;
mod stream_decode;
mod stream_encode;
mod usage_tap;
mod wire;
mod wire_client;

pub use decode_request::decode_request;
pub use decode_response::decode_response;
pub use encode_request::{MaxTokensField, encode_request};
pub use encode_response::encode_response;
pub use error::{encode_error, error_type};
pub use stream_decode::StreamDecoder;
pub use stream_encode::StreamEncoder;
pub use usage_tap::usage_from_response;
