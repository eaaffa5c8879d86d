//! Reloads the config when its file changes. The folder is watched, not
//! the file: editors save by writing a new file and renaming it over the
//! old one, which a watch on the old file would miss. Bursts of events (one
//! save is several) are settled for a moment, then the file is read once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher as _};
use tokio::sync::mpsc;

use super::Control;

/// Long enough to cover one save's events, short enough to feel immediate.
const SETTLE: Duration = Duration::from_millis(150);

/// Watching lasts as long as this is kept.
pub struct Watcher {
    _inner: RecommendedWatcher,
}

/// `None` (logged) when the platform cannot watch the folder: reloads then
/// come only from `switchyard reload` or the tray.
pub(super) fn start(control: &Control) -> Option<Watcher> {
    let path = control.config_path().to_owned();
    let (folder, name) = split(&path)?;
    let (wake, mut woken) = mpsc::unbounded_channel::<()>();
    let watched = name.clone();
    let handler = move |event: notify::Result<Event>| {
        if event.is_ok_and(|event| touches(&event, &watched)) {
            let _ = wake.send(());
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(watcher) => watcher,
        Err(err) => return unwatched(&path, &err),
    };
    if let Err(err) = watcher.watch(&folder, RecursiveMode::NonRecursive) {
        return unwatched(&path, &err);
    }
    let control = control.clone();
    tokio::spawn(async move {
        while woken.recv().await.is_some() {
            tokio::time::sleep(SETTLE).await;
            while woken.try_recv().is_ok() {}
            let control = control.clone();
            let _ = tokio::task::spawn_blocking(move || control.reload_if_changed()).await;
        }
    });
    Some(Watcher { _inner: watcher })
}

fn split(path: &Path) -> Option<(PathBuf, std::ffi::OsString)> {
    let absolute = std::path::absolute(path).ok()?;
    let folder = absolute.parent()?.to_owned();
    Some((folder, absolute.file_name()?.to_owned()))
}

fn touches(event: &Event, name: &std::ffi::OsStr) -> bool {
    (event.paths.iter()).any(|path| path.file_name() == Some(name))
}

fn unwatched(path: &Path, err: &notify::Error) -> Option<Watcher> {
    tracing::warn!(
        "not watching {} for changes ({err}); use `switchyard reload` after editing it",
        path.display()
    );
    None
}
