//! Issue 11: keys in the real OS keychain. The Secret Service tests need a
//! running one: `scripts/test` runs them under `dbus-run-session` with a
//! throwaway gnome-keyring (`--run-ignored only`), and the keyutils one with
//! the session bus pointing nowhere. Each test uses its own keychain service
//! name, so a developer's entries are never touched.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::io::Write as _;
use std::path::Path;
use std::process::{Output, Stdio};

use serde_json::json;
use support::binary::{command, free_port, serve_config, temp_dir};
use support::{MockUpstream, Reply};
use switchyard_engine::config::Secret;
use switchyard_engine::secrets::{Backend, KeychainStore, SecretStore};

const UPSTREAM_KEY: &str = "sk-keychain-upstream-7f3a9c2e";
const SECRET_SERVICE: &str = "needs a Secret Service: scripts/test runs it under dbus-run-session";

fn service(label: &str) -> String {
    format!("switchyard-test-{label}-{}", free_port())
}

/// `switchyard ARGS` with the test's keychain service, `stdin` piped in.
fn run(service: &str, args: &[&str], stdin: &str, env: &[(&str, String)]) -> Output {
    let mut env = env.to_vec();
    env.push(("SWITCHYARD_KEYCHAIN_SERVICE", service.to_owned()));
    let mut child = command(args, &env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn secret_tool_lookup(service: &str, account: &str) -> Option<String> {
    let output = std::process::Command::new("secret-tool")
        .args(["lookup", "service", service, "username", account])
        .output()
        .unwrap();
    output.status.success().then(|| text(&output.stdout))
}

#[test]
#[ignore = "needs a Secret Service: scripts/test runs it under dbus-run-session"]
fn issue_11_secret_service_stores_reads_and_removes() {
    let service = service("store");
    let store = KeychainStore::open(&service).unwrap();
    assert_eq!(store.backend(), Backend::SecretService, "{SECRET_SERVICE}");
    assert!(store.get("deepseek").unwrap().is_none());
    store.set("deepseek", &Secret::new(UPSTREAM_KEY)).unwrap();
    assert_eq!(
        store.get("deepseek").unwrap().unwrap().expose(),
        UPSTREAM_KEY
    );
    assert_eq!(
        secret_tool_lookup(&service, "deepseek").as_deref(),
        Some(UPSTREAM_KEY)
    );
    assert!(store.delete("deepseek").unwrap());
    assert!(!store.delete("deepseek").unwrap());
    assert_eq!(secret_tool_lookup(&service, "deepseek"), None);
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else if std::fs::read(&path)
            .unwrap_or_default()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            hits.push(path.display().to_string());
        }
    }
    hits
}

#[tokio::test]
#[ignore = "needs a Secret Service: scripts/test runs it under dbus-run-session"]
async fn issue_11_keychain_key_and_gateway_token_through_the_binary() {
    let service = service("binary");
    let home = temp_dir("keychain-home");
    let env = [
        ("HOME", home.display().to_string()),
        (
            "SWITCHYARD_DATA_DIR",
            home.join("data").display().to_string(),
        ),
    ];
    let set = run(
        &service,
        &["key", "set", "mock"],
        &format!("{UPSTREAM_KEY}\n"),
        &env,
    );
    assert!(set.status.success(), "{}", text(&set.stderr));
    assert!(
        text(&set.stdout).contains("(…9c2e) in the Secret Service"),
        "{}",
        text(&set.stdout)
    );
    assert!(!text(&set.stdout).contains(UPSTREAM_KEY));

    let mock = MockUpstream::start().await;
    let config = home.join("config.toml");
    // `token --rotate --config` finds the running gateway at `listen`.
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let providers = format!(
        "listen = \"{addr}\"\n[[providers]]\nid = \"mock\"\nformat = \"openai_chat\"\nbase_url = \"{}\"\napi_key = \"keychain\"\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"mock\"\n",
        mock.url()
    );
    std::fs::write(&config, &providers).unwrap();
    let list = run(
        &service,
        &["key", "list", "--config", config.to_str().unwrap()],
        "",
        &env,
    );
    let listed = text(&list.stdout);
    assert!(
        listed.contains("mock") && listed.contains("…9c2e set"),
        "{listed}"
    );
    assert!(listed.contains("(gateway token)"), "{listed}");

    let token = text(&run(&service, &["token"], "", &env).stdout)
        .trim()
        .to_owned();
    assert!(
        token.starts_with("sk-switchyard-") && token.len() == 14 + 64,
        "{token}"
    );
    assert_eq!(
        secret_tool_lookup(&service, "switchyard:gateway-token").as_deref(),
        Some(token.as_str())
    );

    let mut env = env.to_vec();
    env.push(("SWITCHYARD_KEYCHAIN_SERVICE", service.clone()));
    let served = serve_config(temp_dir("keychain-log"), &config, addr, &env).await;
    mock.push(Reply::json(
        json!({"id": "c", "object": "chat.completion", "created": 1,
        "model": "m", "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
        "finish_reason": "stop"}]}),
    ));
    let http = reqwest::Client::new();
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
    let ask = |key: &str| {
        http.post(format!("http://{addr}/v1/chat/completions"))
            .bearer_auth(key)
            .json(&body)
    };
    assert_eq!(ask(&token).send().await.unwrap().status(), 200);
    let sent = &mock.seen()[0];
    assert_eq!(
        sent.headers["authorization"],
        format!("Bearer {UPSTREAM_KEY}")
    );
    assert_eq!(
        ask("sk-switchyard-not-the-token-0000")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert!(
        served.log().contains("the gateway token in the keychain"),
        "{}",
        served.log()
    );

    let config_arg = config.to_str().unwrap();
    let configure = run(
        &service,
        &["configure", "claude-code", "--config", config_arg],
        "",
        &env,
    );
    assert!(configure.status.success(), "{}", text(&configure.stderr));
    let settings = std::fs::read_to_string(home.join(".claude/settings.json")).unwrap();
    assert!(
        settings.contains(&token),
        "configure did not write the token: {settings}"
    );
    // The running gateway is told: it takes the new token without a restart.
    let rotation = run(
        &service,
        &["token", "--rotate", "--config", config_arg],
        "",
        &env,
    );
    let rotated = text(&rotation.stdout).trim().to_owned();
    assert_ne!(rotated, token);
    let rewrote = "claude-code: wrote the new token into ~/.claude/settings.json";
    assert!(
        text(&rotation.stderr).contains(rewrote),
        "{}",
        text(&rotation.stderr)
    );
    let settings_path = home.join(".claude/settings.json");
    assert_eq!(
        std::fs::read_to_string(&settings_path).unwrap(),
        settings.replace(&token, &rotated),
        "the rotation changed more than the token"
    );
    assert!(
        text(&rotation.stderr).contains(&format!("the gateway at {addr} accepts it now")),
        "{}",
        text(&rotation.stderr)
    );
    assert_eq!(
        ask(&token).send().await.unwrap().status(),
        401,
        "the old token still works"
    );
    mock.push(Reply::json(
        json!({"id": "c", "object": "chat.completion", "created": 1,
        "model": "m", "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
        "finish_reason": "stop"}]}),
    ));
    assert_eq!(ask(&rotated).send().await.unwrap().status(), 200);
    drop(served);

    assert_eq!(files_containing(&home, UPSTREAM_KEY), Vec::<String>::new());
    assert_eq!(
        files_containing(&home, &rotated),
        vec![settings_path.display().to_string()]
    );
    let undo = run(&service, &["configure", "claude-code", "--undo"], "", &env);
    assert!(undo.status.success(), "{}", text(&undo.stderr));
    assert!(
        !settings_path.exists(),
        "undo did not remove the file it created"
    );
    assert_eq!(files_containing(&home, &rotated), Vec::<String>::new());
    assert!(
        run(&service, &["key", "rm", "mock"], "", &env)
            .status
            .success()
    );
    KeychainStore::open(&service)
        .unwrap()
        .delete("switchyard:gateway-token")
        .unwrap();
}

/// Where no Secret Service runs (a headless server), the kernel keyring
/// holds provider keys; the gateway token is refused there (it would not
/// survive a reboot) with a hint to use `client_keys`.
#[cfg(target_os = "linux")]
#[test]
fn issue_11_kernel_keyring_when_no_secret_service_runs() {
    let service = service("keyutils");
    let env = [(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/bus".to_owned(),
    )];
    let set = run(
        &service,
        &["key", "set", "deepseek"],
        &format!("{UPSTREAM_KEY}\n"),
        &env,
    );
    assert!(set.status.success(), "{}", text(&set.stderr));
    assert!(
        text(&set.stdout).contains("in the kernel keyring"),
        "{}",
        text(&set.stdout)
    );
    let token = run(&service, &["token"], "", &env);
    assert!(!token.status.success());
    assert!(
        text(&token.stderr).contains("list client_keys in the config instead"),
        "{}",
        text(&token.stderr)
    );
    let rm = run(&service, &["key", "rm", "deepseek"], "", &env);
    assert!(
        text(&rm.stdout).contains("removed the key for `deepseek`"),
        "{}",
        text(&rm.stdout)
    );
    let rm = run(&service, &["key", "rm", "deepseek"], "", &env);
    assert!(
        text(&rm.stdout).contains("holds no key"),
        "{}",
        text(&rm.stdout)
    );
}

/// Whether the kernel lists a key with this description among those this
/// process can see: proof the entry is in the kernel keyring, not in the
/// store's memory. Deleted keys leave the list when the kernel's garbage
/// collector has run, so absence is waited for.
#[cfg(target_os = "linux")]
fn kernel_lists_key(description: &str, wanted: bool) -> bool {
    for _ in 0..50 {
        let keys = std::fs::read_to_string("/proc/keys").unwrap();
        let listed = keys
            .lines()
            .any(|line| line.contains(&format!(" {description}: ")));
        if listed == wanted {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(40));
    }
    false
}

/// Issue 11 §4, against keyutils: with no Secret Service on the session
/// the store is the kernel keyring; an entry set there is read back (by
/// this process and by the binary), listed by the kernel, and deleted.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs a session without a Secret Service: scripts/test runs it with DBUS_SESSION_BUS_ADDRESS pointing nowhere"]
fn issue_11_keyutils_round_trip_without_a_secret_service() {
    let service = service("keyutils-store");
    let store = KeychainStore::open(&service).unwrap_or_else(|err| {
        panic!("no keychain: the kernel keyring refused the probe (keyctl/add_key blocked, e.g. by a seccomp profile?): {err}")
    });
    assert_eq!(
        store.backend(),
        Backend::KernelKeyutils,
        "a Secret Service answered (DBUS_SESSION_BUS_ADDRESS={:?}): run this without one",
        std::env::var("DBUS_SESSION_BUS_ADDRESS")
    );
    assert!(
        store
            .backend()
            .to_string()
            .starts_with("the kernel keyring")
    );
    let description = format!("keyring-rs:deepseek@{service}");
    assert!(store.get("deepseek").unwrap().is_none());
    store.set("deepseek", &Secret::new(UPSTREAM_KEY)).unwrap();
    assert_eq!(
        store.get("deepseek").unwrap().unwrap().expose(),
        UPSTREAM_KEY
    );
    assert!(
        kernel_lists_key(&description, true),
        "/proc/keys does not list {description}"
    );

    let dir = temp_dir("keyutils");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "client_keys = [\"sk-keyutils-client-key-0123456789\"]\n[[providers]]\nid = \"deepseek\"\nformat = \"openai_chat\"\nbase_url = \"https://api.deepseek.com/v1\"\napi_key = \"keychain\"\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"deepseek\"\n",
    )
    .unwrap();
    // It inherits this session, without a Secret Service.
    let list = run(
        &service,
        &["key", "list", "--config", config.to_str().unwrap()],
        "",
        &[],
    );
    assert!(
        text(&list.stdout).contains("…9c2e set"),
        "another process does not see the entry: {}{}",
        text(&list.stdout),
        text(&list.stderr)
    );

    assert!(store.delete("deepseek").unwrap());
    assert!(!store.delete("deepseek").unwrap());
    assert!(store.get("deepseek").unwrap().is_none());
    assert!(
        kernel_lists_key(&description, false),
        "/proc/keys still lists {description}"
    );
}
