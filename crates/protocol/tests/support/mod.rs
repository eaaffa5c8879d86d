//! Test helpers: fixture loading, running a stream through the transcoder,
//! and a strict validator of Anthropic event sequences.

#![allow(
    dead_code,
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic
)]

use std::path::PathBuf;

use switchyard_protocol::Transcoder;
use switchyard_protocol::formats::{anthropic, openai_chat};
use switchyard_protocol::sse::{SseFrame, SseParser};

pub fn fixture(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|err| panic!("{}: {err}", full.display()))
}

/// OpenAI SSE bytes, fed in the given chunks → Anthropic SSE bytes.
pub fn chat_to_anthropic(chunks: &[&[u8]]) -> String {
    let mut transcoder = Transcoder::new(
        openai_chat::StreamDecoder::new(),
        anthropic::StreamEncoder::new(),
    );
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(transcoder.feed(chunk));
    }
    out.extend(transcoder.finish());
    String::from_utf8(out).unwrap()
}

pub fn frames(sse: &str) -> Vec<SseFrame> {
    let mut parser = SseParser::new();
    let mut out = Vec::new();
    parser.feed(sse.as_bytes(), &mut out);
    parser.finish(&mut out);
    out
}

/// Checks the stream with the strict validator; panics with the reason.
pub fn validate_anthropic_stream(sse: &str) -> switchyard_test_support::anthropic::StreamSummary {
    switchyard_test_support::anthropic::validate_stream(sse)
        .unwrap_or_else(|err| panic!("{err}\n{sse}"))
}

/// `bytes` cut at the given offsets (taken modulo its length), in order.
pub fn split_at(bytes: &[u8], mut cuts: Vec<usize>) -> Vec<&[u8]> {
    cuts.iter_mut().for_each(|cut| *cut %= bytes.len() + 1);
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(&bytes[start..cut]);
        start = cut;
    }
    chunks.push(&bytes[start..]);
    chunks
}
