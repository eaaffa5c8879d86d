//! Streaming bodies: upstream bytes flow to the client as they arrive,
//! through a tap that translates (or passes through) and reads usage.
//! The request is recorded once: at the end, on failure, or on drop when the
//! client goes away (which also drops, and so cancels, the upstream request).

use std::convert::Infallible;

use axum::body::Body;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use switchyard_protocol::Format;
use switchyard_protocol::error::ApiError;
use switchyard_protocol::formats;
use switchyard_protocol::formats::gemini::SseToJsonArray;
use switchyard_protocol::ir::Usage;
use switchyard_protocol::{StreamDecode, StreamEncode, StreamWatch, Transcoder};

use crate::upstream::BoxError;
use crate::usage::{Outcome, RequestRecord};

/// What sits between the upstream body and the client.
pub trait BodyTap: Send + 'static {
    fn feed(&mut self, chunk: Bytes) -> Bytes;
    /// The upstream body ended cleanly.
    fn finish(&mut self) -> Bytes;
    /// The upstream body failed mid-way.
    fn fail(&mut self, message: String) -> Bytes;
    fn usage(&self) -> Usage;
    fn error(&self) -> Option<String>;
    /// The whole answer has gone to the client: a hang-up now loses nothing.
    fn completed(&self) -> bool;
    /// Bytes of generated text so far (time to first token, progress).
    fn delta_bytes(&self) -> u64;
}

impl<D, E> BodyTap for Transcoder<D, E>
where
    D: StreamDecode + Send + 'static,
    E: StreamEncode + Send + 'static,
{
    fn feed(&mut self, chunk: Bytes) -> Bytes {
        Bytes::from(Transcoder::feed(self, &chunk))
    }

    fn finish(&mut self) -> Bytes {
        Bytes::from(Transcoder::finish(self))
    }

    fn fail(&mut self, message: String) -> Bytes {
        Bytes::from(Transcoder::fail(self, 502, message))
    }

    fn usage(&self) -> Usage {
        Transcoder::usage(self)
    }

    fn error(&self) -> Option<String> {
        Transcoder::error(self).map(str::to_owned)
    }

    fn completed(&self) -> bool {
        Transcoder::completed(self)
    }

    fn delta_bytes(&self) -> u64 {
        Transcoder::delta_bytes(self)
    }
}

/// Bytes passed through untouched, watched for usage and for a proper end:
/// a stream cut before its end marker gets an error event in its format.
pub struct Passthrough {
    format: Format,
    watch: StreamWatch,
    error: Option<String>,
}

impl Passthrough {
    pub fn new(format: Format, watch: StreamWatch) -> Self {
        Self {
            format,
            watch,
            error: None,
        }
    }
}

impl BodyTap for Passthrough {
    fn feed(&mut self, chunk: Bytes) -> Bytes {
        self.watch.feed(&chunk);
        chunk
    }

    fn finish(&mut self) -> Bytes {
        self.watch.finish();
        if let Some(error) = self.watch.error() {
            // The upstream already told the client, in the stream itself.
            self.error = Some(error.to_owned());
            return Bytes::new();
        }
        if self.watch.completed() {
            return Bytes::new();
        }
        self.fail("upstream stream ended before its end marker".into())
    }

    fn fail(&mut self, message: String) -> Bytes {
        let error = ApiError::new(502, message.clone());
        let frame = formats::stream_error_frame(self.format, &error, self.watch.frames_seen());
        self.error = Some(message);
        let mut out = Vec::with_capacity(frame.len() + 2);
        // Ends whatever partial line the upstream left, so the event parses.
        out.extend_from_slice(b"\n\n");
        out.extend_from_slice(&frame);
        Bytes::from(out)
    }

    fn usage(&self) -> Usage {
        self.watch.usage()
    }

    fn error(&self) -> Option<String> {
        self.error.clone()
    }

    fn completed(&self) -> bool {
        self.watch.completed()
    }

    fn delta_bytes(&self) -> u64 {
        self.watch.delta_bytes()
    }
}

/// Gemini's JSON-array stream (`:streamGenerateContent` without `alt=sse`):
/// whatever `inner` writes as Gemini SSE, re-framed as array elements.
pub struct JsonArray<T> {
    inner: T,
    framer: SseToJsonArray,
}

impl<T: BodyTap> JsonArray<T> {
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            framer: SseToJsonArray::new(),
        }
    }

    fn reframe(&mut self, sse: &[u8], last: bool) -> Bytes {
        let mut out = Vec::with_capacity(sse.len() + 8);
        self.framer.feed(sse, &mut out);
        if last {
            self.framer.finish(&mut out);
        }
        Bytes::from(out)
    }
}

impl<T: BodyTap> BodyTap for JsonArray<T> {
    fn feed(&mut self, chunk: Bytes) -> Bytes {
        let sse = self.inner.feed(chunk);
        self.reframe(&sse, false)
    }

    fn finish(&mut self) -> Bytes {
        let sse = self.inner.finish();
        self.reframe(&sse, true)
    }

    fn fail(&mut self, message: String) -> Bytes {
        let sse = self.inner.fail(message);
        self.reframe(&sse, true)
    }

    fn usage(&self) -> Usage {
        self.inner.usage()
    }

    fn error(&self) -> Option<String> {
        self.inner.error()
    }

    fn completed(&self) -> bool {
        self.inner.completed()
    }

    fn delta_bytes(&self) -> u64 {
        self.inner.delta_bytes()
    }
}

struct StreamState<S, T: BodyTap> {
    upstream: S,
    tap: T,
    record: Option<RequestRecord>,
    first_token: bool,
}

impl<S, T: BodyTap> StreamState<S, T> {
    /// `sent` bytes are about to go to the client.
    fn observe(&mut self, sent: usize) {
        let Some(record) = &mut self.record else {
            return;
        };
        record.add_response_bytes(sent);
        let generated = self.tap.delta_bytes();
        if generated > 0 {
            if !self.first_token {
                self.first_token = true;
                record.mark_first_token();
            }
            record.progress(self.tap.usage(), generated);
        }
    }

    fn end(&mut self) {
        if let Some(mut record) = self.record.take() {
            let error = self.tap.error();
            let outcome = if error.is_some() {
                record.set_error_kind("upstream_stream");
                Outcome::StreamError
            } else {
                Outcome::Ok
            };
            record.finish(outcome, self.tap.usage(), error);
        }
    }
}

impl<S, T: BodyTap> Drop for StreamState<S, T> {
    fn drop(&mut self) {
        // Clients (Codex, for one) may hang up as soon as they have the end
        // marker, before the upstream closes: that is a complete answer.
        if self.tap.completed() {
            self.end();
        } else if let Some(record) = self.record.take() {
            record.finish(Outcome::ClientGone, self.tap.usage(), None);
        }
    }
}

/// A response body that pulls the upstream through `tap`.
pub fn tapped_body<S, T>(upstream: S, tap: T, record: RequestRecord) -> Body
where
    S: Stream<Item = Result<Bytes, BoxError>> + Send + Unpin + 'static,
    T: BodyTap,
{
    let state = StreamState {
        upstream,
        tap,
        record: Some(record),
        first_token: false,
    };
    let stream = futures_util::stream::unfold(Some(state), |state| async move {
        let mut state = state?;
        loop {
            let (out, finished) = match state.upstream.next().await {
                Some(Ok(chunk)) => (state.tap.feed(chunk), false),
                Some(Err(err)) => (
                    state.tap.fail(format!("upstream stream failed: {err}")),
                    true,
                ),
                None => (state.tap.finish(), true),
            };
            if finished {
                state.observe(out.len());
                state.end();
                return (!out.is_empty()).then(|| (Ok::<_, Infallible>(out), None));
            }
            if !out.is_empty() {
                state.observe(out.len());
                return Some((Ok(out), Some(state)));
            }
        }
    });
    Body::from_stream(stream)
}
