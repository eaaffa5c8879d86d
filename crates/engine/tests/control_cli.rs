//! Issue 10 §5 on the real binary: `switchyard status`, `profile list|use`,
//! `provider enable|disable` and `reload` reach the running `switchyard
//! serve` named by `--config`, and what they switch routes the next request.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::process::Output;

use serde_json::{Value, json};
use support::binary::{command, serve_binary};
use support::{MockUpstream, Reply, anthropic_request};

async fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        command(&args, &[]).output().unwrap()
    })
    .await
    .unwrap()
}

fn ok(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    stdout
}

fn reply(text: &str) -> Reply {
    Reply::json(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}
    }))
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_10_cli_switches_profiles_and_providers_of_the_running_gateway() {
    let (a, b) = (MockUpstream::start().await, MockUpstream::start().await);
    let providers = format!(
        "[[providers]]\nid = \"a\"\nformat = \"anthropic\"\nbase_url = \"{}\"\napi_key = \"none\"\n\
         [[providers]]\nid = \"b\"\nformat = \"anthropic\"\nbase_url = \"{}\"\napi_key = \"none\"\n\
         [[profiles]]\nname = \"to-a\"\n[[profiles.routes]]\nmodel = \"*\"\nprovider = \"a\"\n\
         fallback = [{{ provider = \"b\" }}]\n\
         [[profiles]]\nname = \"to-b\"\n[[profiles.routes]]\nmodel = \"*\"\nprovider = \"b\"\n",
        a.url(),
        b.url()
    );
    let served = serve_binary(&providers, &[]).await;
    let config = served.dir().join("config.toml");
    let config = config.to_str().unwrap();

    let status = ok(&run(&["status", "--config", config]).await);
    assert!(status.contains("profile: to-a"), "{status}");
    assert!(
        status.contains("[on ] a ") && status.contains("closed"),
        "{status}"
    );
    let listed = ok(&run(&["profile", "list", "--config", config]).await);
    assert_eq!(listed, "* to-a\n  to-b\n");

    let used = ok(&run(&["profile", "use", "to-b", "--config", config]).await);
    assert_eq!(used, "profile to-b is active (saved to the config file)\n");
    b.push(reply("b"));
    let answer: Value = served
        .post_messages(&anthropic_request(false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["content"][0]["text"], "b");

    ok(&run(&["profile", "use", "to-a", "--config", config]).await);
    let off = ok(&run(&["provider", "disable", "a", "--config", config]).await);
    assert_eq!(
        off,
        "provider a is switched off (saved to the config file)\n"
    );
    b.push(reply("b again"));
    let answer: Value = served
        .post_messages(&anthropic_request(false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["content"][0]["text"], "b again");
    assert!(a.seen().is_empty());

    let json: Value =
        serde_json::from_str(&ok(&run(&["status", "--json", "--config", config]).await)).unwrap();
    assert_eq!(json["providers"][0]["enabled"], false);
    assert_eq!(json["active_profile"], "to-a");

    let reloaded = ok(&run(&["reload", "--config", config]).await);
    assert!(reloaded.starts_with("reloaded"), "{reloaded}");
    let unknown = run(&["provider", "enable", "zz", "--config", config]).await;
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("no provider `zz` in the config (providers: a, b)")
    );
}
