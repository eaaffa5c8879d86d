//! Codex CLI: a `[model_providers.switchyard]` table (Responses API) and
//! `model_provider` / `model` in `$CODEX_HOME/config.toml`.
//!
//! The token is not written into config.toml: the provider names it with
//! `env_key = "SWITCHYARD_KEY"`, which the shell block exports. Codex sends
//! it as `Authorization: Bearer`.

use super::detect::{self, ClientStatus};
use super::error::ClientsError;
use super::journal::Journal;
use super::plan::{FileSpec, Spec, Want};
use super::toml_tree::{self, TomlTree};
use super::tree::{Tree, Wanted};
use super::{ClientKind, Paths, Scope, Target, shell};

pub(crate) const PROVIDER: &str = "switchyard";

pub(crate) fn spec(target: &Target, scope: &Scope, paths: &Paths) -> Result<Spec, ClientsError> {
    if let Scope::Project(_) = scope {
        return Err(ClientsError::Scope {
            kind: ClientKind::Codex,
            scope: scope.clone(),
            why: "Codex reads its providers from $CODEX_HOME/config.toml only",
        });
    }
    let mut notes = Vec::new();
    if !shell::block_present(paths) {
        notes.push(format!(
            "Codex reads the gateway token from ${}: run `switchyard configure shell` (then open a new shell), or export it yourself",
            shell::KEY_VARIABLE
        ));
    }
    Ok(Spec {
        files: vec![FileSpec {
            path: paths.codex_home.join("config.toml"),
            want: Want::Toml(wanted(target)),
            holds_token: false,
        }],
        notes,
    })
}

fn wanted(target: &Target) -> Vec<Wanted> {
    let table = ["model_providers", PROVIDER];
    let key = |name: &'static str| [table[0], table[1], name];
    vec![
        Wanted::new(&["model"], toml_tree::quote(&target.models.main)),
        Wanted::new(&["model_provider"], toml_tree::quote(PROVIDER)),
        Wanted::new(&key("name"), toml_tree::quote("Switchyard")),
        Wanted::new(&key("base_url"), toml_tree::quote(&target.openai_base())),
        Wanted::new(&key("wire_api"), toml_tree::quote("responses")),
        Wanted::new(&key("env_key"), toml_tree::quote(shell::KEY_VARIABLE)),
    ]
}

fn parse(text: &str) -> Option<Box<dyn Tree>> {
    TomlTree::parse(text)
        .ok()
        .map(|tree| Box::new(tree) as Box<dyn Tree>)
}

fn string(tree: &dyn Tree, key: &str) -> Option<String> {
    let raw = tree.get(&[key.to_owned()]).ok()??;
    Some(
        raw.parse::<toml_edit::Value>()
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or(raw),
    )
}

fn foreign(tree: &dyn Tree) -> Option<String> {
    string(tree, "model_provider").map(|provider| format!("model_provider = {provider}"))
}

pub(crate) fn detect(paths: &Paths, journal: &Journal) -> ClientStatus {
    let path = paths.codex_home.join("config.toml");
    let file = detect::tree_file(&path, journal, &parse, &foreign);
    let mut status = ClientStatus::new(
        ClientKind::Codex,
        paths,
        "codex",
        &paths.codex_home,
        vec![file],
    );
    let tree = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| parse(&text));
    if let Some(profile) = tree.as_deref().and_then(|tree| string(tree, "profile")) {
        status.warnings.push(format!(
            "{} selects profile `{profile}`: its model_provider and model win over the top-level ones",
            paths.display(&path)
        ));
    }
    if journal.record(&path).is_some() && !shell::block_present(paths) {
        status.warnings.push(format!(
            "no switchyard block in the shell rc files exports ${}, which Codex sends as its key: run `switchyard configure shell`",
            shell::KEY_VARIABLE
        ));
    }
    status
}
