//! Canonical IR for LLM chat APIs and one module per wire format.
//!
//! Pure and synchronous: no IO, no async runtime. Every format has a decoder
//! into the IR and an encoder out of it, so N formats need 2N converters.

pub mod error;
pub mod estimate;
pub mod format;
pub mod formats;
pub mod ir;
pub mod json;
pub mod sse;
pub mod traits;
mod transcode;

pub use format::Format;
pub use transcode::{StreamDecode, StreamEncode, StreamWatch, Transcoder};
