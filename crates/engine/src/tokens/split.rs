//! o200k_base's pretokenizer: splits text into the pieces BPE encodes one by
//! one, exactly as tiktoken's regex does.
//!
//! tiktoken's pattern only asks of a non-ASCII character which Unicode class
//! it is in (upper or title case, lower case, other letters, marks, numbers,
//! spaces). So each character becomes one byte, ASCII as itself and the rest
//! as its class, and the same pattern, written over those bytes, runs on
//! that: its automaton is a few KiB, where the Unicode pattern's is 2.4 MiB.
//!
//! The look-ahead `\s+(?!\S)` is emulated as in GitHub's bpe-openai (MIT):
//! three patterns tried in order at each position; the second, `\s+\s`,
//! matches one whitespace character too many, which is given back; `\s+$`
//! keeps the look-ahead's end-of-text case in the first.

use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::{Class, HirKind};

/// The byte standing for a non-ASCII character of each class.
const UPPER: u8 = 0x80; // Lu, Lt
const LOWER: u8 = 0x81; // Ll
const OTHER_LETTER: u8 = 0x82; // Lm, Lo: both "upper" and "lower" in the pattern
const MARK: u8 = 0x83; // M: with the letters in the pattern, but not \p{L}
const NUMBER: u8 = 0x84; // N
const SPACE: u8 = 0x85; // White_Space
const LONG_S: u8 = 0x86; // ſ: Ll, and `(?i:'s)` matches it
const OTHER: u8 = 0x87;

/// Each class as the Unicode pattern names it, in lookup order.
const CLASSES: [(&str, u8); 6] = [
    (r"[\p{Lu}\p{Lt}]", UPPER),
    (r"\p{Ll}", LOWER),
    (r"[\p{Lm}\p{Lo}]", OTHER_LETTER),
    (r"\p{M}", MARK),
    (r"\p{N}", NUMBER),
    (r"\s", SPACE),
];

// tiktoken's o200k_base pattern over class bytes: \p{L} is
// [A-Za-z\x80\x81\x82\x86], \p{N} [0-9\x84], \s [\t\n\x0B\x0C\r \x85].
const FIRST: &str = concat!(
    r"[^\r\nA-Za-z0-9\x80-\x82\x84\x86]?[A-Z\x80\x82\x83]*[a-z\x81-\x83\x86]+(?:'(?:[sS\x86]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD]))?",
    r"|[^\r\nA-Za-z0-9\x80-\x82\x84\x86]?[A-Z\x80\x82\x83]+[a-z\x81-\x83\x86]*(?:'(?:[sS\x86]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD]))?",
    r"|[0-9\x84]{1,3}",
    r"| ?[^\t\n\x0B\x0C\r \x85A-Za-z0-9\x80-\x82\x84\x86]+[\r\n/]*",
    r"|[\t\n\x0B\x0C\r \x85]*[\r\n]+",
    r"|[\t\n\x0B\x0C\r \x85]+$",
);
/// Whitespace not followed by a non-space: the last character is given back.
const LOOK_AHEAD: &str = r"[\t\n\x0B\x0C\r \x85]+[\t\n\x0B\x0C\r \x85]";
const SPACES: &str = r"[\t\n\x0B\x0C\r \x85]+";
/// Which of the patterns handed to `build_many` is `LOOK_AHEAD`.
const LOOK_AHEAD_INDEX: usize = 1;

pub struct Splitter {
    regex: Regex,
    /// Non-ASCII ranges `(first, last, class byte)`, sorted.
    ranges: Vec<(u32, u32, u8)>,
}

impl Splitter {
    /// `None` if the patterns do not compile (they are fixed, and do).
    pub fn new() -> Option<Self> {
        let bytes = syntax::Config::new().unicode(false).utf8(false);
        let regex = Regex::builder()
            .syntax(bytes)
            .configure(Regex::config().utf8_empty(false))
            .build_many(&[FIRST, LOOK_AHEAD, SPACES])
            .ok()?;
        Some(Self {
            regex,
            ranges: class_ranges()?,
        })
    }

    /// The pieces of `text`, in order; together they are all of `text`.
    pub fn pieces<'a>(&'a self, text: &'a str) -> Pieces<'a> {
        let classes = if text.is_ascii() {
            None
        } else {
            Some(text.chars().map(|c| self.class(c)).collect())
        };
        Pieces {
            regex: &self.regex,
            text,
            classes,
            at: 0,
            class_at: 0,
        }
    }

    fn class(&self, c: char) -> u8 {
        if c.is_ascii() {
            return c as u8;
        }
        if c == 'ſ' {
            return LONG_S;
        }
        let code = c as u32;
        let found = self.ranges.partition_point(|&(_, last, _)| last < code);
        match self.ranges.get(found) {
            Some(&(first, _, class)) if first <= code => class,
            _ => OTHER,
        }
    }
}

/// The non-ASCII ranges of each class, from regex-syntax's Unicode tables
/// (the ones tiktoken-rs's regex uses). A character in two classes takes
/// the first.
fn class_ranges() -> Option<Vec<(u32, u32, u8)>> {
    let mut ranges = Vec::new();
    for (pattern, class) in CLASSES {
        let hir = regex_syntax::parse(pattern).ok()?;
        let HirKind::Class(Class::Unicode(set)) = hir.kind() else {
            return None;
        };
        for range in set.ranges() {
            let first = (range.start() as u32).max(0x80);
            let last = range.end() as u32;
            if first <= last && !covered(&ranges, first, last) {
                ranges.push((first, last, class));
            }
        }
    }
    ranges.sort_unstable();
    Some(ranges)
}

/// Whether `first..=last` overlaps a range already taken by another class.
fn covered(ranges: &[(u32, u32, u8)], first: u32, last: u32) -> bool {
    ranges.iter().any(|&(a, b, _)| a <= last && first <= b)
}

pub struct Pieces<'a> {
    regex: &'a Regex,
    text: &'a str,
    /// One class byte per character; `None` when the text is ASCII (its
    /// bytes are their own classes).
    classes: Option<Vec<u8>>,
    at: usize,
    class_at: usize,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.text.get(self.at..).filter(|rest| !rest.is_empty())?;
        let haystack = match &self.classes {
            Some(classes) => classes.get(self.class_at..)?,
            None => rest.as_bytes(),
        };
        let chars = self.piece_chars(haystack);
        self.class_at += chars;
        let len = match &self.classes {
            Some(_) => rest.chars().take(chars).map(char::len_utf8).sum(),
            None => chars,
        };
        self.at += len;
        Some(&rest[..len])
    }
}

impl Pieces<'_> {
    /// How many characters the next piece has. Every class byte is a
    /// letter, a digit, whitespace or none of these, so some pattern always
    /// matches; the rest is one piece if that ever stopped being true.
    fn piece_chars(&self, haystack: &[u8]) -> usize {
        let input = Input::new(haystack).anchored(Anchored::Yes);
        match self.regex.find(input) {
            // Every class byte stands for one character: give one back.
            Some(found) if found.pattern().as_usize() == LOOK_AHEAD_INDEX => found.end() - 1,
            Some(found) if found.end() > 0 => found.end(),
            _ => haystack.len(),
        }
    }
}
