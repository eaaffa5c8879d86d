//! A strict JSON scanner (RFC 8259) that keeps where every object member and
//! value sits, so edits can touch only those bytes. Optionally it treats
//! `//` and `/* */` comments as white space (opencode.json is JSONC).

use crate::clients::error::TextError;

/// Deeper documents are refused rather than risking the stack.
const MAX_DEPTH: usize = 128;

/// A value and the bytes `start..end` it spans.
#[derive(Debug)]
pub(crate) struct Node {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

#[derive(Debug)]
pub(crate) enum Kind {
    Object(Object),
    Array,
    String,
    Number,
    Literal,
}

impl Kind {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Object(_) => "an object",
            Self::Array => "an array",
            Self::String => "a string",
            Self::Number => "a number",
            Self::Literal => "true, false or null",
        }
    }
}

#[derive(Debug)]
pub(crate) struct Object {
    /// The `{` and `}`.
    pub open: usize,
    pub close: usize,
    pub members: Vec<Member>,
}

#[derive(Debug)]
pub(crate) struct Member {
    /// The key, unescaped.
    pub key: String,
    /// Where the key's opening quote is, and just past its closing one.
    pub key_start: usize,
    pub key_end: usize,
    pub value: Node,
    /// The comma separating this member from the previous one.
    pub comma_before: Option<usize>,
}

/// Scans `text` as one JSON value with optional surrounding white space
/// (and a leading byte order mark).
pub(crate) fn scan(text: &str, comments: bool) -> Result<Node, TextError> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        comments,
    };
    if text.starts_with('\u{feff}') {
        scanner.pos = '\u{feff}'.len_utf8();
    }
    scanner.trivia()?;
    let node = scanner.value(0)?;
    scanner.trivia()?;
    if scanner.pos < scanner.bytes.len() {
        return Err(scanner.error("unexpected text after the end of the document"));
    }
    Ok(node)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    comments: bool,
}

impl Scanner<'_> {
    fn error(&self, message: &str) -> TextError {
        TextError::new(self.pos, message)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// White space, and comments where allowed.
    fn trivia(&mut self) -> Result<(), TextError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') => self.comment()?,
                _ => return Ok(()),
            }
        }
    }

    fn comment(&mut self) -> Result<(), TextError> {
        let next = self.bytes.get(self.pos + 1).copied();
        if !matches!(next, Some(b'/' | b'*')) {
            return Err(self.error("unexpected `/`"));
        }
        if !self.comments {
            return Err(self.error(
                "comments are not allowed here: this file is strict JSON; remove the comment",
            ));
        }
        let rest = &self.text[self.pos + 2..];
        let length = if next == Some(b'/') {
            rest.find('\n').unwrap_or(rest.len())
        } else {
            match rest.find("*/") {
                Some(end) => end + 2,
                None => return Err(self.error("unterminated /* comment")),
            }
        };
        self.pos += 2 + length;
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Node, TextError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'{') => Kind::Object(self.object(depth)?),
            Some(b'[') => {
                self.array(depth)?;
                Kind::Array
            }
            Some(b'"') => {
                self.string()?;
                Kind::String
            }
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
                Kind::Number
            }
            Some(b't' | b'f' | b'n') => {
                self.literal()?;
                Kind::Literal
            }
            Some(_) => return Err(self.error("expected a value")),
            None => return Err(self.error("unexpected end of the document")),
        };
        Ok(Node {
            start,
            end: self.pos,
            kind,
        })
    }

    fn object(&mut self, depth: usize) -> Result<Object, TextError> {
        let open = self.pos;
        self.pos += 1;
        let mut members = Vec::new();
        let mut comma_before = None;
        loop {
            self.trivia()?;
            match self.peek() {
                Some(b'}') if comma_before.is_none() => break,
                Some(b'}') => return Err(self.error("trailing comma before `}`")),
                Some(b'"') if members.is_empty() || comma_before.is_some() => {}
                Some(b'"') => return Err(self.error("expected `,` between members")),
                _ => return Err(self.error("expected a key in double quotes")),
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_end = self.pos;
            self.trivia()?;
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:` after the key"));
            }
            self.pos += 1;
            self.trivia()?;
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_start,
                key_end,
                value,
                comma_before,
            });
            self.trivia()?;
            comma_before = match self.peek() {
                Some(b',') => Some(self.pos),
                Some(b'}') => break,
                _ => return Err(self.error("expected `,` or `}`")),
            };
            self.pos += 1;
        }
        let close = self.pos;
        self.pos += 1;
        Ok(Object {
            open,
            close,
            members,
        })
    }

    fn array(&mut self, depth: usize) -> Result<(), TextError> {
        self.pos += 1;
        self.trivia()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.trivia()?;
            self.value(depth + 1)?;
            self.trivia()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
            self.trivia()?;
            if self.peek() == Some(b']') {
                return Err(self.error("trailing comma before `]`"));
            }
        }
    }

    /// A string at `pos` (its opening quote), unescaped. Lone surrogates
    /// (valid to JavaScript's JSON.parse) become U+FFFD.
    fn string(&mut self) -> Result<String, TextError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let stop = rest
                .find(|c: char| c == '"' || c == '\\' || c < ' ')
                .ok_or_else(|| self.error("unterminated string"))?;
            out.push_str(&rest[..stop]);
            self.pos += stop;
            match self.bytes[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => self.escape(&mut out)?,
                _ => return Err(self.error("control character in a string: escape it")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), TextError> {
        let simple = match self.bytes.get(self.pos + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let unit = self.hex4(self.pos + 2)?;
                self.pos += 6;
                out.push(self.surrogate_pair(unit));
                return Ok(());
            }
            _ => return Err(self.error("invalid escape in a string")),
        };
        out.push(simple);
        self.pos += 2;
        Ok(())
    }

    /// `unit` was just read; reads its low half if it is a high surrogate.
    fn surrogate_pair(&mut self, unit: u16) -> char {
        if (0xD800..0xDC00).contains(&unit) && self.text[self.pos..].starts_with("\\u") {
            if let Ok(low @ 0xDC00..=0xDFFF) = self.hex4(self.pos + 2) {
                self.pos += 6;
                let code = 0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                return char::from_u32(code).unwrap_or('\u{fffd}');
            }
        }
        char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}')
    }

    fn hex4(&self, at: usize) -> Result<u16, TextError> {
        self.text
            .get(at..at + 4)
            .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .and_then(|digits| u16::from_str_radix(digits, 16).ok())
            .ok_or_else(|| TextError::new(at, "`\\u` needs four hex digits"))
    }

    fn number(&mut self) -> Result<(), TextError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.required_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.required_digits()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), TextError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error("invalid number: expected a digit"));
        }
        self.digits();
        Ok(())
    }

    fn literal(&mut self) -> Result<(), TextError> {
        let rest = &self.text[self.pos..];
        let word = ["true", "false", "null"]
            .into_iter()
            .find(|word| rest.starts_with(word))
            .ok_or_else(|| self.error("expected a value"))?;
        self.pos += word.len();
        Ok(())
    }
}
