//! [`ConfigError`]: every problem names the file, the line, the field and a hint.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Why a config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source} (hint: {})", .path.display(), read_hint(.source, .path))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
}

fn read_hint(err: &std::io::Error, path: &Path) -> String {
    if err.kind() == std::io::ErrorKind::NotFound {
        format!(
            "write an example with `switchyard init --config {}`",
            path.display()
        )
    } else {
        "check the path and its permissions".to_owned()
    }
}

/// A syntax, type or validation error at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// 1-based; `None` when the problem has no single place (e.g. no routes at all).
    pub line: Option<usize>,
    /// 1-based, in characters.
    pub column: Option<usize>,
    /// The field path, e.g. `routes[1].provider`; empty for syntax errors.
    pub field: String,
    pub message: String,
    pub hint: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(column) = self.column {
            write!(f, ", column {column}")?;
        }
        if !self.field.is_empty() {
            write!(f, ", {}", self.field)?;
        }
        write!(f, ": {} (hint: {})", self.message, self.hint)
    }
}

/// The text being parsed and the file it came from.
pub(crate) struct Source<'a> {
    pub text: &'a str,
    pub path: &'a Path,
}

impl Source<'_> {
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> ConfigError {
        ConfigError::Invalid(Box::new(self.diagnostic(span, field, message, hint)))
    }

    /// A problem at `span`, for an error or a warning.
    pub fn diagnostic(
        &self,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Diagnostic {
        let (line, column) = match span {
            Some(span) => {
                let (line, column) = self.line_col(span.start);
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        Diagnostic {
            path: self.path.to_owned(),
            line,
            column,
            field: field.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// An error pointing at `value`.
    pub fn at<T>(
        &self,
        value: &toml::Spanned<T>,
        field: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> ConfigError {
        self.error(Some(value.span()), field, message, hint)
    }

    /// The 1-based line of a span's start.
    pub fn line(&self, span: &Range<usize>) -> usize {
        self.line_col(span.start).0
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let end = (0..=offset.min(self.text.len()))
            .rev()
            .find(|&at| self.text.is_char_boundary(at))
            .unwrap_or(0);
        let before = &self.text[..end];
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        let line = before.bytes().filter(|&byte| byte == b'\n').count() + 1;
        (line, before[line_start..].chars().count() + 1)
    }
}
