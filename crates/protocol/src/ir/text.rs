//! Message text kept as the JSON string literal it arrived in.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::json::{SERDE_JSON_RAW, Verbatim, escape_into};

/// Text as a JSON string literal, quotes and escapes included. Every wire
/// format escapes text the same way, so text decoded from one body is
/// written into another as it is: never unescaped and escaped again, which
/// was most of the cost of translating a large request.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Text(Box<str>);

impl Text {
    /// Escapes plain text.
    pub fn new(plain: &str) -> Self {
        let mut literal = String::with_capacity(plain.len() + 2);
        escape_into(&mut literal, plain);
        Self(literal.into_boxed_str())
    }

    /// The JSON string literal, quotes included.
    pub fn literal(&self) -> &str {
        &self.0
    }

    /// The text itself, escapes resolved (borrowed when it has none).
    pub fn plain(&self) -> Cow<'_, str> {
        let inner = self.escaped();
        if !inner.contains('\\') {
            return Cow::Borrowed(inner);
        }
        // A literal we hold always parses; the fallback only keeps this total.
        serde_json::from_str::<String>(&self.0).map_or(Cow::Borrowed(inner), Cow::Owned)
    }

    /// The text itself, as an owned string.
    pub fn into_plain(self) -> String {
        self.plain().into_owned()
    }

    /// The literal without its quotes.
    fn escaped(&self) -> &str {
        self.0
            .get(1..self.0.len().saturating_sub(1))
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.escaped().is_empty()
    }

    /// Bytes the literal takes on the wire.
    pub fn wire_len(&self) -> usize {
        self.0.len()
    }

    /// The texts joined by `separator`, still escaped: escaping commutes
    /// with concatenation.
    pub fn join<'a, I>(parts: I, separator: &str) -> Self
    where
        I: IntoIterator<Item = &'a Text>,
        I::IntoIter: Clone,
    {
        let parts = parts.into_iter();
        let size: usize = parts.clone().map(|part| part.wire_len() + 8).sum();
        let mut joined = TextBuilder::with_capacity(size);
        for part in parts {
            joined.push_separated(separator, part);
        }
        joined.build()
    }

    /// Appends plain text.
    pub fn push_plain(&mut self, plain: &str) {
        let mut joined = TextBuilder::new();
        joined.push(self);
        joined.push_plain(plain);
        *self = joined.build();
    }

    /// [`Text::join`], borrowing the text when there is only one.
    pub fn join_borrowed<'a, I>(parts: I, separator: &str) -> Cow<'a, Text>
    where
        I: IntoIterator<Item = &'a Text>,
        I::IntoIter: Clone,
    {
        let parts = parts.into_iter();
        let mut peek = parts.clone();
        match (peek.next(), peek.next()) {
            (Some(only), None) => Cow::Borrowed(only),
            _ => Cow::Owned(Self::join(parts, separator)),
        }
    }

    /// A literal serde_json has already checked.
    fn from_checked_literal(literal: &str) -> Option<Self> {
        let is_string = literal.len() >= 2 && literal.starts_with('"') && literal.ends_with('"');
        is_string.then(|| Self(literal.into()))
    }
}

/// Text for an outgoing field, whichever form it is in: plain text is
/// escaped as it is written, a [`Text`] is written as it is.
#[derive(Debug, Clone, Copy)]
pub enum TextRef<'a> {
    Plain(&'a str),
    Literal(&'a Text),
}

impl TextRef<'_> {
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Plain(plain) => plain.is_empty(),
            Self::Literal(text) => text.is_empty(),
        }
    }
}

impl<'a> From<&'a str> for TextRef<'a> {
    fn from(plain: &'a str) -> Self {
        Self::Plain(plain)
    }
}

impl<'a> From<&'a String> for TextRef<'a> {
    fn from(plain: &'a String) -> Self {
        Self::Plain(plain)
    }
}

impl<'a> From<&'a Text> for TextRef<'a> {
    fn from(text: &'a Text) -> Self {
        Self::Literal(text)
    }
}

impl Serialize for TextRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Plain(plain) => serializer.serialize_str(plain),
            Self::Literal(text) => text.serialize(serializer),
        }
    }
}

/// Text assembled from pieces, escaped throughout.
#[derive(Debug)]
pub struct TextBuilder {
    /// The literal so far, without its closing quote.
    open_literal: String,
}

impl TextBuilder {
    pub fn new() -> Self {
        Self::with_capacity(16)
    }

    pub fn with_capacity(bytes: usize) -> Self {
        let mut open_literal = String::with_capacity(bytes);
        open_literal.push('"');
        Self { open_literal }
    }

    pub fn push(&mut self, text: &Text) {
        self.open_literal.push_str(text.escaped());
    }

    pub fn push_plain(&mut self, plain: &str) {
        self.push(&Text::new(plain));
    }

    /// `separator` first unless nothing was pushed yet.
    pub fn push_separated(&mut self, separator: &str, text: &Text) {
        if !self.is_empty() {
            self.push_plain(separator);
        }
        self.push(text);
    }

    pub fn is_empty(&self) -> bool {
        self.open_literal.len() == 1
    }

    pub fn build(mut self) -> Text {
        self.open_literal.push('"');
        Text(self.open_literal.into_boxed_str())
    }
}

impl Default for TextBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl Default for Text {
    fn default() -> Self {
        Self("\"\"".into())
    }
}

impl From<&str> for Text {
    fn from(plain: &str) -> Self {
        Self::new(plain)
    }
}

impl From<String> for Text {
    fn from(plain: String) -> Self {
        Self::new(&plain)
    }
}

impl From<&String> for Text {
    fn from(plain: &String) -> Self {
        Self::new(plain)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.plain() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.plain() == *other
    }
}

/// Shown as the plain text, as a `String` would be.
impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.plain(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}

/// Written verbatim, by our writer and by serde_json's.
impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Verbatim(Cow::Borrowed(self.literal())).serialize(serializer)
    }
}

/// Asks for the value unparsed (serde_json's `RawValue` protocol). Other
/// deserializers, and serde_json should this ever change, give the plain
/// string instead, which is escaped again: slower, same text.
impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(SERDE_JSON_RAW, TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
        if map.next_key::<RawKey>()?.is_none() {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        let raw: Cow<'de, str> = map.next_value::<BorrowedOrOwned<'de>>()?.0;
        Text::from_checked_literal(raw.trim())
            .ok_or_else(|| de::Error::invalid_type(de::Unexpected::Other(unexpected(&raw)), &self))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, inner: D) -> Result<Text, D::Error> {
        inner.deserialize_str(self)
    }

    fn visit_str<E: de::Error>(self, plain: &str) -> Result<Text, E> {
        Ok(Text::new(plain))
    }
}

/// What a non-string JSON value is, for the error message.
fn unexpected(raw: &str) -> &'static str {
    match raw.trim_start().as_bytes().first() {
        Some(b'{') => "map",
        Some(b'[') => "sequence",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        _ => "number",
    }
}

/// The one key of serde_json's raw map, whatever it is called.
struct RawKey;

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::IgnoredAny::deserialize(deserializer).map(|_| RawKey)
    }
}

struct BorrowedOrOwned<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for BorrowedOrOwned<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Raw;
        impl<'de> Visitor<'de> for Raw {
            type Value = BorrowedOrOwned<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("raw JSON text")
            }

            fn visit_borrowed_str<E: de::Error>(self, raw: &'de str) -> Result<Self::Value, E> {
                Ok(BorrowedOrOwned(Cow::Borrowed(raw)))
            }

            fn visit_str<E: de::Error>(self, raw: &str) -> Result<Self::Value, E> {
                Ok(BorrowedOrOwned(Cow::Owned(raw.to_owned())))
            }

            fn visit_string<E: de::Error>(self, raw: String) -> Result<Self::Value, E> {
                Ok(BorrowedOrOwned(Cow::Owned(raw)))
            }
        }
        deserializer.deserialize_str(Raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Holder {
        text: Text,
        maybe: Option<Text>,
    }

    #[test]
    fn decoded_text_keeps_its_literal_and_reads_plain() {
        let holder: Holder =
            serde_json::from_str(r#"{"text": "a\nb \"q\" \u00e9", "maybe": null}"#).unwrap();
        assert_eq!(holder.text.literal(), r#""a\nb \"q\" \u00e9""#);
        assert_eq!(holder.text.plain(), "a\nb \"q\" é");
        assert!(holder.maybe.is_none());
        assert_eq!(crate::json::to_vec(&holder.text), br#""a\nb \"q\" \u00e9""#);
        assert_eq!(
            serde_json::to_string(&holder.text).unwrap(),
            holder.text.literal()
        );
    }

    #[test]
    fn a_value_that_is_not_a_string_is_refused_with_its_kind() {
        for (body, kind) in [
            (r#"{"text": 5}"#, "number"),
            (r#"{"text": [1]}"#, "sequence"),
        ] {
            let err = serde_json::from_str::<Holder>(body)
                .err()
                .unwrap()
                .to_string();
            assert!(
                err.contains(kind) && err.contains("expected a string"),
                "{err}"
            );
        }
    }

    #[test]
    fn buffered_deserializers_get_the_plain_text_escaped() {
        let value = serde_json::json!({"text": "line\n\"x\"", "maybe": "y"});
        let holder: Holder = serde_json::from_value(value).unwrap();
        assert_eq!(holder.text.literal(), r#""line\n\"x\"""#);
        assert_eq!(holder.maybe.unwrap(), "y");
    }

    #[test]
    fn join_and_new_agree_with_escaping_the_joined_text() {
        let parts = [Text::new("a\"b"), Text::new("c\n")];
        assert_eq!(Text::join(&parts, "\n\n"), Text::new("a\"b\n\nc\n"));
        assert!(Text::default().is_empty());
        assert_eq!(format!("{:?}", Text::new("x\ny")), format!("{:?}", "x\ny"));
    }
}
