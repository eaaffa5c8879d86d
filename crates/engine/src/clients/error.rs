//! [`ClientsError`]: why a client file was not planned, written or undone.
//! Every variant names the file; none carries a key.

use std::path::PathBuf;

use super::{ClientKind, Scope};

#[derive(Debug, thiserror::Error)]
pub enum ClientsError {
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not valid JSON/TOML, or a value of the wrong type where ours go.
    #[error(
        "{}, line {line}, column {column}: {message}; the file was left untouched",
        .path.display()
    )]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// The file changed between the moment it was read and the write.
    #[error(
        "{} changed since it was read (another program wrote it); nothing was written: run the command again",
        .path.display()
    )]
    Conflict { path: PathBuf },
    #[error("{} does not support --scope {scope}: {why}", .kind.name())]
    Scope {
        kind: ClientKind,
        scope: Scope,
        why: &'static str,
    },
    /// A value we would write cannot be written safely (a newline in a shell line…).
    #[error("{what} cannot be written into {}: {why}", .path.display())]
    Unsafe {
        path: PathBuf,
        what: String,
        why: &'static str,
    },
    #[error("the journal {} is unreadable: {message}; it was left as it is", .path.display())]
    Journal { path: PathBuf, message: String },
    #[error("{0}")]
    Setup(String),
}

impl ClientsError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

/// A problem in a document's text, before the file's path is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextError {
    /// A byte offset into the text.
    pub offset: usize,
    pub message: String,
}

impl TextError {
    pub(crate) fn new(offset: usize, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
        }
    }

    /// With 1-based line and column (in characters) for `text`.
    pub(crate) fn in_file(self, path: &std::path::Path, text: &str) -> ClientsError {
        let (line, column) = line_column(text, self.offset);
        ClientsError::Invalid {
            path: path.to_owned(),
            line,
            column,
            message: self.message,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    (line, before[line_start..].chars().count() + 1)
}
