//! Setting and undoing our keys in a document of nested tables (JSON
//! objects, TOML tables), whatever its syntax: the record of what each key
//! was before is what makes undo exact.

use super::error::TextError;
use super::journal::{ContainerRecord, KeyRecord, Ours, TreeRecord, Was};

/// A table on a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Container {
    Absent,
    /// No members; the text between its brackets, to put back exactly.
    Empty(String),
    Filled,
}

/// A document we can edit key by key; values are raw text in its syntax.
/// The empty path is the document itself.
pub(crate) trait Tree {
    fn text(&self) -> &str;
    fn get(&self, path: &[String]) -> Result<Option<String>, TextError>;
    /// Replaces the value, or inserts the key into its (existing) parent.
    fn set(&mut self, path: &[String], raw: &str) -> Result<(), TextError>;
    fn remove(&mut self, path: &[String]) -> Result<(), TextError>;
    /// An error when something other than a table sits on the path.
    fn container(&self, path: &[String]) -> Result<Container, TextError>;
    fn create_container(&mut self, path: &[String]) -> Result<(), TextError>;
    fn restore_empty(&mut self, path: &[String], interior: &str) -> Result<(), TextError>;
    /// A spelling-independent form of a raw value, to compare values.
    fn canonical(&self, raw: &str) -> String;
}

/// One key we want set.
#[derive(Debug, Clone)]
pub(crate) struct Wanted {
    pub path: Vec<String>,
    pub raw: String,
    /// The journal keeps only a salted hash of it.
    pub secret: bool,
}

impl Wanted {
    pub(crate) fn new(path: &[&str], raw: String) -> Self {
        Self {
            path: path.iter().map(|part| (*part).to_owned()).collect(),
            raw,
            secret: false,
        }
    }

    pub(crate) fn secret(mut self) -> Self {
        self.secret = true;
        self
    }
}

/// Sets `wanted`, and puts back what an earlier run set but is no longer
/// wanted. `prior` (that earlier run's record) keeps the original values.
pub(crate) fn configure(
    tree: &mut dyn Tree,
    wanted: &[Wanted],
    prior: Option<&TreeRecord>,
    notes: &mut Vec<String>,
) -> Result<TreeRecord, TextError> {
    let mut record = prior.cloned().unwrap_or_default();
    let (kept, stale): (Vec<KeyRecord>, Vec<KeyRecord>) = record
        .keys
        .into_iter()
        .partition(|key| wanted.iter().any(|want| want.path == key.path));
    record.keys = kept;
    for key in stale.iter().rev() {
        revert(tree, key, notes)?;
    }
    for want in wanted {
        ensure_parents(tree, &want.path, &mut record.containers)?;
        let ours = Ours::of(&tree.canonical(&want.raw), want.secret);
        match record.keys.iter_mut().find(|key| key.path == want.path) {
            Some(key) => key.ours = ours,
            None => record.keys.push(KeyRecord {
                path: want.path.clone(),
                before: tree.get(&want.path)?,
                ours,
            }),
        }
        tree.set(&want.path, &want.raw)?;
    }
    prune(tree, &record.containers)?;
    Ok(record)
}

/// Puts back every key of `record` still holding what we set; leaves (and
/// notes) the ones changed by hand since.
pub(crate) fn undo(
    tree: &mut dyn Tree,
    record: &TreeRecord,
    notes: &mut Vec<String>,
) -> Result<(), TextError> {
    for key in record.keys.iter().rev() {
        revert(tree, key, notes)?;
    }
    prune(tree, &record.containers)
}

/// The keys of `record` that no longer hold what we set.
pub(crate) fn drifted(tree: &dyn Tree, record: &TreeRecord) -> Result<Vec<String>, TextError> {
    let mut changed = Vec::new();
    for key in &record.keys {
        let same = tree
            .get(&key.path)?
            .is_some_and(|current| key.ours.matches(&tree.canonical(&current)));
        if !same {
            changed.push(key.path.join("."));
        }
    }
    Ok(changed)
}

fn revert(tree: &mut dyn Tree, key: &KeyRecord, notes: &mut Vec<String>) -> Result<(), TextError> {
    let name = key.path.join(".");
    match tree.get(&key.path)? {
        None => notes.push(format!("`{name}` had already been removed")),
        Some(current) if key.ours.matches(&tree.canonical(&current)) => match &key.before {
            Some(raw) => tree.set(&key.path, raw)?,
            None => tree.remove(&key.path)?,
        },
        Some(_) => notes.push(format!(
            "left `{name}` as it is: it was changed by hand after Switchyard set it"
        )),
    }
    Ok(())
}

/// Creates the missing tables above `path`, recording what each was.
fn ensure_parents(
    tree: &mut dyn Tree,
    path: &[String],
    containers: &mut Vec<ContainerRecord>,
) -> Result<(), TextError> {
    for depth in 0..path.len() {
        let parent = &path[..depth];
        let state = tree.container(parent)?;
        let was = match &state {
            Container::Absent => Was::Absent,
            Container::Empty(interior) => Was::Empty(interior.clone()),
            Container::Filled => continue,
        };
        if !containers.iter().any(|known| known.path == parent) {
            containers.push(ContainerRecord {
                path: parent.to_vec(),
                was,
            });
        }
        if state == Container::Absent {
            tree.create_container(parent)?;
        }
    }
    Ok(())
}

/// Tables that are empty again go back to what they were: removed if we
/// created them, their original inside otherwise. Deepest first.
fn prune(tree: &mut dyn Tree, containers: &[ContainerRecord]) -> Result<(), TextError> {
    for container in containers.iter().rev() {
        if let Container::Empty(_) = tree.container(&container.path)? {
            match &container.was {
                Was::Absent => tree.remove(&container.path)?,
                Was::Empty(interior) => tree.restore_empty(&container.path, interior)?,
            }
        }
    }
    Ok(())
}
