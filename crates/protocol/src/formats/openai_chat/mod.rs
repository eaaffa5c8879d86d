//! OpenAI Chat Completions (`POST /v1/chat/completions`), as served by OpenAI
//! and by most other vendors (DeepSeek, Kimi, GLM, Qwen, OpenRouter, Ollama…),
//! and as spoken by OpenAI SDK clients.

mod client_wire;
mod decode;
mod decode_request;
mod encode;
mod encode_response;
mod error;
mod stream_decode;
mod wire;

pub use decode::{decode_response, usage_from_response};
pub use decode_request::decode_request;
pub use encode::{MaxTokensField, encode_request};
pub use encode_response::{StreamEncoder, encode_response};
pub use error::{encode_error, error_type};
pub use stream_decode::StreamDecoder;
