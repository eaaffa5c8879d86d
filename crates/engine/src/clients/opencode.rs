//! OpenCode: a `provider.switchyard` entry (`@ai-sdk/openai-compatible`,
//! `options.baseURL` = the gateway's `/v1`) and `model` / `small_model` in
//! `~/.config/opencode/opencode.json` (project scope: `opencode.json` in the
//! project). The key is `{env:SWITCHYARD_KEY}`, which OpenCode substitutes
//! from the environment the shell block sets; the file holds no token.

use std::path::{Path, PathBuf};

use super::detect::{self, ClientStatus};
use super::error::ClientsError;
use super::journal::Journal;
use super::json::{self, JsonTree};
use super::plan::{FileSpec, Spec, Want};
use super::tree::{Tree, Wanted};
use super::{ClientKind, Paths, Scope, Target, shell};

const PROVIDER: &str = "switchyard";

pub(crate) fn spec(target: &Target, scope: &Scope, paths: &Paths) -> Result<Spec, ClientsError> {
    let mut notes = Vec::new();
    if !shell::block_present(paths) {
        notes.push(format!(
            "OpenCode reads the gateway token from ${}: run `switchyard configure shell` (then open a new shell)",
            shell::KEY_VARIABLE
        ));
    }
    Ok(Spec {
        files: vec![FileSpec {
            path: config_path(scope, paths),
            want: Want::Json {
                comments: true,
                keys: wanted(target),
            },
            holds_token: false,
        }],
        notes,
    })
}

/// `opencode.json`, or `opencode.jsonc` when only that one exists.
fn config_path(scope: &Scope, paths: &Paths) -> PathBuf {
    let dir = match scope {
        Scope::User => paths.config_home.join("opencode"),
        Scope::Project(dir) => dir.clone(),
    };
    let json = dir.join("opencode.json");
    let jsonc = dir.join("opencode.jsonc");
    if !json.exists() && jsonc.exists() {
        jsonc
    } else {
        json
    }
}

fn wanted(target: &Target) -> Vec<Wanted> {
    let string = |path: &[&str], value: &str| Wanted::new(path, json::quote(value));
    let entry = ["provider", PROVIDER];
    let mut keys = vec![
        string(&[entry[0], entry[1], "npm"], "@ai-sdk/openai-compatible"),
        string(&[entry[0], entry[1], "name"], "Switchyard"),
        string(
            &[entry[0], entry[1], "options", "baseURL"],
            &target.openai_base(),
        ),
        string(
            &[entry[0], entry[1], "options", "apiKey"],
            &format!("{{env:{}}}", shell::KEY_VARIABLE),
        ),
    ];
    for model in target.models.distinct() {
        keys.push(Wanted::new(
            &[entry[0], entry[1], "models", model],
            "{}".to_owned(),
        ));
    }
    keys.push(string(
        &["model"],
        &format!("{PROVIDER}/{}", target.models.main),
    ));
    keys.push(string(
        &["small_model"],
        &format!("{PROVIDER}/{}", target.models.small_fast),
    ));
    keys
}

fn parse(text: &str) -> Option<Box<dyn Tree>> {
    JsonTree::parse(text, true)
        .ok()
        .map(|tree| Box::new(tree) as Box<dyn Tree>)
}

fn model(tree: &dyn Tree) -> Option<String> {
    let raw = tree.get(&["model".to_owned()]).ok()??;
    Some(serde_json::from_str::<String>(&raw).unwrap_or(raw))
}

fn foreign(tree: &dyn Tree) -> Option<String> {
    let entry = [String::from("provider"), PROVIDER.to_owned()];
    if tree.get(&entry).ok().flatten().is_some() {
        return Some("provider.switchyard, not written by Switchyard".to_owned());
    }
    model(tree).map(|model| format!("model = {model}"))
}

pub(crate) fn detect(paths: &Paths, journal: &Journal) -> ClientStatus {
    let user = config_path(&Scope::User, paths);
    let file = detect::tree_file(&user, journal, &parse, &foreign);
    let config_dir = paths.config_home.join("opencode");
    let mut status = ClientStatus::new(
        ClientKind::OpenCode,
        paths,
        "opencode",
        &config_dir,
        vec![file],
    );
    let project = config_path(&Scope::Project(paths.cwd.clone()), paths);
    if let Some(other) = project_model(&project).filter(|model| !model.starts_with("switchyard/")) {
        status.warnings.push(format!(
            "{} sets model = {other}, which wins in this project",
            paths.display(&project)
        ));
    }
    if journal.record(&user).is_some() && !shell::block_present(paths) {
        status.warnings.push(format!(
            "no switchyard block in the shell rc files exports ${}, which OpenCode sends as its key: run `switchyard configure shell`",
            shell::KEY_VARIABLE
        ));
    }
    status
}

fn project_model(path: &Path) -> Option<String> {
    model(parse(&std::fs::read_to_string(path).ok()?)?.as_ref())
}
