//! The gateway's translation path, step by step through the crate's public
//! API, as `crates/engine/src/server/proxy.rs` (request) and `relay.rs` /
//! `stream.rs` (answers, errors, streams) drive it.

use switchyard_protocol::error::{ApiError, upstream_message};
use switchyard_protocol::formats::{
    ClientStream, EncodeOptions, decode_request, decode_response, encode_error, encode_request,
    encode_response, stream_decoder, stream_encoder,
};
use switchyard_protocol::ir::{Request, Response, StreamEvent, response_events};
use switchyard_protocol::{Format, Transcoder};

use crate::cases::{CREATED, UPSTREAM_MODEL};

#[derive(Debug, Clone, Copy)]
pub struct Pair {
    pub client: Format,
    pub upstream: Format,
}

/// How a client sends a request: reasoning settings included, as every
/// client format can say them.
fn client_options() -> EncodeOptions {
    EncodeOptions {
        reasoning_effort: true,
        ..EncodeOptions::default()
    }
}

/// The route's provider: one that accepts `reasoning_effort`
/// (`reasoning_effort = true` in the config), no `max_tokens` cap.
fn upstream_options() -> EncodeOptions {
    EncodeOptions {
        reasoning_effort: true,
        ..EncodeOptions::default()
    }
}

/// The case's request as a client of `format` sends it.
pub fn client_request(format: Format, request: &Request) -> Vec<u8> {
    encode_request(format, request, &client_options())
}

/// The client's request as the gateway reads it: decoded, the route's model
/// set and, for Gemini clients, the stream choice taken from the URL.
pub fn decoded_request(pair: Pair, request: &Request) -> Request {
    let body = client_request(pair.client, request);
    let mut decoded = decode_request(pair.client, &body).unwrap_or_else(|err| {
        panic!(
            "{} cannot read its own request: {err}\n{}",
            pair.client,
            String::from_utf8_lossy(&body)
        )
    });
    UPSTREAM_MODEL.clone_into(&mut decoded.model);
    if pair.client == Format::Gemini {
        decoded.stream = request.stream;
    }
    decoded
}

/// The body the upstream receives.
pub fn upstream_request(pair: Pair, decoded: &Request) -> Vec<u8> {
    encode_request(pair.upstream, decoded, &upstream_options())
}

/// The upstream's complete answer in its own format.
pub fn upstream_json(format: Format, answer: &Response) -> Vec<u8> {
    encode_response(format, answer)
}

/// The upstream's answer streamed in its own format, every text, reasoning
/// and argument delta split in two so the client side must join them.
pub fn upstream_sse(format: Format, answer: &Response) -> Vec<u8> {
    encode_events(format, &split_deltas(response_events(answer)))
}

/// IR events written in `format`'s SSE, as an upstream of that format sends them.
pub fn encode_events(format: Format, events: &[StreamEvent]) -> Vec<u8> {
    let client = ClientStream {
        created: CREATED,
        include_usage: true,
    };
    let mut encoder = stream_encoder(format, client);
    let mut out = Vec::new();
    for event in events {
        encoder.encode(event, &mut out);
    }
    out
}

fn split_deltas(events: Vec<StreamEvent>) -> Vec<StreamEvent> {
    use switchyard_protocol::ir::Delta;
    let mut out = Vec::with_capacity(events.len() * 2);
    for event in events {
        let StreamEvent::BlockDelta { index, delta } = &event else {
            out.push(event);
            continue;
        };
        let (text, rebuild): (&str, fn(String) -> Delta) = match delta {
            Delta::Text(text) => (text, Delta::Text),
            Delta::Reasoning(text) => (text, Delta::Reasoning),
            Delta::ToolArguments(text) => (text, Delta::ToolArguments),
            Delta::ReasoningSignature(_) => {
                out.push(event);
                continue;
            }
        };
        let mut cut = text.len() / 2;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        for piece in [&text[..cut], &text[cut..]] {
            out.push(StreamEvent::BlockDelta {
                index: *index,
                delta: rebuild(piece.to_owned()),
            });
        }
    }
    out
}

/// A complete upstream answer → the client's JSON answer (`relay::complete_answer`).
pub fn client_answer(pair: Pair, upstream_body: &[u8]) -> Vec<u8> {
    let mut response = decode_response(pair.upstream, upstream_body).unwrap_or_else(|err| {
        panic!(
            "{} cannot read its own answer: {err}\n{}",
            pair.upstream,
            String::from_utf8_lossy(upstream_body)
        )
    });
    if response.created == 0 {
        response.created = CREATED;
    }
    encode_response(pair.client, &response)
}

/// How the upstream body ended (`stream::tapped_body`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The body ended: `Transcoder::finish`.
    Closed,
    /// The body failed mid-way: `Transcoder::fail(502, …)`, as `BodyTap::fail` does.
    Reset,
}

/// Upstream SSE bytes, fed in chunks of `chunk` bytes → the client's SSE bytes.
pub fn client_stream(
    pair: Pair,
    include_usage: bool,
    upstream: &[u8],
    chunk: usize,
    ending: Ending,
) -> Vec<u8> {
    let client = ClientStream {
        created: CREATED,
        include_usage,
    };
    let decoder = stream_decoder(pair.upstream);
    let encoder = stream_encoder(pair.client, client);
    let mut transcoder = Transcoder::new(decoder, encoder);
    let mut out = Vec::new();
    for piece in upstream.chunks(chunk.max(1)) {
        out.extend(transcoder.feed(piece));
    }
    match ending {
        Ending::Closed => out.extend(transcoder.finish()),
        Ending::Reset => out.extend(transcoder.fail(
            502,
            "upstream stream failed: connection reset by peer".into(),
        )),
    }
    assert_eq!(
        transcoder.completed(),
        transcoder.error().is_none(),
        "{pair:?}: a stream either completes or fails\n{}",
        String::from_utf8_lossy(&out)
    );
    out
}

/// An upstream error answer (status, body in the upstream's shape) → the
/// client's error body, as `relay::upstream_error` builds it: the upstream's
/// message, unprefixed, with the upstream's status.
pub fn client_error(pair: Pair, status: u16, upstream_body: &[u8]) -> Vec<u8> {
    let error = ApiError::new(status, upstream_message(upstream_body));
    encode_error(pair.client, &error)
}

/// An error body as an upstream of `format` writes it.
pub fn upstream_error(format: Format, status: u16, message: &str) -> Vec<u8> {
    encode_error(format, &ApiError::new(status, message))
}
