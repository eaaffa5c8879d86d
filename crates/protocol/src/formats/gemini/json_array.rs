//! Gemini's other stream framing: `:streamGenerateContent` without `alt=sse`
//! answers one JSON array whose elements arrive as they are generated
//! (`[{…}\n,\r\n{…}\n]`, the shape Google's REST API sends). Everything
//! Switchyard produces or forwards is SSE; this re-frames it, so one encoder
//! (and a Gemini upstream, always asked for SSE) serves both forms.

use crate::sse::{SseFrame, SseParser};

/// Turns a stream of Gemini SSE bytes, split anywhere, into the JSON-array form.
#[derive(Debug, Default)]
pub struct SseToJsonArray {
    parser: SseParser,
    frames: Vec<SseFrame>,
    opened: bool,
    closed: bool,
}

impl SseToJsonArray {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds SSE bytes; the array elements completed so far are appended to `out`.
    pub fn feed(&mut self, sse: &[u8], out: &mut Vec<u8>) {
        self.parser.feed(sse, &mut self.frames);
        self.drain(out);
    }

    /// Ends the array (an empty stream is `[]`). Later calls write nothing.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.closed {
            return;
        }
        self.parser.finish(&mut self.frames);
        self.drain(out);
        if !self.opened {
            out.push(b'[');
        }
        out.extend_from_slice(b"\n]");
        self.closed = true;
    }

    fn drain(&mut self, out: &mut Vec<u8>) {
        for frame in self.frames.drain(..) {
            let data = frame.data.trim();
            // A cut upstream can leave half an event: skipping it keeps the
            // array parseable (the error element that follows says why).
            let is_json = serde_json::from_str::<serde::de::IgnoredAny>(data).is_ok();
            if !is_json || self.closed {
                continue;
            }
            out.extend_from_slice(if self.opened { b"\n,\r\n" } else { b"[" });
            self.opened = true;
            out.extend_from_slice(data.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reframe(pieces: &[&[u8]]) -> String {
        let mut framer = SseToJsonArray::new();
        let mut out = Vec::new();
        for piece in pieces {
            framer.feed(piece, &mut out);
        }
        framer.finish(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn events_become_array_elements_wherever_the_bytes_split() {
        let sse = b"data: {\"a\":1}\n\ndata: {\"b\":2}\r\n\r\ndata: {\"c\":3}\n\n";
        let whole = reframe(&[sse]);
        assert_eq!(whole, "[{\"a\":1}\n,\r\n{\"b\":2}\n,\r\n{\"c\":3}\n]");
        let parsed: serde_json::Value = serde_json::from_str(&whole).unwrap();
        assert_eq!(parsed.as_array().unwrap().len(), 3);
        for split in 1..sse.len() {
            assert_eq!(
                reframe(&[&sse[..split], &sse[split..]]),
                whole,
                "split at {split}"
            );
        }
    }

    #[test]
    fn an_empty_stream_is_an_empty_array_and_finish_is_idempotent() {
        let mut framer = SseToJsonArray::new();
        let mut out = Vec::new();
        framer.finish(&mut out);
        framer.finish(&mut out);
        framer.feed(b"data: {}\n\n", &mut out);
        assert_eq!(out, b"[\n]");
        assert!(serde_json::from_slice::<serde_json::Value>(&out).is_ok());
    }

    #[test]
    fn half_an_event_is_skipped() {
        let sse = b"data: {\"a\":1}\n\ndata: {\"cand\n\ndata: {\"error\":{}}\n\n";
        assert_eq!(reframe(&[sse]), "[{\"a\":1}\n,\r\n{\"error\":{}}\n]");
    }

    #[test]
    fn a_last_event_without_its_blank_line_still_counts() {
        assert_eq!(reframe(&[b"data: {\"a\":1}"]), "[{\"a\":1}\n]");
    }
}
