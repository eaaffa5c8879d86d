//! A strict checker of Responses SSE sequences: the rules the OpenAI SDKs'
//! stream accumulators and Codex rely on.

use serde_json::Value;
use switchyard_protocol::sse::SseFrame;

use crate::{Rules, StreamError, Violation, usize_field};

/// What a valid stream said.
#[derive(Debug, Default, PartialEq)]
pub struct StreamSummary {
    /// (item type, its text: message text, reasoning summary or call arguments)
    pub items: Vec<(String, String)>,
    /// `completed`, `incomplete` or `failed`.
    pub status: String,
    /// The `response` of the terminal event.
    pub response: Value,
    pub usage: Option<Value>,
    /// The `error` of a `response.failed`.
    pub error: Option<Value>,
}

struct ItemState {
    kind: String,
    id: String,
    /// A function call's name.
    name: Value,
    /// Content parts (message) or summary parts (reasoning).
    parts: Vec<PartState>,
    arguments: String,
    arguments_done: bool,
    /// The item of its `output_item.done`.
    done: Option<Value>,
}

#[derive(Default)]
struct PartState {
    text: String,
    text_done: bool,
    done: bool,
}

/// Which part list an event addresses.
#[derive(Clone, Copy)]
struct PartKind {
    item: &'static str,
    index_field: &'static str,
    part_type: &'static str,
}

const CONTENT: PartKind = PartKind {
    item: "message",
    index_field: "content_index",
    part_type: "output_text",
};
const SUMMARY: PartKind = PartKind {
    item: "reasoning",
    index_field: "summary_index",
    part_type: "summary_text",
};

#[derive(Default)]
struct Checker {
    items: Vec<ItemState>,
    last_sequence: Option<u64>,
    summary: StreamSummary,
    ended: bool,
}

/// Checks a whole Responses SSE body; the error says which rule broke.
pub fn validate_stream(sse: &str) -> Result<StreamSummary, StreamError> {
    let mut checker = Checker::default();
    crate::check(sse, &mut checker)?;
    checker.summary.items = checker
        .items
        .iter()
        .map(|item| {
            let text = if item.kind == "function_call" {
                item.arguments.clone()
            } else {
                item.parts.iter().map(|part| part.text.as_str()).collect()
            };
            (item.kind.clone(), text)
        })
        .collect();
    Ok(checker.summary)
}

impl Rules for Checker {
    const TERMINAL: &'static str = "response.completed, response.incomplete or response.failed";

    fn ended(&self) -> bool {
        self.ended
    }

    fn frame(&mut self, position: usize, frame: &SseFrame) -> Result<(), Violation> {
        if self.ended {
            return Err(Violation::order("event after the terminal event"));
        }
        let data: Value = serde_json::from_str(&frame.data)?;
        let kind = data["type"].as_str().ok_or(Violation::Missing("type"))?;
        if !frame.event.is_empty() && frame.event != kind {
            return Err(Violation::NameMismatch {
                event: frame.event.clone(),
                data_type: kind.to_owned(),
            });
        }
        self.sequence(&data)?;
        if (position == 0) != (kind == "response.created") {
            return Err(Violation::order(
                "response.created must come first, and only there",
            ));
        }
        match kind {
            "response.created" | "response.in_progress" => in_progress(&data),
            "response.output_item.added" => self.item_added(&data),
            "response.content_part.added" => self.part_added(&data, CONTENT),
            "response.output_text.delta" => self.part_delta(&data, CONTENT),
            "response.output_text.done" => self.text_done(&data, CONTENT),
            "response.content_part.done" => self.part_done(&data, CONTENT),
            "response.reasoning_summary_part.added" => self.part_added(&data, SUMMARY),
            "response.reasoning_summary_text.delta" => self.part_delta(&data, SUMMARY),
            "response.reasoning_summary_text.done" => self.text_done(&data, SUMMARY),
            "response.reasoning_summary_part.done" => self.part_done(&data, SUMMARY),
            "response.function_call_arguments.delta" => self.arguments_delta(&data),
            "response.function_call_arguments.done" => self.arguments_done(&data),
            "response.output_item.done" => self.item_done(&data),
            "response.completed" | "response.incomplete" | "response.failed" => {
                self.terminal(kind, &data)
            }
            other => Err(Violation::Unknown {
                kind: "event",
                name: other.to_owned(),
            }),
        }
    }
}

impl Checker {
    fn sequence(&mut self, data: &Value) -> Result<(), Violation> {
        let sequence = data["sequence_number"]
            .as_u64()
            .ok_or(Violation::Missing("sequence_number"))?;
        match self.last_sequence {
            None if sequence != 0 => Err(Violation::order(format!(
                "first sequence_number is {sequence}, not 0"
            ))),
            Some(last) if sequence <= last => Err(Violation::order(format!(
                "sequence_number {sequence} after {last}"
            ))),
            _ => {
                self.last_sequence = Some(sequence);
                Ok(())
            }
        }
    }

    fn item_added(&mut self, data: &Value) -> Result<(), Violation> {
        let index = usize_field(data, "output_index")?;
        if index != self.items.len() {
            return Err(Violation::Index {
                field: "output_index",
                got: index,
                expected: self.items.len(),
            });
        }
        let item = &data["item"];
        let kind = item["type"]
            .as_str()
            .ok_or(Violation::Missing("item.type"))?;
        let id = item["id"].as_str().filter(|id| !id.is_empty());
        let id = id.ok_or(Violation::Missing("item.id"))?;
        if self.items.iter().any(|known| known.id == id) {
            return Err(Violation::content(format!("duplicate item id {id}")));
        }
        let fresh = match kind {
            "message" => item["content"] == Value::Array(Vec::new()) && item["role"] == "assistant",
            "reasoning" => item["summary"] == Value::Array(Vec::new()),
            "function_call" => {
                non_empty(&item["call_id"]) && non_empty(&item["name"]) && item["arguments"] == ""
            }
            other => {
                return Err(Violation::Unknown {
                    kind: "item type",
                    name: other.to_owned(),
                });
            }
        };
        if !fresh || (kind != "reasoning" && item["status"] != "in_progress") {
            return Err(Violation::content(format!(
                "added item must be empty and in progress: {item}"
            )));
        }
        self.items.push(ItemState {
            kind: kind.to_owned(),
            id: id.to_owned(),
            name: item["name"].clone(),
            parts: Vec::new(),
            arguments: String::new(),
            arguments_done: false,
            done: None,
        });
        Ok(())
    }

    /// The open item an event names, checked against its type.
    fn open_item(&mut self, data: &Value, kind: &str) -> Result<&mut ItemState, Violation> {
        let index = usize_field(data, "output_index")?;
        self.open_at(index, &data["item_id"], kind)
    }

    fn open_at(
        &mut self,
        index: usize,
        id: &Value,
        kind: &str,
    ) -> Result<&mut ItemState, Violation> {
        let item = self
            .items
            .get_mut(index)
            .ok_or_else(|| Violation::order(format!("output_index {index} was never added")))?;
        if *id != item.id.as_str() {
            return Err(Violation::content(format!(
                "item id {id} is not item {index}"
            )));
        }
        if item.done.is_some() {
            return Err(Violation::order(format!("item {index} is already done")));
        }
        if item.kind != kind {
            return Err(Violation::content(format!(
                "{kind} event for a {} item",
                item.kind
            )));
        }
        Ok(item)
    }

    fn part_added(&mut self, data: &Value, parts: PartKind) -> Result<(), Violation> {
        let index = usize_field(data, parts.index_field)?;
        let item = self.open_item(data, parts.item)?;
        if index != item.parts.len() {
            return Err(Violation::Index {
                field: parts.index_field,
                got: index,
                expected: item.parts.len(),
            });
        }
        let part = &data["part"];
        if part["type"] != parts.part_type || part["text"] != "" {
            return Err(Violation::content(format!(
                "added part must be an empty {}: {part}",
                parts.part_type
            )));
        }
        item.parts.push(PartState::default());
        Ok(())
    }

    fn part(&mut self, data: &Value, parts: PartKind) -> Result<&mut PartState, Violation> {
        let index = usize_field(data, parts.index_field)?;
        let item = self.open_item(data, parts.item)?;
        let part = item.parts.get_mut(index).ok_or_else(|| {
            Violation::order(format!("{} {index} was never added", parts.index_field))
        })?;
        if part.done {
            return Err(Violation::order(format!(
                "{} {index} is already done",
                parts.index_field
            )));
        }
        Ok(part)
    }

    fn part_delta(&mut self, data: &Value, parts: PartKind) -> Result<(), Violation> {
        let delta = data["delta"].as_str().ok_or(Violation::Missing("delta"))?;
        let part = self.part(data, parts)?;
        if part.text_done {
            return Err(Violation::order("delta after the text is done"));
        }
        part.text.push_str(delta);
        Ok(())
    }

    fn text_done(&mut self, data: &Value, parts: PartKind) -> Result<(), Violation> {
        let part = self.part(data, parts)?;
        if data["text"] != part.text.as_str() || std::mem::replace(&mut part.text_done, true) {
            return Err(Violation::content(format!(
                "text.done {} is not the deltas {:?}",
                data["text"], part.text
            )));
        }
        Ok(())
    }

    fn part_done(&mut self, data: &Value, parts: PartKind) -> Result<(), Violation> {
        let part = self.part(data, parts)?;
        let fits =
            data["part"]["type"] == parts.part_type && data["part"]["text"] == part.text.as_str();
        if !part.text_done || !fits {
            return Err(Violation::content(format!(
                "part.done {} before or unlike its text",
                data["part"]
            )));
        }
        part.done = true;
        Ok(())
    }

    fn arguments_delta(&mut self, data: &Value) -> Result<(), Violation> {
        let delta = data["delta"].as_str().ok_or(Violation::Missing("delta"))?;
        let item = self.open_item(data, "function_call")?;
        if item.arguments_done {
            return Err(Violation::order("arguments delta after arguments.done"));
        }
        item.arguments.push_str(delta);
        Ok(())
    }

    fn arguments_done(&mut self, data: &Value) -> Result<(), Violation> {
        let item = self.open_item(data, "function_call")?;
        if data.get("name").is_some_and(|name| *name != item.name) {
            return Err(Violation::content(format!(
                "arguments.done names {}, not {}",
                data["name"], item.name
            )));
        }
        if data["arguments"] != item.arguments.as_str() {
            return Err(Violation::content(format!(
                "arguments.done {} is not the deltas {:?}",
                data["arguments"], item.arguments
            )));
        }
        serde_json::from_str::<Value>(&item.arguments)
            .map_err(|err| Violation::content(format!("arguments are not JSON: {err}")))?;
        item.arguments_done = true;
        Ok(())
    }

    fn item_done(&mut self, data: &Value) -> Result<(), Violation> {
        let done = &data["item"];
        let index = usize_field(data, "output_index")?;
        let kind = done["type"]
            .as_str()
            .ok_or(Violation::Missing("item.type"))?;
        let item = self.open_at(index, &done["id"], kind)?;
        let texts: Vec<&str> = item.parts.iter().map(|part| part.text.as_str()).collect();
        let consistent = match kind {
            "message" => texts_of(&done["content"]) == texts && done["status"] == "completed",
            "reasoning" => texts_of(&done["summary"]) == texts,
            _ => {
                item.arguments_done
                    && done["arguments"] == item.arguments.as_str()
                    && done["status"] == "completed"
            }
        };
        if !consistent || item.parts.iter().any(|part| !part.done) {
            return Err(Violation::content(format!(
                "done item {done} does not match its events"
            )));
        }
        item.done = Some(done.clone());
        Ok(())
    }

    fn terminal(&mut self, kind: &str, data: &Value) -> Result<(), Violation> {
        self.ended = true;
        let response = &data["response"];
        let status = kind.trim_start_matches("response.");
        if response["status"] != status {
            return Err(Violation::content(format!(
                "{kind} with status {}",
                response["status"]
            )));
        }
        let done: Vec<&Value> = self
            .items
            .iter()
            .filter_map(|item| item.done.as_ref())
            .collect();
        let output: Vec<&Value> = response["output"]
            .as_array()
            .ok_or(Violation::Missing("response.output"))?
            .iter()
            .collect();
        if kind == "response.failed" {
            self.summary.error = Some(response["error"].clone());
            if !response["error"]["message"].is_string() {
                return Err(Violation::Missing("response.error.message"));
            }
        } else {
            if done.len() != self.items.len() {
                return Err(Violation::order(format!(
                    "{kind} while items are still open"
                )));
            }
            if !response["usage"].is_object() {
                return Err(Violation::Missing("response.usage"));
            }
            if kind == "response.incomplete"
                && !response["incomplete_details"]["reason"].is_string()
            {
                return Err(Violation::Missing("response.incomplete_details.reason"));
            }
            self.summary.usage = Some(response["usage"].clone());
        }
        if output != done {
            return Err(Violation::content(format!(
                "final output differs from the items' done events: {}",
                response["output"]
            )));
        }
        status.clone_into(&mut self.summary.status);
        self.summary.response = response.clone();
        Ok(())
    }
}

fn in_progress(data: &Value) -> Result<(), Violation> {
    let response = &data["response"];
    if response["status"] != "in_progress" || response["output"] != Value::Array(Vec::new()) {
        return Err(Violation::content(format!(
            "expected an empty response in progress: {response}"
        )));
    }
    Ok(())
}

fn non_empty(value: &Value) -> bool {
    value.as_str().is_some_and(|text| !text.is_empty())
}

fn texts_of(parts: &Value) -> Vec<&str> {
    parts
        .as_array()
        .map(|parts| {
            parts
                .iter()
                .filter_map(|part| part["text"].as_str())
                .collect()
        })
        .unwrap_or_default()
}
