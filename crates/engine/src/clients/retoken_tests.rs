#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::{Planned, RetokenOutcome, RetokenResult, plan_file};
use crate::clients::{self, ClientKind, ClientsError, Models, Paths, Scope, Target};
use crate::config::Secret;

const OLD: &str = "sk-switchyard-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const NEW: &str = "sk-switchyard-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const SETTINGS: &str = ".claude/settings.json";
const JOURNAL: &str = "clients-journal.json";

/// A home and a data dir in a temp dir (on tmpfs when there is one: each
/// write fsyncs, and the property tests write thousands of files).
struct Home {
    _dir: tempfile::TempDir,
    paths: Paths,
}

impl Home {
    fn new() -> Self {
        let dir = tempfile::tempdir_in("/dev/shm")
            .or_else(|_| tempfile::tempdir())
            .unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let paths = Paths::for_home(&home, &dir.path().join("data"));
        Self { _dir: dir, paths }
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.paths.home.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(&self, relative: &str) -> Option<String> {
        std::fs::read_to_string(self.paths.home.join(relative)).ok()
    }

    fn journal(&self) -> String {
        std::fs::read_to_string(self.paths.data_dir.join(JOURNAL)).unwrap()
    }

    fn configure(&self, kind: ClientKind, token: &str, models: Models) {
        let target = Target {
            gateway_url: "http://127.0.0.1:4315".to_owned(),
            token: Secret::new(token),
            models,
            context_window: Some(200_000),
        };
        let plan = clients::plan(kind, &target, &Scope::User, &self.paths).unwrap();
        clients::apply(&plan).unwrap();
    }

    fn rotate(&self) -> Vec<RetokenOutcome> {
        clients::retoken(&self.paths, &Secret::new(OLD), &Secret::new(NEW)).unwrap()
    }

    fn undo(&self, kind: ClientKind) {
        clients::undo(kind, &Scope::User, &self.paths).unwrap();
    }
}

fn results(outcomes: &[RetokenOutcome]) -> Vec<RetokenResult> {
    outcomes
        .iter()
        .map(|outcome| outcome.result.clone())
        .collect()
}

fn drifted(keys: &[&str]) -> RetokenResult {
    RetokenResult::Drifted {
        keys: keys.iter().map(|key| (*key).to_owned()).collect(),
    }
}

#[test]
fn issue_11_rotation_rewrites_only_the_token_and_keeps_model_choices() {
    let home = Home::new();
    let original = "{\n    \"model\": \"opus\",\n    \"env\": {\"MINE\": \"1\"}\n}\n";
    home.write(SETTINGS, original);
    let mut models = Models::default();
    models.set(clients::Tier::Haiku, "claude-deepseek-chat");
    home.configure(ClientKind::ClaudeCode, OLD, models);
    let configured = home.read(SETTINGS).unwrap();

    let outcomes = home.rotate();
    assert_eq!(results(&outcomes), [RetokenResult::Rewritten]);
    assert_eq!(outcomes[0].path, home.paths.home.join(SETTINGS));
    assert_eq!(home.read(SETTINGS).unwrap(), configured.replace(OLD, NEW));
    let journal = home.journal();
    assert!(
        !journal.contains(OLD) && !journal.contains(NEW),
        "{journal}"
    );
    assert!(
        home.read(SETTINGS)
            .unwrap()
            .contains("claude-deepseek-chat")
    );

    // The rotated file is still ours: a second rotation finds no old token.
    assert_eq!(results(&home.rotate()), [RetokenResult::OtherKey]);
    // A key the user adds after the rotation survives undo.
    let edit = "\n    \"userEdit\": 42,";
    let edited = home
        .read(SETTINGS)
        .unwrap()
        .replacen('{', &format!("{{{edit}"), 1);
    home.write(SETTINGS, &edited);
    home.undo(ClientKind::ClaudeCode);
    assert_eq!(
        home.read(SETTINGS).unwrap(),
        original.replacen('{', &format!("{{{edit}"), 1)
    );
}

#[test]
fn issue_11_rotation_leaves_a_drifted_file_and_the_journal_untouched() {
    let home = Home::new();
    home.configure(ClientKind::ClaudeCode, OLD, Models::default());
    let configured = home.read(SETTINGS).unwrap();
    for (ours, by_hand, keys) in [
        (
            "\"claude-sonnet-4-5\"",
            "\"my-model\"",
            "env.ANTHROPIC_MODEL",
        ),
        (OLD, "sk-my-own-key", "env.ANTHROPIC_AUTH_TOKEN"),
    ] {
        let edited = configured.replacen(ours, by_hand, 1);
        home.write(SETTINGS, &edited);
        let journal = home.journal();
        assert_eq!(results(&home.rotate()), [drifted(&[keys])]);
        assert_eq!(home.read(SETTINGS).unwrap(), edited);
        assert_eq!(home.journal(), journal);
    }
    std::fs::remove_file(home.paths.home.join(SETTINGS)).unwrap();
    assert_eq!(
        results(&home.rotate()),
        [drifted(&["(the file was deleted)"])]
    );
    assert_eq!(home.read(SETTINGS), None);
}

#[test]
fn issue_11_rotation_leaves_a_shell_block_changed_by_hand() {
    let home = Home::new();
    home.configure(ClientKind::Shell, OLD, Models::default());
    let edited = home
        .read(".bashrc")
        .unwrap()
        .replace("export OPENAI_BASE_URL", "export OPENAI_BASE_URL_MINE");
    home.write(".bashrc", &edited);
    assert_eq!(results(&home.rotate()), [drifted(&["(the block)"])]);
    assert_eq!(home.read(".bashrc").unwrap(), edited);
}

#[test]
fn issue_11_rotation_skips_files_without_the_old_token() {
    let home = Home::new();
    home.configure(ClientKind::Codex, OLD, Models::default());
    home.configure(ClientKind::ClaudeCode, "sk-a-client-key", Models::default());
    let codex = home.read(".codex/config.toml");
    let settings = home.read(SETTINGS);
    assert_eq!(
        results(&home.rotate()),
        [RetokenResult::NoToken, RetokenResult::OtherKey]
    );
    assert_eq!(home.read(".codex/config.toml"), codex);
    assert_eq!(home.read(SETTINGS), settings);
}

#[test]
fn issue_11_rotation_writes_nothing_when_the_file_changes_meanwhile() {
    let home = Home::new();
    home.configure(ClientKind::ClaudeCode, OLD, Models::default());
    let path = home.paths.home.join(SETTINGS);
    let Planned::Write(plan) = plan_file(&home.paths.data_dir, &path, OLD, NEW).unwrap() else {
        panic!("nothing to write");
    };
    // A diff may be shown (the desktop app): it masks both tokens.
    let diff = plan.diff();
    assert!(diff.contains("ANTHROPIC_AUTH_TOKEN"), "{diff}");
    assert!(!diff.contains(OLD) && !diff.contains(NEW), "{diff}");
    let journal = home.journal();
    let meanwhile = home
        .read(SETTINGS)
        .unwrap()
        .replace("\"env\"", "\"x\": 1, \"env\"");
    home.write(SETTINGS, &meanwhile);
    let err = clients::apply(&plan).unwrap_err();
    assert!(matches!(err, ClientsError::Conflict { .. }), "{err}");
    assert_eq!(home.read(SETTINGS).unwrap(), meanwhile);
    assert_eq!(home.journal(), journal);
}

#[test]
fn issue_11_rotation_refuses_tokens_that_need_quoting() {
    let home = Home::new();
    for (old, new) in [("", NEW), (OLD, "sk-'quoted'"), (OLD, "sk-\nline")] {
        let err = clients::retoken(&home.paths, &Secret::new(old), &Secret::new(new));
        assert!(matches!(err, Err(ClientsError::Setup(_))));
    }
}

const OURS: [&str; 4] = [
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_MODEL",
    "API_TIMEOUT_MS",
    "CLAUDE_CODE_ATTRIBUTION_HEADER",
];

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((".{0,6}", inner), 0..4)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// A settings.json: other keys of every kind, maybe an `env` with keys of
/// ours (the user's own values, which undo must put back) and others; in
/// one of several layouts.
fn settings() -> impl Strategy<Value = String> {
    let env_key = prop_oneof![
        prop::sample::select(OURS.to_vec()).prop_map(str::to_owned),
        "[A-Z_]{1,8}"
    ];
    let env = prop::collection::vec((env_key, json()), 0..5);
    let layout = (
        prop::sample::select(vec!["", "  ", "    ", "\t"]),
        any::<bool>(),
        prop::sample::select(vec!["", "\n", "\n\n"]),
    );
    (
        prop::collection::vec((".{0,6}", json()), 0..5),
        prop::option::weighted(0.7, env),
        layout,
    )
        .prop_map(|(members, env, (indent, crlf, trailing))| {
            let mut root: Map<String, Value> = members
                .into_iter()
                .filter(|(key, _)| key != "env")
                .collect();
            if let Some(env) = env {
                root.insert("env".to_owned(), Value::Object(env.into_iter().collect()));
            }
            let mut text = match indent {
                "" => serde_json::to_string(&root).unwrap(),
                indent => {
                    let mut out = Vec::new();
                    let formatter =
                        serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
                    let mut serializer =
                        serde_json::Serializer::with_formatter(&mut out, formatter);
                    serde::Serialize::serialize(&root, &mut serializer).unwrap();
                    String::from_utf8(out).unwrap()
                }
            };
            // Raw newlines are only ever white space between tokens.
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            text + trailing
        })
}

/// An rc file's lines, or `None` for no file.
fn rc() -> impl Strategy<Value = Option<String>> {
    let line = prop::sample::select(vec![
        "export PATH=\"$HOME/bin:$PATH\"",
        "# a comment",
        "",
        "alias ll='ls -l'",
        "  export ANTHROPIC_API_KEY=mine",
        "echo é中😀",
    ]);
    let text = (
        prop::collection::vec(line, 0..5),
        prop::sample::select(vec!["\n", "\r\n"]),
        any::<bool>(),
    )
        .prop_map(|(lines, newline, terminated)| {
            let mut text = lines.join(newline);
            if terminated && !text.is_empty() {
                text.push_str(newline);
            }
            text
        });
    prop::option::weighted(0.8, text)
}

fn check_rotation(home: &Home, kind: ClientKind, files: &[(&str, Option<String>)]) {
    for (relative, text) in files {
        if let Some(text) = text {
            home.write(relative, text);
        }
    }
    home.configure(kind, OLD, Models::default());
    let configured: Vec<Option<String>> = files.iter().map(|(name, _)| home.read(name)).collect();
    let outcomes = home.rotate();
    assert!(
        results(&outcomes)
            .iter()
            .all(|result| *result == RetokenResult::Rewritten),
        "{outcomes:?}"
    );
    for ((relative, _), configured) in files.iter().zip(&configured) {
        let configured = configured.as_deref().unwrap();
        assert!(configured.contains(OLD));
        // Every byte but the token's is as configure left it.
        assert_eq!(home.read(relative).unwrap(), configured.replace(OLD, NEW));
    }
    home.undo(kind);
    for (relative, original) in files {
        assert_eq!(&home.read(relative), original, "undo after rotation");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn issue_11_rotated_settings_json_differs_only_in_the_token_and_undoes_exactly(settings in settings()) {
        let home = Home::new();
        check_rotation(&home, ClientKind::ClaudeCode, &[(SETTINGS, Some(settings))]);
    }

    #[test]
    fn issue_11_rotated_shell_blocks_differ_only_in_the_token_and_undo_exactly(bashrc in rc(), zshrc in rc()) {
        let home = Home::new();
        let mut files = vec![(".bashrc", bashrc)];
        if zshrc.is_some() {
            files.push((".zshrc", zshrc));
        }
        check_rotation(&home, ClientKind::Shell, &files);
    }
}
