//! `switchyard status`, `profile list|use`, `provider enable|disable` and
//! `reload`: the control API of the running gateway named by `--config`
//! (its `listen` address and client key), over HTTP.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::config;

#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {
    #[arg(long, short)]
    pub config: PathBuf,
    /// The JSON the control API answers, instead of a summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ProfileArgs {
    #[command(subcommand)]
    pub command: ProfileCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ProfileCommand {
    /// The config's profiles, the active one marked `*`.
    List {
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Make NAME the active profile: the next request is routed by it.
    Use {
        name: String,
        #[arg(long, short)]
        config: PathBuf,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReloadArgs {
    #[arg(long, short)]
    pub config: PathBuf,
}

/// The running gateway a config file describes.
pub struct Remote {
    base: String,
    key: String,
}

impl Remote {
    pub fn for_config(path: &Path) -> Result<Self, String> {
        let config = config::load(path).map_err(|err| err.to_string())?;
        let key = (config.key_for_clients())
            .ok_or("no client key: neither a gateway token in the keychain nor client_keys in the config")?
            .expose()
            .to_owned();
        Ok(Self::new(config.listen, key))
    }

    pub fn new(mut addr: SocketAddr, key: String) -> Self {
        if addr.ip().is_unspecified() {
            addr.set_ip(Ipv4Addr::LOCALHOST.into());
        }
        Self {
            base: format!("http://{addr}{}", super::http::PREFIX),
            key,
        }
    }

    /// `GET` (no body) or `POST` (an empty JSON body) to `path` under the prefix.
    pub fn call(&self, post: bool, path: &str) -> Result<Value, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| format!("cannot start the async runtime: {err}"))?;
        runtime.block_on(self.send(post, path))
    }

    async fn send(&self, post: bool, path: &str) -> Result<Value, String> {
        let url = format!("{}/{path}", self.base);
        let client = reqwest::Client::new();
        let request = match post {
            true => client
                .post(&url)
                .header("content-type", "application/json")
                .body("{}"),
            false => client.get(&url),
        };
        let response = (request.bearer_auth(&self.key).send().await).map_err(|err| {
            format!("cannot reach the gateway at {url} (is `switchyard serve` running with this config?): {err}")
        })?;
        let status = response.status();
        let bytes = (response.bytes().await)
            .map_err(|err| format!("{url} answered {status}, then failed: {err}"))?;
        let body: Value = serde_json::from_slice(&bytes)
            .map_err(|err| format!("{url} answered {status} with no JSON: {err}"))?;
        if status.is_success() {
            return Ok(body);
        }
        #[derive(Deserialize)]
        struct Refusal {
            error: Detail,
        }
        #[derive(Deserialize)]
        struct Detail {
            message: String,
        }
        match serde_json::from_value::<Refusal>(body) {
            Ok(refusal) => Err(refusal.error.message),
            Err(_) => Err(format!("{url} answered {status}")),
        }
    }
}

pub fn status(args: &StatusArgs) -> Result<(), String> {
    let status = Remote::for_config(&args.config)?.call(false, "status")?;
    let lines = match args.json {
        true => vec![status.to_string()],
        false => summary(&status),
    };
    print(&lines)
}

pub fn profile(args: &ProfileArgs) -> Result<(), String> {
    match &args.command {
        ProfileCommand::List { config } => {
            let status = Remote::for_config(config)?.call(false, "status")?;
            let profiles = status["profiles"].as_array().cloned().unwrap_or_default();
            if profiles.is_empty() {
                return print(&["no [[profiles]] in the config".to_owned()]);
            }
            let lines = profiles.iter().map(|profile| {
                let mark = if profile["active"] == true { "*" } else { " " };
                format!("{mark} {}", text(&profile["name"]))
            });
            print(&lines.collect::<Vec<_>>())
        }
        ProfileCommand::Use { name, config } => {
            let path = format!("profiles/{}/activate", segment(name)?);
            let applied = Remote::for_config(config)?.call(true, &path)?;
            print(&[format!("profile {name} is active{}", saved_note(&applied))])
        }
    }
}

/// `provider enable|disable ID`.
pub fn switch_provider(id: &str, config: &Path, enabled: bool) -> Result<(), String> {
    let action = if enabled { "enable" } else { "disable" };
    let path = format!("providers/{}/{action}", segment(id)?);
    let applied = Remote::for_config(config)?.call(true, &path)?;
    let state = if enabled { "on" } else { "off" };
    print(&[format!(
        "provider {id} is switched {state}{}",
        saved_note(&applied)
    )])
}

pub fn reload(args: &ReloadArgs) -> Result<(), String> {
    let reloaded = Remote::for_config(&args.config)?.call(true, "reload")?;
    let mut lines = vec![match reloaded["changed"] == true {
        true => "reloaded the changed config".to_owned(),
        false => "reloaded (the file had not changed; keys were read again)".to_owned(),
    }];
    for name in reloaded["needs_restart"].as_array().into_iter().flatten() {
        lines.push(format!("needs a restart to take effect: {}", text(name)));
    }
    for warning in reloaded["warnings"].as_array().into_iter().flatten() {
        lines.push(format!("warning: {}", text(warning)));
    }
    print(&lines)
}

fn summary(status: &Value) -> Vec<String> {
    let mut lines = vec![
        format!(
            "switchyard {} at {} (config {})",
            text(&status["version"]),
            text(&status["url"]),
            text(&status["config_path"])
        ),
        format!(
            "profile: {}",
            status["active_profile"].as_str().unwrap_or("(none)")
        ),
    ];
    for provider in status["providers"].as_array().into_iter().flatten() {
        lines.push(provider_line(provider));
    }
    if status["unsaved"] == true {
        lines.push("some switches could not be written to the config file: they last until the gateway stops".to_owned());
    }
    lines
}

fn provider_line(provider: &Value) -> String {
    let state = if provider["enabled"] == true {
        "on "
    } else {
        "off"
    };
    let mut notes = vec![text(&provider["circuit"]["state"])];
    if provider["key"] == "missing" {
        notes.push("key missing".to_owned());
    }
    for (field, what) in [("keys_refused", "refused"), ("keys_cooling", "cooling")] {
        if let Some(count) = provider[field].as_u64().filter(|count| *count > 0) {
            notes.push(format!("{count} key(s) {what}"));
        }
    }
    format!(
        "  [{state}] {:<16} {:<17} {}",
        text(&provider["id"]),
        text(&provider["format"]),
        notes.join(", ")
    )
}

fn saved_note(applied: &Value) -> String {
    match applied["unsaved_reason"].as_str() {
        Some(reason) => {
            format!(" (not saved to the config file, so only until the gateway stops: {reason})")
        }
        None => " (saved to the config file)".to_owned(),
    }
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// Ids and names are `[A-Za-z0-9._-]` in a valid config: anything else
/// could not name one, and must not reshape the URL.
fn segment(name: &str) -> Result<&str, String> {
    let allowed = |ch: char| ch.is_ascii_alphanumeric() || "-_.".contains(ch);
    match !name.is_empty() && name != "." && name != ".." && name.chars().all(allowed) {
        true => Ok(name),
        false => Err(format!(
            "`{name}` is not a provider id or profile name (letters, digits, `-`, `_`, `.`)"
        )),
    }
}

fn print(lines: &[String]) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    for line in lines {
        writeln!(out, "{line}").map_err(|err| err.to_string())?;
    }
    Ok(())
}
