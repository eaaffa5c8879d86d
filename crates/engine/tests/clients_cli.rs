//! Issue 11: the real `switchyard configure` and `switchyard clients` in a
//! temporary HOME, and a search of everything they wrote for keys.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CLIENT_KEY: &str = "sk-switchyard-cli-test-0123456789abcdef";
const UPSTREAM_KEY: &str = "sk-upstream-never-written-42";

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        let config = format!(
            "listen = \"127.0.0.1:4399\"\nclient_keys = [\"{CLIENT_KEY}\"]\n\n[[providers]]\nid = \"up\"\n\
             format = \"openai_chat\"\nbase_url = \"http://127.0.0.1:9/v1\"\napi_key_env = \"UP_KEY\"\n\n\
             [[routes]]\nmodel = \"*\"\nprovider = \"up\"\n"
        );
        std::fs::write(dir.path().join("switchyard.toml"), config).unwrap();
        Self { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, args: &[&str]) -> Output {
        let config = self.dir.path().join("switchyard.toml");
        let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
        command
            .args(args)
            .env_clear()
            .env("HOME", self.home())
            .env("SWITCHYARD_DATA_DIR", self.data())
            .env("UP_KEY", UPSTREAM_KEY)
            .env("PATH", "/usr/bin:/bin")
            .current_dir(self.dir.path().join("work"));
        if args.first() == Some(&"configure") && !args.contains(&"--undo") {
            command.arg("--config").arg(config);
        }
        command.output().unwrap()
    }
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Every file under `dir`, with its text.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    found
}

/// A settings file of the user's, and the sandbox around it.
fn with_settings() -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
    let settings = sandbox.home().join(".claude/settings.json");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    std::fs::write(&settings, ORIGINAL).unwrap();
    (sandbox, settings)
}

const ORIGINAL: &str = "{\n  \"model\": \"opus\"\n}\n";

#[test]
fn issue_11_configure_claude_code_dry_run_prints_the_diff_and_writes_nothing() {
    let (sandbox, settings) = with_settings();
    let dry = stdout(&sandbox.run(&[
        "configure",
        "claude-code",
        "--dry-run",
        "--model",
        "haiku=claude-fast",
    ]));
    assert!(dry.contains("+  \"env\": {"), "{dry}");
    assert!(
        dry.contains("+    \"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:4399\","),
        "{dry}"
    );
    assert!(
        dry.contains("+    \"ANTHROPIC_DEFAULT_HAIKU_MODEL\": \"claude-fast\","),
        "{dry}"
    );
    assert!(
        !dry.contains(CLIENT_KEY),
        "the dry run prints the token masked: {dry}"
    );
    assert!(dry.contains("dry run: nothing written"), "{dry}");
    assert_eq!(std::fs::read_to_string(&settings).unwrap(), ORIGINAL);
    assert!(!sandbox.data().exists());
    assert!(
        !sandbox
            .home()
            .join(".claude/settings.json.switchyard-backup")
            .exists()
    );
}

#[test]
fn issue_11_configure_claude_code_writes_then_clients_lists_it_then_undo_restores() {
    let (sandbox, settings) = with_settings();
    let real = stdout(&sandbox.run(&["configure", "claude-code"]));
    assert!(
        real.contains("backup: ~/.claude/settings.json.switchyard-backup"),
        "{real}"
    );
    assert!(real.contains("wrote ~/.claude/settings.json"), "{real}");
    assert!(
        real.contains("undo with: switchyard configure claude-code --undo"),
        "{real}"
    );
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    assert_eq!(value["model"], "opus");
    assert_eq!(value["env"]["ANTHROPIC_AUTH_TOKEN"], CLIENT_KEY);
    assert_eq!(value["env"]["ANTHROPIC_BASE_URL"], "http://127.0.0.1:4399");

    let listed: serde_json::Value =
        serde_json::from_str(&stdout(&sandbox.run(&["clients", "--json"]))).unwrap();
    assert_eq!(listed[0]["files"][0]["state"], "ours");
    let text = stdout(&sandbox.run(&["clients"]));
    assert!(
        text.contains("~/.claude/settings.json: configured by Switchyard"),
        "{text}"
    );

    stdout(&sandbox.run(&["configure", "claude-code", "--undo"]));
    assert_eq!(std::fs::read_to_string(&settings).unwrap(), ORIGINAL);
}

#[test]
fn issue_11_no_file_switchyard_writes_holds_an_upstream_key_and_only_the_clients_own_hold_the_token()
 {
    let sandbox = Sandbox::new();
    for client in ["claude-code", "codex", "gemini-cli", "opencode", "shell"] {
        stdout(&sandbox.run(&["configure", client]));
    }
    stdout(&sandbox.run(&["configure", "claude-code", "--scope", "project"]));
    let mut written = files(&sandbox.home());
    written.extend(files(&sandbox.data()));
    written.extend(files(&sandbox.dir.path().join("work")));
    assert!(written.len() >= 7, "{written:?}");
    let mut holding_token: Vec<String> = written
        .iter()
        .filter(|(_, text)| text.contains(CLIENT_KEY))
        .map(|(path, _)| {
            path.strip_prefix(sandbox.dir.path())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    holding_token.sort();
    assert_eq!(
        holding_token,
        [
            "home/.bashrc",
            "home/.claude/settings.json",
            "work/.claude/settings.local.json"
        ]
    );
    for (path, text) in &written {
        assert!(
            !text.contains(UPSTREAM_KEY),
            "{} holds the upstream key",
            path.display()
        );
    }
}

#[test]
fn issue_11_configure_refuses_what_it_cannot_do_and_says_why() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["configure", "shell", "--scope", "project"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("shell does not support --scope project"),
        "{stderr}"
    );

    let output = sandbox.run(&["configure", "claude-code", "--model", "huge=x"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown tier `huge`"));

    let undo = stdout(&sandbox.run(&["configure", "codex", "--undo"]));
    assert!(undo.contains("nothing to undo"), "{undo}");
}
