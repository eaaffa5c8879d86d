//! A new gateway token in the files Switchyard configured (after
//! `switchyard token --rotate`), so their clients keep working.
//!
//! Only the token values change: a string in settings.json, the token
//! inside our shell block. Every other byte stays, and the journal keeps
//! what each file held before Switchyard (only the hash of our value
//! changes), so undo after a rotation is as exact as before it. A file
//! whose keys were changed by hand, or that changes while we write it, is
//! reported and left as it is.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Secret;

use super::atomic::{self, Snapshot};
use super::error::{ClientsError, TextError};
use super::journal::{BlockRecord, Edits, FileRecord, Journal, Ours, TreeRecord};
use super::plan::{self, FilePlan, Plan, Want};
use super::{ClientKind, Paths, Scope, block, json, toml_tree, tree};

/// What the rotation did to one file of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetokenOutcome {
    pub kind: ClientKind,
    pub scope: Scope,
    pub path: PathBuf,
    #[serde(flatten)]
    pub result: RetokenResult,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RetokenResult {
    /// The file now holds the new token.
    Rewritten,
    /// The file holds no token (it names `$SWITCHYARD_KEY`, which the shell
    /// block exports): nothing to change.
    NoToken,
    /// It holds another key than the old token (a `client_keys` entry),
    /// which the rotation does not change.
    OtherKey,
    /// Keys of ours were changed by hand since Switchyard wrote them: left
    /// as it is.
    Drifted { keys: Vec<String> },
    /// Not written: it changed while being read, is not valid, cannot be
    /// read or written…
    Failed { error: String },
}

/// Replaces `old` by `new` in every file the journal records; one outcome
/// per file. Errors only when the journal cannot be read or a token could
/// not be written safely.
pub(crate) fn retoken(
    paths: &Paths,
    old: &Secret,
    new: &Secret,
) -> Result<Vec<RetokenOutcome>, ClientsError> {
    check_tokens(old.expose(), new.expose())?;
    let (journal, _) = Journal::load(&paths.data_dir)?;
    let outcomes = journal.files.iter().map(|record| {
        let result = retoken_file(&paths.data_dir, &record.path, old.expose(), new.expose())
            .unwrap_or_else(|err| RetokenResult::Failed {
                error: err.to_string(),
            });
        RetokenOutcome {
            kind: record.client,
            scope: record.scope.clone(),
            path: record.path.clone(),
            result,
        }
    });
    Ok(outcomes.collect())
}

/// The token goes into shell lines as it is (between single quotes) and
/// is found by its text: it must need no quoting anywhere.
fn check_tokens(old: &str, new: &str) -> Result<(), ClientsError> {
    let plain = |token: &str| {
        !token.is_empty()
            && token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~+/=".contains(c))
    };
    if plain(old) && plain(new) {
        return Ok(());
    }
    Err(ClientsError::Setup(
        "a gateway token must be non-empty letters, digits and `-_.~+/=`; the client files were left as they are"
            .to_owned(),
    ))
}

/// One file, with the journal as it is now (each write updates it).
fn retoken_file(
    data_dir: &Path,
    path: &Path,
    old: &str,
    new: &str,
) -> Result<RetokenResult, ClientsError> {
    match plan_file(data_dir, path, old, new)? {
        Planned::Write(plan) => plan::apply(&plan).map(|_| RetokenResult::Rewritten),
        Planned::Skip(result) => Ok(result),
    }
}

enum Planned {
    Write(Plan),
    Skip(RetokenResult),
}

fn plan_file(data_dir: &Path, path: &Path, old: &str, new: &str) -> Result<Planned, ClientsError> {
    let (mut journal, journal_snapshot) = Journal::load(data_dir)?;
    let Some(record) = journal.record(path).cloned() else {
        let error = "undone while the token rotated (no longer in the journal)".to_owned();
        return Ok(Planned::Skip(RetokenResult::Failed { error }));
    };
    let snapshot = atomic::read(path)?;
    let (text, edits) = match rewrite(&record, &snapshot, old, new)? {
        Rewrite::Text(text, edits) => (text, edits),
        Rewrite::Skip(result) => return Ok(Planned::Skip(result)),
    };
    let updated = FileRecord {
        edits,
        ..record.clone()
    };
    journal.put(path, Some(updated));
    let file = FilePlan::new(path.to_owned(), snapshot, text, record.clone());
    Ok(Planned::Write(Plan::retoken(
        &record,
        file,
        data_dir,
        journal,
        journal_snapshot,
    )))
}

/// A file's text with the new token and the record of our edits to match,
/// or why it stays as it is.
enum Rewrite {
    Text(String, Edits),
    Skip(RetokenResult),
}

fn drifted(what: &str) -> Rewrite {
    Rewrite::Skip(RetokenResult::Drifted {
        keys: vec![what.to_owned()],
    })
}

fn rewrite(
    record: &FileRecord,
    snapshot: &Snapshot,
    old: &str,
    new: &str,
) -> Result<Rewrite, ClientsError> {
    let Some(text) = snapshot.text() else {
        return Ok(drifted("(the file was deleted)"));
    };
    let in_file = |err: TextError| err.in_file(&record.path, text);
    match &record.edits {
        Edits::Tree(edits) => rewrite_tree(record.client, text, edits, old, new).map_err(in_file),
        Edits::Block(edits) => rewrite_block(text, edits, old, new).map_err(in_file),
    }
}

/// Our secret keys (the token's) get the new token, if every key of ours
/// still holds what we wrote and the secret ones hold `old`.
fn rewrite_tree(
    kind: ClientKind,
    text: &str,
    record: &TreeRecord,
    old: &str,
    new: &str,
) -> Result<Rewrite, TextError> {
    let secret = |ours: &Ours| matches!(ours, Ours::Hash { .. });
    if !record.keys.iter().any(|key| secret(&key.ours)) {
        return Ok(Rewrite::Skip(RetokenResult::NoToken));
    }
    let want = plan::syntax(kind);
    let mut tree = plan::parse(&want, text)?;
    let keys = tree::drifted(tree.as_ref(), record)?;
    if !keys.is_empty() {
        return Ok(Rewrite::Skip(RetokenResult::Drifted { keys }));
    }
    let raw = match want {
        Want::Toml(_) => toml_tree::quote(new),
        Want::Json { .. } | Want::Block(_) => json::quote(new),
    };
    let mut record = record.clone();
    for key in record.keys.iter_mut().filter(|key| secret(&key.ours)) {
        let current = tree.get(&key.path)?.and_then(|value| tree.string(&value));
        if current.as_deref() != Some(old) {
            return Ok(Rewrite::Skip(RetokenResult::OtherKey));
        }
        tree.set(&key.path, &raw)?;
        key.ours = Ours::of(&tree.canonical(&raw), true);
    }
    Ok(Rewrite::Text(tree.text().to_owned(), Edits::Tree(record)))
}

/// Our block with `new` wherever it held `old`, if it is still what we wrote.
fn rewrite_block(
    text: &str,
    record: &BlockRecord,
    old: &str,
    new: &str,
) -> Result<Rewrite, TextError> {
    let Some(range) = block::find(text)? else {
        return Ok(drifted("(the block was removed)"));
    };
    let current = &text[range.clone()];
    if !record.ours.matches(current) {
        return Ok(drifted("(the block)"));
    }
    if !current.contains(old) {
        return Ok(Rewrite::Skip(RetokenResult::OtherKey));
    }
    let ours = current.replace(old, new);
    let mut new_text = text.to_owned();
    new_text.replace_range(range, &ours);
    let record = BlockRecord {
        ours: Ours::of(&ours, true),
        ..record.clone()
    };
    Ok(Rewrite::Text(new_text, Edits::Block(record)))
}

#[cfg(test)]
#[path = "retoken_tests.rs"]
mod tests;
