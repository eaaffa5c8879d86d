//! Minimal text edits of a JSON document: a member is inserted, replaced or
//! removed by splicing its bytes, in the file's own indentation, and every
//! other byte stays as it was. The document is re-scanned after each edit.

mod scan;
mod style;

use std::ops::Range;

use scan::{Kind, Member, Node, Object};
use style::Style;

use super::error::{TextError, line_column};
use super::tree::{Container, Tree};

/// What a created file starts as.
pub(crate) const EMPTY_DOCUMENT: &str = "{}\n";

#[derive(Debug)]
pub(crate) struct JsonTree {
    text: String,
    comments: bool,
    style: Style,
    /// `text` scanned; every edit scans again (which also proves it valid).
    root: Node,
}

/// Byte ranges of the text and what replaces each.
type Edits = Vec<(Range<usize>, String)>;

/// Where a path leads.
enum Found<'n> {
    Root(&'n Node),
    Member(&'n Object, usize),
    Missing,
}

impl JsonTree {
    /// `comments`: JSONC (`//`, `/* */`) allowed; otherwise strict JSON.
    pub(crate) fn parse(text: &str, comments: bool) -> Result<Self, TextError> {
        let root = scan::scan(text, comments)?;
        let Kind::Object(object) = &root.kind else {
            let message = format!("the document is {}, not an object", root.kind.name());
            return Err(TextError::new(root.start, message));
        };
        let style = Style::detect(text, object);
        Ok(Self {
            text: text.to_owned(),
            comments,
            style,
            root,
        })
    }

    /// The value at `path`, if there is one.
    fn node(&self, path: &[String]) -> Result<Option<&Node>, TextError> {
        Ok(match self.find(&self.root, path)? {
            Found::Root(node) => Some(node),
            Found::Member(object, index) => Some(&object.members[index].value),
            Found::Missing => None,
        })
    }

    fn find<'n>(&self, root: &'n Node, path: &[String]) -> Result<Found<'n>, TextError> {
        let Some((last, parents)) = path.split_last() else {
            return Ok(Found::Root(root));
        };
        let mut node = root;
        for (depth, key) in parents.iter().enumerate() {
            let object = self.object(node, &path[..depth])?;
            match self.member(object, key)? {
                Some(index) => node = &object.members[index].value,
                None => return Ok(Found::Missing),
            }
        }
        let object = self.object(node, parents)?;
        Ok(match self.member(object, last)? {
            Some(index) => Found::Member(object, index),
            None => Found::Missing,
        })
    }

    fn object<'n>(&self, node: &'n Node, path: &[String]) -> Result<&'n Object, TextError> {
        match &node.kind {
            Kind::Object(object) => Ok(object),
            other => {
                let message = format!("`{}` is {}, not an object", dotted(path), other.name());
                Err(TextError::new(node.start, message))
            }
        }
    }

    /// The member named `key`; a duplicate is refused, since readers disagree
    /// about which one counts.
    fn member(&self, object: &Object, key: &str) -> Result<Option<usize>, TextError> {
        let mut found = object
            .members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.key == key);
        let first = found.next().map(|(index, _)| index);
        if let (Some(first), Some((_, again))) = (first, found.next()) {
            let (line, column) = line_column(&self.text, object.members[first].key_start);
            let message = format!(
                "duplicate key `{key}` (first at line {line}, column {column}): remove one of them"
            );
            return Err(TextError::new(again.key_start, message));
        }
        Ok(first)
    }

    fn splice(&mut self, mut edits: Edits) -> Result<(), TextError> {
        edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
        for (range, text) in edits {
            self.text.replace_range(range, &text);
        }
        self.root = scan::scan(&self.text, self.comments)?;
        Ok(())
    }

    fn insert(&self, object: &Object, key: &str, raw: &str) -> Edits {
        let colon = self.style.colon_of(&self.text, object);
        let member = format!("{}{colon}{raw}", quote(key));
        let Some(last) = object.members.last() else {
            let interior = match &self.style.unit {
                Some(unit) => {
                    let indent = style::line_indent(&self.text, object.open);
                    let newline = self.style.newline;
                    format!("{newline}{indent}{unit}{member}{newline}{indent}")
                }
                None => member,
            };
            return vec![(object.open + 1..object.close, interior)];
        };
        let separator = self.style.separator(&self.text, object);
        let at = self.after_line_comments(last.value.end);
        if at == last.value.end {
            vec![(at..at, format!(",{separator}{member}"))]
        } else {
            let comma = (last.value.end..last.value.end, ",".to_owned());
            vec![comma, (at..at, format!("{separator}{member}"))]
        }
    }

    /// JSONC: past the comments that follow `at` on its line, so a new member
    /// does not land in front of them.
    fn after_line_comments(&self, at: usize) -> usize {
        if !self.comments {
            return at;
        }
        let mut end = at;
        loop {
            let rest = &self.text[end..];
            let rest_trimmed = rest.trim_start_matches([' ', '\t']);
            let start = end + (rest.len() - rest_trimmed.len());
            if rest_trimmed.starts_with("//") {
                let line = &rest_trimmed[..rest_trimmed.find('\n').unwrap_or(rest_trimmed.len())];
                return start + line.trim_end_matches('\r').len();
            }
            match rest_trimmed.find("*/") {
                Some(close)
                    if rest_trimmed.starts_with("/*") && !rest_trimmed[..close].contains('\n') =>
                {
                    end = start + close + 2;
                }
                _ => return end,
            }
        }
    }

    fn delete(&self, object: &Object, index: usize) -> Edits {
        let text = &self.text;
        let member = &object.members[index];
        if object.members.len() == 1 {
            let interior = object.open + 1..object.close;
            let outside = text[interior.start..member.key_start].to_owned()
                + &text[member.value.end..interior.end];
            if outside.contains('/') {
                vec![(
                    whitespace_before(text, member.key_start)..member.value.end,
                    String::new(),
                )]
            } else {
                vec![(interior, String::new())]
            }
        } else if let Some(comma) = member.comma_before {
            let start = whitespace_before(text, member.key_start).max(comma + 1);
            vec![
                (comma..comma + 1, String::new()),
                (start..member.value.end, String::new()),
            ]
        } else {
            vec![(
                member.key_start..after_first(text, &object.members[1]),
                String::new(),
            )]
        }
    }
}

impl Tree for JsonTree {
    fn text(&self) -> &str {
        &self.text
    }

    fn get(&self, path: &[String]) -> Result<Option<String>, TextError> {
        let node = self.node(path)?;
        Ok(node.map(|node| self.text[node.start..node.end].to_owned()))
    }

    fn set(&mut self, path: &[String], raw: &str) -> Result<(), TextError> {
        let Some((key, parent)) = path.split_last() else {
            return Err(TextError::new(0, "cannot replace the whole document"));
        };
        let edits = match self.find(&self.root, path)? {
            Found::Member(object, index) => {
                let value = &object.members[index].value;
                vec![(value.start..value.end, raw.to_owned())]
            }
            Found::Missing | Found::Root(_) => {
                let node = self.node(parent)?;
                let node = node.ok_or_else(|| TextError::new(0, "missing parent object"))?;
                self.insert(self.object(node, parent)?, key, raw)
            }
        };
        self.splice(edits)
    }

    fn remove(&mut self, path: &[String]) -> Result<(), TextError> {
        match self.find(&self.root, path)? {
            Found::Member(object, index) => self.splice(self.delete(object, index)),
            Found::Missing | Found::Root(_) => Ok(()),
        }
    }

    fn container(&self, path: &[String]) -> Result<Container, TextError> {
        let Some(node) = self.node(path)? else {
            return Ok(Container::Absent);
        };
        let object = self.object(node, path)?;
        Ok(match object.members.is_empty() {
            true => Container::Empty(self.text[object.open + 1..object.close].to_owned()),
            false => Container::Filled,
        })
    }

    fn create_container(&mut self, path: &[String]) -> Result<(), TextError> {
        self.set(path, "{}")
    }

    fn restore_empty(&mut self, path: &[String], interior: &str) -> Result<(), TextError> {
        let Some(node) = self.node(path)? else {
            return Ok(());
        };
        let object = self.object(node, path)?;
        if !object.members.is_empty() {
            return Ok(());
        }
        let range = object.open + 1..object.close;
        self.splice(vec![(range, interior.to_owned())])
    }

    fn canonical(&self, raw: &str) -> String {
        serde_json::from_str::<serde_json::Value>(raw)
            .map_or_else(|_| raw.to_owned(), |value| value.to_string())
    }
}

/// Where the run of white space that ends at `at` starts.
fn whitespace_before(text: &str, at: usize) -> usize {
    let trimmed = text[..at].trim_end_matches([' ', '\t', '\n', '\r']);
    trimmed.len()
}

/// Just past the comma before `next` and the white space after it: what goes
/// with the first member when it is removed.
fn after_first(text: &str, next: &Member) -> usize {
    let Some(comma) = next.comma_before else {
        return next.key_start;
    };
    let after = &text[comma + 1..next.key_start];
    comma + 1 + (after.len() - after.trim_start_matches([' ', '\t', '\n', '\r']).len())
}

/// A JSON string literal for `value`.
pub(crate) fn quote(value: &str) -> String {
    serde_json::Value::from(value).to_string()
}

fn dotted(path: &[String]) -> String {
    if path.is_empty() {
        return "(the document)".to_owned();
    }
    path.join(".")
}

#[cfg(test)]
mod tests;
