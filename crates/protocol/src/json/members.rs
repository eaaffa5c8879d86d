//! Removing one top-level member from a JSON object without parsing it into
//! a tree: a byte scan over text serde_json has already validated. Tool
//! schemas are a fifth of a Claude Code request and every one of them ends
//! with `$schema`, so this runs for each tool of every request.

use std::ops::Range;

/// `object` without its top-level member `key`, every other byte kept.
/// `None` when `object` is not a JSON object or has no such member.
pub(crate) fn without_member(object: &str, key: &str) -> Option<String> {
    let cut = match last_member_named(object, key) {
        Some(cut) => cut,
        None => {
            let members = Members::scan(object)?;
            let index = members
                .spans
                .iter()
                .position(|span| key_matches(&object[span.key.clone()], key))?;
            members.cut(index)
        }
    };
    let mut out = String::with_capacity(object.len() - cut.len());
    out.push_str(&object[..cut.start]);
    out.push_str(&object[cut.end..]);
    Some(out)
}

/// The common case without scanning the whole object: `key` is its last
/// member. The last `"key"` in the text is that member when it is a key
/// (a colon follows) whose value is followed by nothing but the object's
/// closing brace: a quote not escaped opens a string (one closing a string
/// cannot be followed by `$`-like text in valid JSON), and a member just
/// before the final brace belongs to the outermost object.
fn last_member_named(object: &str, key: &str) -> Option<Range<usize>> {
    let quoted = format!("\"{key}\"");
    let start = memchr::memmem::rfind(object.as_bytes(), quoted.as_bytes())?;
    let bytes = object.as_bytes();
    let escapes = bytes[..start]
        .iter()
        .rev()
        .take_while(|&&byte| byte == b'\\')
        .count();
    if escapes % 2 == 1 {
        return None;
    }
    let mut cursor = Cursor {
        bytes,
        at: start + quoted.len(),
    };
    cursor.expect(b':')?;
    cursor.skip_whitespace();
    cursor.value()?;
    let end = cursor.at;
    (cursor.peek_after_whitespace()? == b'}' && cursor.at + 1 == object.trim_end().len())
        .then_some(())?;
    let before = object[..start].trim_end();
    match before.as_bytes().last()? {
        b',' => Some(before.len() - 1..end),
        b'{' => Some(start..end),
        _ => None,
    }
}

/// A key literal (quotes included) equal to `key`, escapes resolved.
fn key_matches(literal: &str, key: &str) -> bool {
    let inner = &literal[1..literal.len() - 1];
    if !inner.contains('\\') {
        return inner == key;
    }
    serde_json::from_str::<String>(literal).is_ok_and(|unescaped| unescaped == key)
}

struct Span {
    /// The key literal, quotes included.
    key: Range<usize>,
    /// From the key to the end of the value.
    member: Range<usize>,
}

struct Members {
    spans: Vec<Span>,
}

impl Members {
    fn scan(object: &str) -> Option<Self> {
        let mut cursor = Cursor {
            bytes: object.as_bytes(),
            at: 0,
        };
        cursor.expect(b'{')?;
        let mut spans = Vec::new();
        if cursor.peek_after_whitespace()? == b'}' {
            return Some(Self { spans });
        }
        loop {
            cursor.skip_whitespace();
            let key = cursor.string()?;
            cursor.expect(b':')?;
            cursor.skip_whitespace();
            cursor.value()?;
            spans.push(Span {
                member: key.start..cursor.at,
                key,
            });
            match cursor.peek_after_whitespace()? {
                b',' => cursor.at += 1,
                b'}' => return Some(Self { spans }),
                _ => return None,
            }
        }
    }

    /// The bytes to remove with member `index`: up to the next member, or
    /// from the end of the previous one when it is the last.
    fn cut(&self, index: usize) -> Range<usize> {
        let member = &self.spans[index].member;
        if let Some(next) = self.spans.get(index + 1) {
            return member.start..next.member.start;
        }
        match index
            .checked_sub(1)
            .and_then(|before| self.spans.get(before))
        {
            Some(previous) => previous.member.end..member.end,
            None => member.clone(),
        }
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn skip_whitespace(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn peek_after_whitespace(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek_after_whitespace()? == byte).then(|| self.at += 1)
    }

    /// A string literal starting here; its range, quotes included.
    fn string(&mut self) -> Option<Range<usize>> {
        let start = self.at;
        (self.bytes.get(start) == Some(&b'"')).then_some(())?;
        let mut at = start + 1;
        loop {
            at += memchr::memchr2(b'"', b'\\', self.bytes.get(at..)?)?;
            if self.bytes[at] == b'"' {
                self.at = at + 1;
                return Some(start..self.at);
            }
            at += 2;
        }
    }

    /// Moves past one value of any kind.
    fn value(&mut self) -> Option<()> {
        match *self.bytes.get(self.at)? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => self.nested(),
            _ => {
                let rest = self.bytes.get(self.at..)?;
                let end = rest.iter().position(|byte| {
                    matches!(byte, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                })?;
                self.at += end;
                Some(())
            }
        }
    }

    /// An object or array, strings inside skipped whole.
    fn nested(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match *self.bytes.get(self.at)? {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.at += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    fn removed(object: &str, key: &str) -> Option<String> {
        without_member(object, key)
    }

    #[test]
    fn first_middle_last_and_only_members_are_removed_with_their_comma() {
        assert_eq!(
            removed(r#"{"$schema":"x","a":1}"#, "$schema").unwrap(),
            r#"{"a":1}"#
        );
        assert_eq!(
            removed(r#"{"a":1,"$schema":"x","b":2}"#, "$schema").unwrap(),
            r#"{"a":1,"b":2}"#
        );
        assert_eq!(
            removed(r#"{"a":[1,{"b":"}"}], "$schema" : "x" }"#, "$schema").unwrap(),
            r#"{"a":[1,{"b":"}"}] }"#
        );
        assert_eq!(removed(r#"{ "$schema":"x" }"#, "$schema").unwrap(), "{  }");
    }

    #[test]
    fn nested_and_escaped_look_alikes_are_not_members() {
        let object = r#"{"p":{"$schema":1},"q":"\"$schema\":","r":"\\"}"#;
        assert_eq!(removed(object, "$schema"), None);
        assert_eq!(
            removed(r#"{"\u0024schema":1,"a":true}"#, "$schema").unwrap(),
            r#"{"a":true}"#
        );
    }

    #[test]
    fn last_members_are_found_without_a_scan_and_look_alikes_are_not() {
        fn found(object: &str) -> Option<&str> {
            last_member_named(object, "$schema").map(|cut| &object[cut])
        }
        assert_eq!(
            found(r#"{"a":{"b":1},"$schema":"x"}"#),
            Some(r#","$schema":"x""#)
        );
        assert_eq!(found(r#"{ "$schema" : [1] }"#), Some(r#""$schema" : [1]"#));
        assert_eq!(found(r#"{"a":{"$schema":"x"}}"#), None);
        assert_eq!(found(r#"{"a":"$schema"}"#), None);
        assert_eq!(found(r#"{"a":"\"$schema\":1}"}"#), None);
        assert_eq!(found(r#"{"$schema":1,"a":2}"#), None);
    }

    #[test]
    fn what_is_not_an_object_is_left_alone() {
        assert_eq!(removed("[1]", "a"), None);
        assert_eq!(removed(r#""a""#, "a"), None);
        assert_eq!(removed("{}", "a"), None);
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[a-z\"\\\\{}\\[\\],: $]{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                prop::collection::btree_map("[a-z$\"]{0,4}", inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn removing_a_member_equals_removing_it_from_the_tree(
            members in prop::collection::btree_map("[a-z$]{0,3}", any_value(), 0..6),
            pick in any::<prop::sample::Index>(),
            pretty in any::<bool>(),
        ) {
            let object: Map<String, Value> = members.into_iter().collect();
            let text = if pretty {
                serde_json::to_string_pretty(&object).unwrap()
            } else {
                serde_json::to_string(&object).unwrap()
            };
            let Some(key) = object.keys().nth(pick.index(object.len().max(1))).cloned() else {
                prop_assert_eq!(removed(&text, "k"), None);
                return Ok(());
            };
            let out = removed(&text, &key).unwrap();
            let mut expected = object.clone();
            expected.remove(&key);
            // Both through the same parser: floats do not round-trip exactly.
            let parsed: Map<String, Value> = serde_json::from_str(&out).unwrap();
            let reparsed: Map<String, Value> =
                serde_json::from_str(&serde_json::to_string(&expected).unwrap()).unwrap();
            prop_assert_eq!(parsed, reparsed);
        }
    }
}
