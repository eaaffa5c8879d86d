//! Where client files and Switchyard's own data live: injected, so tests
//! (and the desktop app) choose them; [`Paths::from_env`] is the CLI's.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::error::ClientsError;

/// Overrides the data dir (tests, portable installs).
pub const DATA_DIR_VARIABLE: &str = "SWITCHYARD_DATA_DIR";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub home: PathBuf,
    /// Switchyard's data dir: the journal lives here.
    pub data_dir: PathBuf,
    /// `$XDG_CONFIG_HOME` or `~/.config` (fish, opencode; also on macOS).
    pub config_home: PathBuf,
    /// `$CODEX_HOME` or `~/.codex`.
    pub codex_home: PathBuf,
    /// For project scope, and for the project files detection warns about.
    pub cwd: PathBuf,
    /// The login shell's name (`zsh`, `fish`), from `$SHELL`.
    pub login_shell: Option<String>,
    /// `$PATH`, to tell whether a client is installed.
    pub search_path: Vec<PathBuf>,
}

impl Paths {
    /// Everything under `home`, nothing on the search path.
    pub fn for_home(home: &Path, data_dir: &Path) -> Self {
        Self {
            home: home.to_owned(),
            data_dir: data_dir.to_owned(),
            config_home: home.join(".config"),
            codex_home: home.join(".codex"),
            cwd: home.to_owned(),
            login_shell: None,
            search_path: Vec::new(),
        }
    }

    /// From the process environment: `directories` for home and data dir
    /// (`$HOME`, `$XDG_DATA_HOME` on Linux), `SWITCHYARD_DATA_DIR`,
    /// `XDG_CONFIG_HOME`, `CODEX_HOME`, `SHELL`, `PATH`.
    pub fn from_env() -> Result<Self, ClientsError> {
        let missing = || ClientsError::Setup("cannot find the home directory ($HOME)".to_owned());
        let base = directories::BaseDirs::new().ok_or_else(missing)?;
        let home = base.home_dir().to_owned();
        let data_dir = match absolute_var(DATA_DIR_VARIABLE) {
            Some(dir) => dir,
            None => directories::ProjectDirs::from("", "", "switchyard")
                .ok_or_else(missing)?
                .data_dir()
                .to_owned(),
        };
        let cwd = std::env::current_dir().map_err(ClientsError::io("."))?;
        Ok(Self {
            config_home: absolute_var("XDG_CONFIG_HOME").unwrap_or_else(|| home.join(".config")),
            codex_home: absolute_var("CODEX_HOME").unwrap_or_else(|| home.join(".codex")),
            login_shell: std::env::var_os("SHELL").and_then(|shell| shell_name(&shell)),
            search_path: std::env::var_os("PATH")
                .map(|path| std::env::split_paths(&path).collect())
                .unwrap_or_default(),
            home,
            data_dir,
            cwd,
        })
    }

    /// `path` with the home directory shown as `~`.
    pub fn display(&self, path: &Path) -> String {
        match path.strip_prefix(&self.home) {
            Ok(rest) => format!("~/{}", rest.display()),
            Err(_) => path.display().to_string(),
        }
    }
}

/// A variable naming an absolute path (relative ones are ignored, as the XDG spec says).
fn absolute_var(name: &str) -> Option<PathBuf> {
    let value = PathBuf::from(std::env::var_os(name)?);
    value.is_absolute().then_some(value)
}

fn shell_name(shell: &OsString) -> Option<String> {
    Path::new(shell)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
}
