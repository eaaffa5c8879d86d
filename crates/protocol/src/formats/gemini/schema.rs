//! Tool schemas between Gemini and JSON Schema.
//!
//! In: a declaration's `parametersJsonSchema` is JSON Schema already; the
//! older `parameters` is Gemini's OpenAPI subset, whose upper-case type
//! names (`OBJECT`, `STRING`) other vendors reject, so they are lowered.
//!
//! Out: schemas go to Gemini as `parametersJsonSchema`, untouched but for a
//! top-level `$schema`. Gemini accepts full JSON Schema there (`$ref`,
//! `additionalProperties`, `format`, `anyOf`…), which is why Gemini CLI uses
//! it; cleaning schemas down to the `parameters` subset would instead need a
//! keyword list that drifts with every API revision and loses constraints.

use serde_json::Value;

use crate::error::DecodeError;
use crate::json::RawJson;

/// Lowers every `type` name of an OpenAPI-subset schema. Schemas already
/// lower-case are returned as they are, without building a tree.
pub(super) fn openapi_to_json_schema(schema: &RawJson) -> Result<RawJson, DecodeError> {
    if !has_upper_case_type(schema.get()) {
        return Ok(schema.clone());
    }
    let mut tree: Value = serde_json::from_str(schema.get())
        .map_err(|err| DecodeError::invalid("tools", format!("parameters: {err}")))?;
    lower_types(&mut tree);
    serde_json::value::to_raw_value(&tree)
        .map(RawJson)
        .map_err(|err| DecodeError::invalid("tools", format!("parameters: {err}")))
}

fn has_upper_case_type(schema: &str) -> bool {
    [
        "\"OBJECT\"",
        "\"STRING\"",
        "\"INTEGER\"",
        "\"NUMBER\"",
        "\"BOOLEAN\"",
        "\"ARRAY\"",
        "\"NULL\"",
    ]
    .iter()
    .any(|name| memchr::memmem::find(schema.as_bytes(), name.as_bytes()).is_some())
}

fn lower_types(node: &mut Value) {
    match node {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(name) if key == "type" => *name = name.to_ascii_lowercase(),
                    Value::Array(names) if key == "type" => {
                        for name in names.iter_mut() {
                            if let Value::String(name) = name {
                                *name = name.to_ascii_lowercase();
                            }
                        }
                    }
                    // Property names are data, not keywords: a property may be called `type`.
                    other => lower_types(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(lower_types),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_types_are_lowered_but_property_names_kept() {
        let raw = RawJson(
            serde_json::value::RawValue::from_string(
                r#"{"type":"OBJECT","properties":{"type":{"type":"STRING"},"n":{"type":["INTEGER","NULL"]}}}"#
                    .into(),
            )
            .unwrap(),
        );
        let out = openapi_to_json_schema(&raw).unwrap();
        assert_eq!(
            out.get(),
            r#"{"properties":{"n":{"type":["integer","null"]},"type":{"type":"string"}},"type":"object"}"#
        );
    }
}
