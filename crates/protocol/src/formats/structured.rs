//! Structured output (JSON answers) as each format spells it. The wire
//! pieces live here once because three formats share two spellings.

use serde::{Deserialize, Serialize};

use crate::ir::ResponseFormat;
use crate::json::RawJson;

/// Name used when a client gives a schema without one (OpenAI requires a name).
const DEFAULT_NAME: &str = "response";

/// OpenAI Chat's `response_format`: `{type, json_schema: {name, schema, strict}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct ChatFormatIn {
    #[serde(rename = "type")]
    kind: String,
    json_schema: Option<FlatFormatIn>,
}

/// Responses' `text.format` (and the inner object of Chat's `json_schema`).
#[derive(Debug, Deserialize)]
pub(crate) struct FlatFormatIn {
    #[serde(rename = "type", default)]
    kind: String,
    name: Option<String>,
    schema: Option<RawJson>,
    strict: Option<bool>,
}

impl ChatFormatIn {
    pub fn into_ir(self) -> Option<ResponseFormat> {
        match self.kind.as_str() {
            "json_object" => Some(ResponseFormat::JsonObject),
            "json_schema" => self.json_schema.and_then(FlatFormatIn::schema_format),
            _ => None,
        }
    }
}

impl FlatFormatIn {
    pub fn into_ir(self) -> Option<ResponseFormat> {
        match self.kind.as_str() {
            "json_object" => Some(ResponseFormat::JsonObject),
            "json_schema" => self.schema_format(),
            _ => None,
        }
    }

    fn schema_format(self) -> Option<ResponseFormat> {
        Some(ResponseFormat::JsonSchema {
            name: self.name.unwrap_or_else(|| DEFAULT_NAME.to_owned()),
            schema: self.schema?,
            strict: self.strict.unwrap_or(false),
        })
    }
}

#[derive(Serialize)]
pub(crate) struct ChatFormatOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    json_schema: Option<FlatFormatOut<'a>>,
}

#[derive(Serialize)]
pub(crate) struct FlatFormatOut<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    name: &'a str,
    schema: &'a RawJson,
    strict: bool,
}

pub(crate) fn chat_format_out(format: &ResponseFormat) -> ChatFormatOut<'_> {
    match format {
        ResponseFormat::JsonObject => ChatFormatOut {
            kind: "json_object",
            json_schema: None,
        },
        ResponseFormat::JsonSchema {
            name,
            schema,
            strict,
        } => ChatFormatOut {
            kind: "json_schema",
            json_schema: Some(FlatFormatOut {
                kind: None,
                name,
                schema,
                strict: *strict,
            }),
        },
    }
}

/// Responses' `text.format`; `json_object` has no schema to carry.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum ResponsesFormatOut<'a> {
    Object {
        #[serde(rename = "type")]
        kind: &'static str,
    },
    Schema(FlatFormatOut<'a>),
}

pub(crate) fn responses_format_out(format: &ResponseFormat) -> ResponsesFormatOut<'_> {
    match format {
        ResponseFormat::JsonObject => ResponsesFormatOut::Object {
            kind: "json_object",
        },
        ResponseFormat::JsonSchema {
            name,
            schema,
            strict,
        } => ResponsesFormatOut::Schema(FlatFormatOut {
            kind: Some("json_schema"),
            name,
            schema,
            strict: *strict,
        }),
    }
}
