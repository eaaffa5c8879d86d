//! Test helpers: fixture loading, running a stream through the transcoder,
//! and a strict validator of Anthropic event sequences.

#![allow(dead_code, clippy::allow_attributes)]

use std::path::PathBuf;

use serde_json::Value;
use switchyard_protocol::Transcoder;
use switchyard_protocol::formats::{anthropic, openai_chat};
use switchyard_protocol::sse::{SseFrame, SseParser};

pub fn fixture(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path);
    std::fs::read(&full).unwrap_or_else(|err| panic!("{}: {err}", full.display()))
}

/// OpenAI SSE bytes, fed in the given chunks → Anthropic SSE bytes.
pub fn chat_to_anthropic(chunks: &[&[u8]]) -> String {
    let mut transcoder =
        Transcoder::new(openai_chat::StreamDecoder::new(), anthropic::StreamEncoder::new());
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

/// What a valid stream said, per block.
#[derive(Debug, Default, PartialEq)]
pub struct Summary {
    /// (block type, accumulated text / thinking / tool input JSON)
    pub blocks: Vec<(String, String)>,
    pub stop_reason: Option<String>,
    pub error: Option<Value>,
    pub usage: Option<Value>,
}

/// Checks the rules every Anthropic client relies on; panics with the reason.
pub fn validate_anthropic_stream(sse: &str) -> Summary {
    let frames = frames(sse);
    let mut summary = Summary::default();
    let mut open: Option<usize> = None;
    let mut saw_start = false;
    let mut saw_delta = false;
    let mut stopped = false;
    for (position, frame) in frames.iter().enumerate() {
        assert!(!stopped, "event after message_stop/error: {frame:?}");
        let data: Value = serde_json::from_str(&frame.data).unwrap();
        let kind = data["type"].as_str().unwrap().to_owned();
        assert_eq!(frame.event, kind, "event name must match data.type");
        if position == 0 {
            assert!(kind == "message_start" || kind == "error", "first event: {kind}");
        }
        match kind.as_str() {
            "message_start" => {
                assert!(!saw_start, "two message_start");
                saw_start = true;
                assert!(data["message"]["usage"].is_object(), "message_start needs usage");
                assert!(data["message"]["id"].as_str().unwrap().starts_with("msg_"));
            }
            "content_block_start" => {
                assert!(open.is_none(), "block started while another is open");
                let index = data["index"].as_u64().unwrap() as usize;
                assert_eq!(index, summary.blocks.len(), "indices must be consecutive");
                let block = &data["content_block"];
                let block_type = block["type"].as_str().unwrap().to_owned();
                if block_type == "tool_use" {
                    assert!(block["id"].as_str().unwrap().starts_with("toolu_"));
                    assert!(!block["name"].as_str().unwrap().is_empty());
                }
                summary.blocks.push((block_type, String::new()));
                open = Some(index);
            }
            "content_block_delta" => {
                let index = data["index"].as_u64().unwrap() as usize;
                assert_eq!(open, Some(index), "delta into a block that is not open");
                let (block_type, text) = &mut summary.blocks[index];
                let delta = &data["delta"];
                let (want, field) = match delta["type"].as_str().unwrap() {
                    "text_delta" => ("text", "text"),
                    "thinking_delta" => ("thinking", "thinking"),
                    "signature_delta" => ("thinking", "signature"),
                    "input_json_delta" => ("tool_use", "partial_json"),
                    other => panic!("unknown delta {other}"),
                };
                assert_eq!(block_type, want, "delta of the wrong kind");
                if field != "signature" {
                    text.push_str(delta[field].as_str().unwrap());
                }
            }
            "content_block_stop" => {
                let index = data["index"].as_u64().unwrap() as usize;
                assert_eq!(open, Some(index), "stop of a block that is not open");
                let (block_type, text) = &summary.blocks[index];
                if block_type == "tool_use" {
                    let input = if text.is_empty() { "{}" } else { text };
                    serde_json::from_str::<Value>(input).expect("tool input must be JSON");
                }
                open = None;
            }
            "message_delta" => {
                assert!(open.is_none(), "message_delta with a block open");
                assert!(!saw_delta, "two message_delta");
                saw_delta = true;
                summary.stop_reason = data["delta"]["stop_reason"].as_str().map(str::to_owned);
                summary.usage = Some(data["usage"].clone());
            }
            "message_stop" => {
                assert!(saw_delta, "message_stop without message_delta");
                stopped = true;
            }
            "error" => {
                summary.error = Some(data["error"].clone());
                stopped = true;
            }
            "ping" => {}
            other => panic!("unknown event {other}"),
        }
    }
    assert!(stopped, "stream must end with message_stop or error");
    summary
}
