//! OpenAI Chat Completions (`POST /v1/chat/completions`), as served by OpenAI
//! and by most other vendors (DeepSeek, Kimi, GLM, Qwen, OpenRouter, Ollama…).

mod decode;
mod encode;
mod error;
mod stream_decode;
mod wire;

pub use decode::{decode_response, usage_from_response};
pub use encode::{ChatOptions, MaxTokensField, encode_request};
pub use error::{encode_error, error_type};
pub use stream_decode::StreamDecoder;
