//! OpenAI Chat Completions (`POST /v1/chat/completions`), as served by OpenAI
//! and by most other vendors (DeepSeek, Kimi, GLM, Qwen, OpenRouter, Ollama…),
//! and as spoken by OpenAI SDK clients.

mod decode_request;
mod decode_response;
mod encode_request;
mod encode_response;
mod error;
mod stream_decode;
mod wire;
mod wire_client;

pub use decode_request::decode_request;
pub use decode_response::{decode_response, usage_from_response};
pub use encode_request::{MaxTokensField, encode_request};
pub use encode_response::{StreamEncoder, encode_response};
pub use error::{encode_error, error_type};
pub use stream_decode::StreamDecoder;
