//! `switchyard`: the headless gateway.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use switchyard_engine::Gateway;
use switchyard_engine::clients::cli::{ClientsArgs, ConfigureArgs};
use switchyard_engine::config;
use switchyard_engine::usage::LogSink;

#[derive(Parser)]
#[command(
    name = "switchyard",
    version,
    about = "A local gateway that lets any LLM client reach any LLM provider"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway in the foreground.
    Serve {
        /// The TOML config file.
        #[arg(long, short)]
        config: PathBuf,
        /// Listen here instead of the config's `listen` (loopback unless the config allows otherwise).
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Validate a config file without serving.
    Check {
        #[arg(long, short)]
        config: PathBuf,
        /// Treat warnings (such as a provider whose key is missing) as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Write a commented example config with a freshly generated client key.
    Init {
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Point a client at the gateway by editing only our keys in its config (reversible).
    Configure(ConfigureArgs),
    /// Show which clients are installed and configured, and what overrides them.
    Clients(ClientsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    switchyard_engine::logging::init();
    let result = match cli.command {
        Command::Serve { config, listen } => serve(&config, listen),
        Command::Check { config, strict } => check(&config, strict),
        Command::Init { config } => init(&config),
        Command::Configure(args) => switchyard_engine::clients::cli::configure(args),
        Command::Clients(args) => switchyard_engine::clients::cli::clients(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(path: &Path, listen: Option<SocketAddr>) -> Result<(), String> {
    let config = config::load(path).map_err(|err| err.to_string())?;
    if let Some(addr) = listen {
        if !addr.ip().is_loopback() && !config.allow_non_loopback {
            return Err(format!(
                "--listen {addr} is not a loopback address; set `allow_non_loopback = true` in the config to expose the gateway"
            ));
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    runtime.block_on(async move {
        let config = Arc::new(config);
        let gateway = Gateway::start(Arc::clone(&config), Arc::new(LogSink), listen)
            .await
            .map_err(|err| err.to_string())?;
        log_banner(path, &config, gateway.local_addr());
        let token = gateway.shutdown_token();
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            token.cancel();
        });
        gateway
            .wait()
            .await
            .map_err(|err| format!("server failed: {err}"))
    })
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// What a newcomer needs once the gateway listens: where, with which key
/// (named, never printed whole: logs are kept), and the lines for Claude Code.
fn log_banner(path: &Path, config: &config::Config, addr: SocketAddr) {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    tracing::info!(
        "switchyard listening on http://{addr} (config {})",
        path.display()
    );
    let key = config.client_keys.first().map(config::Secret::masked);
    tracing::info!(
        "client key: client_keys[0] in that file ({})",
        key.unwrap_or_default()
    );
    tracing::info!(
        "Claude Code: add to the \"env\" object of ~/.claude/settings.json: \
         \"ANTHROPIC_BASE_URL\": \"http://{addr}\", \"ANTHROPIC_AUTH_TOKEN\": \"<the client key>\""
    );
}

fn check(path: &Path, strict: bool) -> Result<(), String> {
    let config = config::load(path).map_err(|err| err.to_string())?;
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    if strict && !config.warnings.is_empty() {
        let count = config.warnings.len();
        return Err(format!(
            "{}: {count} warning(s), which --strict treats as errors",
            path.display()
        ));
    }
    tracing::info!(
        "{}: ok ({} providers, {} routes, listen {})",
        path.display(),
        config.providers.len(),
        config.routes.len(),
        config.listen
    );
    Ok(())
}

fn init(path: &Path) -> Result<(), String> {
    if path.exists() {
        return Err(format!(
            "{} already exists; not overwriting it",
            path.display()
        ));
    }
    let key = generate_key().map_err(|err| format!("cannot generate a key: {err}"))?;
    let text = config::EXAMPLE_CONFIG.replace(config::EXAMPLE_KEY_PLACEHOLDER, &key);
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|err| format!("{}: {err}", parent.display()))?;
    }
    write_private(path, &text).map_err(|err| format!("{}: {err}", path.display()))?;
    tracing::info!("wrote {}", path.display());
    Ok(())
}

/// The config holds the client key: readable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())
}

fn generate_key() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)?;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(format!("sk-switchyard-{hex}"))
}
