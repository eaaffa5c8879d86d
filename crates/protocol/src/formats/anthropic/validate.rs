//! A strict checker of Anthropic SSE sequences: the rules every Anthropic
//! client relies on. Used by our tests at every level, and handy when a
//! vendor's "Anthropic-compatible" stream misbehaves.

use serde_json::Value;

use crate::sse::{SseFrame, SseParser};

/// What a valid stream said.
#[derive(Debug, Default, PartialEq)]
pub struct StreamSummary {
    /// (block type, accumulated text, thinking or tool input JSON)
    pub blocks: Vec<(String, String)>,
    pub stop_reason: Option<String>,
    /// The `error` object of a terminal `error` event.
    pub error: Option<Value>,
    /// The usage of `message_delta`.
    pub usage: Option<Value>,
}

#[derive(Default)]
struct Checker {
    summary: StreamSummary,
    open: Option<usize>,
    saw_start: bool,
    saw_delta: bool,
    ended: bool,
}

/// Checks a whole Anthropic SSE body; the error says which rule broke.
pub fn validate_stream(sse: &str) -> Result<StreamSummary, String> {
    let mut parser = SseParser::new();
    let mut frames = Vec::new();
    parser.feed(sse.as_bytes(), &mut frames);
    parser.finish(&mut frames);
    let mut checker = Checker::default();
    for (position, frame) in frames.iter().enumerate() {
        checker
            .frame(position, frame)
            .map_err(|err| format!("event {position} ({}): {err}", frame.event))?;
    }
    if !checker.ended {
        return Err("stream must end with message_stop or error".into());
    }
    Ok(checker.summary)
}

impl Checker {
    fn frame(&mut self, position: usize, frame: &SseFrame) -> Result<(), String> {
        if self.ended {
            return Err("event after message_stop or error".into());
        }
        let data: Value = serde_json::from_str(&frame.data).map_err(|err| err.to_string())?;
        let kind = data["type"].as_str().ok_or("data has no type")?;
        if frame.event != kind {
            return Err(format!("event name {} but data.type {kind}", frame.event));
        }
        if position == 0 && kind != "message_start" && kind != "error" {
            return Err("first event must be message_start".into());
        }
        match kind {
            "message_start" => self.message_start(&data),
            "content_block_start" => self.block_start(&data),
            "content_block_delta" => self.block_delta(&data),
            "content_block_stop" => self.block_stop(&data),
            "message_delta" => self.message_delta(&data),
            "message_stop" => {
                self.ended = true;
                self.saw_delta
                    .then_some(())
                    .ok_or("message_stop without message_delta".into())
            }
            "error" => {
                self.summary.error = Some(data["error"].clone());
                self.ended = true;
                Ok(())
            }
            "ping" => Ok(()),
            other => Err(format!("unknown event {other}")),
        }
    }

    fn message_start(&mut self, data: &Value) -> Result<(), String> {
        if std::mem::replace(&mut self.saw_start, true) {
            return Err("two message_start".into());
        }
        let message = &data["message"];
        if !message["usage"].is_object() {
            return Err("message_start needs usage".into());
        }
        let id = message["id"].as_str().unwrap_or("");
        if !id.starts_with("msg_") {
            return Err(format!("message id {id:?} is not in Anthropic form"));
        }
        Ok(())
    }

    fn block_start(&mut self, data: &Value) -> Result<(), String> {
        if self.open.is_some() {
            return Err("block started while another is open".into());
        }
        let index = index_of(data)?;
        if index != self.summary.blocks.len() {
            return Err(format!(
                "index {index}, expected {}",
                self.summary.blocks.len()
            ));
        }
        let block = &data["content_block"];
        let block_type = block["type"].as_str().ok_or("content_block has no type")?;
        if block_type == "tool_use" {
            let id = block["id"].as_str().unwrap_or("");
            let name = block["name"].as_str().unwrap_or("");
            if !id.starts_with("toolu_") || name.is_empty() {
                return Err(format!("tool_use needs a toolu_ id and a name: {block}"));
            }
        }
        self.summary
            .blocks
            .push((block_type.to_owned(), String::new()));
        self.open = Some(index);
        Ok(())
    }

    fn block_delta(&mut self, data: &Value) -> Result<(), String> {
        let index = index_of(data)?;
        if self.open != Some(index) {
            return Err(format!("delta into block {index}, which is not open"));
        }
        let delta = &data["delta"];
        let (want, field) = match delta["type"].as_str().unwrap_or("") {
            "text_delta" => ("text", "text"),
            "thinking_delta" => ("thinking", "thinking"),
            "signature_delta" => ("thinking", "signature"),
            "input_json_delta" => ("tool_use", "partial_json"),
            other => return Err(format!("unknown delta {other}")),
        };
        let (block_type, text) = &mut self.summary.blocks[index];
        if block_type != want {
            return Err(format!("{field} delta into a {block_type} block"));
        }
        let piece = delta[field]
            .as_str()
            .ok_or(format!("delta without {field}"))?;
        if field != "signature" {
            text.push_str(piece);
        }
        Ok(())
    }

    fn block_stop(&mut self, data: &Value) -> Result<(), String> {
        let index = index_of(data)?;
        if self.open.take() != Some(index) {
            return Err(format!("stop of block {index}, which is not open"));
        }
        let (block_type, text) = &self.summary.blocks[index];
        if block_type == "tool_use" {
            let input = if text.is_empty() { "{}" } else { text };
            serde_json::from_str::<Value>(input)
                .map_err(|err| format!("tool input is not JSON: {err}"))?;
        }
        Ok(())
    }

    fn message_delta(&mut self, data: &Value) -> Result<(), String> {
        if self.open.is_some() {
            return Err("message_delta while a block is open".into());
        }
        if std::mem::replace(&mut self.saw_delta, true) {
            return Err("two message_delta".into());
        }
        self.summary.stop_reason = data["delta"]["stop_reason"].as_str().map(str::to_owned);
        self.summary.usage = Some(data["usage"].clone());
        Ok(())
    }
}

fn index_of(data: &Value) -> Result<usize, String> {
    data["index"]
        .as_u64()
        .and_then(|index| usize::try_from(index).ok())
        .ok_or_else(|| "missing index".to_owned())
}
