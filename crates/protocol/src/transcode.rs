//! Connects a format's stream decoder to another's encoder, synchronously:
//! bytes in, bytes out, with usage and the stop reason tapped on the way.
//! The async server only moves bytes through it.

use crate::formats::{anthropic, openai_chat};
use crate::ir::{StopReason, StreamEvent, Usage};
use crate::sse::{SseFrame, SseParser};

/// Turns an upstream's SSE frames into IR events.
pub trait StreamDecode {
    fn feed(&mut self, frame: &SseFrame, out: &mut Vec<StreamEvent>);
    fn finish(&mut self, out: &mut Vec<StreamEvent>);
}

/// Turns IR events into the client's SSE bytes.
pub trait StreamEncode {
    fn encode(&mut self, event: &StreamEvent, out: &mut Vec<u8>);
}

impl StreamDecode for openai_chat::StreamDecoder {
    fn feed(&mut self, frame: &SseFrame, out: &mut Vec<StreamEvent>) {
        openai_chat::StreamDecoder::feed(self, frame, out);
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        openai_chat::StreamDecoder::finish(self, out);
    }
}

impl StreamEncode for anthropic::StreamEncoder {
    fn encode(&mut self, event: &StreamEvent, out: &mut Vec<u8>) {
        anthropic::StreamEncoder::encode(self, event, out);
    }
}

/// An upstream SSE byte stream → a client SSE byte stream.
#[derive(Debug)]
pub struct Transcoder<D, E> {
    parser: SseParser,
    frames: Vec<SseFrame>,
    events: Vec<StreamEvent>,
    decoder: D,
    encoder: E,
    usage: Usage,
    stop_reason: Option<StopReason>,
    error: Option<String>,
}

impl<D: StreamDecode, E: StreamEncode> Transcoder<D, E> {
    pub fn new(decoder: D, encoder: E) -> Self {
        Self {
            parser: SseParser::new(),
            frames: Vec::new(),
            events: Vec::new(),
            decoder,
            encoder,
            usage: Usage::default(),
            stop_reason: None,
            error: None,
        }
    }

    /// Feeds upstream bytes (split anywhere); returns the bytes for the client.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.parser.feed(bytes, &mut self.frames);
        for frame in &self.frames {
            self.decoder.feed(frame, &mut self.events);
        }
        self.frames.clear();
        self.drain()
    }

    /// The upstream body ended cleanly.
    pub fn finish(&mut self) -> Vec<u8> {
        self.parser.finish(&mut self.frames);
        for frame in &self.frames {
            self.decoder.feed(frame, &mut self.events);
        }
        self.frames.clear();
        self.decoder.finish(&mut self.events);
        self.drain()
    }

    /// The upstream failed mid-stream: tells the client in its own format.
    pub fn fail(&mut self, status: u16, message: String) -> Vec<u8> {
        self.events.push(StreamEvent::Error { status, message });
        self.drain()
    }

    pub fn usage(&self) -> Usage {
        self.usage
    }

    pub fn stop_reason(&self) -> Option<&StopReason> {
        self.stop_reason.as_ref()
    }

    /// The error message, if the stream ended in one.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn drain(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        for event in self.events.drain(..) {
            match &event {
                StreamEvent::MessageStart { usage, .. } => self.usage.merge(usage),
                StreamEvent::MessageDelta { stop_reason, usage } => {
                    self.usage.merge(usage);
                    self.stop_reason.clone_from(stop_reason);
                }
                StreamEvent::Error { message, .. } => self.error = Some(message.clone()),
                _ => {}
            }
            self.encoder.encode(&event, &mut out);
        }
        out
    }
}
