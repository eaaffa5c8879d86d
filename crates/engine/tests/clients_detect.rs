//! Issue 11, section 3: `detect` — installed, configured by us, drifted,
//! configured by someone else, and what silently overrides us.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod clients_support;

use clients_support::Home;
use switchyard_engine::clients::{self, ClientKind, ClientStatus, State};

fn status(home: &Home, kind: ClientKind) -> ClientStatus {
    let statuses = clients::detect(&home.paths).unwrap();
    statuses
        .into_iter()
        .find(|status| status.kind == kind)
        .unwrap()
}

fn warnings(home: &Home, kind: ClientKind) -> String {
    status(home, kind).warnings.join("\n")
}

#[test]
fn issue_11_nothing_configured_and_binaries_found_on_the_search_path() {
    let mut home = Home::new();
    let bin = home.paths.home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("codex"), "#!/bin/sh\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join("codex"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    home.paths.search_path = vec![bin.clone()];
    let statuses = clients::detect(&home.paths).unwrap();
    let kinds: Vec<ClientKind> = statuses.iter().map(|status| status.kind).collect();
    assert_eq!(kinds, ClientKind::ALL);
    let codex = &statuses[1];
    if cfg!(unix) {
        assert!(codex.installed);
        assert_eq!(codex.binary.as_deref(), Some(bin.join("codex").as_path()));
    }
    assert!(!statuses[0].installed, "no claude binary, no ~/.claude");
    for status in &statuses {
        assert!(
            status
                .files
                .iter()
                .all(|file| file.state == State::NotConfigured),
            "{status:?}"
        );
    }
}

#[test]
fn issue_11_ours_then_drifted_then_foreign() {
    let home = Home::new();
    home.configure(ClientKind::ClaudeCode);
    let claude = status(&home, ClientKind::ClaudeCode);
    assert!(claude.installed, "~/.claude exists now");
    assert_eq!(claude.files[0].state, State::Ours);

    let settings = home.read(".claude/settings.json").unwrap();
    home.write(
        ".claude/settings.json",
        &settings.replace("\"600000\"", "\"1000\""),
    );
    let drifted = State::Drifted {
        keys: vec!["env.API_TIMEOUT_MS".to_owned()],
    };
    assert_eq!(
        status(&home, ClientKind::ClaudeCode).files[0].state,
        drifted
    );

    home.undo(ClientKind::ClaudeCode);
    home.write(
        ".claude/settings.json",
        "{\"env\": {\"ANTHROPIC_BASE_URL\": \"https://elsewhere.example\"}}",
    );
    let foreign = State::Foreign {
        detail: "env.ANTHROPIC_BASE_URL = https://elsewhere.example".to_owned(),
    };
    assert_eq!(
        status(&home, ClientKind::ClaudeCode).files[0].state,
        foreign
    );

    home.write(".claude/settings.json", "{oops");
    assert!(matches!(
        status(&home, ClientKind::ClaudeCode).files[0].state,
        State::Unreadable { .. }
    ));
}

#[test]
fn issue_11_warns_about_exports_and_project_settings_that_override_us() {
    let home = Home::new();
    home.write(".bashrc", "export ANTHROPIC_API_KEY=sk-ant-x\n");
    home.configure(ClientKind::Shell);
    let mut rc = home.read(".bashrc").unwrap();
    rc.push_str("export ANTHROPIC_BASE_URL=https://elsewhere.example\n");
    home.write(".bashrc", &rc);
    home.configure(ClientKind::ClaudeCode);
    std::fs::create_dir_all(home.paths.cwd.join(".claude")).unwrap();
    std::fs::write(
        home.paths.cwd.join(".claude/settings.local.json"),
        "{\"env\": {\"ANTHROPIC_BASE_URL\": \"https://proxy.example\", \"ANTHROPIC_API_KEY\": \"k\"}, \"apiKeyHelper\": \"x\"}",
    )
    .unwrap();
    let claude = warnings(&home, ClientKind::ClaudeCode);
    assert!(
        claude.contains(
            "`ANTHROPIC_API_KEY` is set in ~/.bashrc line 1 (outside the switchyard block)"
        ),
        "{claude}"
    );
    assert!(claude.contains("expect 401s"), "{claude}");
    assert!(claude.contains("`ANTHROPIC_BASE_URL` is set in ~/.bashrc line 13 (outside the switchyard block, after the switchyard block)"), "{claude}");
    assert!(claude.contains("settings.local.json sets env.ANTHROPIC_BASE_URL = https://proxy.example, which wins over ~/.claude/settings.json in this project"), "{claude}");
    assert!(
        claude.contains("settings.local.json sets env.ANTHROPIC_API_KEY"),
        "{claude}"
    );
    assert!(claude.contains("sets apiKeyHelper"), "{claude}");

    let shell = warnings(&home, ClientKind::Shell);
    assert!(
        shell.contains("line 13") && shell.contains("it wins over the block's"),
        "{shell}"
    );
    assert_eq!(status(&home, ClientKind::Shell).files[0].state, State::Ours);
}

#[test]
fn issue_11_codex_warns_about_profiles_and_a_missing_shell_block() {
    let home = Home::new();
    home.write(".codex/config.toml", "profile = \"work\"\n");
    let plan = clients::plan(
        ClientKind::Codex,
        &clients_support::target(),
        &clients::Scope::User,
        &home.paths,
    )
    .unwrap();
    assert!(
        plan.notes
            .iter()
            .any(|note| note.contains("run `switchyard configure shell`")),
        "{:?}",
        plan.notes
    );
    clients::apply(&plan).unwrap();
    let codex = warnings(&home, ClientKind::Codex);
    assert!(codex.contains("selects profile `work`"), "{codex}");
    assert!(codex.contains("exports $SWITCHYARD_KEY"), "{codex}");
    home.configure(ClientKind::Shell);
    assert!(!warnings(&home, ClientKind::Codex).contains("SWITCHYARD_KEY"));
    assert_eq!(status(&home, ClientKind::Codex).files[0].state, State::Ours);

    home.undo(ClientKind::Codex);
    home.write(".codex/config.toml", "model_provider = \"openai\"\n");
    let foreign = State::Foreign {
        detail: "model_provider = openai".to_owned(),
    };
    assert_eq!(status(&home, ClientKind::Codex).files[0].state, foreign);
}

#[test]
fn issue_11_gemini_and_opencode_warnings() {
    let home = Home::new();
    home.write(".gemini/.env", "GEMINI_API_KEY=abc\n");
    home.write(".zshrc", "export GOOGLE_API_KEY=abc\n");
    home.configure(ClientKind::GeminiCli);
    let gemini = warnings(&home, ClientKind::GeminiCli);
    assert!(
        gemini.contains("~/.gemini/.env sets GEMINI_API_KEY"),
        "{gemini}"
    );
    assert!(
        gemini.contains("`GOOGLE_API_KEY` is set in ~/.zshrc line 1"),
        "{gemini}"
    );
    assert!(gemini.contains("no switchyard block"), "{gemini}");

    std::fs::write(
        home.paths.cwd.join("opencode.json"),
        "{\"model\": \"anthropic/claude-sonnet-4-5\"}",
    )
    .unwrap();
    let opencode = warnings(&home, ClientKind::OpenCode);
    assert!(
        opencode.contains(
            "opencode.json sets model = anthropic/claude-sonnet-4-5, which wins in this project"
        ),
        "{opencode}"
    );
}

#[test]
fn issue_11_detection_serializes_for_the_desktop_app() {
    let home = Home::new();
    home.configure(ClientKind::ClaudeCode);
    let json = serde_json::to_value(clients::detect(&home.paths).unwrap()).unwrap();
    assert_eq!(json[0]["kind"], "claude-code");
    assert_eq!(json[0]["files"][0]["state"], "ours");
    assert_eq!(json[3]["kind"], "opencode");
}
