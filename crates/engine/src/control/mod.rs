//! [`Control`]: the running gateway's steering wheel. Status, providers
//! switched on and off, the active profile, reloads, and a stream of
//! [`StateEvent`]s. The desktop shell calls it in-process; the headless
//! binary serves it over HTTP under `/_switchyard/` ([`http`]) for the CLI.
//!
//! Every change builds a whole new validated [`Config`] and swaps it into
//! the [`Live`] state: the next request sees it, requests in flight finish
//! on the one they started with. A switch is also written into the config
//! file ([`persist`]); where that cannot be done it holds in memory and
//! status says it is unsaved.

mod engine;
pub mod http;
mod persist;
pub mod remote;
mod status;
mod watch;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use serde::Serialize;
use tokio::sync::broadcast;

pub use engine::{Engine, EngineError, EngineOptions};
pub use persist::Change;
pub use status::{CircuitStatus, KeyState, ProfileStatus, ProviderStatus, Status, UsageStatus};

use crate::clients::atomic::{self, Mode};
use crate::config::{self, Config, Overrides, Sources};
use crate::secrets::{Keychain, SecretStore};
use crate::server::Live;
use crate::usage::UsageHub;

/// State events a subscriber may miss before it is told it lagged.
const EVENT_BUFFER: usize = 64;

/// Where provider keys and the gateway token are looked up on each load.
#[derive(Clone)]
pub enum KeySource {
    /// The OS keychain under this service name.
    Os(String),
    /// A given store (tests).
    Given(Arc<dyn SecretStore>),
}

/// Something changed; read [`Control::status`] for the whole picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StateEvent {
    ProviderSwitched {
        id: String,
        enabled: bool,
        saved: bool,
    },
    ProfileActivated {
        name: String,
        saved: bool,
    },
    Reloaded {
        /// Settings that changed but take effect only after a restart.
        needs_restart: Vec<String>,
    },
    ReloadFailed {
        message: String,
    },
}

/// How a switch was kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// Written into the config file.
    pub saved: bool,
    /// Why not, when it was not: the switch holds until the gateway stops.
    pub unsaved_reason: Option<String>,
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reloaded {
    /// The file differed from the running config.
    pub changed: bool,
    pub needs_restart: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("no provider `{id}` in the config (providers: {known})")]
    UnknownProvider { id: String, known: String },
    #[error("no profile `{name}` in the config (profiles: {known})")]
    UnknownProfile { name: String, known: String },
    /// The file (or the switch applied to it) does not validate; the
    /// running config stays.
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Apply(String),
}

impl ControlError {
    pub fn status(&self) -> u16 {
        match self {
            Self::UnknownProvider { .. } | Self::UnknownProfile { .. } => 404,
            Self::Config(_) => 422,
            Self::Apply(_) => 500,
        }
    }
}

/// A handle on the running gateway; clones share it.
#[derive(Clone)]
pub struct Control {
    inner: Arc<Inner>,
}

struct Inner {
    live: Live,
    path: PathBuf,
    keys: KeySource,
    local_addr: SocketAddr,
    usage: Arc<UsageHub>,
    started: SystemTime,
    events: broadcast::Sender<StateEvent>,
    /// Held through each change, so two never interleave.
    applied: Mutex<AppliedState>,
}

/// What the running config was built from.
struct AppliedState {
    text: String,
    overrides: Overrides,
}

impl Control {
    fn new(engine: engine::Parts, live: Live, local_addr: SocketAddr) -> Self {
        let applied = AppliedState {
            text: engine.text,
            overrides: Overrides::default(),
        };
        Self {
            inner: Arc::new(Inner {
                live,
                path: engine.path,
                keys: engine.keys,
                local_addr,
                usage: engine.usage,
                started: SystemTime::now(),
                events: broadcast::channel(EVENT_BUFFER).0,
                applied: Mutex::new(applied),
            }),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<StateEvent> {
        self.inner.events.subscribe()
    }

    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.inner.live.state().config)
    }

    pub fn config_path(&self) -> &Path {
        &self.inner.path
    }

    pub fn status(&self) -> Status {
        let unsaved = !lock(&self.inner.applied).overrides.is_empty();
        status::build(self, unsaved)
    }

    pub fn set_provider_enabled(&self, id: &str, enabled: bool) -> Result<Applied, ControlError> {
        let config = self.config();
        if config.provider(id).is_none() {
            let known: Vec<&str> = config.providers.iter().map(|p| p.id.as_str()).collect();
            return Err(ControlError::UnknownProvider {
                id: id.to_owned(),
                known: known.join(", "),
            });
        }
        let change = Change::Provider {
            id: id.to_owned(),
            enabled,
        };
        let applied = self.switch(&change)?;
        tracing::info!(
            "provider {id} switched {}",
            if enabled { "on" } else { "off" }
        );
        self.emit(StateEvent::ProviderSwitched {
            id: id.to_owned(),
            enabled,
            saved: applied.saved,
        });
        Ok(applied)
    }

    pub fn activate_profile(&self, name: &str) -> Result<Applied, ControlError> {
        let config = self.config();
        if !config.profiles.iter().any(|profile| profile == name) {
            return Err(ControlError::UnknownProfile {
                name: name.to_owned(),
                known: config.profiles.join(", "),
            });
        }
        let applied = self.switch(&Change::Profile(name.to_owned()))?;
        tracing::info!("profile {name} active");
        self.emit(StateEvent::ProfileActivated {
            name: name.to_owned(),
            saved: applied.saved,
        });
        Ok(applied)
    }

    /// Reads the file again. If it changed, it wins over earlier unsaved
    /// switches; if it does not validate, the running config stays.
    pub fn reload(&self) -> Result<Reloaded, ControlError> {
        let result = self.reload_inner();
        match &result {
            Ok(reloaded) => {
                for warning in &reloaded.warnings {
                    tracing::warn!("{warning}");
                }
                if !reloaded.needs_restart.is_empty() {
                    let names = reloaded.needs_restart.join(", ");
                    tracing::warn!("reloaded; these take effect after a restart: {names}");
                }
                self.emit(StateEvent::Reloaded {
                    needs_restart: reloaded.needs_restart.clone(),
                });
            }
            Err(err) => {
                tracing::warn!("config not reloaded, the running one stays: {err}");
                self.emit(StateEvent::ReloadFailed {
                    message: err.to_string(),
                });
            }
        }
        result
    }

    /// For the file watcher: a reload only when the text differs from what runs.
    pub(crate) fn reload_if_changed(&self) {
        let current = std::fs::read_to_string(&self.inner.path).ok();
        if current.is_some_and(|text| text != lock(&self.inner.applied).text) {
            let _ = self.reload();
        }
    }

    fn reload_inner(&self) -> Result<Reloaded, ControlError> {
        let mut applied = lock(&self.inner.applied);
        let text = std::fs::read_to_string(&self.inner.path).map_err(|err| {
            ControlError::Config(format!("cannot read {}: {err}", self.inner.path.display()))
        })?;
        let changed = text != applied.text;
        let overrides = match changed {
            true => Overrides::default(),
            false => applied.overrides.clone(),
        };
        let config = self.parse(&text, &overrides)?;
        let needs_restart = status::needs_restart(&self.config(), &config);
        let warnings = config.warnings.iter().map(ToString::to_string).collect();
        self.install(config)?;
        *applied = AppliedState { text, overrides };
        Ok(Reloaded {
            changed,
            needs_restart,
            warnings,
        })
    }

    /// Saves the change into the file when it can, else holds it in memory.
    fn switch(&self, change: &Change) -> Result<Applied, ControlError> {
        let mut applied = lock(&self.inner.applied);
        let mut without = applied.overrides.clone();
        forget(&mut without, change);
        let unsaved_reason = match self.save(change, &without) {
            Ok((text, config)) => {
                self.install(config)?;
                *applied = AppliedState {
                    text,
                    overrides: without,
                };
                None
            }
            Err(reason) => {
                let mut with = without;
                remember(&mut with, change);
                let config = self.parse(&applied.text, &with)?;
                self.install(config)?;
                applied.overrides = with;
                tracing::warn!("the switch holds until the gateway stops: {reason}");
                Some(reason)
            }
        };
        Ok(Applied {
            saved: unsaved_reason.is_none(),
            unsaved_reason,
        })
    }

    /// The file with `change` written into it, and the config it gives.
    fn save(&self, change: &Change, overrides: &Overrides) -> Result<(String, Config), String> {
        let path = &self.inner.path;
        let snapshot = atomic::read(path).map_err(|err| err.to_string())?;
        let text = snapshot.text().ok_or("the config file is gone")?;
        let edited = persist::edit(text, change)?;
        let config = (self.parse(&edited, overrides))
            .map_err(|err| format!("the config file does not validate: {err}"))?;
        atomic::write(path, &snapshot, &edited, Mode::Keep { new: 0o600 })
            .map_err(|err| err.to_string())?;
        Ok((edited, config))
    }

    fn parse(&self, text: &str, overrides: &Overrides) -> Result<Config, ControlError> {
        let env = |name: &str| std::env::var(name).ok();
        let keychain = match &self.inner.keys {
            KeySource::Os(service) => Keychain::os(service.clone()),
            KeySource::Given(store) => Keychain::given(store.as_ref()),
        };
        let sources = Sources {
            env: &env,
            keychain: &keychain,
        };
        config::parse_overridden(text, &self.inner.path, &sources, overrides)
            .map_err(|err| ControlError::Config(err.to_string()))
    }

    fn install(&self, config: Config) -> Result<(), ControlError> {
        (self.inner.live.replace(Arc::new(config)))
            .map_err(|err| ControlError::Apply(err.to_string()))
    }

    fn emit(&self, event: StateEvent) {
        let _ = self.inner.events.send(event);
    }
}

fn remember(overrides: &mut Overrides, change: &Change) {
    match change {
        Change::Provider { id, enabled } => {
            overrides.enabled.insert(id.clone(), *enabled);
        }
        Change::Profile(name) => overrides.profile = Some(name.clone()),
    }
}

fn forget(overrides: &mut Overrides, change: &Change) {
    match change {
        Change::Provider { id, .. } => {
            overrides.enabled.remove(id);
        }
        Change::Profile(_) => overrides.profile = None,
    }
}

fn lock(applied: &Mutex<AppliedState>) -> MutexGuard<'_, AppliedState> {
    applied
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
