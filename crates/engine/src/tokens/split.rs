//! o200k_base's pretokenizer: splits text into the pieces BPE encodes one by
//! one, exactly as tiktoken's regex does.
//!
//! tiktoken's pattern needs a look-ahead (`\s+(?!\S)`), which the `regex`
//! engines lack. As in GitHub's bpe-openai (MIT), it becomes three patterns
//! tried in order at each position; the second, `\s+\s`, matches one
//! whitespace character too many, which is given back. `\s+$` keeps the
//! look-ahead's end-of-text case in the first pattern.

use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input};

const LETTER_WORDS: [&str; 2] = [
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
];
const REST: [&str; 4] = [
    r"\p{N}{1,3}",
    r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
    r"\s*[\r\n]+",
    r"\s+$",
];
/// Whitespace not followed by a non-space: the last character is given back.
const LOOK_AHEAD: &str = r"\s+\s";
const SPACES: &str = r"\s+";
/// Which of the patterns handed to `Regex::new_many` is `LOOK_AHEAD`.
const LOOK_AHEAD_INDEX: usize = 1;

pub struct Splitter {
    regex: Regex,
}

impl Splitter {
    /// `None` if the patterns do not compile (they are fixed, and do).
    pub fn new() -> Option<Self> {
        let first = [LETTER_WORDS.as_slice(), REST.as_slice()]
            .concat()
            .join("|");
        let regex = Regex::new_many(&[first.as_str(), LOOK_AHEAD, SPACES]).ok()?;
        Some(Self { regex })
    }

    /// The pieces of `text`, in order; together they are all of `text`.
    pub fn pieces<'a>(&'a self, text: &'a str) -> Pieces<'a> {
        Pieces {
            regex: &self.regex,
            text,
            at: 0,
        }
    }
}

pub struct Pieces<'a> {
    regex: &'a Regex,
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.text.get(self.at..).filter(|rest| !rest.is_empty())?;
        let input = Input::new(rest).anchored(Anchored::Yes);
        // Every character is a letter, a digit, whitespace or none of these,
        // so some pattern always matches; the rest of the text is one piece
        // if that ever stopped being true.
        let len = match self.regex.find(input) {
            Some(found) if found.pattern().as_usize() == LOOK_AHEAD_INDEX => {
                let matched = &rest[..found.end()];
                let last = matched.chars().next_back().map_or(0, char::len_utf8);
                found.end() - last
            }
            Some(found) if found.end() > 0 => found.end(),
            _ => rest.len(),
        };
        self.at += len;
        Some(&rest[..len])
    }
}
