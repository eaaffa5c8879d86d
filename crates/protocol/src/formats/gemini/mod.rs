//! Google Gemini API (`POST /v1beta/models/{model}:generateContent` and
//! `:streamGenerateContent?alt=sse`): as spoken by Gemini CLI and
//! @google/genai, and by Gemini upstreams. The model lives in the URL, not
//! the body; function calls usually have no id (see `ids`).

mod decode_request;
mod decode_response;
mod encode_request;
mod encode_response;
mod error;
mod ids;
mod json_array;
mod schema;
mod stream_decode;
mod stream_encode;
mod usage_tap;
mod wire;

pub use decode_request::decode_request;
pub use decode_response::decode_response;
pub use encode_request::encode_request;
pub use encode_response::encode_response;
pub use error::{encode_error, status_name};
pub use json_array::SseToJsonArray;
pub use stream_decode::StreamDecoder;
pub use stream_encode::StreamEncoder;
pub use usage_tap::usage_from_response;
