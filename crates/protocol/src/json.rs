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

/// A tool schema without `$schema`, which several vendors reject. Schemas
/// without it (the common case) are borrowed as they are.
pub fn without_schema_keyword(schema: &RawValue) -> std::borrow::Cow<'_, RawValue> {
    use std::borrow::Cow;
    if memchr::memmem::find(schema.get().as_bytes(), b"\"$schema\"").is_none() {
        return Cow::Borrowed(schema);
    }
    match without_top_level_key(schema, "$schema") {
        Some(cleaned) => Cow::Owned(cleaned.0),
        None => Cow::Borrowed(schema),
    }
}

/// The object with one top-level key removed, every other byte of each value
/// kept. Scans the object without building a tree of it. `None` when `raw`
/// is not an object or has no such key.
pub fn without_top_level_key(raw: &RawValue, key: &str) -> Option<RawJson> {
    let entries: TopLevelEntries<'_> = serde_json::from_str(raw.get()).ok()?;
    if !entries.0.iter().any(|(name, _)| name == key) {
        return None;
    }
    let mut out = String::with_capacity(raw.get().len());
    out.push('{');
    for (name, value) in entries.0.iter().filter(|(name, _)| name != key) {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(name).ok()?);
        out.push(':');
        out.push_str(value.get());
    }
    out.push('}');
    RawValue::from_string(out).ok().map(RawJson)
}

/// An object's entries in order, values left as raw JSON.
struct TopLevelEntries<'a>(Vec<(std::borrow::Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for TopLevelEntries<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = TopLevelEntries<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) =
                    map.next_entry::<std::borrow::Cow<'de, str>, &'de RawValue>()?
                {
                    entries.push(entry);
                }
                Ok(TopLevelEntries(entries))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_top_level_key_keeps_everything_else_verbatim() {
        let raw = RawValue::from_string(
            r#"{"$schema":"x","type":"object","properties":{"$schema":{"type":"string"}},"a b":[1, 2]}"#
                .into(),
        )
        .unwrap();
        let out = without_top_level_key(&raw, "$schema").unwrap();
        assert_eq!(
            out.get(),
            r#"{"type":"object","properties":{"$schema":{"type":"string"}},"a b":[1, 2]}"#
        );
        assert!(without_top_level_key(&out, "$schema").is_none());
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
