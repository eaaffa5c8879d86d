//! Splitting an upstream stream at arbitrary byte offsets never changes what
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]
//! the client receives, and decoders never panic on arbitrary bytes.

mod support;

use proptest::prelude::*;
use support::{chat_to_anthropic, fixture, split_at, validate_anthropic_stream};
use switchyard_protocol::formats::anthropic;

const STREAMS: [&str; 7] = [
    "text",
    "reasoning_then_text",
    "tool_call_split",
    "parallel_interleaved",
    "no_finish_chunk",
    "name_after_args",
    "error_mid_stream",
];

/// CRLF line ends must parse the same as LF, however they are split.
fn with_crlf(bytes: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(bytes)
        .replace('\n', "\r\n")
        .into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rechunking_keeps_the_client_stream(
        which in 0..STREAMS.len(),
        cuts in prop::collection::vec(any::<usize>(), 0..40),
        crlf in any::<bool>(),
    ) {
        let raw = fixture(&format!("openai_chat/{}.stream.sse", STREAMS[which]));
        let bytes = if crlf { with_crlf(&raw) } else { raw.clone() };
        let whole = chat_to_anthropic(&[&raw]);
        let pieces = chat_to_anthropic(&split_at(&bytes, cuts));
        prop_assert_eq!(&whole, &pieces);
        validate_anthropic_stream(&pieces);
    }

    #[test]
    fn chat_stream_decoder_survives_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let out = chat_to_anthropic(&[&bytes]);
        validate_anthropic_stream(&out);
    }

    #[test]
    fn anthropic_request_decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = anthropic::decode_request(&bytes);
    }

    #[test]
    fn anthropic_request_decoder_survives_mutated_fixtures(
        cut in any::<usize>(),
        byte in any::<u8>(),
    ) {
        let mut body = fixture("anthropic/kitchen_sink.req.json");
        let at = cut % body.len();
        body[at] = byte;
        let _ = anthropic::decode_request(&body);
    }
}
