//! The journal: per file we edited, what we set and what was there before,
//! so undo restores the earlier values exactly. One JSON file in
//! Switchyard's data dir.
//!
//! Our token is kept only as a salted SHA-256 (enough to tell whether a
//! value is still ours). The values we replaced are kept as they were,
//! since undo must put them back, and one may be someone else's key: the
//! journal is therefore written with mode 600 in a mode-700 folder.

use std::path::{Path, PathBuf};

use ring::digest::{SHA256, digest};
use serde::{Deserialize, Serialize};

use super::atomic::{self, Mode, Snapshot};
use super::error::ClientsError;
use super::{ClientKind, Scope};

const FILE_NAME: &str = "clients-journal.json";
const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Journal {
    pub version: u32,
    pub files: Vec<FileRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FileRecord {
    pub client: ClientKind,
    pub scope: Scope,
    pub path: PathBuf,
    /// What the file was before our first edit.
    pub file: FileWas,
    /// The copy made before our first edit (never overwritten or deleted).
    pub backup: Option<PathBuf>,
    /// Its last line had no newline, which a TOML rewrite adds (undo takes it away).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unterminated: bool,
    pub edits: Edits,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FileWas {
    Absent,
    /// Only white space (not a document yet); this text.
    Blank(String),
    Present,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Edits {
    Tree(TreeRecord),
    Block(BlockRecord),
}

/// Keys set in a JSON or TOML document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct TreeRecord {
    /// Tables we created or filled, outermost first.
    pub containers: Vec<ContainerRecord>,
    pub keys: Vec<KeyRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ContainerRecord {
    pub path: Vec<String>,
    pub was: Was,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Was {
    Absent,
    /// Empty, with this text inside its brackets.
    Empty(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyRecord {
    pub path: Vec<String>,
    /// The raw value text before our first edit; `None`: the key was absent.
    pub before: Option<String>,
    pub ours: Ours,
}

/// The marked block in a shell rc file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct BlockRecord {
    /// What we put in front of the block (a blank line, a missing newline).
    pub lead: String,
    /// A block that was there before ours, as it was.
    pub before: Option<String>,
    pub ours: Ours,
}

/// What we wrote, to tell later whether it is still there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Ours {
    /// The canonical text of a non-secret value.
    Value(String),
    /// A secret: SHA-256 of salt and canonical text, both hex.
    Hash { salt: String, sha256: String },
}

impl Ours {
    pub(crate) fn of(canonical: &str, secret: bool) -> Self {
        if !secret {
            return Self::Value(canonical.to_owned());
        }
        let mut salt = [0u8; 16];
        // Without randomness the salt is zeros: weaker, still no plaintext.
        let _ = getrandom::fill(&mut salt);
        let salt = hex(&salt);
        let sha256 = salted_hash(&salt, canonical);
        Self::Hash { salt, sha256 }
    }

    pub(crate) fn matches(&self, canonical: &str) -> bool {
        match self {
            Self::Value(value) => value == canonical,
            Self::Hash { salt, sha256 } => salted_hash(salt, canonical) == *sha256,
        }
    }
}

fn salted_hash(salt: &str, text: &str) -> String {
    hex(digest(&SHA256, format!("{salt}{text}").as_bytes()).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl Journal {
    pub(crate) fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(FILE_NAME)
    }

    /// The journal and the text it was read from (to detect a concurrent run).
    pub(crate) fn load(data_dir: &Path) -> Result<(Self, Snapshot), ClientsError> {
        let path = Self::path(data_dir);
        let snapshot = atomic::read(&path)?;
        let Some(text) = snapshot.text() else {
            let empty = Self {
                version: VERSION,
                files: Vec::new(),
            };
            return Ok((empty, snapshot));
        };
        let journal: Self = serde_json::from_str(text).map_err(|err| ClientsError::Journal {
            path: path.clone(),
            message: err.to_string(),
        })?;
        if journal.version != VERSION {
            let message = format!(
                "version {} (this switchyard knows {VERSION})",
                journal.version
            );
            return Err(ClientsError::Journal { path, message });
        }
        Ok((journal, snapshot))
    }

    pub(crate) fn record(&self, path: &Path) -> Option<&FileRecord> {
        self.files.iter().find(|record| record.path == path)
    }

    /// Replaces the record of `path` (removes it when `record` is `None`).
    pub(crate) fn put(&mut self, path: &Path, record: Option<FileRecord>) {
        self.files.retain(|known| known.path != path);
        self.files.extend(record);
    }

    pub(crate) fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Writes it (mode 600, folder mode 700) if `snapshot` is still what
    /// the file holds.
    pub(crate) fn save(&self, data_dir: &Path, snapshot: &Snapshot) -> Result<(), ClientsError> {
        atomic::create_private_dir(data_dir)?;
        atomic::write(
            &Self::path(data_dir),
            snapshot,
            &self.to_text(),
            Mode::Force(0o600),
        )
    }
}
