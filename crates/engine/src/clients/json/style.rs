//! How a JSON file is laid out (newlines, indentation unit, colon spacing),
//! read from the file itself so inserted members look like their neighbours.

use super::scan::Object;

#[derive(Debug, Clone)]
pub(super) struct Style {
    pub newline: &'static str,
    /// One level of indentation; `None`: the document is on one line.
    pub unit: Option<String>,
    /// What separates a key from its value: `": "`, `":"`, `" : "`.
    pub colon: String,
}

/// Claude Code and most editors write two spaces.
const DEFAULT_UNIT: &str = "  ";
const DEFAULT_COLON: &str = ": ";

impl Style {
    pub(super) fn detect(text: &str, root: &Object) -> Self {
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let Some(first) = root.members.first() else {
            return Self {
                newline,
                unit: Some(DEFAULT_UNIT.to_owned()),
                colon: DEFAULT_COLON.to_owned(),
            };
        };
        let before = &text[root.open + 1..first.key_start];
        let unit = before.rfind('\n').map(|newline| {
            let tail = &before[newline + 1..];
            match is_blank(tail) {
                true => tail.to_owned(),
                false => line_indent(text, first.key_start).to_owned(),
            }
        });
        let colon = colon_text(&text[first.key_end..first.value.start]);
        Self {
            newline,
            unit,
            colon: colon.unwrap_or(DEFAULT_COLON).to_owned(),
        }
    }

    /// The colon spacing of `object`'s last member, else the document's.
    pub(super) fn colon_of(&self, text: &str, object: &Object) -> String {
        object
            .members
            .last()
            .and_then(|last| colon_text(&text[last.key_end..last.value.start]))
            .unwrap_or(&self.colon)
            .to_owned()
    }

    /// What goes between the comma after `object`'s last member and a new
    /// member: the white space in front of that last member.
    pub(super) fn separator(&self, text: &str, object: &Object) -> String {
        let Some(last) = object.members.last() else {
            return String::new();
        };
        let from = last.comma_before.map_or(object.open + 1, |comma| comma + 1);
        let before = &text[from..last.key_start];
        if let Some(newline) = before.rfind('\n') {
            let tail = &before[newline + 1..];
            let indent = match is_blank(tail) {
                true => tail,
                false => line_indent(text, last.key_start),
            };
            return format!("{}{indent}", self.newline);
        }
        if last.comma_before.is_some() && is_blank(before) {
            before.to_owned()
        } else if self.colon_of(text, object).ends_with(' ') {
            // One member on one line: space after commas as after colons.
            " ".to_owned()
        } else {
            String::new()
        }
    }
}

/// The spaces and tabs that start the line holding `at`.
pub(super) fn line_indent(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

fn is_blank(text: &str) -> bool {
    text.bytes().all(|byte| byte == b' ' || byte == b'\t')
}

/// `text` if it is a colon with only spaces or tabs around it.
fn colon_text(text: &str) -> Option<&str> {
    (text.trim_matches([' ', '\t']) == ":").then_some(text)
}
