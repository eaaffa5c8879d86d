//! Issue 11, section 3: how client files are written — conflicts, modes,
//! backups, refusals, the journal — through the engine's public functions
//! on real files.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod clients_support;

use clients_support::{Home, TOKEN, target};
use switchyard_engine::clients::{self, ClientKind, ClientsError, Scope};

const SETTINGS: &str = ".claude/settings.json";

#[test]
fn issue_11_a_file_changed_after_planning_is_a_conflict_and_nothing_is_written() {
    let home = Home::new();
    home.write(SETTINGS, "{\"model\": \"opus\"}\n");
    let plan = clients::plan(ClientKind::ClaudeCode, &target(), &Scope::User, &home.paths).unwrap();
    home.write(SETTINGS, "{\"model\": \"sonnet\"}\n");
    let err = clients::apply(&plan).unwrap_err();
    assert!(matches!(err, ClientsError::Conflict { .. }), "{err}");
    assert!(
        err.to_string().contains("changed since it was read"),
        "{err}"
    );
    assert_eq!(home.read(SETTINGS).unwrap(), "{\"model\": \"sonnet\"}\n");
    assert!(!home.paths.data_dir.exists(), "no journal");
    assert!(
        home.read(".claude/settings.json.switchyard-backup")
            .is_none()
    );
}

#[test]
fn issue_11_a_conflict_on_one_file_writes_none_of_the_others() {
    let home = Home::new();
    home.write(".bashrc", "# bash\n");
    home.write(".zshrc", "# zsh\n");
    let plan = clients::plan(ClientKind::Shell, &target(), &Scope::User, &home.paths).unwrap();
    assert_eq!(plan.files.len(), 2);
    home.write(".zshrc", "# zsh, edited\n");
    assert!(matches!(
        clients::apply(&plan),
        Err(ClientsError::Conflict { .. })
    ));
    assert_eq!(home.read(".bashrc").unwrap(), "# bash\n");
}

#[cfg(unix)]
#[test]
fn issue_11_modes_are_kept_and_new_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let home = Home::new();
    let settings = home.write(SETTINGS, "{}\n");
    std::fs::set_permissions(&settings, std::fs::Permissions::from_mode(0o640)).unwrap();
    home.configure(ClientKind::ClaudeCode);
    assert_eq!(mode(&settings), 0o640);
    assert_eq!(
        mode(&home.file(".claude/settings.json.switchyard-backup")),
        0o640
    );
    home.configure(ClientKind::Shell);
    assert_eq!(
        mode(&home.file(".bashrc")),
        0o600,
        "a new rc file holds the token"
    );
    assert_eq!(
        mode(&home.paths.data_dir.join("clients-journal.json")),
        0o600
    );
    assert_eq!(mode(&home.paths.data_dir), 0o700);
}

#[test]
fn issue_11_invalid_json_is_refused_with_line_and_column_and_left_untouched() {
    let home = Home::new();
    let text = "{\n  \"model\": \"opus\",\n  \"env\": {,}\n}\n";
    home.write(SETTINGS, text);
    let err =
        clients::plan(ClientKind::ClaudeCode, &target(), &Scope::User, &home.paths).unwrap_err();
    let ClientsError::Invalid { line, column, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!((*line, *column), (3, 11));
    assert!(
        err.to_string().ends_with("the file was left untouched"),
        "{err}"
    );
    assert_eq!(home.read(SETTINGS).unwrap(), text);

    home.write(SETTINGS, "{\n  // mine\n}\n");
    let err =
        clients::plan(ClientKind::ClaudeCode, &target(), &Scope::User, &home.paths).unwrap_err();
    assert!(
        err.to_string()
            .contains("line 2, column 3: comments are not allowed"),
        "{err}"
    );

    home.write(SETTINGS, "{\"env\": [\"A=1\"]}");
    let err =
        clients::plan(ClientKind::ClaudeCode, &target(), &Scope::User, &home.paths).unwrap_err();
    assert!(
        err.to_string()
            .contains("column 9: `env` is an array, not an object"),
        "{err}"
    );
}

#[test]
fn issue_11_the_backup_is_made_once_and_never_overwritten() {
    let home = Home::new();
    let original = "{\n  \"model\": \"opus\"\n}\n";
    home.write(SETTINGS, original);
    let applied = home.configure(ClientKind::ClaudeCode);
    assert_eq!(
        applied.backups,
        [home.file(".claude/settings.json.switchyard-backup")]
    );
    assert_eq!(
        home.read(".claude/settings.json.switchyard-backup")
            .unwrap(),
        original
    );
    home.undo(ClientKind::ClaudeCode);
    home.write(SETTINGS, "{\"model\": \"haiku\"}");
    assert!(home.configure(ClientKind::ClaudeCode).backups.is_empty());
    assert_eq!(
        home.read(".claude/settings.json.switchyard-backup")
            .unwrap(),
        original
    );
}

#[test]
fn issue_11_the_journal_keeps_what_was_replaced_but_never_our_token() {
    let home = Home::new();
    let theirs =
        "{\"env\": {\"ANTHROPIC_AUTH_TOKEN\": \"sk-ant-theirs-1234\", \"ANTHROPIC_MODEL\": 7}}";
    home.write(SETTINGS, theirs);
    for kind in clients::ClientKind::ALL {
        home.configure(kind);
    }
    let journal = home.journal();
    assert!(!journal.contains(TOKEN), "the token is in the journal");
    assert!(
        journal.contains("sk-ant-theirs-1234"),
        "undo needs the value it replaced"
    );
    assert!(home.read(SETTINGS).unwrap().contains(TOKEN));
    home.undo(ClientKind::ClaudeCode);
    assert_eq!(home.read(SETTINGS).unwrap(), theirs);
}

#[test]
fn issue_11_configuring_again_keeps_the_original_values_and_drops_keys_no_longer_wanted() {
    let home = Home::new();
    let original = "{\"env\": {\"ANTHROPIC_MODEL\": \"mine\"}}";
    home.write(SETTINGS, original);
    home.configure(ClientKind::ClaudeCode);
    let mut other = target();
    other.models.main = "claude-deepseek-chat".to_owned();
    other.context_window = None;
    let plan = clients::plan(ClientKind::ClaudeCode, &other, &Scope::User, &home.paths).unwrap();
    clients::apply(&plan).unwrap();
    let text = home.read(SETTINGS).unwrap();
    assert!(
        text.contains("\"ANTHROPIC_MODEL\": \"claude-deepseek-chat\""),
        "{text}"
    );
    assert!(!text.contains("CLAUDE_CODE_MAX_CONTEXT_TOKENS"), "{text}");
    home.undo(ClientKind::ClaudeCode);
    assert_eq!(home.read(SETTINGS).unwrap(), original);
}

#[test]
fn issue_11_undo_leaves_keys_changed_by_hand_and_says_so() {
    let home = Home::new();
    home.configure(ClientKind::ClaudeCode);
    let text = home.read(SETTINGS).unwrap().replace(
        "\"ANTHROPIC_DEFAULT_OPUS_MODEL\": \"claude-opus-4-1\"",
        "\"ANTHROPIC_DEFAULT_OPUS_MODEL\": \"my-opus\"",
    );
    home.write(SETTINGS, &text);
    let applied = home.undo(ClientKind::ClaudeCode);
    assert_eq!(
        home.read(SETTINGS).unwrap(),
        "{\n  \"env\": {\n    \"ANTHROPIC_DEFAULT_OPUS_MODEL\": \"my-opus\"\n  }\n}\n"
    );
    let note = applied.notes.join("\n");
    assert!(
        note.contains("left `env.ANTHROPIC_DEFAULT_OPUS_MODEL` as it is"),
        "{note}"
    );
}

#[test]
fn issue_11_a_created_file_is_removed_again_and_a_blank_one_restored() {
    let home = Home::new();
    home.configure(ClientKind::ClaudeCode);
    assert_eq!(
        home.undo(ClientKind::ClaudeCode).removed,
        [home.file(SETTINGS)]
    );
    assert!(home.read(SETTINGS).is_none());

    home.write(SETTINGS, " \n\n");
    home.configure(ClientKind::ClaudeCode);
    home.undo(ClientKind::ClaudeCode);
    assert_eq!(home.read(SETTINGS).unwrap(), " \n\n");
}

#[cfg(unix)]
#[test]
fn issue_11_a_symlinked_settings_file_stays_a_symlink() {
    let home = Home::new();
    let real = home.write("dotfiles/claude.json", "{}\n");
    std::fs::create_dir_all(home.file(".claude")).unwrap();
    std::os::unix::fs::symlink(&real, home.file(SETTINGS)).unwrap();
    home.configure(ClientKind::ClaudeCode);
    let link = std::fs::symlink_metadata(home.file(SETTINGS)).unwrap();
    assert!(link.file_type().is_symlink());
    assert!(
        home.read("dotfiles/claude.json")
            .unwrap()
            .contains("ANTHROPIC_BASE_URL")
    );
}

#[test]
fn issue_11_a_dry_run_plan_writes_nothing() {
    let home = Home::new();
    let plan = clients::plan(ClientKind::ClaudeCode, &target(), &Scope::User, &home.paths).unwrap();
    assert!(plan.changes());
    assert!(
        plan.diff()
            .contains("+    \"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:4315\",")
    );
    assert!(
        !plan.diff().contains(TOKEN),
        "the diff shows the token masked"
    );
    assert!(
        plan.diff().contains("\"ANTHROPIC_AUTH_TOKEN\": \"…cdef\""),
        "{}",
        plan.diff()
    );
    assert!(!home.file(".claude").exists());
    assert!(!home.paths.data_dir.exists());
}

#[test]
fn issue_11_project_scope_writes_the_projects_local_settings() {
    let home = Home::new();
    let scope = Scope::Project(home.paths.cwd.clone());
    let plan = clients::plan(ClientKind::ClaudeCode, &target(), &scope, &home.paths).unwrap();
    clients::apply(&plan).unwrap();
    let local = home.paths.cwd.join(".claude/settings.local.json");
    assert!(std::fs::read_to_string(&local).unwrap().contains(TOKEN));
    assert!(
        clients::managed(&home.paths)
            .unwrap()
            .contains(&(ClientKind::ClaudeCode, scope.clone()))
    );
    clients::undo(ClientKind::ClaudeCode, &scope, &home.paths).unwrap();
    assert!(!local.exists());

    let err = clients::plan(ClientKind::Codex, &target(), &scope, &home.paths).unwrap_err();
    assert!(
        err.to_string()
            .contains("codex does not support --scope project"),
        "{err}"
    );
}

#[test]
fn issue_11_gemini_settings_get_the_auth_type_beside_the_users_keys() {
    let home = Home::new();
    let original = "{\n  \"security\": {\n    \"folderTrust\": {\"enabled\": true}\n  },\n  \"theme\": \"dark\"\n}\n";
    home.write(".gemini/settings.json", original);
    home.configure(ClientKind::GeminiCli);
    let text = home.read(".gemini/settings.json").unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["security"]["auth"]["selectedType"], "gemini-api-key");
    assert_eq!(value["security"]["folderTrust"]["enabled"], true);
    home.undo(ClientKind::GeminiCli);
    assert_eq!(home.read(".gemini/settings.json").unwrap(), original);
}

#[test]
fn issue_11_opencode_jsonc_keeps_its_comments_and_gets_no_token() {
    let home = Home::new();
    let original =
        "{\n  // my theme\n  \"theme\": \"opencode\", /* keep */\n  \"provider\": {}\n}\n";
    home.write(".config/opencode/opencode.json", original);
    home.configure(ClientKind::OpenCode);
    let text = home.read(".config/opencode/opencode.json").unwrap();
    assert!(
        text.contains("// my theme") && text.contains("/* keep */"),
        "{text}"
    );
    assert!(
        text.contains("\"baseURL\": \"http://127.0.0.1:4315/v1\""),
        "{text}"
    );
    assert!(
        text.contains("\"apiKey\": \"{env:SWITCHYARD_KEY}\""),
        "{text}"
    );
    assert!(
        text.contains("\"model\": \"switchyard/claude-sonnet-4-5\""),
        "{text}"
    );
    assert!(!text.contains(TOKEN));
    home.undo(ClientKind::OpenCode);
    assert_eq!(
        home.read(".config/opencode/opencode.json").unwrap(),
        original
    );
}

#[test]
fn issue_11_codex_gets_a_responses_provider_and_no_token() {
    let home = Home::new();
    home.configure(ClientKind::Codex);
    let text = home.read(".codex/config.toml").unwrap();
    assert_eq!(
        text,
        "model = \"claude-sonnet-4-5\"\nmodel_provider = \"switchyard\"\n\n[model_providers.switchyard]\n\
         name = \"Switchyard\"\nbase_url = \"http://127.0.0.1:4315/v1\"\nwire_api = \"responses\"\nenv_key = \"SWITCHYARD_KEY\"\n"
    );
}
