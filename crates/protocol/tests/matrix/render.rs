//! Bytes on the wire → JSON values a snapshot shows readably.

use serde_json::{Value, json};
use switchyard_protocol::sse::{SseFrame, SseParser};

pub fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|err| panic!("not JSON: {err}\n{}", String::from_utf8_lossy(bytes)))
}

pub fn frames(sse: &[u8]) -> Vec<SseFrame> {
    let mut parser = SseParser::new();
    let mut out = Vec::new();
    parser.feed(sse, &mut out);
    parser.finish(&mut out);
    out
}

/// One value per SSE event: `{"event", "data"}`, `event` left out when the
/// stream names none, `data` parsed when it is JSON (`[DONE]` stays a string).
pub fn events_of(sse: &[u8]) -> Value {
    let events: Vec<Value> = frames(sse)
        .iter()
        .map(|frame| {
            let data = serde_json::from_str(&frame.data)
                .unwrap_or_else(|_| Value::String(frame.data.clone()));
            if frame.event.is_empty() {
                json!({ "data": data })
            } else {
                json!({ "event": frame.event, "data": data })
            }
        })
        .collect();
    Value::Array(events)
}

pub fn text_of(sse: &[u8]) -> &str {
    std::str::from_utf8(sse).unwrap()
}
