//! Plans (every file's old and new text, and the journal after) and their
//! application: nothing is written unless every file still reads as
//! planned; the journal is written before the files, so it always knows
//! the values they held.

use std::fmt;
use std::path::{Path, PathBuf};

use super::atomic::{self, Mode, Snapshot};
use super::error::ClientsError;
use super::journal::{Edits, FileRecord, FileWas, Journal};
use super::tree::{self, Container, Tree, Wanted};
use super::{ClientKind, Paths, Scope, Target, block, json, toml_tree};

/// New files may hold the token: readable by their owner only.
const NEW_FILE_MODE: u32 = 0o600;

/// A file's syntax, and what we want in it.
pub(crate) enum Want {
    /// Keys in a JSON document (`comments`: JSONC) or a TOML one.
    Json {
        comments: bool,
        keys: Vec<Wanted>,
    },
    Toml(Vec<Wanted>),
    /// The marked block of a shell rc file.
    Block(String),
}

pub(crate) struct FileSpec {
    pub path: PathBuf,
    pub want: Want,
    /// It will hold the token in plaintext.
    pub holds_token: bool,
}

/// The files a client needs, and what to tell the user.
pub(crate) struct Spec {
    pub files: Vec<FileSpec>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Configure,
    Undo,
    /// Only the token values change (`switchyard token --rotate`).
    Retoken,
}

/// What [`super::apply`] would do.
pub struct Plan {
    pub kind: ClientKind,
    pub scope: Scope,
    pub action: Action,
    pub files: Vec<FilePlan>,
    /// Things the user should know (what else to run, hand edits left alone).
    pub notes: Vec<String>,
    data_dir: PathBuf,
    journal: Journal,
    journal_snapshot: Snapshot,
}

pub struct FilePlan {
    pub path: PathBuf,
    /// `None`: the file does not exist.
    pub old: Option<String>,
    /// `None`: the file will be deleted (undo of a file we created).
    pub new: Option<String>,
    /// A unified diff, with keys masked; empty when nothing changes.
    pub diff: String,
    snapshot: Snapshot,
    previous: Option<FileRecord>,
}

/// Its texts hold the token: never printed.
impl fmt::Debug for FilePlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePlan")
            .field("path", &self.path)
            .field("exists", &self.old.is_some())
            .field("changes", &self.changes())
            .finish_non_exhaustive()
    }
}

/// The journal may hold replaced keys: never printed.
impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plan")
            .field("kind", &self.kind)
            .field("scope", &self.scope)
            .field("action", &self.action)
            .field("files", &self.files)
            .field("notes", &self.notes)
            .finish_non_exhaustive()
    }
}

impl FilePlan {
    /// `path` (read as `snapshot`, recorded as `previous`) to become `new`.
    pub(crate) fn new(
        path: PathBuf,
        snapshot: Snapshot,
        new: String,
        previous: FileRecord,
    ) -> Self {
        file_plan(path, snapshot, Some(new), Some(previous), None)
    }

    pub fn changes(&self) -> bool {
        self.old != self.new
    }
}

impl Plan {
    /// Writing one file's new token ([`super::retoken`]): `journal` holds
    /// its updated record.
    pub(crate) fn retoken(
        record: &FileRecord,
        file: FilePlan,
        data_dir: &Path,
        journal: Journal,
        journal_snapshot: Snapshot,
    ) -> Self {
        Self {
            kind: record.client,
            scope: record.scope.clone(),
            action: Action::Retoken,
            files: vec![file],
            notes: Vec::new(),
            data_dir: data_dir.to_owned(),
            journal,
            journal_snapshot,
        }
    }

    /// Every file's diff, one after the other.
    pub fn diff(&self) -> String {
        self.files.iter().map(|file| file.diff.as_str()).collect()
    }

    pub fn changes(&self) -> bool {
        self.files.iter().any(FilePlan::changes)
    }
}

/// What [`super::apply`] did.
#[derive(Debug, Default)]
pub struct Applied {
    pub written: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    /// Backups made by this run (first write to a file).
    pub backups: Vec<PathBuf>,
    pub journal: PathBuf,
    pub notes: Vec<String>,
}

pub(crate) fn configure(
    kind: ClientKind,
    scope: &Scope,
    paths: &Paths,
    spec: Spec,
    target: &Target,
) -> Result<Plan, ClientsError> {
    let (mut journal, journal_snapshot) = Journal::load(&paths.data_dir)?;
    let mut notes = spec.notes;
    let mut files = Vec::new();
    for file in spec.files {
        let snapshot = atomic::read(&file.path)?;
        let previous = journal.record(&file.path).cloned();
        if let Some(other) = previous.as_ref().filter(|record| record.client != kind) {
            return Err(ClientsError::Setup(format!(
                "{} is managed by `switchyard configure {}`; undo that first",
                file.path.display(),
                other.client
            )));
        }
        let edited = edit(&file, &snapshot, previous.as_ref(), &mut notes)?;
        if file.holds_token {
            notes.extend(readable_by_others(&file.path, paths));
        }
        let new = edited.new.clone();
        let record = file_record(kind, scope, &file, &snapshot, previous.as_ref(), edited);
        journal.put(&file.path, Some(record));
        files.push(file_plan(
            file.path,
            snapshot,
            Some(new),
            previous,
            Some(target),
        ));
    }
    Ok(Plan {
        kind,
        scope: scope.clone(),
        action: Action::Configure,
        files,
        notes,
        data_dir: paths.data_dir.clone(),
        journal,
        journal_snapshot,
    })
}

/// The journal record after writing `new` (an earlier record keeps what
/// the file was and its backup).
fn file_record(
    kind: ClientKind,
    scope: &Scope,
    file: &FileSpec,
    snapshot: &Snapshot,
    previous: Option<&FileRecord>,
    Edited { new, edits, was }: Edited,
) -> FileRecord {
    let text = snapshot.text();
    let first_backup =
        (text.is_some() && text != Some(new.as_str())).then(|| atomic::backup_path(&file.path));
    let unterminated = matches!(file.want, Want::Toml(_))
        && text.is_some_and(|text| !text.is_empty() && !text.ends_with('\n'));
    FileRecord {
        client: kind,
        scope: scope.clone(),
        path: file.path.clone(),
        file: previous.map_or(was, |record| record.file.clone()),
        backup: previous
            .and_then(|record| record.backup.clone())
            .or(first_backup),
        unterminated: previous.map_or(unterminated, |record| record.unterminated),
        edits,
    }
}

pub(crate) fn undo(kind: ClientKind, scope: &Scope, paths: &Paths) -> Result<Plan, ClientsError> {
    let (mut journal, journal_snapshot) = Journal::load(&paths.data_dir)?;
    let records: Vec<FileRecord> = journal
        .files
        .iter()
        .filter(|record| record.client == kind && record.scope == *scope)
        .cloned()
        .collect();
    let mut notes = Vec::new();
    if records.is_empty() {
        notes.push(format!(
            "nothing to undo: Switchyard has not configured {kind} ({scope})"
        ));
    }
    let mut files = Vec::new();
    for record in records {
        let snapshot = atomic::read(&record.path)?;
        let new = undo_edit(&record, &snapshot, &mut notes)?;
        journal.put(&record.path, None);
        files.push(file_plan(
            record.path.clone(),
            snapshot,
            new,
            Some(record),
            None,
        ));
    }
    Ok(Plan {
        kind,
        scope: scope.clone(),
        action: Action::Undo,
        files,
        notes,
        data_dir: paths.data_dir.clone(),
        journal,
        journal_snapshot,
    })
}

/// A file's new text, what to record about the edit, and what the file was.
struct Edited {
    new: String,
    edits: Edits,
    was: FileWas,
}

fn edit(
    file: &FileSpec,
    snapshot: &Snapshot,
    previous: Option<&FileRecord>,
    notes: &mut Vec<String>,
) -> Result<Edited, ClientsError> {
    let text = snapshot.text();
    let was = match text {
        None => FileWas::Absent,
        Some(text) if text.trim().is_empty() && matches!(file.want, Want::Json { .. }) => {
            FileWas::Blank(text.to_owned())
        }
        Some(_) => FileWas::Present,
    };
    let prior = previous.map(|record| &record.edits);
    let in_file = |err: super::error::TextError, text: &str| err.in_file(&file.path, text);
    let (new, edits) = match &file.want {
        Want::Block(wanted) => {
            let text = text.unwrap_or("");
            let prior = prior.and_then(|edits| match edits {
                Edits::Block(record) => Some(record),
                Edits::Tree(_) => None,
            });
            let (new, record) =
                block::configure(text, wanted, prior).map_err(|err| in_file(err, text))?;
            (new, Edits::Block(record))
        }
        Want::Json { keys, .. } | Want::Toml(keys) => {
            let base = match (&was, &file.want) {
                (FileWas::Present, _) => text.unwrap_or_default(),
                (_, Want::Json { .. }) => json::EMPTY_DOCUMENT,
                _ => "",
            };
            let mut tree = parse(&file.want, base).map_err(|err| in_file(err, base))?;
            let prior = prior.and_then(|edits| match edits {
                Edits::Tree(record) => Some(record),
                Edits::Block(_) => None,
            });
            let record = tree::configure(tree.as_mut(), keys, prior, notes)
                .map_err(|err| in_file(err, tree.text()))?;
            (tree.text().to_owned(), Edits::Tree(record))
        }
    };
    Ok(Edited { new, edits, was })
}

pub(super) fn parse(want: &Want, text: &str) -> Result<Box<dyn Tree>, super::error::TextError> {
    Ok(match want {
        Want::Json { comments, .. } => Box::new(json::JsonTree::parse(text, *comments)?),
        _ => Box::new(toml_tree::TomlTree::parse(text)?),
    })
}

/// The syntax of a file `kind` configures.
pub(super) fn syntax(kind: ClientKind) -> Want {
    match kind {
        ClientKind::ClaudeCode | ClientKind::GeminiCli => Want::Json {
            comments: false,
            keys: Vec::new(),
        },
        ClientKind::OpenCode => Want::Json {
            comments: true,
            keys: Vec::new(),
        },
        ClientKind::Codex => Want::Toml(Vec::new()),
        ClientKind::Shell => Want::Block(String::new()),
    }
}

/// The text after undoing `record` (`None`: delete the file we created).
fn undo_edit(
    record: &FileRecord,
    snapshot: &Snapshot,
    notes: &mut Vec<String>,
) -> Result<Option<String>, ClientsError> {
    let Some(text) = snapshot.text() else {
        notes.push(format!("{} no longer exists", record.path.display()));
        return Ok(None);
    };
    let in_file = |err: super::error::TextError, text: &str| err.in_file(&record.path, text);
    let (new, empty) = match &record.edits {
        Edits::Block(edits) => {
            let new = block::undo(text, edits, notes).map_err(|err| in_file(err, text))?;
            let empty = new.is_empty();
            (new, empty)
        }
        Edits::Tree(edits) => {
            let want = syntax(record.client);
            if text.trim().is_empty() && matches!(want, Want::Json { .. }) {
                return Ok(Some(text.to_owned()));
            }
            let mut tree = parse(&want, text).map_err(|err| in_file(err, text))?;
            tree::undo(tree.as_mut(), edits, notes).map_err(|err| in_file(err, tree.text()))?;
            let empty = matches!(tree.container(&[]), Ok(Container::Empty(_)));
            let mut new = tree.text().to_owned();
            if record.unterminated && new.ends_with('\n') {
                new.pop();
            }
            (new, empty)
        }
    };
    Ok(match (&record.file, empty) {
        (FileWas::Absent, true) => None,
        (FileWas::Blank(blank), true) => Some(blank.clone()),
        _ => Some(new),
    })
}

fn file_plan(
    path: PathBuf,
    snapshot: Snapshot,
    new: Option<String>,
    previous: Option<FileRecord>,
    target: Option<&Target>,
) -> FilePlan {
    let old = snapshot.text().map(str::to_owned);
    let token = target.map(|target| target.token.expose());
    let diff = diff(&path, old.as_deref(), new.as_deref(), token);
    FilePlan {
        path,
        old,
        new,
        diff,
        snapshot,
        previous,
    }
}

fn diff(path: &Path, old: Option<&str>, new: Option<&str>, token: Option<&str>) -> String {
    if old == new {
        return String::new();
    }
    let name = path.display().to_string();
    let (old_name, new_name) = match (old, new) {
        (None, _) => ("/dev/null", name.as_str()),
        (_, None) => (name.as_str(), "/dev/null"),
        _ => (name.as_str(), name.as_str()),
    };
    let (old, new) = (old.unwrap_or(""), new.unwrap_or(""));
    let text = similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string();
    super::detect::redact(&text, token)
}

/// A note when a file that holds the token can be read by other users.
fn readable_by_others(path: &Path, paths: &Paths) -> Option<String> {
    let mode = atomic::permission_bits(path)? & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} (mode {mode:o}) can be read by other users and will hold the gateway token: `chmod 600` it if others use this machine",
            paths.display(path)
        )
    })
}

pub(crate) fn apply(plan: &Plan) -> Result<Applied, ClientsError> {
    let changed: Vec<&FilePlan> = plan.files.iter().filter(|file| file.changes()).collect();
    for file in &changed {
        atomic::check(&file.snapshot)?;
    }
    let mut applied = Applied {
        journal: Journal::path(&plan.data_dir),
        notes: plan.notes.clone(),
        ..Applied::default()
    };
    if plan.files.is_empty() {
        return Ok(applied);
    }
    atomic::check(&plan.journal_snapshot)?;
    if plan.action == Action::Configure {
        for file in changed.iter().filter(|file| file.previous.is_none()) {
            let fresh = !atomic::backup_path(&file.path).exists();
            if let Some(backup) = atomic::backup(&file.snapshot)?.filter(|_| fresh) {
                applied.backups.push(backup);
            }
        }
    }
    plan.journal.save(&plan.data_dir, &plan.journal_snapshot)?;
    for (index, file) in changed.iter().enumerate() {
        let result = match &file.new {
            Some(text) => atomic::write(
                &file.path,
                &file.snapshot,
                text,
                Mode::Keep { new: NEW_FILE_MODE },
            ),
            None => atomic::remove(&file.path, &file.snapshot),
        };
        if let Err(err) = result {
            restore_journal(plan, &changed[index..]);
            return Err(err);
        }
        match file.new {
            Some(_) => applied.written.push(file.path.clone()),
            None => applied.removed.push(file.path.clone()),
        }
    }
    Ok(applied)
}

/// After a failed write: the journal records of the files not written go
/// back to what they were (best effort; the error is what gets reported).
fn restore_journal(plan: &Plan, unwritten: &[&FilePlan]) {
    let mut journal = plan.journal.clone();
    for file in unwritten {
        journal.put(&file.path, file.previous.clone());
    }
    if let Ok(snapshot) = atomic::read(&Journal::path(&plan.data_dir)) {
        let _ = journal.save(&plan.data_dir, &snapshot);
    }
}
