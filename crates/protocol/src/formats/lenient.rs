use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A field vendors fill inconsistently: kept when it is a string, ignored
/// (not an error) when it is an object, a list, a number or null. OpenRouter's
/// `reasoning`, for one, is a string on some models and absent on others.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct LenientText(pub Option<String>);

impl LenientText {
    pub fn into_non_empty(self) -> Option<String> {
        self.0.filter(|text| !text.is_empty())
    }
}

impl<'de> Deserialize<'de> for LenientText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor)
    }
}

struct LenientVisitor;

impl<'de> Visitor<'de> for LenientVisitor {
    type Value = LenientText;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<LenientText, E> {
        Ok(LenientText(Some(text.to_owned())))
    }

    fn visit_string<E: serde::de::Error>(self, text: String) -> Result<LenientText, E> {
        Ok(LenientText(Some(text)))
    }

    fn visit_bool<E>(self, _: bool) -> Result<LenientText, E> {
        Ok(LenientText(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<LenientText, E> {
        Ok(LenientText(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<LenientText, E> {
        Ok(LenientText(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<LenientText, E> {
        Ok(LenientText(None))
    }

    fn visit_unit<E>(self) -> Result<LenientText, E> {
        Ok(LenientText(None))
    }

    fn visit_none<E>(self) -> Result<LenientText, E> {
        Ok(LenientText(None))
    }

    fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<LenientText, D::Error> {
        inner.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LenientText, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(LenientText(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LenientText, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(LenientText(None))
    }
}
