//! One module per wire format, each with the same entry points, and the hub
//! that picks a format's decoder or encoder at run time. Any client format
//! reaches any upstream format through the IR: 2N converters, none pairwise.

pub mod anthropic;
pub mod gemini;
pub mod openai_chat;
pub mod openai_responses;

mod lenient;
mod structured;
mod text_or;

pub(crate) use lenient::LenientText;
pub(crate) use text_or::TextOr;

use crate::error::{ApiError, DecodeError};
use crate::ir::{Request, Response};
use crate::{Format, StreamDecode, StreamEncode};

/// Per-upstream choices a request body depends on.
#[derive(Debug, Clone, Copy, Default)]
pub struct EncodeOptions {
    /// OpenAI Chat: which field carries the output limit.
    pub max_tokens_field: openai_chat::MaxTokensField,
    /// Lowers the client's `max_tokens` to what the upstream model allows.
    pub max_tokens_cap: Option<u32>,
    /// OpenAI Chat: forward reasoning effort (non-reasoning models reject it).
    pub reasoning_effort: bool,
}

impl EncodeOptions {
    /// The client's limit, lowered to the cap; the cap when the client set none.
    pub fn cap_max_tokens(&self, asked: Option<u32>) -> Option<u32> {
        match (asked, self.max_tokens_cap) {
            (Some(asked), Some(cap)) => Some(asked.min(cap)),
            (asked, cap) => asked.or(cap),
        }
    }
}

/// Client-side details a stream encoder needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientStream {
    /// Unix seconds of the answer.
    pub created: u64,
    /// OpenAI Chat: the client asked for `stream_options.include_usage`.
    pub include_usage: bool,
}

pub fn decode_request(format: Format, body: &[u8]) -> Result<Request, DecodeError> {
    match format {
        Format::Anthropic => anthropic::decode_request(body),
        Format::OpenaiChat => openai_chat::decode_request(body),
        Format::OpenaiResponses => openai_responses::decode_request(body),
        Format::Gemini => gemini::decode_request(body),
    }
}

pub fn encode_request(format: Format, request: &Request, options: &EncodeOptions) -> Vec<u8> {
    match format {
        Format::Anthropic => anthropic::encode_request(request, options),
        Format::OpenaiChat => openai_chat::encode_request(request, options),
        Format::OpenaiResponses => openai_responses::encode_request(request, options),
        Format::Gemini => gemini::encode_request(request, options),
    }
}

pub fn decode_response(format: Format, body: &[u8]) -> Result<Response, DecodeError> {
    match format {
        Format::Anthropic => anthropic::decode_response(body),
        Format::OpenaiChat => openai_chat::decode_response(body),
        Format::OpenaiResponses => openai_responses::decode_response(body),
        Format::Gemini => gemini::decode_response(body),
    }
}

pub fn encode_response(format: Format, response: &Response) -> Vec<u8> {
    match format {
        Format::Anthropic => anthropic::encode_response(response),
        Format::OpenaiChat => openai_chat::encode_response(response),
        Format::OpenaiResponses => openai_responses::encode_response(response),
        Format::Gemini => gemini::encode_response(response),
    }
}

pub fn stream_decoder(format: Format) -> Box<dyn StreamDecode + Send> {
    match format {
        Format::Anthropic => Box::new(anthropic::StreamDecoder::new()),
        Format::OpenaiChat => Box::new(openai_chat::StreamDecoder::new()),
        Format::OpenaiResponses => Box::new(openai_responses::StreamDecoder::new()),
        Format::Gemini => Box::new(gemini::StreamDecoder::new()),
    }
}

pub fn stream_encoder(format: Format, client: ClientStream) -> Box<dyn StreamEncode + Send> {
    match format {
        Format::Anthropic => Box::new(anthropic::StreamEncoder::new()),
        Format::OpenaiChat => Box::new(openai_chat::StreamEncoder::new(
            client.created,
            client.include_usage,
        )),
        Format::OpenaiResponses => Box::new(openai_responses::StreamEncoder::new(client.created)),
        Format::Gemini => Box::new(gemini::StreamEncoder::new()),
    }
}

/// Usage of a complete answer, read without decoding the rest.
pub fn usage_from_response(format: Format, body: &[u8]) -> crate::ir::Usage {
    match format {
        Format::Anthropic => anthropic::usage_from_response(body),
        Format::OpenaiChat => openai_chat::usage_from_response(body),
        Format::OpenaiResponses => openai_responses::usage_from_response(body),
        Format::Gemini => gemini::usage_from_response(body),
    }
}

/// A JSON error body in `format`'s shape.
pub fn encode_error(format: Format, error: &ApiError) -> Vec<u8> {
    match format {
        Format::Anthropic => anthropic::encode_error(error),
        Format::OpenaiChat | Format::OpenaiResponses => openai_chat::encode_error(error),
        Format::Gemini => gemini::encode_error(error),
    }
}

/// The SSE frame that reports a failure mid-stream in `format`, after
/// `events_sent` events (Responses events carry their number).
pub fn stream_error_frame(format: Format, error: &ApiError, events_sent: u64) -> Vec<u8> {
    if format == Format::OpenaiResponses {
        return openai_responses::stream_error_frame(error, events_sent);
    }
    let body = encode_error(format, error);
    let mut out = Vec::with_capacity(body.len() + 24);
    if format == Format::Anthropic {
        out.extend_from_slice(b"event: error\n");
    }
    out.extend_from_slice(b"data: ");
    out.extend_from_slice(&body);
    out.extend_from_slice(b"\n\n");
    out
}
