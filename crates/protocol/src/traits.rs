//! What a request holds that routing cares about: images, tools, a hosted
//! web search tool, reasoning asked for. Read from the client's bytes in
//! one pass over the top level, borrowing the big fields raw and searching
//! them for the few tokens that matter, instead of decoding every message.
//!
//! The searches are exact for JSON: a `"` inside a string is escaped, so
//! `"type"` followed by `:` is always a key, and the string after it a value.

use memchr::memmem;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::Format;
use crate::error::DecodeError;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Traits {
    pub images: bool,
    /// Tools are offered (hosted ones included).
    pub tools: bool,
    pub web_search: bool,
    pub thinking: bool,
}

/// Every format's top-level fields that matter, borrowed.
#[derive(Deserialize)]
struct Fields<'a> {
    #[serde(borrow, default)]
    messages: Option<&'a RawValue>,
    #[serde(borrow, default)]
    input: Option<&'a RawValue>,
    #[serde(borrow, default)]
    contents: Option<&'a RawValue>,
    #[serde(borrow, default)]
    tools: Option<&'a RawValue>,
    #[serde(borrow, default)]
    thinking: Option<&'a RawValue>,
    #[serde(borrow, default)]
    reasoning_effort: Option<&'a RawValue>,
    #[serde(borrow, default)]
    reasoning: Option<&'a RawValue>,
    #[serde(
        borrow,
        default,
        rename = "generationConfig",
        alias = "generation_config"
    )]
    generation_config: Option<&'a RawValue>,
    #[serde(borrow, default)]
    web_search_options: Option<&'a RawValue>,
}

pub fn scan(format: Format, body: &[u8]) -> Result<Traits, DecodeError> {
    let fields: Fields<'_> =
        serde_json::from_slice(body).map_err(|err| DecodeError::from_json(&err))?;
    Ok(match format {
        Format::Anthropic => anthropic(&fields),
        Format::OpenaiChat => openai_chat(&fields),
        Format::OpenaiResponses => openai_responses(&fields),
        Format::Gemini => gemini(&fields),
    })
}

fn anthropic(fields: &Fields<'_>) -> Traits {
    Traits {
        images: raw(fields.messages).is_some_and(|m| typed(m, |t| t == "image")),
        tools: raw(fields.tools).is_some_and(non_empty_array),
        web_search: raw(fields.tools).is_some_and(|t| typed(t, |t| t.starts_with("web_search"))),
        thinking: raw(fields.thinking)
            .is_some_and(|t| typed(t, |t| t == "enabled" || t == "adaptive")),
    }
}

fn openai_chat(fields: &Fields<'_>) -> Traits {
    Traits {
        images: raw(fields.messages).is_some_and(|m| typed(m, |t| t == "image_url")),
        tools: raw(fields.tools).is_some_and(non_empty_array),
        web_search: fields.web_search_options.is_some_and(|w| w.get() != "null"),
        thinking: raw(fields.reasoning_effort).is_some_and(|e| e != "\"none\"" && e != "null"),
    }
}

fn openai_responses(fields: &Fields<'_>) -> Traits {
    let tools = raw(fields.tools);
    Traits {
        images: raw(fields.input).is_some_and(|i| typed(i, |t| t == "input_image")),
        tools: tools.is_some_and(non_empty_array),
        web_search: tools.is_some_and(|t| typed(t, |t| t.starts_with("web_search"))),
        thinking: raw(fields.reasoning)
            .is_some_and(|r| r != "null" && !has_pair(r, "effort", |e| e == "none")),
    }
}

fn gemini(fields: &Fields<'_>) -> Traits {
    let tools = raw(fields.tools);
    let config = raw(fields.generation_config);
    Traits {
        images: raw(fields.contents).is_some_and(|c| {
            has_key(c, "inlineData")
                || has_key(c, "inline_data")
                || has_key(c, "fileData")
                || has_key(c, "file_data")
        }),
        tools: tools.is_some_and(non_empty_array),
        web_search: tools.is_some_and(|t| {
            has_key(t, "googleSearch")
                || has_key(t, "google_search")
                || has_key(t, "googleSearchRetrieval")
        }),
        thinking: config.is_some_and(|c| {
            (has_key(c, "thinkingConfig") || has_key(c, "thinking_config"))
                && !has_pair(c, "thinkingBudget", |budget| budget == "0")
        }),
    }
}

fn raw(value: Option<&RawValue>) -> Option<&str> {
    value.map(RawValue::get).filter(|text| *text != "null")
}

/// Any tool at all: a model without tool use can take none, hosted ones included.
fn non_empty_array(tools: &str) -> bool {
    tools
        .trim_start()
        .strip_prefix('[')
        .is_some_and(|rest| !rest.trim_start().starts_with(']'))
}

/// Some `"type": "…"` pair's value passes `want`.
fn typed(json: &str, want: impl Fn(&str) -> bool) -> bool {
    has_pair(json, "type", want)
}

/// Some `"key": value` pair's value (a string without its quotes, else the
/// bare token) passes `want`.
fn has_pair(json: &str, key: &str, want: impl Fn(&str) -> bool) -> bool {
    let needle = format!("\"{key}\"");
    let bytes = json.as_bytes();
    memmem::find_iter(bytes, needle.as_bytes()).any(|at| {
        let rest = json
            .get(at + needle.len()..)
            .unwrap_or_default()
            .trim_start();
        let Some(value) = rest.strip_prefix(':').map(str::trim_start) else {
            return false;
        };
        match value.strip_prefix('"') {
            Some(string) => string.split('"').next().is_some_and(&want),
            None => want(
                value
                    .split([',', '}', ']', ' ', '\n', '\r', '\t'])
                    .next()
                    .unwrap_or_default(),
            ),
        }
    })
}

/// `"key"` occurs as a key.
fn has_key(json: &str, key: &str) -> bool {
    has_pair(json, key, |_| true)
}

#[cfg(test)]
mod tests;
