//! `switchyard`: the headless gateway.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use switchyard_engine::clients::cli::{ClientsArgs, ConfigureArgs};
use switchyard_engine::config;
use switchyard_engine::control::{self, Engine, EngineOptions};
use switchyard_engine::providers;
use switchyard_engine::secrets::{self, KeychainStore, SecretStore as _};
use switchyard_engine::usage;

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
    /// Write a commented example config (with a generated client key when no
    /// keychain can hold the gateway token).
    Init {
        #[arg(long, short)]
        config: PathBuf,
    },
    /// List the built-in provider presets: formats, base URLs, keys, models and prices.
    Presets {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Provider keys in the OS keychain.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Print the gateway token clients present (created on first use).
    Token {
        /// Replace it with a new one; the old one stops working.
        #[arg(long)]
        rotate: bool,
        /// With --rotate: the running gateway of this config reloads, so it
        /// accepts the new token at once (else it does from its next start).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// What was used and spent: totals and a breakdown (`export`: every request).
    Usage(usage::cli::UsageArgs),
    /// Follow the running gateway: one line per request as it finishes.
    Tail(usage::cli::TailArgs),
    /// Check a configured provider with the smallest real request.
    Provider(providers::cli::ProviderArgs),
    /// List the models a configured provider serves.
    Models(providers::cli::ModelsArgs),
    /// Local providers: find Ollama and LM Studio running here.
    Providers(providers::cli::ProvidersArgs),
    /// The running gateway: address, profile, providers and their health.
    Status(control::remote::StatusArgs),
    /// The running gateway's profiles: list them, or switch to one.
    Profile(control::remote::ProfileArgs),
    /// Make the running gateway read its config file (and keychain keys) again.
    Reload(control::remote::ReloadArgs),
    /// Point a client at the gateway by editing only our keys in its config (reversible).
    Configure(ConfigureArgs),
    /// Show which clients are installed and configured, and what overrides them.
    Clients(ClientsArgs),
}

#[derive(Subcommand)]
enum KeyAction {
    /// Store a provider's key: typed at a prompt that does not echo, or piped on stdin.
    Set { provider: String },
    /// Where each provider of the config gets its key, by the last 4 characters.
    List {
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Remove a provider's key from the keychain.
    Rm { provider: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    switchyard_engine::logging::init();
    let result = match cli.command {
        Command::Serve { config, listen } => serve(&config, listen),
        Command::Check { config, strict } => check(&config, strict),
        Command::Init { config } => init(&config),
        Command::Presets { json } => switchyard_engine::catalog::print_presets(json),
        Command::Key { action } => key(action),
        Command::Token { rotate, config } => token(rotate, config.as_deref()),
        Command::Usage(args) => usage::cli::usage(args),
        Command::Tail(args) => usage::cli::tail(args),
        Command::Provider(args) => providers::cli::provider(args),
        Command::Models(args) => providers::cli::models(args),
        Command::Providers(args) => providers::cli::providers(args),
        Command::Status(args) => control::remote::status(&args),
        Command::Profile(args) => control::remote::profile(&args),
        Command::Reload(args) => control::remote::reload(&args),
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    runtime.block_on(async move {
        let options = EngineOptions {
            listen,
            ..EngineOptions::new(path.to_owned())
        };
        let engine = Engine::start(options)
            .await
            .map_err(|err| err.to_string())?;
        let status = engine.usage().status();
        if let (Some(path), None) = (status.path, status.error) {
            tracing::info!("usage store: {}", path.display());
        }
        log_banner(path, &engine.control().config(), engine.local_addr());
        let token = engine.shutdown_token();
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            token.cancel();
        });
        engine
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
    match (&config.gateway_token, config.client_keys.first()) {
        (Some(token), _) => tracing::info!(
            "client key: the gateway token in the keychain ({}; `switchyard token` prints it)",
            token.masked()
        ),
        (None, Some(key)) => {
            tracing::info!("client key: client_keys[0] in that file ({})", key.masked());
        }
        (None, None) => {}
    }
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
    let keychain = open_keychain()
        .ok()
        .filter(|store| store.backend().is_persistent());
    let token = match &keychain {
        Some(store) => Some(secrets::token::get_or_create(store).map_err(|err| err.to_string())?),
        None => None,
    };
    let key = match token {
        Some(_) => None,
        None => Some(secrets::token::generate().map_err(|err| err.to_string())?),
    };
    let text = config::example_config(key.as_ref().map(config::Secret::expose));
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|err| format!("{}: {err}", parent.display()))?;
    }
    write_private(path, &text).map_err(|err| format!("{}: {err}", path.display()))?;
    tracing::info!("wrote {}", path.display());
    if let Some(store) = &keychain {
        tracing::info!(
            "clients present the gateway token kept in {} (`switchyard token` prints it)",
            store.backend()
        );
    }
    Ok(())
}

fn open_keychain() -> Result<KeychainStore, secrets::SecretError> {
    KeychainStore::open(&secrets::service_name())
}

fn key(action: KeyAction) -> Result<(), String> {
    let lines = match action {
        KeyAction::Set { provider } => {
            let store = open_keychain().map_err(|err| err.to_string())?;
            vec![secrets::cli::key_set(&store, &provider).map_err(|err| err.to_string())?]
        }
        KeyAction::Rm { provider } => {
            let store = open_keychain().map_err(|err| err.to_string())?;
            vec![secrets::cli::key_rm(&store, &provider).map_err(|err| err.to_string())?]
        }
        KeyAction::List { config } => {
            secrets::cli::key_list(&config::load(&config).map_err(|err| err.to_string())?)
        }
    };
    secrets::cli::print_lines(&lines).map_err(|err| err.to_string())
}

/// The token goes to stdout only: it is for the user to copy, never logged.
fn token(rotate: bool, running: Option<&Path>) -> Result<(), String> {
    let store = open_keychain().map_err(|err| err.to_string())?;
    // The old token tells the client files configured with it from those
    // holding a `client_keys` entry.
    let old = match rotate {
        true => store
            .get(secrets::TOKEN_ACCOUNT)
            .map_err(|err| err.to_string())?,
        false => None,
    };
    let listen = match running {
        Some(path) => Some(config::load(path).map_err(|err| err.to_string())?.listen),
        None => None,
    };
    let token = secrets::cli::token(&store, rotate).map_err(|err| err.to_string())?;
    if rotate {
        match (listen, &old) {
            (Some(listen), Some(old)) => reload_running(listen, old),
            _ => tracing::info!(
                "rotated the gateway token; a running gateway accepts only the old one until it restarts (`token --rotate --config FILE` reloads it at once)"
            ),
        }
        if let Some(old) = &old {
            switchyard_engine::clients::cli::retoken(old, &token);
        }
    }
    secrets::cli::print_lines(&[token.expose().to_owned()]).map_err(|err| err.to_string())
}

/// The running gateway still accepts only the old token: reload it with that.
fn reload_running(listen: SocketAddr, old: &config::Secret) {
    let remote = control::remote::Remote::new(listen, old.expose().to_owned());
    match remote.call(true, "reload") {
        Ok(_) => {
            tracing::info!("rotated the gateway token; the gateway at {listen} accepts it now")
        }
        Err(err) => tracing::info!(
            "rotated the gateway token; no running gateway took it ({err}): it is used from the next start"
        ),
    }
}

/// The config holds the client key: readable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())
}
