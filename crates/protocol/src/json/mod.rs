//! JSON helpers shared by the formats, and the writer every body goes through.

mod escape;
mod members;
mod write;

use std::borrow::Cow;

pub use escape::escape_into;

/// How serde_json's `RawValue` announces itself to a (de)serializer: the
/// protocol by which raw JSON text passes through serde. Our writer, `Text`
/// and `Verbatim` use it; `write::tests::raw_value_is_written_verbatim` and
/// `ir::text` tests fail should serde_json ever change it.
pub(crate) const SERDE_JSON_RAW: &str = "$serde_json::private::RawValue";
pub use write::{Verbatim, WriteError, to_vec, write_json};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A JSON text kept verbatim (tool arguments, schemas): never parsed into a
/// tree on the hot path. Equal when the texts are equal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson(pub Box<RawValue>);

impl RawJson {
    pub fn get(&self) -> &str {
        self.0.get()
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl From<Box<RawValue>> for RawJson {
    fn from(raw: Box<RawValue>) -> Self {
        Self(raw)
    }
}

impl std::ops::Deref for RawJson {
    type Target = RawValue;

    fn deref(&self) -> &RawValue {
        &self.0
    }
}

/// `{}` as raw JSON.
pub fn empty_object() -> RawJson {
    // "{}" always parses; NULL only keeps this total without a panic path.
    RawJson(RawValue::from_string("{}".to_owned()).unwrap_or_else(|_| RawValue::NULL.to_owned()))
}

/// Tool-call arguments as raw JSON. Empty means `{}`. Models sometimes emit
/// invalid JSON: it is kept, wrapped as `{"_invalid_arguments": "…"}`, so the
/// agent sees what the model wrote and can ask again.
pub fn arguments_json(arguments: String) -> RawJson {
    if arguments.trim().is_empty() {
        return empty_object();
    }
    if serde_json::from_str::<serde::de::IgnoredAny>(&arguments).is_ok() {
        if let Ok(raw) = RawValue::from_string(arguments) {
            return RawJson(raw);
        }
        return empty_object();
    }
    let wrapped = serde_json::json!({ "_invalid_arguments": arguments });
    serde_json::value::to_raw_value(&wrapped).map_or_else(|_| empty_object(), RawJson)
}

/// A tool schema without a top-level `$schema`, which several vendors
/// reject. Schemas without it are borrowed as they are.
pub fn without_schema_keyword(schema: &RawValue) -> Verbatim<'_> {
    let text = schema.get();
    if memchr::memmem::find(text.as_bytes(), b"\"$schema\"").is_none() {
        return Verbatim(Cow::Borrowed(text));
    }
    match members::without_member(text, "$schema") {
        Some(cleaned) => Verbatim(Cow::Owned(cleaned)),
        None => Verbatim(Cow::Borrowed(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_schema_keyword_drops_only_the_top_level_member() {
        let raw = RawValue::from_string(
            r#"{"$schema":"x","type":"object","properties":{"$schema":{"type":"string"}},"a b":[1, 2]}"#
                .into(),
        )
        .unwrap();
        let out = without_schema_keyword(&raw);
        assert_eq!(
            out.0,
            r#"{"type":"object","properties":{"$schema":{"type":"string"}},"a b":[1, 2]}"#
        );
        assert!(matches!(
            without_schema_keyword(&RawValue::from_string(out.0.into_owned()).unwrap()).0,
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn arguments_json_keeps_valid_wraps_invalid_and_fills_empty() {
        assert_eq!(arguments_json(r#"{"a":1}"#.into()).get(), r#"{"a":1}"#);
        assert_eq!(arguments_json("  ".into()).get(), "{}");
        assert_eq!(
            arguments_json(r#"{"a":"#.into()).get(),
            r#"{"_invalid_arguments":"{\"a\":"}"#
        );
    }
}
