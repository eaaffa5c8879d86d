//! A strict checker of Responses SSE sequences: the rules the OpenAI SDKs'
//! stream accumulators and Codex rely on. Used by our tests at every level,
//! and handy when a vendor's "Responses-compatible" stream misbehaves.

use serde_json::Value;

use crate::sse::{SseFrame, SseParser};

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
        return Err(
            "stream must end with response.completed, response.incomplete or response.failed"
                .into(),
        );
    }
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

impl Checker {
    fn frame(&mut self, position: usize, frame: &SseFrame) -> Result<(), String> {
        if self.ended {
            return Err("event after the terminal event".into());
        }
        let data: Value = serde_json::from_str(&frame.data).map_err(|err| err.to_string())?;
        let kind = data["type"].as_str().ok_or("data has no type")?;
        if !frame.event.is_empty() && frame.event != kind {
            return Err(format!("event name {} but data.type {kind}", frame.event));
        }
        self.sequence(&data)?;
        if (position == 0) != (kind == "response.created") {
            return Err("response.created must come first, and only there".into());
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
            other => Err(format!("unknown event {other}")),
        }
    }

    fn sequence(&mut self, data: &Value) -> Result<(), String> {
        let sequence = data["sequence_number"]
            .as_u64()
            .ok_or("missing sequence_number")?;
        match self.last_sequence {
            None if sequence != 0 => Err(format!("first sequence_number is {sequence}, not 0")),
            Some(last) if sequence <= last => {
                Err(format!("sequence_number {sequence} after {last}"))
            }
            _ => {
                self.last_sequence = Some(sequence);
                Ok(())
            }
        }
    }

    fn item_added(&mut self, data: &Value) -> Result<(), String> {
        let index = usize_field(data, "output_index")?;
        if index != self.items.len() {
            return Err(format!(
                "output_index {index}, expected {}",
                self.items.len()
            ));
        }
        let item = &data["item"];
        let kind = item["type"].as_str().ok_or("item has no type")?;
        let id = item["id"].as_str().filter(|id| !id.is_empty());
        let id = id.ok_or("item has no id")?;
        if self.items.iter().any(|known| known.id == id) {
            return Err(format!("duplicate item id {id}"));
        }
        let fresh = match kind {
            "message" => item["content"] == Value::Array(Vec::new()) && item["role"] == "assistant",
            "reasoning" => item["summary"] == Value::Array(Vec::new()),
            "function_call" => {
                non_empty(&item["call_id"]) && non_empty(&item["name"]) && item["arguments"] == ""
            }
            other => return Err(format!("unknown item type {other}")),
        };
        if !fresh || (kind != "reasoning" && item["status"] != "in_progress") {
            return Err(format!("added item must be empty and in progress: {item}"));
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
    fn open_item(&mut self, data: &Value, kind: &str) -> Result<&mut ItemState, String> {
        let index = usize_field(data, "output_index")?;
        self.open_at(index, &data["item_id"], kind)
    }

    fn open_at(&mut self, index: usize, id: &Value, kind: &str) -> Result<&mut ItemState, String> {
        let item = self
            .items
            .get_mut(index)
            .ok_or(format!("output_index {index} was never added"))?;
        if *id != item.id.as_str() {
            return Err(format!("item id {id} is not item {index}"));
        }
        if item.done.is_some() {
            return Err(format!("item {index} is already done"));
        }
        if item.kind != kind {
            return Err(format!("{kind} event for a {} item", item.kind));
        }
        Ok(item)
    }

    fn part_added(&mut self, data: &Value, parts: PartKind) -> Result<(), String> {
        let index = usize_field(data, parts.index_field)?;
        let item = self.open_item(data, parts.item)?;
        if index != item.parts.len() {
            return Err(format!(
                "{} {index}, expected {}",
                parts.index_field,
                item.parts.len()
            ));
        }
        let part = &data["part"];
        if part["type"] != parts.part_type || part["text"] != "" {
            return Err(format!(
                "added part must be an empty {}: {part}",
                parts.part_type
            ));
        }
        item.parts.push(PartState::default());
        Ok(())
    }

    fn part(&mut self, data: &Value, parts: PartKind) -> Result<&mut PartState, String> {
        let index = usize_field(data, parts.index_field)?;
        let item = self.open_item(data, parts.item)?;
        let part = item
            .parts
            .get_mut(index)
            .ok_or(format!("{} {index} was never added", parts.index_field))?;
        if part.done {
            return Err(format!("{} {index} is already done", parts.index_field));
        }
        Ok(part)
    }

    fn part_delta(&mut self, data: &Value, parts: PartKind) -> Result<(), String> {
        let delta = data["delta"].as_str().ok_or("delta is not a string")?;
        let part = self.part(data, parts)?;
        if part.text_done {
            return Err("delta after the text is done".into());
        }
        part.text.push_str(delta);
        Ok(())
    }

    fn text_done(&mut self, data: &Value, parts: PartKind) -> Result<(), String> {
        let part = self.part(data, parts)?;
        if data["text"] != part.text.as_str() || std::mem::replace(&mut part.text_done, true) {
            return Err(format!(
                "text.done {} is not the deltas {:?}",
                data["text"], part.text
            ));
        }
        Ok(())
    }

    fn part_done(&mut self, data: &Value, parts: PartKind) -> Result<(), String> {
        let part = self.part(data, parts)?;
        let fits =
            data["part"]["type"] == parts.part_type && data["part"]["text"] == part.text.as_str();
        if !part.text_done || !fits {
            return Err(format!(
                "part.done {} before or unlike its text",
                data["part"]
            ));
        }
        part.done = true;
        Ok(())
    }

    fn arguments_delta(&mut self, data: &Value) -> Result<(), String> {
        let delta = data["delta"].as_str().ok_or("delta is not a string")?;
        let item = self.open_item(data, "function_call")?;
        if item.arguments_done {
            return Err("arguments delta after arguments.done".into());
        }
        item.arguments.push_str(delta);
        Ok(())
    }

    fn arguments_done(&mut self, data: &Value) -> Result<(), String> {
        let item = self.open_item(data, "function_call")?;
        if data.get("name").is_some_and(|name| *name != item.name) {
            return Err(format!(
                "arguments.done names {}, not {}",
                data["name"], item.name
            ));
        }
        if data["arguments"] != item.arguments.as_str() {
            return Err(format!(
                "arguments.done {} is not the deltas {:?}",
                data["arguments"], item.arguments
            ));
        }
        serde_json::from_str::<Value>(&item.arguments)
            .map_err(|err| format!("arguments are not JSON: {err}"))?;
        item.arguments_done = true;
        Ok(())
    }

    fn item_done(&mut self, data: &Value) -> Result<(), String> {
        let done = &data["item"];
        let index = usize_field(data, "output_index")?;
        let kind = done["type"].as_str().ok_or("item has no type")?;
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
            return Err(format!("done item {done} does not match its events"));
        }
        item.done = Some(done.clone());
        Ok(())
    }

    fn terminal(&mut self, kind: &str, data: &Value) -> Result<(), String> {
        self.ended = true;
        let response = &data["response"];
        let status = kind.trim_start_matches("response.");
        if response["status"] != status {
            return Err(format!("{kind} with status {}", response["status"]));
        }
        let done: Vec<&Value> = self
            .items
            .iter()
            .filter_map(|item| item.done.as_ref())
            .collect();
        let output: Vec<&Value> = response["output"]
            .as_array()
            .ok_or("no output")?
            .iter()
            .collect();
        if kind == "response.failed" {
            self.summary.error = Some(response["error"].clone());
            if !response["error"]["message"].is_string() {
                return Err("response.failed needs error.message".into());
            }
        } else {
            if done.len() != self.items.len() {
                return Err(format!("{kind} while items are still open"));
            }
            if !response["usage"].is_object() {
                return Err(format!("{kind} needs usage"));
            }
            if kind == "response.incomplete"
                && !response["incomplete_details"]["reason"].is_string()
            {
                return Err("response.incomplete needs incomplete_details.reason".into());
            }
            self.summary.usage = Some(response["usage"].clone());
        }
        if output != done {
            return Err(format!(
                "final output differs from the items' done events: {}",
                response["output"]
            ));
        }
        status.clone_into(&mut self.summary.status);
        self.summary.response = response.clone();
        Ok(())
    }
}

fn in_progress(data: &Value) -> Result<(), String> {
    let response = &data["response"];
    if response["status"] != "in_progress" || response["output"] != Value::Array(Vec::new()) {
        return Err(format!(
            "expected an empty response in progress: {response}"
        ));
    }
    Ok(())
}

fn usize_field(data: &Value, field: &str) -> Result<usize, String> {
    data[field]
        .as_u64()
        .and_then(|value| usize::try_from(value).ok())
        .ok_or_else(|| format!("missing {field}"))
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
