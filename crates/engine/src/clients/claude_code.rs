//! Claude Code: our keys in the `env` object of `~/.claude/settings.json`
//! (project scope: `.claude/settings.local.json`), which Claude Code applies
//! over the shell environment. See shared/CLIENTS.md for what each key does.

use std::path::{Path, PathBuf};

use super::detect::{self, ClientStatus};
use super::error::ClientsError;
use super::journal::Journal;
use super::json::{self, JsonTree};
use super::plan::{FileSpec, Spec, Want};
use super::tree::{Tree, Wanted};
use super::{ClientKind, Paths, Scope, Target};

/// Slow upstreams (long reasoning) need more than the default.
const API_TIMEOUT_MS: &str = "600000";

pub(crate) fn spec(target: &Target, scope: &Scope, paths: &Paths) -> Result<Spec, ClientsError> {
    let path = settings_path(scope, paths);
    let mut notes = Vec::new();
    if let Scope::Project(_) = scope {
        notes.push(format!(
            "{} holds the gateway token: keep it out of version control (Claude Code's own .gitignore entry covers it only when Claude Code created the file)",
            path.display()
        ));
    }
    Ok(Spec {
        files: vec![FileSpec {
            path,
            want: Want::Json {
                comments: false,
                keys: wanted(target),
            },
            holds_token: true,
        }],
        notes,
    })
}

fn settings_path(scope: &Scope, paths: &Paths) -> PathBuf {
    match scope {
        Scope::User => paths.home.join(".claude").join("settings.json"),
        Scope::Project(dir) => dir.join(".claude").join("settings.local.json"),
    }
}

/// Every key we own, in the order they are written.
fn wanted(target: &Target) -> Vec<Wanted> {
    let models = &target.models;
    let context = target.context_window.map(|window| window.to_string());
    let mut pairs: Vec<(&str, &str)> = vec![
        ("ANTHROPIC_BASE_URL", target.base()),
        ("ANTHROPIC_AUTH_TOKEN", target.token.expose()),
        ("ANTHROPIC_MODEL", &models.main),
        ("ANTHROPIC_DEFAULT_OPUS_MODEL", &models.opus),
        ("ANTHROPIC_DEFAULT_SONNET_MODEL", &models.sonnet),
        ("ANTHROPIC_DEFAULT_HAIKU_MODEL", &models.haiku),
        ("ANTHROPIC_DEFAULT_FABLE_MODEL", &models.fable),
        ("ANTHROPIC_SMALL_FAST_MODEL", &models.small_fast),
        ("CLAUDE_CODE_SUBAGENT_MODEL", &models.subagent),
        ("API_TIMEOUT_MS", API_TIMEOUT_MS),
    ];
    if let Some(window) = &context {
        pairs.push(("CLAUDE_CODE_MAX_CONTEXT_TOKENS", window));
        pairs.push(("CLAUDE_CODE_AUTO_COMPACT_WINDOW", window));
    }
    // A per-request header that changes breaks upstream prefix caching.
    pairs.push(("CLAUDE_CODE_ATTRIBUTION_HEADER", "0"));
    pairs.push(("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"));
    pairs
        .into_iter()
        .map(|(name, value)| {
            let want = Wanted::new(&["env", name], json::quote(value));
            if name == "ANTHROPIC_AUTH_TOKEN" {
                want.secret()
            } else {
                want
            }
        })
        .collect()
}

fn parse(text: &str) -> Option<Box<dyn Tree>> {
    JsonTree::parse(text, false)
        .ok()
        .map(|tree| Box::new(tree) as Box<dyn Tree>)
}

/// A string in the settings' `env` object.
fn env_value(tree: &dyn Tree, name: &str) -> Option<String> {
    let raw = tree.get(&["env".to_owned(), name.to_owned()]).ok()??;
    Some(serde_json::from_str::<String>(&raw).unwrap_or(raw))
}

fn foreign(tree: &dyn Tree) -> Option<String> {
    env_value(tree, "ANTHROPIC_BASE_URL").map(|url| format!("env.ANTHROPIC_BASE_URL = {url}"))
}

pub(crate) fn detect(paths: &Paths, journal: &Journal) -> ClientStatus {
    let user = settings_path(&Scope::User, paths);
    let file = detect::tree_file(&user, journal, &parse, &foreign);
    let config_dir = paths.home.join(".claude");
    let mut status = ClientStatus::new(
        ClientKind::ClaudeCode,
        paths,
        "claude",
        &config_dir,
        vec![file],
    );
    status.warnings = warnings(paths, journal, &user);
    status
}

fn warnings(paths: &Paths, journal: &Journal, user: &Path) -> Vec<String> {
    let mut warnings = Vec::new();
    for export in detect::shell_exports(paths, &["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"]) {
        let effect = match export.name.as_str() {
            "ANTHROPIC_API_KEY" => {
                "Claude Code then also sends it as `x-api-key`, which the gateway checks first: expect 401s; remove it"
            }
            _ => {
                "Claude Code's settings.json wins over it, but other Anthropic tools started from that shell go there"
            }
        };
        warnings.push(format!("{}: {effect}", export.describe(paths)));
    }
    let user_url = read(user).and_then(|tree| env_value(tree.as_ref(), "ANTHROPIC_BASE_URL"));
    let project = paths.cwd.join(".claude");
    for file in [
        user.to_owned(),
        project.join("settings.json"),
        project.join("settings.local.json"),
    ] {
        let Some(tree) = read(&file) else {
            continue;
        };
        let shown = paths.display(&file);
        if env_value(tree.as_ref(), "ANTHROPIC_API_KEY").is_some() {
            warnings.push(format!(
                "{shown} sets env.ANTHROPIC_API_KEY: Claude Code sends it as `x-api-key`, which the gateway checks before the token: remove it"
            ));
        }
        if tree
            .get(&["apiKeyHelper".to_owned()])
            .ok()
            .flatten()
            .is_some()
        {
            warnings.push(format!(
                "{shown} sets apiKeyHelper: Claude Code sends the key it prints instead of ANTHROPIC_AUTH_TOKEN"
            ));
        }
        let url = env_value(tree.as_ref(), "ANTHROPIC_BASE_URL");
        let ours = journal.record(&file).is_some();
        if file != user && !ours && url.is_some() && url != user_url {
            warnings.push(format!(
                "{shown} sets env.ANTHROPIC_BASE_URL = {}, which wins over {} in this project",
                url.unwrap_or_default(),
                paths.display(user)
            ));
        }
    }
    warnings
}

fn read(path: &Path) -> Option<Box<dyn Tree>> {
    parse(&std::fs::read_to_string(path).ok()?)
}
