//! Where the usage store lives when the config does not say
//! (`usage_db`): the platform data dir, so that `switchyard serve` and
//! `switchyard usage` find the same file without flags.

use std::path::PathBuf;

/// Overrides the data dir (tests, portable installs).
pub const DATA_DIR_ENV: &str = "SWITCHYARD_DATA_DIR";

pub const DB_FILE: &str = "usage.sqlite3";

/// `$SWITCHYARD_DATA_DIR`, else the platform's: `$XDG_DATA_HOME/switchyard`
/// (`~/.local/share/switchyard`) on Linux, `~/Library/Application
/// Support/switchyard` on macOS, `%APPDATA%\switchyard\data` on Windows.
pub fn data_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(dir) = env(DATA_DIR_ENV).filter(|dir| !dir.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "switchyard").map(|dirs| dirs.data_dir().to_owned())
}

/// The store's path: the config's `usage_db`, else `usage.sqlite3` in the data dir.
pub fn db_path(
    configured: Option<&std::path::Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PathBuf, String> {
    if let Some(path) = configured {
        return Ok(path.to_owned());
    }
    data_dir(env)
        .map(|dir| dir.join(DB_FILE))
        .ok_or_else(|| {
            format!(
                "no home directory to keep the usage store in; set `usage_db` in the config or {DATA_DIR_ENV}"
            )
        })
}
