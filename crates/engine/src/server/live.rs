//! [`Live`]: the gateway's current state, swapped whole when the config
//! changes (a reload, a profile switch, a provider switched off). A request
//! takes the state once, at its start, and keeps it to its end: in-flight
//! requests finish on the routing they started with. Reading it is one
//! lock-free load.

use std::sync::Arc;

use arc_swap::ArcSwap;
use axum::extract::FromRef;

use super::{AppState, SharedState, StartError};
use crate::config::{Config, Provider};
use crate::routing::Health;
use crate::upstream::Upstreams;

/// Cheap to clone: every clone is the same state.
#[derive(Clone)]
pub struct Live {
    state: Arc<ArcSwap<AppState>>,
}

impl Live {
    pub fn new(state: AppState) -> Self {
        Self {
            state: Arc::new(ArcSwap::from_pointee(state)),
        }
    }

    pub fn state(&self) -> SharedState {
        self.state.load_full()
    }

    /// Serves `config` from the next request on. Connection pools, breakers
    /// and key pools carry over while the providers they belong to are unchanged.
    pub fn replace(&self, config: Arc<Config>) -> Result<(), StartError> {
        let current = self.state.load_full();
        let next = current.with_config(config)?;
        self.state.store(Arc::new(next));
        Ok(())
    }
}

/// Handlers take `State<SharedState>`: the snapshot of this request.
impl FromRef<Live> for SharedState {
    fn from_ref(live: &Live) -> Self {
        live.state()
    }
}

impl AppState {
    fn with_config(&self, config: Arc<Config>) -> Result<Self, StartError> {
        let old = &self.config.providers;
        let new = &config.providers;
        let upstreams = match same_list(old, new, same_transport) {
            true => Arc::clone(&self.upstreams),
            false => Arc::new(Upstreams::new(&config)?),
        };
        let health = match same_list(old, new, same_health) {
            true => Arc::clone(&self.health),
            false => Arc::new(Health::new(&config)),
        };
        Ok(Self {
            config,
            upstreams,
            health,
            sink: Arc::clone(&self.sink),
            listen_port: self.listen_port,
            allow_any_host: self.allow_any_host,
            shutdown: self.shutdown.clone(),
        })
    }
}

fn same_list(
    old: &[Arc<Provider>],
    new: &[Arc<Provider>],
    same: fn(&Provider, &Provider) -> bool,
) -> bool {
    old.len() == new.len() && old.iter().zip(new).all(|(a, b)| same(a, b))
}

/// What a provider's HTTP client is built from.
fn same_transport(a: &Provider, b: &Provider) -> bool {
    a.id == b.id
        && a.base_url == b.base_url
        && a.connect_timeout == b.connect_timeout
        && a.first_byte_timeout == b.first_byte_timeout
}

/// What a provider's breaker and key pool describe: a new key starts over.
fn same_health(a: &Provider, b: &Provider) -> bool {
    let (keys_a, keys_b) = (a.key.keys(), b.key.keys());
    a.id == b.id
        && a.breaker == b.breaker
        && a.key_strategy == b.key_strategy
        && keys_a.len() == keys_b.len()
        && keys_a
            .iter()
            .zip(keys_b)
            .all(|(x, y)| x.matches(y.expose()))
}
