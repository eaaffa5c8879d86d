//! `switchyard provider test`, `switchyard models` and `switchyard providers
//! detect`: their clap arguments and what they run, so `main.rs` only dispatches.

use std::io::Write;
use std::path::PathBuf;

use super::{ProbeError, detect, find, models, probe};
use crate::config;

#[derive(Debug, Clone, clap::Args)]
pub struct ProviderArgs {
    #[command(subcommand)]
    pub command: ProviderCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ProviderCommand {
    /// Send the smallest real request; print the latency or the exact upstream error.
    Test {
        /// The provider's id in the config.
        id: String,
        #[arg(long, short)]
        config: PathBuf,
        /// The model to ask (default: the first route's upstream model, else the preset's first).
        #[arg(long)]
        model: Option<String>,
    },
    /// Switch a provider on in the running gateway (saved to the config file).
    Enable {
        id: String,
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Switch a provider off in the running gateway: its routes go to their
    /// fallbacks, else to the next matching route (saved to the config file).
    Disable {
        id: String,
        #[arg(long, short)]
        config: PathBuf,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct ModelsArgs {
    /// The provider's id in the config.
    pub id: String,
    #[arg(long, short)]
    pub config: PathBuf,
    /// A JSON array of model ids instead of one per line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ProvidersArgs {
    #[command(subcommand)]
    pub command: ProvidersCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ProvidersCommand {
    /// Find Ollama and LM Studio running on this machine, with their models.
    Detect {
        #[arg(long)]
        json: bool,
        /// Where to look for Ollama.
        #[arg(long, default_value = detect::OLLAMA)]
        ollama_url: String,
        /// Where to look for LM Studio.
        #[arg(long, default_value = detect::LMSTUDIO)]
        lmstudio_url: String,
    },
}

pub fn provider(args: ProviderArgs) -> Result<(), String> {
    let (id, config, model) = match args.command {
        ProviderCommand::Test { id, config, model } => (id, config, model),
        ProviderCommand::Enable { id, config } => {
            return crate::control::remote::switch_provider(&id, &config, true);
        }
        ProviderCommand::Disable { id, config } => {
            return crate::control::remote::switch_provider(&id, &config, false);
        }
    };
    let config = config::load(&config).map_err(|err| err.to_string())?;
    let provider = find(&config, &id).map_err(|err| err.to_string())?;
    let model = probe::pick_model(&config, provider, model.as_deref())
        .ok_or_else(|| format!("no model to ask `{id}` for: name one with --model"))?;
    let probed = runtime()?
        .block_on(probe::probe(&config, provider, &model))
        .map_err(|err| match err {
            ProbeError::Upstream { .. } => format!("test failed: {err}"),
            other => other.to_string(),
        })?;
    print(&[format!(
        "ok: `{id}` answered {} for {} in {} ms",
        probed.status,
        probed.model,
        probed.latency.as_millis()
    )])
}

pub fn models(args: ModelsArgs) -> Result<(), String> {
    let config = config::load(&args.config).map_err(|err| err.to_string())?;
    let provider = find(&config, &args.id).map_err(|err| err.to_string())?;
    let ids = runtime()?
        .block_on(models::list(provider))
        .map_err(|err| err.to_string())?;
    if args.json {
        return print(&[serde_json::Value::from(ids).to_string()]);
    }
    print(&ids)
}

pub fn providers(args: ProvidersArgs) -> Result<(), String> {
    let ProvidersCommand::Detect {
        json,
        ollama_url,
        lmstudio_url,
    } = args.command;
    let found = runtime()?.block_on(detect::detect(&ollama_url, &lmstudio_url));
    if json {
        let text = serde_json::to_string(&found).map_err(|err| err.to_string())?;
        return print(&[text]);
    }
    print(&found.iter().map(detect::describe).collect::<Vec<_>>())
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))
}

/// Lines to stdout; a closed pipe ends quietly.
fn print(lines: &[String]) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    for line in lines {
        match writeln!(out, "{line}") {
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            other => other.map_err(|err| format!("cannot write the output: {err}"))?,
        }
    }
    Ok(())
}
