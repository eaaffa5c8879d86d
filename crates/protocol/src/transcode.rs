//! Connects a format's stream decoder to another's encoder, synchronously:
//! bytes in, bytes out, with usage and the stop reason tapped on the way.
//! The async server only moves bytes through it.

use crate::formats::{anthropic, gemini, openai_chat, openai_responses};
use crate::ir::{Delta, StopReason, StreamEvent, Usage};
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

macro_rules! impl_stream_decode {
    ($($decoder:ty),*) => {$(
        impl StreamDecode for $decoder {
            fn feed(&mut self, frame: &SseFrame, out: &mut Vec<StreamEvent>) {
                <$decoder>::feed(self, frame, out);
            }

            fn finish(&mut self, out: &mut Vec<StreamEvent>) {
                <$decoder>::finish(self, out);
            }
        }
    )*};
}

macro_rules! impl_stream_encode {
    ($($encoder:ty),*) => {$(
        impl StreamEncode for $encoder {
            fn encode(&mut self, event: &StreamEvent, out: &mut Vec<u8>) {
                <$encoder>::encode(self, event, out);
            }
        }
    )*};
}

impl_stream_decode!(
    openai_chat::StreamDecoder,
    anthropic::StreamDecoder,
    openai_responses::StreamDecoder,
    gemini::StreamDecoder
);
impl_stream_encode!(
    openai_chat::StreamEncoder,
    anthropic::StreamEncoder,
    openai_responses::StreamEncoder,
    gemini::StreamEncoder
);

impl<T: StreamDecode + ?Sized> StreamDecode for Box<T> {
    fn feed(&mut self, frame: &SseFrame, out: &mut Vec<StreamEvent>) {
        (**self).feed(frame, out);
    }

    fn finish(&mut self, out: &mut Vec<StreamEvent>) {
        (**self).finish(out);
    }
}

impl<T: StreamEncode + ?Sized> StreamEncode for Box<T> {
    fn encode(&mut self, event: &StreamEvent, out: &mut Vec<u8>) {
        (**self).encode(event, out);
    }
}

/// Watches a stream passed through untouched: decodes it only to learn its
/// usage and whether it ended properly.
pub struct StreamWatch {
    parser: SseParser,
    frames: Vec<SseFrame>,
    events: Vec<StreamEvent>,
    decoder: Box<dyn StreamDecode + Send>,
    usage: Usage,
    completed: bool,
    error: Option<String>,
    frames_seen: u64,
    delta_bytes: u64,
}

impl StreamWatch {
    pub fn new(decoder: Box<dyn StreamDecode + Send>) -> Self {
        Self {
            parser: SseParser::new(),
            frames: Vec::new(),
            events: Vec::new(),
            decoder,
            usage: Usage::default(),
            completed: false,
            error: None,
            frames_seen: 0,
            delta_bytes: 0,
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.parser.feed(bytes, &mut self.frames);
        self.drain();
    }

    pub fn finish(&mut self) {
        self.parser.finish(&mut self.frames);
        self.drain();
        if !self.completed && self.error.is_none() {
            // The decoder decides whether the end was proper; an error it
            // raises here is ours to report, not one the client already saw.
            self.decoder.finish(&mut self.events);
            self.tally(false);
        }
    }

    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// The stream reached its proper end (`message_stop`, `[DONE]`, …).
    pub fn completed(&self) -> bool {
        self.completed
    }

    /// The error the upstream reported inside the stream, if any.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Complete SSE events passed so far: the `sequence_number` an event
    /// appended to an OpenAI Responses stream takes (they count from 0).
    pub fn frames_seen(&self) -> u64 {
        self.frames_seen
    }

    /// Bytes of generated text, reasoning and tool arguments so far.
    pub fn delta_bytes(&self) -> u64 {
        self.delta_bytes
    }

    fn drain(&mut self) {
        for frame in &self.frames {
            self.decoder.feed(frame, &mut self.events);
            self.frames_seen += 1;
        }
        self.frames.clear();
        self.tally(true);
    }

    fn tally(&mut self, from_upstream: bool) {
        for event in self.events.drain(..) {
            match event {
                StreamEvent::MessageStart { usage, .. }
                | StreamEvent::MessageDelta { usage, .. } => self.usage.merge(&usage),
                StreamEvent::MessageStop => self.completed = true,
                StreamEvent::Error { message, .. } if from_upstream => self.error = Some(message),
                StreamEvent::BlockDelta { delta, .. } => self.delta_bytes += delta_len(&delta),
                _ => {}
            }
        }
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
    completed: bool,
    delta_bytes: u64,
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
            completed: false,
            delta_bytes: 0,
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

    /// The client has been sent the whole answer (its end marker included).
    pub fn completed(&self) -> bool {
        self.completed
    }

    /// The error message, if the stream ended in one.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Bytes of generated text, reasoning and tool arguments so far.
    pub fn delta_bytes(&self) -> u64 {
        self.delta_bytes
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
                StreamEvent::MessageStop => self.completed = true,
                StreamEvent::BlockDelta { delta, .. } => self.delta_bytes += delta_len(delta),
                _ => {}
            }
            self.encoder.encode(&event, &mut out);
        }
        out
    }
}

/// What a delta adds to the answer (signatures are not generated text).
fn delta_len(delta: &Delta) -> u64 {
    let text = match delta {
        Delta::Text(text) | Delta::Reasoning(text) | Delta::ToolArguments(text) => text,
        Delta::ReasoningSignature(_) => return 0,
    };
    text.len() as u64
}
