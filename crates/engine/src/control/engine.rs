//! [`Engine`]: the whole gateway from a config file, as `switchyard serve`
//! and the desktop shell run it: config, usage store, server, control API
//! and the file watcher.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::{Control, KeySource, watch};
use crate::config::{self, ConfigError, Overrides};
use crate::server::{Gateway, StartError};
use crate::usage::{UsageHub, UsageSink};

pub struct EngineOptions {
    pub config_path: PathBuf,
    /// Instead of the config's `listen`.
    pub listen: Option<SocketAddr>,
    pub keys: KeySource,
    /// Reload when the file changes.
    pub watch: bool,
    /// Also receives every usage event.
    pub usage_forward: Option<Arc<dyn UsageSink>>,
}

impl EngineOptions {
    /// The OS keychain, a watched file, the config's address.
    pub fn new(config_path: PathBuf) -> Self {
        Self {
            config_path,
            listen: None,
            keys: KeySource::Os(crate::secrets::service_name()),
            watch: true,
            usage_forward: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(
        "--listen {0} is not a loopback address; set `allow_non_loopback = true` in the config to expose the gateway"
    )]
    NotLoopback(SocketAddr),
    #[error(transparent)]
    Start(#[from] StartError),
}

/// What [`Control`] is built from.
pub(super) struct Parts {
    pub path: PathBuf,
    pub text: String,
    pub keys: KeySource,
    pub usage: Arc<UsageHub>,
}

pub struct Engine {
    gateway: Gateway,
    control: Control,
    usage: Arc<UsageHub>,
    _watcher: Option<watch::Watcher>,
}

impl Engine {
    pub async fn start(options: EngineOptions) -> Result<Self, EngineError> {
        let path = options.config_path;
        let text = std::fs::read_to_string(&path).map_err(|source| EngineError::Read {
            path: path.clone(),
            source,
        })?;
        let config = parse(&text, &path, &options.keys)?;
        if let Some(addr) = options.listen
            && !addr.ip().is_loopback()
            && !config.allow_non_loopback
        {
            return Err(EngineError::NotLoopback(addr));
        }
        for warning in &config.warnings {
            tracing::warn!("{warning}");
        }
        let config = Arc::new(config);
        let env = |name: &str| std::env::var(name).ok();
        let usage = Arc::new(UsageHub::for_config(&config, &env, options.usage_forward));
        let parts = Parts {
            path,
            text,
            keys: options.keys,
            usage: Arc::clone(&usage),
        };
        let sink: Arc<dyn UsageSink> = usage.clone();
        let (gateway, control) = Gateway::start_with(config, sink, options.listen, |live, addr| {
            let control = Control::new(parts, live, addr);
            (super::http::routes(control.clone()), control)
        })
        .await?;
        let watcher = match options.watch {
            true => watch::start(&control),
            false => None,
        };
        Ok(Self {
            gateway,
            control,
            usage,
            _watcher: watcher,
        })
    }

    pub fn control(&self) -> &Control {
        &self.control
    }

    pub fn usage(&self) -> &Arc<UsageHub> {
        &self.usage
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.gateway.local_addr()
    }

    /// Cancel it to stop the gateway (in-flight requests drain first).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.gateway.shutdown_token()
    }

    /// Runs until stopped; then stores the usage of every finished request.
    pub async fn wait(self) -> std::io::Result<()> {
        self.gateway.wait().await
    }

    pub async fn stop(self) -> std::io::Result<()> {
        self.gateway.stop().await
    }
}

fn parse(text: &str, path: &Path, keys: &KeySource) -> Result<config::Config, ConfigError> {
    let env = |name: &str| std::env::var(name).ok();
    let keychain = match keys {
        KeySource::Os(service) => crate::secrets::Keychain::os(service.clone()),
        KeySource::Given(store) => crate::secrets::Keychain::given(store.as_ref()),
    };
    let sources = config::Sources {
        env: &env,
        keychain: &keychain,
    };
    config::parse_overridden(text, path, &sources, &Overrides::default())
}
