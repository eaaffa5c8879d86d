//! OpenAI Responses wire types for the client side: requests we read, answers
//! and stream events we write. Unknown fields are ignored, and fields whose
//! shape differs between item types are read leniently, so that items we do
//! not translate (and fields OpenAI adds tomorrow) never fail a request.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::formats::{LenientText, TextOr};
use crate::ir::{Text, TextRef};
use crate::json::RawJson;

#[derive(Deserialize)]
pub(super) struct ResponsesRequestIn {
    pub model: String,
    pub instructions: Option<Text>,
    #[serde(default)]
    pub input: Option<TextOr<ItemIn>>,
    #[serde(default)]
    pub tools: Option<Vec<ToolIn>>,
    pub tool_choice: Option<ToolChoiceIn>,
    pub parallel_tool_calls: Option<bool>,
    pub max_output_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    #[serde(default)]
    pub stream: Option<bool>,
    pub reasoning: Option<ReasoningIn>,
    pub user: Option<String>,
    pub safety_identifier: Option<String>,
    pub previous_response_id: Option<String>,
    pub text: Option<TextConfigIn>,
    /// Server-side conversation state; only its presence matters.
    pub conversation: Option<IgnoredAny>,
}

#[derive(Deserialize)]
pub(super) struct TextConfigIn {
    pub format: Option<crate::formats::structured::FlatFormatIn>,
}

/// Every input item type in one flat struct: tolerant of types we do not
/// know, whose fields may have other shapes (hence the lenient fields).
#[derive(Deserialize)]
pub(super) struct ItemIn {
    /// Absent on the short message form `{role, content}`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub role: Option<String>,
    pub content: Option<Lenient<PartIn>>,
    pub call_id: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    #[serde(default)]
    pub arguments: LenientText,
    pub output: Option<Lenient<PartIn>>,
    pub summary: Option<Lenient<PartIn>>,
    #[serde(default)]
    pub encrypted_content: LenientText,
}

/// A content part of any kind: message content, tool output, reasoning summary.
#[derive(Deserialize)]
pub(super) struct PartIn {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub text: Option<Text>,
    pub refusal: Option<Text>,
    pub image_url: Option<ImageUrlIn>,
    pub file_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum ImageUrlIn {
    Text(String),
    Object { url: String },
}

#[derive(Deserialize)]
pub(super) struct ToolIn {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub name: Option<String>,
    pub description: Option<Text>,
    pub parameters: Option<RawJson>,
    /// The functions of a `namespace` tool.
    pub tools: Option<Vec<ToolIn>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum ToolChoiceIn {
    Mode(String),
    Object(ToolChoiceObjectIn),
}

#[derive(Deserialize)]
pub(super) struct ToolChoiceObjectIn {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// `allowed_tools`: `auto` or `required`.
    pub mode: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct ReasoningIn {
    pub effort: Option<String>,
}

/// A string, a list of `T`, or anything else (ignored): `output` is a string
/// or a list on `function_call_output` but an object on `computer_call_output`.
pub(super) enum Lenient<T> {
    Text(Text),
    List(Vec<T>),
    Other,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor(PhantomData))
    }
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for LenientVisitor<T> {
    type Value = Lenient<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a list")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Lenient::Text(Text::new(text)))
    }

    fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Lenient::Text(Text::new(&text)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(element) = seq.next_element()? {
            list.push(element);
        }
        Ok(Lenient::List(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Lenient::Other)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Lenient::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Lenient::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Lenient::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Lenient::Other)
    }
}

// ---- what we write ----

/// A `response` object, complete or as a stream snapshot. Fields the answer
/// cannot know (the request's settings) carry the API's defaults, so the
/// official SDKs find every field their `Response` type declares.
#[derive(Serialize)]
pub(super) struct ResponseOut<'a> {
    pub id: &'a str,
    pub object: &'static str,
    pub created_at: u64,
    pub status: &'static str,
    pub error: Option<ErrorOut<'a>>,
    pub incomplete_details: Option<IncompleteOut>,
    pub instructions: Option<&'static str>,
    pub max_output_tokens: Option<u32>,
    pub model: &'a str,
    pub output: Vec<ItemOut<'a>>,
    pub parallel_tool_calls: bool,
    pub previous_response_id: Option<&'static str>,
    pub reasoning: ReasoningOut,
    pub store: bool,
    pub temperature: Option<f64>,
    pub text: TextConfigOut,
    pub tool_choice: &'static str,
    pub tools: [(); 0],
    pub top_p: Option<f64>,
    pub truncation: &'static str,
    pub usage: Option<UsageOut>,
    pub metadata: EmptyObject,
}

impl<'a> ResponseOut<'a> {
    pub fn new(id: &'a str, created_at: u64, model: &'a str, status: &'static str) -> Self {
        Self {
            id,
            object: "response",
            created_at,
            status,
            error: None,
            incomplete_details: None,
            instructions: None,
            max_output_tokens: None,
            model,
            output: Vec::new(),
            parallel_tool_calls: true,
            previous_response_id: None,
            reasoning: ReasoningOut::default(),
            store: false,
            temperature: None,
            text: TextConfigOut::default(),
            tool_choice: "auto",
            tools: [],
            top_p: None,
            truncation: "disabled",
            usage: None,
            metadata: EmptyObject {},
        }
    }
}

/// Serializes as `{}`.
#[derive(Serialize)]
pub(super) struct EmptyObject {}

#[derive(Serialize, Default)]
pub(super) struct ReasoningOut {
    pub effort: Option<&'static str>,
    pub summary: Option<&'static str>,
}

#[derive(Serialize)]
pub(super) struct TextConfigOut {
    pub format: FormatOut,
}

impl Default for TextConfigOut {
    fn default() -> Self {
        Self {
            format: FormatOut { kind: "text" },
        }
    }
}

#[derive(Serialize)]
pub(super) struct FormatOut {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Serialize)]
pub(super) struct ErrorOut<'a> {
    pub code: &'static str,
    pub message: &'a str,
}

#[derive(Serialize)]
pub(super) struct IncompleteOut {
    pub reason: &'static str,
}

#[derive(Serialize, Clone)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ItemOut<'a> {
    Message {
        id: &'a str,
        status: &'static str,
        role: &'static str,
        content: Vec<PartOut<'a>>,
    },
    Reasoning {
        id: &'a str,
        summary: Vec<PartOut<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        encrypted_content: Option<&'a str>,
    },
    FunctionCall {
        id: &'a str,
        call_id: &'a str,
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<&'a str>,
        arguments: &'a str,
        status: &'static str,
    },
}

#[derive(Serialize, Clone, Copy)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum PartOut<'a> {
    OutputText {
        text: TextRef<'a>,
        annotations: [(); 0],
        logprobs: [(); 0],
    },
    SummaryText {
        text: TextRef<'a>,
    },
}

impl<'a> PartOut<'a> {
    pub fn output_text(text: impl Into<TextRef<'a>>) -> Self {
        Self::OutputText {
            text: text.into(),
            annotations: [],
            logprobs: [],
        }
    }
}

#[derive(Serialize, Default)]
pub(super) struct UsageOut {
    pub input_tokens: u64,
    pub input_tokens_details: CachedOut,
    pub output_tokens: u64,
    pub output_tokens_details: ReasoningTokensOut,
    pub total_tokens: u64,
}

#[derive(Serialize, Default)]
pub(super) struct CachedOut {
    pub cached_tokens: u64,
}

#[derive(Serialize, Default)]
pub(super) struct ReasoningTokensOut {
    pub reasoning_tokens: u64,
}

impl From<&crate::ir::Usage> for UsageOut {
    fn from(usage: &crate::ir::Usage) -> Self {
        // Responses counts every prompt token in `input_tokens`, cached or not.
        let input = usage.total_input();
        Self {
            input_tokens: input,
            input_tokens_details: CachedOut {
                cached_tokens: usage.cache_read_tokens,
            },
            output_tokens: usage.output_tokens,
            output_tokens_details: ReasoningTokensOut {
                reasoning_tokens: usage.reasoning_tokens,
            },
            total_tokens: input + usage.output_tokens,
        }
    }
}

/// One stream event. Each event type uses a subset of the fields; the rest
/// are left out.
#[derive(Serialize, Default)]
pub(super) struct EventOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub sequence_number: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<PartOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<[(); 0]>,
}
