//! Gemini CLI: `security.auth.selectedType = "gemini-api-key"` in
//! `~/.gemini/settings.json` (project scope: `.gemini/settings.json`). The
//! base URL and key come from the environment (`GOOGLE_GEMINI_BASE_URL`,
//! `GEMINI_API_KEY`), which the shell block exports; `~/.gemini/.env` is
//! ignored in untrusted folders, so it is not used.

use std::path::PathBuf;

use super::detect::{self, ClientStatus};
use super::error::ClientsError;
use super::journal::Journal;
use super::json::{self, JsonTree};
use super::plan::{FileSpec, Spec, Want};
use super::tree::{Tree, Wanted};
use super::{ClientKind, Paths, Scope, shell};

const AUTH_TYPE: &str = "gemini-api-key";
const AUTH_PATH: [&str; 3] = ["security", "auth", "selectedType"];
const VARIABLES: [&str; 3] = ["GOOGLE_GEMINI_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY"];

pub(crate) fn spec(scope: &Scope, paths: &Paths) -> Result<Spec, ClientsError> {
    let mut notes = Vec::new();
    if !shell::block_present(paths) {
        notes.push(
            "Gemini CLI reads GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY from the environment: run `switchyard configure shell` (then open a new shell)"
                .to_owned(),
        );
    }
    Ok(Spec {
        files: vec![FileSpec {
            path: settings_path(scope, paths),
            want: Want::Json {
                comments: false,
                keys: vec![Wanted::new(&AUTH_PATH, json::quote(AUTH_TYPE))],
            },
            holds_token: false,
        }],
        notes,
    })
}

fn settings_path(scope: &Scope, paths: &Paths) -> PathBuf {
    let dir = match scope {
        Scope::User => &paths.home,
        Scope::Project(dir) => dir,
    };
    dir.join(".gemini").join("settings.json")
}

fn parse(text: &str) -> Option<Box<dyn Tree>> {
    JsonTree::parse(text, false)
        .ok()
        .map(|tree| Box::new(tree) as Box<dyn Tree>)
}

fn auth_type(tree: &dyn Tree) -> Option<String> {
    let path: Vec<String> = AUTH_PATH.iter().map(|key| (*key).to_owned()).collect();
    let raw = tree.get(&path).ok()??;
    Some(serde_json::from_str::<String>(&raw).unwrap_or(raw))
}

fn foreign(tree: &dyn Tree) -> Option<String> {
    auth_type(tree).map(|kind| format!("security.auth.selectedType = {kind}"))
}

pub(crate) fn detect(paths: &Paths, journal: &Journal) -> ClientStatus {
    let user = settings_path(&Scope::User, paths);
    let file = detect::tree_file(&user, journal, &parse, &foreign);
    let config_dir = paths.home.join(".gemini");
    let mut status = ClientStatus::new(
        ClientKind::GeminiCli,
        paths,
        "gemini",
        &config_dir,
        vec![file],
    );
    for export in detect::shell_exports(paths, &VARIABLES) {
        let effect = match export.name.as_str() {
            "GOOGLE_API_KEY" => "Gemini CLI prefers it over GEMINI_API_KEY",
            _ => "tools started from that shell may see it instead of ours",
        };
        status
            .warnings
            .push(format!("{}: {effect}", export.describe(paths)));
    }
    let dot_env = config_dir.join(".env");
    if let Ok(text) = std::fs::read_to_string(&dot_env) {
        for name in VARIABLES.iter().filter(|name| text.contains(*name)) {
            status.warnings.push(format!(
                "{} sets {name}, which Gemini CLI loads in trusted folders",
                paths.display(&dot_env)
            ));
        }
    }
    let project = settings_path(&Scope::Project(paths.cwd.clone()), paths);
    let project_type = std::fs::read_to_string(&project)
        .ok()
        .and_then(|text| auth_type(parse(&text)?.as_ref()));
    if project != user
        && project_type
            .as_deref()
            .is_some_and(|kind| kind != AUTH_TYPE)
    {
        status.warnings.push(format!(
            "{} sets security.auth.selectedType = {}, which wins in this project",
            paths.display(&project),
            project_type.unwrap_or_default()
        ));
    }
    if journal.record(&user).is_some() && !shell::block_present(paths) {
        status.warnings.push(
            "no switchyard block in the shell rc files exports GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY: run `switchyard configure shell`"
                .to_owned(),
        );
    }
    status
}
