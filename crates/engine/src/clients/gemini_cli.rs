//! Gemini CLI: `security.auth.selectedType = "gemini-api-key"` in
//! `~/.gemini/settings.json` (project scope: `.gemini/settings.json`). The
//! base URL and key come from the environment (`GOOGLE_GEMINI_BASE_URL`,
//! `GEMINI_API_KEY`), which the shell block exports; `~/.gemini/.env` is
//! ignored in untrusted folders, so it is not used.

use std::path::PathBuf;

use super::detect::{self, ClientStatus};
use super::error::ClientsError;
use super::journal::Journal;
use super::json;
use super::plan::{FileSpec, Spec, Want};
use super::tree::{self, Tree, Wanted};
use super::{ClientKind, Paths, Scope, shell};

const AUTH_TYPE: &str = "gemini-api-key";
const AUTH_PATH: [&str; 3] = ["security", "auth", "selectedType"];
const VARIABLES: [&str; 3] = ["GOOGLE_GEMINI_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY"];

/// What the shell block provides.
const NEEDS: &str =
    "Gemini CLI reads GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY from the environment";

pub(crate) fn spec(scope: &Scope, paths: &Paths) -> Result<Spec, ClientsError> {
    let notes = shell::missing_block(paths, NEEDS).into_iter().collect();
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
    json::parse_boxed(text, false)
}

fn auth_type(tree: &dyn Tree) -> Option<String> {
    tree::string_at(tree, &AUTH_PATH)
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
    let project_type = json::read(&project, false).and_then(|tree| auth_type(tree.as_ref()));
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
    if journal.record(&user).is_some() {
        status.warnings.extend(shell::missing_block(paths, NEEDS));
    }
    status
}
