//! Pointing clients (Claude Code, Codex, Gemini CLI, OpenCode, the shell)
//! at the gateway by editing their own config files, reversibly.
//!
//! Only our keys are touched, as minimal text edits: every other byte of a
//! file stays as it was. Each write checks that the file did not change
//! since it was read, goes through a temp file and a rename, and keeps the
//! file's mode. A journal in the data dir records what each key was before,
//! so [`undo`] puts back exactly that. The CLI ([`cli`]) and the desktop app
//! call the same functions: [`plan`] (what would change, as a diff), then
//! [`apply`]; [`detect`] reports the state of every client; [`retoken`]
//! puts a new gateway token into the files we configured.

pub(crate) mod atomic;
mod block;
mod claude_code;
pub mod cli;
mod codex;
mod detect;
mod error;
mod gemini_cli;
mod journal;
mod json;
mod opencode;
mod paths;
mod plan;
mod retoken;
mod shell;
mod target;
mod toml_tree;
mod tree;

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::config::Secret;

pub use detect::{ClientStatus, FileStatus, State};
pub use error::ClientsError;
pub use paths::{DATA_DIR_VARIABLE, Paths};
pub use plan::{Action, Applied, FilePlan, Plan};
pub use retoken::{RetokenOutcome, RetokenResult};
pub use target::{Models, Target, Tier, client_token, gateway_url};

use journal::Journal;

/// A client Switchyard can configure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ClientKind {
    ClaudeCode,
    Codex,
    GeminiCli,
    #[serde(rename = "opencode")]
    #[value(name = "opencode")]
    OpenCode,
    /// The rc files of bash, zsh and fish (PowerShell's profile on Windows).
    Shell,
}

impl ClientKind {
    pub const ALL: [Self; 5] = [
        Self::ClaudeCode,
        Self::Codex,
        Self::GeminiCli,
        Self::OpenCode,
        Self::Shell,
    ];

    /// The name the CLI uses: `claude-code`, `opencode`.
    pub fn name(self) -> &'static str {
        match self {
            Self::ClaudeCode => "claude-code",
            Self::Codex => "codex",
            Self::GeminiCli => "gemini-cli",
            Self::OpenCode => "opencode",
            Self::Shell => "shell",
        }
    }
}

impl fmt::Display for ClientKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whose config: the user's, or one project's (its folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    User,
    Project(PathBuf),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User => f.write_str("user"),
            Self::Project(dir) => write!(f, "project ({})", dir.display()),
        }
    }
}

/// What configuring `kind` for `target` would change; nothing is written.
pub fn plan(
    kind: ClientKind,
    target: &Target,
    scope: &Scope,
    paths: &Paths,
) -> Result<Plan, ClientsError> {
    let spec = match kind {
        ClientKind::ClaudeCode => claude_code::spec(target, scope, paths),
        ClientKind::Codex => codex::spec(target, scope, paths),
        ClientKind::GeminiCli => gemini_cli::spec(scope, paths),
        ClientKind::OpenCode => opencode::spec(target, scope, paths),
        ClientKind::Shell => shell::spec(target, scope, paths),
    }?;
    plan::configure(kind, scope, paths, spec, target)
}

/// What undoing our configuration of `kind` would change; nothing is written.
pub fn plan_undo(kind: ClientKind, scope: &Scope, paths: &Paths) -> Result<Plan, ClientsError> {
    plan::undo(kind, scope, paths)
}

/// Writes `plan`: nothing at all if any of its files (or the journal)
/// changed since it was made.
pub fn apply(plan: &Plan) -> Result<Applied, ClientsError> {
    plan::apply(plan)
}

/// Puts back what our configuration of `kind` replaced, and removes the
/// keys it added; keys changed by hand since are left (see the notes).
pub fn undo(kind: ClientKind, scope: &Scope, paths: &Paths) -> Result<Applied, ClientsError> {
    apply(&plan_undo(kind, scope, paths)?)
}

/// The state of every client: installed, configured by us (or drifted), by
/// someone else, or not at all, and what would override us.
pub fn detect(paths: &Paths) -> Result<Vec<ClientStatus>, ClientsError> {
    let (journal, _) = Journal::load(&paths.data_dir)?;
    Ok(vec![
        claude_code::detect(paths, &journal),
        codex::detect(paths, &journal),
        gemini_cli::detect(paths, &journal),
        opencode::detect(paths, &journal),
        shell::detect(paths, &journal),
    ])
}

/// After the gateway token changed from `old` to `new`: every file
/// Switchyard configured with `old` gets `new` in place of it, and nothing
/// else changes; files changed by hand (or while we write) are left as they
/// are. One outcome per file of the journal.
pub fn retoken(
    paths: &Paths,
    old: &Secret,
    new: &Secret,
) -> Result<Vec<RetokenOutcome>, ClientsError> {
    retoken::retoken(paths, old, new)
}

/// The clients and scopes Switchyard has configured: what to rewrite when
/// the token changes.
pub fn managed(paths: &Paths) -> Result<Vec<(ClientKind, Scope)>, ClientsError> {
    let (journal, _) = Journal::load(&paths.data_dir)?;
    let mut managed: Vec<(ClientKind, Scope)> = Vec::new();
    for record in journal.files {
        let entry = (record.client, record.scope);
        if !managed.contains(&entry) {
            managed.push(entry);
        }
    }
    Ok(managed)
}
