//! Server-sent events: an incremental parser that accepts bytes split at any
//! offset, and a writer.

use serde::Serialize;

/// One SSE event. `event` is empty when the stream names none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseFrame {
    pub event: String,
    pub data: String,
}

/// Incremental SSE parser (WHATWG rules: `\n`, `\r\n` or `\r` line ends,
/// `:` comments, multi-line `data`).
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    pending: SseFrame,
    has_data: bool,
    /// The previous chunk ended in `\r`: a `\n` opening the next one belongs to it.
    after_cr: bool,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; completed frames are appended to `out`.
    pub fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<SseFrame>) {
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = bytes.strip_prefix(b"\n") {
                bytes = rest;
            }
        }
        while let Some(end) = memchr::memchr2(b'\n', b'\r', bytes) {
            if self.line.is_empty() {
                // The whole line is in this chunk: no copy.
                self.process_line(&bytes[..end], out);
            } else {
                self.line.extend_from_slice(&bytes[..end]);
                let line = std::mem::take(&mut self.line);
                self.process_line(&line, out);
                self.line = line;
                self.line.clear();
            }
            let is_cr = bytes[end] == b'\r';
            bytes = &bytes[end + 1..];
            if is_cr {
                match bytes.first() {
                    Some(b'\n') => bytes = &bytes[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
        }
        self.line.extend_from_slice(bytes);
    }

    /// Ends the stream: a last frame without its blank line still counts.
    pub fn finish(&mut self, out: &mut Vec<SseFrame>) {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.process_line(&line, out);
        }
        self.dispatch(out);
    }

    fn process_line(&mut self, line: &[u8], out: &mut Vec<SseFrame>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            return;
        }
        let (field, value) = match memchr::memchr(b':', line) {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        // Valid UTF-8 is the rule: check it the fast way, repair only if not.
        let value = match std::str::from_utf8(value) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(value),
        };
        match field {
            b"event" => value.as_ref().clone_into(&mut self.pending.event),
            b"data" => {
                if self.has_data {
                    self.pending.data.push('\n');
                }
                self.pending.data.push_str(&value);
                self.has_data = true;
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseFrame>) {
        if self.has_data {
            out.push(std::mem::take(&mut self.pending));
        } else {
            self.pending.event.clear();
        }
        self.has_data = false;
    }
}

/// Appends `event: NAME\ndata: JSON\n\n`.
pub fn write_event(out: &mut Vec<u8>, event: &str, data: &impl Serialize) {
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(event.as_bytes());
    out.extend_from_slice(b"\ndata: ");
    write_json(out, data);
    out.extend_from_slice(b"\n\n");
}

/// Appends `data: JSON\n\n`.
pub fn write_data(out: &mut Vec<u8>, data: &impl Serialize) {
    out.extend_from_slice(b"data: ");
    write_json(out, data);
    out.extend_from_slice(b"\n\n");
}

pub use crate::json::write_json;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(chunks: &[&[u8]]) -> Vec<SseFrame> {
        let mut parser = SseParser::new();
        let mut out = Vec::new();
        for chunk in chunks {
            parser.feed(chunk, &mut out);
        }
        parser.finish(&mut out);
        out
    }

    fn frame(event: &str, data: &str) -> SseFrame {
        SseFrame {
            event: event.into(),
            data: data.into(),
        }
    }

    #[test]
    fn parses_events_data_comments_and_multiline() {
        let frames = parse_all(&[b": ping\n\nevent: a\ndata: 1\ndata:2\n\ndata: x\n\n"]);
        assert_eq!(frames, vec![frame("a", "1\n2"), frame("", "x")]);
    }

    #[test]
    fn crlf_split_across_chunks_is_one_line_end() {
        let frames = parse_all(&[b"data: 1\r", b"\n\r", b"\ndata: 2\r\r"]);
        assert_eq!(frames, vec![frame("", "1"), frame("", "2")]);
    }

    #[test]
    fn invalid_utf8_is_repaired_and_lines_split_across_chunks_are_joined() {
        let frames = parse_all(&[b"data: a\xffb\n\nda", b"ta: x", b"y\n\n"]);
        assert_eq!(frames, vec![frame("", "a\u{fffd}b"), frame("", "xy")]);
    }

    #[test]
    fn last_frame_without_blank_line_is_kept() {
        assert_eq!(parse_all(&[b"data: [DONE]"]), vec![frame("", "[DONE]")]);
    }

    #[test]
    fn event_without_data_is_not_dispatched() {
        assert_eq!(
            parse_all(&[b"event: x\n\ndata: y\n\n"]),
            vec![frame("", "y")]
        );
    }
}
