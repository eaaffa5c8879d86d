//! The serializer every wire body goes through: compact JSON, byte for byte
//! what `serde_json::to_vec` writes, with a faster string escaper
//! ([`super::escape`]) and raw JSON pieces written as they are ([`Verbatim`]
//! and serde_json's `RawValue`).

use std::borrow::Cow;
use std::fmt;

use serde::ser::{self, Serialize};

use super::SERDE_JSON_RAW;
use super::escape::write_str;

/// Appends `data` as JSON. Our wire types hold only strings, numbers, maps
/// with string keys and raw JSON, which cannot fail; should one ever, `null`
/// keeps the body well-formed.
pub fn write_json(out: &mut Vec<u8>, data: &(impl Serialize + ?Sized)) {
    let start = out.len();
    let mut writer = Writer {
        out: &mut *out,
        raw_next: false,
    };
    if data.serialize(&mut writer).is_err() {
        out.truncate(start);
        out.extend_from_slice(b"null");
    }
}

/// `data` as a JSON text.
pub fn to_vec(data: &(impl Serialize + ?Sized)) -> Vec<u8> {
    let mut out = Vec::new();
    write_json(&mut out, data);
    out
}

/// JSON text written as it is. The text must be valid JSON (a slice of a
/// body already parsed, or built by us).
#[derive(Debug, Clone)]
pub struct Verbatim<'a>(pub Cow<'a, str>);

/// Announced the way serde_json's `RawValue` is, so that both [`write_json`]
/// and serde_json's own serializer write it verbatim.
impl Serialize for Verbatim<'_> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use ser::SerializeStruct;
        let mut raw = serializer.serialize_struct(SERDE_JSON_RAW, 1)?;
        raw.serialize_field(SERDE_JSON_RAW, &*self.0)?;
        raw.end()
    }
}

#[derive(Debug)]
pub struct WriteError(String);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self(message.to_string())
    }
}

/// `"key":`. Field names are plain words, copied in one go; one that is
/// not is escaped like any string.
fn write_key(out: &mut Vec<u8>, key: &str) {
    if key
        .bytes()
        .all(|byte| byte >= 0x20 && byte != b'"' && byte != b'\\')
    {
        out.reserve(key.len() + 3);
        out.push(b'"');
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
    } else {
        write_str(out, key);
        out.push(b':');
    }
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    /// The next string is raw JSON, not text.
    raw_next: bool,
}

impl<'a> Writer<'a> {
    fn push(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// `value`, which must serialize as one string, written as JSON text.
    fn raw<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.raw_next = true;
        value.serialize(&mut *self)?;
        if std::mem::take(&mut self.raw_next) {
            return Err(ser::Error::custom("raw JSON must be a string"));
        }
        Ok(())
    }

    /// Not-a-number and infinities are `null`, as serde_json writes them.
    fn float(&mut self, value: impl zmij::Float, is_finite: bool) {
        if is_finite {
            self.push(zmij::Buffer::new().format_finite(value).as_bytes());
        } else {
            self.push(b"null");
        }
    }

    fn integer(&mut self, value: impl itoa::Integer) {
        let mut buffer = itoa::Buffer::new();
        self.push(buffer.format(value).as_bytes());
    }

    fn open<'w>(&'w mut self, bytes: &[u8], close: &'static [u8]) -> Compound<'w, 'a> {
        self.push(bytes);
        Compound {
            writer: self,
            state: State::First,
            close,
        }
    }
}

type Result<T = (), E = WriteError> = std::result::Result<T, E>;

macro_rules! integers {
    ($($method:ident: $type:ty),*) => {$(
        fn $method(self, value: $type) -> Result {
            self.integer(value);
            Ok(())
        }
    )*};
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, value: bool) -> Result {
        self.push(if value { b"true" } else { b"false" });
        Ok(())
    }

    integers!(
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_u128: u128
    );

    fn serialize_f32(self, value: f32) -> Result {
        self.float(value, value.is_finite());
        Ok(())
    }

    fn serialize_f64(self, value: f64) -> Result {
        self.float(value, value.is_finite());
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result {
        self.serialize_str(value.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, value: &str) -> Result {
        if std::mem::take(&mut self.raw_next) {
            self.push(value.as_bytes());
        } else {
            write_str(self.out, value);
        }
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(value.len()))?;
        for byte in value {
            seq.serialize_element(byte)?;
        }
        seq.end()
    }

    fn serialize_none(self) -> Result {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result {
        self.push(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &str) -> Result {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &str,
        value: &T,
    ) -> Result {
        self.push(b"{");
        write_str(self.out, variant);
        self.push(b":");
        value.serialize(&mut *self)?;
        self.push(b"}");
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'w, 'a>> {
        Ok(self.open(b"[", b"]"))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'a>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'w, 'a>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &str,
        _len: usize,
    ) -> Result<Compound<'w, 'a>> {
        self.push(b"{");
        write_str(self.out, variant);
        Ok(self.open(b":[", b"]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'w, 'a>> {
        Ok(self.open(b"{", b"}"))
    }

    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Compound<'w, 'a>> {
        if name == SERDE_JSON_RAW {
            return Ok(Compound {
                writer: self,
                state: State::Raw,
                close: b"",
            });
        }
        Ok(self.open(b"{", b"}"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &str,
        _len: usize,
    ) -> Result<Compound<'w, 'a>> {
        self.push(b"{");
        write_str(self.out, variant);
        Ok(self.open(b":{", b"}}"))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    First,
    Rest,
    /// serde_json's `RawValue`: one field whose string is the JSON text.
    Raw,
}

pub struct Compound<'w, 'a> {
    writer: &'w mut Writer<'a>,
    state: State,
    close: &'static [u8],
}

impl Compound<'_, '_> {
    fn separate(&mut self) {
        if self.state == State::Rest {
            self.writer.push(b",");
        }
        self.state = State::Rest;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.separate();
        value.serialize(&mut *self.writer)
    }

    fn finish(self) -> Result {
        self.writer.push(self.close);
        Ok(())
    }

    /// A map key: strings as they are; numbers and booleans quoted, as
    /// serde_json does; anything else is refused.
    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.separate();
        let start = self.writer.out.len();
        key.serialize(&mut *self.writer)?;
        match self.writer.out.get(start) {
            Some(b'"') => {}
            Some(b'0'..=b'9' | b'-' | b't' | b'f') => {
                self.writer.out.insert(start, b'"');
                self.writer.push(b"\"");
            }
            _ => return Err(ser::Error::custom("key must be a string")),
        }
        self.writer.push(b":");
        Ok(())
    }
}

/// The four element-by-element traits serde splits sequences into.
macro_rules! elements {
    ($($kind:ident :: $method:ident),*) => {$(
        impl ser::$kind for Compound<'_, '_> {
            type Ok = ();
            type Error = WriteError;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                self.element(value)
            }

            fn end(self) -> Result {
                self.finish()
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        if self.state == State::Raw {
            return self.writer.raw(value);
        }
        self.separate();
        write_key(self.writer.out, key);
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        ser::SerializeStruct::serialize_field(self, key, value)
    }

    fn end(self) -> Result {
        self.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::Value;
    use serde_json::value::RawValue;
    use std::collections::BTreeMap;

    fn ours(data: &impl Serialize) -> String {
        String::from_utf8(to_vec(data)).unwrap()
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i32, String),
        Struct { a: Option<f64>, b: Vec<bool> },
    }

    #[derive(Serialize)]
    struct Everything<'a> {
        text: &'a str,
        character: char,
        small: i8,
        big: u128,
        negative: i128,
        float: f32,
        double: f64,
        not_a_number: f64,
        missing: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u32>,
        bytes: &'a [u8],
        unit: (),
        pair: (u8, &'a str),
        shapes: Vec<Shape>,
        numbered: BTreeMap<i32, &'a str>,
        flags: BTreeMap<bool, u8>,
        raw: &'a RawValue,
        #[serde(flatten)]
        extra: BTreeMap<&'a str, Value>,
    }

    #[test]
    fn every_serde_shape_is_written_as_serde_json_writes_it() {
        let raw = RawValue::from_string(r#"{ "kept" : [1, 2.50] }"#.into()).unwrap();
        let data = Everything {
            text: "line\n\"quoted\" \\ \u{1} é 😀",
            character: '\t',
            small: -8,
            big: u128::MAX,
            negative: i128::MIN,
            float: 0.1,
            double: 1e21,
            not_a_number: f64::NAN,
            missing: None,
            skipped: None,
            bytes: &[0, 255],
            unit: (),
            pair: (7, "x"),
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(3),
                Shape::Tuple(-1, "t".into()),
                Shape::Struct {
                    a: Some(-0.0),
                    b: vec![true, false],
                },
            ],
            numbered: BTreeMap::from([(-3, "minus"), (10, "ten")]),
            flags: BTreeMap::from([(true, 1)]),
            raw: &raw,
            extra: BTreeMap::from([("flat", Value::from(2.5))]),
        };
        assert_eq!(ours(&data), serde_json::to_string(&data).unwrap());
    }

    #[test]
    fn raw_value_is_written_verbatim() {
        let raw = RawValue::from_string(r#"{ "a" : "\u00e9" }"#.into()).unwrap();
        assert_eq!(ours(&[&raw]), r#"[{ "a" : "\u00e9" }]"#);
    }

    #[test]
    fn verbatim_is_written_as_is_by_both_writers() {
        let pieces = (Verbatim(r#"{"a":1}"#.into()), Verbatim("[ ]".into()));
        assert_eq!(ours(&pieces), r#"[{"a":1},[ ]]"#);
        assert_eq!(serde_json::to_string(&pieces).unwrap(), r#"[{"a":1},[ ]]"#);
    }

    #[test]
    fn keys_that_are_not_strings_or_numbers_make_null() {
        let map = BTreeMap::from([(vec![1], 2)]);
        assert_eq!(ours(&map), "null");
        assert!(serde_json::to_string(&map).is_err());
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
                prop::collection::btree_map(any::<String>(), inner, 0..8)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_json_value_is_written_as_serde_json_writes_it(value in any_value()) {
            prop_assert_eq!(ours(&value), serde_json::to_string(&value).unwrap());
        }
    }
}
