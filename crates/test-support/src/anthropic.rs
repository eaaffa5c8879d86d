//! A strict checker of Anthropic SSE sequences: the rules every Anthropic
//! client relies on.

use serde_json::Value;
use switchyard_protocol::sse::SseFrame;

use crate::{Rules, StreamError, Violation};

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
pub fn validate_stream(sse: &str) -> Result<StreamSummary, StreamError> {
    let mut checker = Checker::default();
    crate::check(sse, &mut checker)?;
    Ok(checker.summary)
}

impl Rules for Checker {
    const TERMINAL: &'static str = "message_stop or error";

    fn ended(&self) -> bool {
        self.ended
    }

    fn frame(&mut self, position: usize, frame: &SseFrame) -> Result<(), Violation> {
        if self.ended {
            return Err(Violation::order("event after message_stop or error"));
        }
        let data: Value = serde_json::from_str(&frame.data)?;
        let kind = data["type"].as_str().ok_or(Violation::Missing("type"))?;
        if frame.event != kind {
            return Err(Violation::NameMismatch {
                event: frame.event.clone(),
                data_type: kind.to_owned(),
            });
        }
        if position == 0 && kind != "message_start" && kind != "error" {
            return Err(Violation::order("first event must be message_start"));
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
                    .ok_or_else(|| Violation::order("message_stop without message_delta"))
            }
            "error" => {
                self.summary.error = Some(data["error"].clone());
                self.ended = true;
                Ok(())
            }
            "ping" => Ok(()),
            other => Err(Violation::Unknown {
                kind: "event",
                name: other.to_owned(),
            }),
        }
    }
}

impl Checker {
    fn message_start(&mut self, data: &Value) -> Result<(), Violation> {
        if std::mem::replace(&mut self.saw_start, true) {
            return Err(Violation::order("two message_start"));
        }
        let message = &data["message"];
        if !message["usage"].is_object() {
            return Err(Violation::Missing("message.usage"));
        }
        let id = message["id"].as_str().unwrap_or("");
        if !id.starts_with("msg_") {
            return Err(Violation::content(format!(
                "message id {id:?} is not in Anthropic form"
            )));
        }
        Ok(())
    }

    fn block_start(&mut self, data: &Value) -> Result<(), Violation> {
        if self.open.is_some() {
            return Err(Violation::order("block started while another is open"));
        }
        let index = index_of(data)?;
        if index != self.summary.blocks.len() {
            return Err(Violation::Index {
                field: "index",
                got: index,
                expected: self.summary.blocks.len(),
            });
        }
        let block = &data["content_block"];
        let block_type = block["type"]
            .as_str()
            .ok_or(Violation::Missing("content_block.type"))?;
        if block_type == "tool_use" {
            let id = block["id"].as_str().unwrap_or("");
            let name = block["name"].as_str().unwrap_or("");
            if !id.starts_with("toolu_") || name.is_empty() {
                return Err(Violation::content(format!(
                    "tool_use needs a toolu_ id and a name: {block}"
                )));
            }
        }
        self.summary
            .blocks
            .push((block_type.to_owned(), String::new()));
        self.open = Some(index);
        Ok(())
    }

    fn block_delta(&mut self, data: &Value) -> Result<(), Violation> {
        let index = index_of(data)?;
        if self.open != Some(index) {
            return Err(Violation::order(format!(
                "delta into block {index}, which is not open"
            )));
        }
        let delta = &data["delta"];
        let (want, field) = match delta["type"].as_str().unwrap_or("") {
            "text_delta" => ("text", "text"),
            "thinking_delta" => ("thinking", "thinking"),
            "signature_delta" => ("thinking", "signature"),
            "input_json_delta" => ("tool_use", "partial_json"),
            other => {
                return Err(Violation::Unknown {
                    kind: "delta",
                    name: other.to_owned(),
                });
            }
        };
        let (block_type, text) = &mut self.summary.blocks[index];
        if block_type != want {
            return Err(Violation::content(format!(
                "{field} delta into a {block_type} block"
            )));
        }
        let piece = delta[field].as_str().ok_or(Violation::Missing(field))?;
        if field != "signature" {
            text.push_str(piece);
        }
        Ok(())
    }

    fn block_stop(&mut self, data: &Value) -> Result<(), Violation> {
        let index = index_of(data)?;
        if self.open.take() != Some(index) {
            return Err(Violation::order(format!(
                "stop of block {index}, which is not open"
            )));
        }
        let (block_type, text) = &self.summary.blocks[index];
        if block_type == "tool_use" {
            let input = if text.is_empty() { "{}" } else { text };
            serde_json::from_str::<Value>(input)
                .map_err(|err| Violation::content(format!("tool input is not JSON: {err}")))?;
        }
        Ok(())
    }

    fn message_delta(&mut self, data: &Value) -> Result<(), Violation> {
        if self.open.is_some() {
            return Err(Violation::order("message_delta while a block is open"));
        }
        if std::mem::replace(&mut self.saw_delta, true) {
            return Err(Violation::order("two message_delta"));
        }
        self.summary.stop_reason = data["delta"]["stop_reason"].as_str().map(str::to_owned);
        self.summary.usage = Some(data["usage"].clone());
        Ok(())
    }
}

fn index_of(data: &Value) -> Result<usize, Violation> {
    crate::usize_field(data, "index")
}
