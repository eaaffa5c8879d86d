//! The shell: a marked block in `~/.bashrc`, `~/.zshrc` (if it exists or
//! zsh is the login shell) and fish's `config.fish` (likewise; PowerShell's
//! profile on Windows), exporting what tools that read only the
//! environment need: the Anthropic, OpenAI and Gemini base URLs and keys,
//! and `SWITCHYARD_KEY` for Codex's and OpenCode's provider entries.

use std::path::PathBuf;

use super::detect::{self, ClientStatus, FileStatus, State};
use super::error::ClientsError;
use super::journal::{Edits, Journal};
use super::plan::{FileSpec, Spec, Want};
use super::{ClientKind, Paths, Scope, Target, block};

/// The variable Codex's `env_key` and OpenCode's `{env:…}` name.
pub(crate) const KEY_VARIABLE: &str = "SWITCHYARD_KEY";

/// Names the block sets.
const NAMES: [&str; 7] = [
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_AUTH_TOKEN",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "GOOGLE_GEMINI_BASE_URL",
    "GEMINI_API_KEY",
    KEY_VARIABLE,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Posix,
    Fish,
    #[cfg_attr(
        not(windows),
        expect(dead_code, reason = "PowerShell profiles are written on Windows only")
    )]
    PowerShell,
}

pub(crate) fn spec(target: &Target, scope: &Scope, paths: &Paths) -> Result<Spec, ClientsError> {
    if let Scope::Project(_) = scope {
        return Err(ClientsError::Scope {
            kind: ClientKind::Shell,
            scope: scope.clone(),
            why: "shell rc files belong to the user",
        });
    }
    let values = values(target);
    let mut files = Vec::new();
    for (path, dialect) in rc_files(paths) {
        let text = block_text(dialect, &values).map_err(|(name, why)| ClientsError::Unsafe {
            path: path.clone(),
            what: format!("the value of {name}"),
            why,
        })?;
        files.push(FileSpec {
            path,
            want: Want::Block(text),
            holds_token: true,
        });
    }
    let notes =
        vec!["open a new shell (or `source` the file) for the variables to take effect".to_owned()];
    Ok(Spec { files, notes })
}

fn values(target: &Target) -> Vec<(&'static str, String)> {
    let token = target.token.expose();
    let values = [
        target.base().to_owned(),
        token.to_owned(),
        target.openai_base(),
        token.to_owned(),
        target.base().to_owned(),
        token.to_owned(),
        token.to_owned(),
    ];
    NAMES.into_iter().zip(values).collect()
}

/// The rc files the block goes into, with their syntax.
fn rc_files(paths: &Paths) -> Vec<(PathBuf, Dialect)> {
    let shell = paths.login_shell.as_deref();
    let mut files = vec![(paths.home.join(".bashrc"), Dialect::Posix)];
    let zshrc = paths.home.join(".zshrc");
    if zshrc.exists() || shell == Some("zsh") {
        files.push((zshrc, Dialect::Posix));
    }
    let fish = paths.config_home.join("fish").join("config.fish");
    if fish.exists() || shell == Some("fish") {
        files.push((fish, Dialect::Fish));
    }
    #[cfg(windows)]
    files.push((powershell_profile(paths), Dialect::PowerShell));
    files
}

#[cfg(windows)]
fn powershell_profile(paths: &Paths) -> PathBuf {
    paths
        .home
        .join("Documents")
        .join("PowerShell")
        .join("Microsoft.PowerShell_profile.ps1")
}

/// Every file a shell may read at start, where exports can hide.
pub(crate) fn startup_files(paths: &Paths) -> Vec<PathBuf> {
    let home = &paths.home;
    let mut files: Vec<PathBuf> = [
        ".bashrc",
        ".bash_profile",
        ".profile",
        ".zshrc",
        ".zshenv",
        ".zprofile",
    ]
    .iter()
    .map(|name| home.join(name))
    .collect();
    files.push(paths.config_home.join("fish").join("config.fish"));
    #[cfg(windows)]
    files.push(powershell_profile(paths));
    files
}

/// Some rc file holds our block.
pub(crate) fn block_present(paths: &Paths) -> bool {
    rc_files(paths).iter().any(|(path, _)| {
        std::fs::read_to_string(path).is_ok_and(|text| matches!(block::find(&text), Ok(Some(_))))
    })
}

/// The whole block, or the name whose value cannot be written safely.
fn block_text(
    dialect: Dialect,
    values: &[(&'static str, String)],
) -> Result<String, (&'static str, &'static str)> {
    let mut text = format!(
        "{}\n# Written by `switchyard configure shell`; `switchyard configure shell --undo` removes it.\n",
        block::BEGIN
    );
    for (name, value) in values {
        if value.chars().any(char::is_control) {
            return Err((name, "it contains a control character"));
        }
        let line = match dialect {
            Dialect::Posix => format!("export {name}='{}'", value.replace('\'', r"'\''")),
            Dialect::Fish => {
                let escaped = value.replace('\\', r"\\").replace('\'', r"\'");
                format!("set -gx {name} '{escaped}'")
            }
            Dialect::PowerShell => format!("$env:{name} = '{}'", value.replace('\'', "''")),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(block::END);
    text.push('\n');
    Ok(text)
}

pub(crate) fn detect(paths: &Paths, journal: &Journal) -> ClientStatus {
    let files = rc_files(paths)
        .into_iter()
        .map(|(path, _)| file_status(path, journal))
        .collect();
    let mut status = ClientStatus::new(ClientKind::Shell, paths, "bash", &paths.home, files);
    for export in detect::shell_exports(paths, &NAMES) {
        let effect = match export.after_block {
            true => "it wins over the block's",
            false => "tools see the block's value only where the block runs after it",
        };
        status
            .warnings
            .push(format!("{}: {effect}", export.describe(paths)));
    }
    status
}

fn file_status(path: PathBuf, journal: &Journal) -> FileStatus {
    let text = std::fs::read_to_string(&path).ok();
    let record = journal
        .record(&path)
        .and_then(|record| match &record.edits {
            Edits::Block(block) => Some(block),
            Edits::Tree(_) => None,
        });
    let present = text
        .as_deref()
        .is_some_and(|text| matches!(block::find(text), Ok(Some(_))));
    let state = match (record, text) {
        (Some(record), Some(text)) => match block::drifted(&text, record) {
            Some(false) => State::Ours,
            Some(true) => State::Drifted {
                keys: vec!["(the block)".to_owned()],
            },
            None => State::Drifted {
                keys: vec!["(the block was removed)".to_owned()],
            },
        },
        (Some(_), None) => State::Drifted {
            keys: vec!["(the file was deleted)".to_owned()],
        },
        (None, _) if present => State::Foreign {
            detail: "a switchyard block the journal does not know (an earlier install?)".to_owned(),
        },
        (None, _) => State::NotConfigured,
    };
    FileStatus { path, state }
}
