//! Small JSON helpers shared by the formats.

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

#[cfg(test)]
mod tests {
    use super::*;

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
