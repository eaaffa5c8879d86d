//! What `switchyard clients` reports, and the checks the clients share:
//! binaries on the search path, exports in shell rc files, the state of a
//! file we may have edited, and masking keys in what we print.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::journal::{Edits, Journal};
use super::tree::{self, Tree};
use super::{ClientKind, Paths, atomic, block, shell};

#[derive(Debug, Clone, Serialize)]
pub struct ClientStatus {
    pub kind: ClientKind,
    /// Its binary is on the search path or its config folder exists.
    pub installed: bool,
    pub binary: Option<PathBuf>,
    pub files: Vec<FileStatus>,
    /// What silently overrides our configuration, or is missing for it.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileStatus {
    pub path: PathBuf,
    #[serde(flatten)]
    pub state: State,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    NotConfigured,
    /// Holds what Switchyard wrote.
    Ours,
    /// Switchyard wrote it, and these keys were changed by hand since.
    Drifted {
        keys: Vec<String>,
    },
    /// Configured, not by Switchyard.
    Foreign {
        detail: String,
    },
    Unreadable {
        error: String,
    },
}

impl ClientStatus {
    pub(crate) fn new(
        kind: ClientKind,
        paths: &Paths,
        binary: &str,
        config_dir: &Path,
        files: Vec<FileStatus>,
    ) -> Self {
        let binary = find_binary(paths, binary);
        Self {
            kind,
            installed: binary.is_some() || config_dir.is_dir(),
            binary,
            files,
            warnings: Vec::new(),
        }
    }
}

/// `name` in one of the search path's folders, as an executable file.
pub(crate) fn find_binary(paths: &Paths, name: &str) -> Option<PathBuf> {
    let names: Vec<String> = if cfg!(windows) {
        ["exe", "cmd", "ps1"]
            .iter()
            .map(|ext| format!("{name}.{ext}"))
            .collect()
    } else {
        vec![name.to_owned()]
    };
    paths.search_path.iter().find_map(|dir| {
        names
            .iter()
            .map(|name| dir.join(name))
            .find(|path| is_executable(path))
    })
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    meta.is_file()
}

/// The state of a document we may have edited: by the journal if we did,
/// else `foreign` says whether someone else configured it.
pub(crate) fn tree_file(
    path: &Path,
    journal: &Journal,
    parse: &dyn Fn(&str) -> Option<Box<dyn Tree>>,
    foreign: &dyn Fn(&dyn Tree) -> Option<String>,
) -> FileStatus {
    let state = match atomic::read(path) {
        Err(err) => State::Unreadable {
            error: err.to_string(),
        },
        Ok(snapshot) => match (snapshot.text(), journal.record(path)) {
            (None, None) => State::NotConfigured,
            (None, Some(_)) => State::Drifted {
                keys: vec!["(the file was deleted)".to_owned()],
            },
            (Some(text), record) => match (parse(text), record.map(|record| &record.edits)) {
                (None, _) => State::Unreadable {
                    error: "not valid (`switchyard configure` says where)".to_owned(),
                },
                (Some(tree), Some(Edits::Tree(record))) => {
                    match tree::drifted(tree.as_ref(), record) {
                        Ok(keys) if keys.is_empty() => State::Ours,
                        Ok(keys) => State::Drifted { keys },
                        Err(err) => State::Unreadable { error: err.message },
                    }
                }
                (Some(tree), _) => foreign(tree.as_ref())
                    .map_or(State::NotConfigured, |detail| State::Foreign { detail }),
            },
        },
    };
    FileStatus {
        path: path.to_owned(),
        state,
    }
}

/// A variable set in a shell rc file outside our block.
#[derive(Debug, Clone)]
pub(crate) struct Export {
    pub name: String,
    pub file: PathBuf,
    pub line: usize,
    /// After our block in the same file: it wins over ours.
    pub after_block: bool,
}

impl Export {
    pub(crate) fn describe(&self, paths: &Paths) -> String {
        let after = if self.after_block {
            ", after the switchyard block"
        } else {
            ""
        };
        format!(
            "`{}` is set in {} line {} (outside the switchyard block{after})",
            self.name,
            paths.display(&self.file),
            self.line
        )
    }
}

/// Exports of `names` in every shell startup file, outside our block.
pub(crate) fn shell_exports(paths: &Paths, names: &[&str]) -> Vec<Export> {
    let mut found = Vec::new();
    for file in shell::startup_files(paths) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let ours = block::find(&text).ok().flatten();
        let mut offset = 0;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            let inside = ours.as_ref().is_some_and(|range| range.contains(&offset));
            let after_block = ours.as_ref().is_some_and(|range| offset >= range.end);
            offset += line.len();
            let Some(name) = assigned_name(line).filter(|name| names.contains(name)) else {
                continue;
            };
            if !inside {
                found.push(Export {
                    name: name.to_owned(),
                    file: file.clone(),
                    line: index + 1,
                    after_block,
                });
            }
        }
    }
    found
}

/// The variable a line exports: `export NAME=…`, `NAME=…`, fish's
/// `set -gx NAME …`, PowerShell's `$env:NAME = …`.
fn assigned_name(line: &str) -> Option<&str> {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("$env:") {
        return rest.split(|c: char| c == '=' || c.is_whitespace()).next();
    }
    let mut words = line.split_whitespace();
    let first = words.next()?;
    if first == "set" {
        let mut exported = false;
        for word in words {
            match word.strip_prefix('-') {
                Some(flags) => exported |= flags.contains('x') || flags == "-export",
                None => return exported.then_some(word),
            }
        }
        return None;
    }
    let assignment = match first {
        "export" | "declare" | "typeset" => words.find(|word| !word.starts_with('-'))?,
        _ => first,
    };
    let (name, _) = assignment.split_once('=')?;
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some(name)
}

/// Variable names whose values are keys, wherever they appear.
const SECRET_NAMES: [&str; 8] = [
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "SWITCHYARD_KEY",
    "apiKey",
    "experimental_bearer_token",
];

/// `text` with the token, and any quoted value following a key-like name,
/// masked: diffs are printed and may be logged.
pub(crate) fn redact(text: &str, token: Option<&str>) -> String {
    let mut text = text.to_owned();
    if let Some(token) = token.filter(|token| !token.is_empty()) {
        text = text.replace(token, &crate::config::Secret::new(token).masked());
    }
    text.split_inclusive('\n').map(redact_line).collect()
}

fn redact_line(line: &str) -> String {
    let Some(after) = SECRET_NAMES
        .iter()
        .filter_map(|name| line.find(name).map(|at| at + name.len()))
        .min()
    else {
        return line.to_owned();
    };
    let rest = &line[after..];
    let Some(open) = rest
        .find([':', '=', ' '])
        .and_then(|sep| rest[sep..].find(['"', '\'']).map(|quote| sep + quote))
    else {
        return line.to_owned();
    };
    let quote = &rest[open..=open];
    let value_start = after + open + 1;
    let Some(length) = line[value_start..].find(quote) else {
        return line.to_owned();
    };
    let value = &line[value_start..value_start + length];
    if value.starts_with("{env:") || value.contains('…') || value.is_empty() {
        return line.to_owned();
    }
    let masked = crate::config::Secret::new(value).masked();
    format!(
        "{}{masked}{}",
        &line[..value_start],
        &line[value_start + length..]
    )
}
