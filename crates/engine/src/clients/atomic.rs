//! Reading a file once, and replacing it only if it still holds what was
//! read: temp file in the same folder, fsync, the old mode (and owner),
//! rename. A symlink is followed, so a dotfile manager's link survives.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::{ClientsError, TextError};

const BACKUP_SUFFIX: &str = ".switchyard-backup";

/// A file's text as read (`None`: it did not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot {
    path: PathBuf,
    text: Option<String>,
}

impl Snapshot {
    pub(crate) fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
}

/// Which mode the written file gets.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode {
    /// The existing file's; this one for a new file.
    Keep { new: u32 },
    /// Always this one.
    Force(u32),
}

pub(crate) fn read(path: &Path) -> Result<Snapshot, ClientsError> {
    let text = match fs::read(path) {
        Ok(bytes) => Some(String::from_utf8(bytes).map_err(|err| {
            let offset = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            TextError::new(offset, "not UTF-8 text").in_file(path, &text)
        })?),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(ClientsError::io(path)(err)),
    };
    Ok(Snapshot {
        path: path.to_owned(),
        text,
    })
}

/// `Conflict` unless the file still holds what `expected` read.
pub(crate) fn check(expected: &Snapshot) -> Result<(), ClientsError> {
    if read(&expected.path)? == *expected {
        Ok(())
    } else {
        Err(ClientsError::Conflict {
            path: expected.path.clone(),
        })
    }
}

/// Replaces the file `expected` was read from with `text`.
pub(crate) fn write(
    path: &Path,
    expected: &Snapshot,
    text: &str,
    mode: Mode,
) -> Result<(), ClientsError> {
    check(expected)?;
    let target = resolve(path);
    let dir = target
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(ClientsError::io(dir))?;
    let temp = temp_path(&target);
    let result = write_temp(&temp, &target, text, mode).and_then(|()| {
        check(expected)?;
        fs::rename(&temp, &target).map_err(ClientsError::io(&target))
    });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    sync_dir(dir);
    Ok(())
}

/// Deletes the file `expected` was read from.
pub(crate) fn remove(path: &Path, expected: &Snapshot) -> Result<(), ClientsError> {
    check(expected)?;
    match fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(ClientsError::io(path)(err)),
        _ => Ok(()),
    }
}

/// `path.switchyard-backup`, made from the text read unless it exists (it is
/// never overwritten). `None` when there was no file to keep.
pub(crate) fn backup(snapshot: &Snapshot) -> Result<Option<PathBuf>, ClientsError> {
    let Some(text) = snapshot.text() else {
        return Ok(None);
    };
    let backup = backup_path(&snapshot.path);
    if backup.exists() {
        return Ok(Some(backup));
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, unix_mode(&snapshot.path, 0o600));
    let mut file = options.open(&backup).map_err(ClientsError::io(&backup))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(ClientsError::io(&backup))?;
    Ok(Some(backup))
}

/// `settings.json` → `settings.json.switchyard-backup`.
pub(crate) fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(BACKUP_SUFFIX);
    PathBuf::from(name)
}

/// The data dir: readable by its owner only.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), ClientsError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(ClientsError::io(dir))
}

/// Where a write really goes: through a symlink to its target.
fn resolve(path: &Path) -> PathBuf {
    let is_link = fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink());
    if !is_link {
        return path.to_owned();
    }
    fs::canonicalize(path).unwrap_or_else(|_| match fs::read_link(path) {
        Ok(link) => path.parent().map_or(link.clone(), |dir| dir.join(link)),
        Err(_) => path.to_owned(),
    })
}

fn temp_path(target: &Path) -> PathBuf {
    let mut random = [0u8; 6];
    let _ = getrandom::fill(&mut random);
    let tag: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    target.with_file_name(format!(".{name}.switchyard-{tag}.tmp"))
}

fn write_temp(temp: &Path, target: &Path, text: &str, mode: Mode) -> Result<(), ClientsError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    // Private while it is being written; its final mode comes after.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(temp).map_err(ClientsError::io(temp))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(ClientsError::io(temp))?;
    set_mode_and_owner(&file, target, mode).map_err(ClientsError::io(temp))
}

#[cfg(unix)]
fn set_mode_and_owner(file: &File, target: &Path, mode: Mode) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let bits = match mode {
        Mode::Keep { new } => unix_mode(target, new),
        Mode::Force(bits) => bits,
    };
    file.set_permissions(fs::Permissions::from_mode(bits))?;
    if let Ok(old) = fs::metadata(target) {
        let new = file.metadata()?;
        if (old.uid(), old.gid()) != (new.uid(), new.gid()) {
            // Only root may give a file away; anyone else keeps the file as theirs.
            let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_mode_and_owner(file: &File, target: &Path, _mode: Mode) -> std::io::Result<()> {
    if let Ok(old) = fs::metadata(target) {
        file.set_permissions(old.permissions())?;
    }
    Ok(())
}

#[cfg(unix)]
fn unix_mode(path: &Path, default: u32) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).map_or(default, |meta| meta.permissions().mode() & 0o7777)
}

/// Makes the rename durable; a failure here loses nothing already written.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
