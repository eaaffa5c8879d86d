//! [`UsageHub`]: the gateway's usage sink. Prices each finished request,
//! hands it to the writer thread without waiting (a full queue drops and
//! counts, it never blocks), and broadcasts it live.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, oneshot};

use super::prices::{ConfigPrices, PriceTable, price};
use super::store::{RequestRow, Retention, SqliteStore, UsageStore};
use super::writer::{self, Message};
use super::{Flush, LiveEvent, StreamProgress, UsageEvent, UsageSink};
use crate::config::Config;

/// Rows waiting for the writer at most; beyond, requests are not recorded.
const QUEUE: usize = 8192;
/// Live events a slow subscriber may lag behind before it misses some.
const LIVE_BUFFER: usize = 1024;

/// How the store is doing, for a status line or the desktop window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStatus {
    pub path: Option<PathBuf>,
    /// Why requests are not being stored, while they are not.
    pub error: Option<String>,
    pub stored: u64,
    /// Not recorded because the queue was full.
    pub dropped: u64,
    /// Not recorded because the store failed.
    pub lost: u64,
}

pub struct HubOptions {
    pub prices: Arc<dyn PriceTable>,
    pub retention: Retention,
    /// Also receives every event (the desktop shell, tests).
    pub forward: Option<Arc<dyn UsageSink>>,
}

pub struct UsageHub {
    prices: Arc<dyn PriceTable>,
    queue: Option<mpsc::Sender<Message>>,
    live: broadcast::Sender<LiveEvent>,
    shared: Arc<Shared>,
    next_id: AtomicU64,
    forward: Option<Arc<dyn UsageSink>>,
}

impl UsageHub {
    /// Records into `store` (none: only logs and broadcasts).
    pub fn new(store: Option<Box<dyn UsageStore>>, options: HubOptions) -> Self {
        let shared = Arc::new(Shared::default());
        let queue = store.and_then(|store| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            match writer::spawn(store, options.retention, receiver, Arc::clone(&shared)) {
                Ok(()) => Some(sender),
                Err(err) => {
                    shared.unavailable(&format!("cannot start the usage writer: {err}"));
                    None
                }
            }
        });
        Self {
            prices: options.prices,
            queue,
            live: broadcast::channel(LIVE_BUFFER).0,
            shared,
            next_id: AtomicU64::new(1),
            forward: options.forward,
        }
    }

    /// The SQLite store at `path`. If it cannot be opened the gateway still
    /// serves: that is logged once and shown in [`Self::status`].
    pub fn open(path: &Path, options: HubOptions) -> Self {
        let store = match SqliteStore::open(path) {
            Ok(store) => Some(Box::new(store) as Box<dyn UsageStore>),
            Err(err) => {
                tracing::warn!("{err}; requests are served but not recorded");
                None
            }
        };
        let failed = store.is_none();
        let hub = Self::new(store, options);
        *lock(&hub.shared.path) = Some(path.to_owned());
        if failed {
            hub.shared
                .unavailable("the usage store could not be opened");
        }
        hub
    }

    /// What the config asks for: its `usage_db` (or the data dir's), its
    /// retention and prices; nothing stored when `record_usage = false`.
    pub fn for_config(
        config: &Config,
        env: &dyn Fn(&str) -> Option<String>,
        forward: Option<Arc<dyn UsageSink>>,
    ) -> Self {
        let options = HubOptions {
            prices: Arc::new(ConfigPrices::new(config.prices.clone(), None)),
            retention: config.usage.retention(),
            forward,
        };
        if !config.usage.record {
            return Self::new(None, options);
        }
        match super::paths::db_path(config.usage.db.as_deref(), env) {
            Ok(path) => Self::open(&path, options),
            Err(message) => {
                tracing::warn!("{message}; requests are served but not recorded");
                let hub = Self::new(None, options);
                hub.shared.unavailable(&message);
                hub
            }
        }
    }

    pub fn status(&self) -> StoreStatus {
        StoreStatus {
            path: lock(&self.shared.path).clone(),
            error: lock(&self.shared.error).clone(),
            stored: self.shared.stored.load(Ordering::Relaxed),
            dropped: self.shared.dropped.load(Ordering::Relaxed),
            lost: self.shared.lost.load(Ordering::Relaxed),
        }
    }

    fn enqueue(&self, row: Arc<RequestRow>) {
        let Some(queue) = &self.queue else { return };
        if queue.try_send(Message::Row(row)).is_err() {
            self.shared.dropped();
        }
    }
}

impl UsageSink for UsageHub {
    fn record(&self, event: &UsageEvent) {
        let cost = price(
            &*self.prices,
            &event.provider,
            &event.upstream_model,
            &event.usage,
        );
        let row = Arc::new(RequestRow::from_event(event, cost));
        self.enqueue(Arc::clone(&row));
        if self.live.receiver_count() > 0 {
            let _ = self.live.send(LiveEvent::Request(row));
        }
        if let Some(forward) = &self.forward {
            let mut event = event.clone();
            event.cost = cost;
            forward.record(&event);
        }
    }

    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn wants_progress(&self) -> bool {
        self.live.receiver_count() > 0
    }

    fn progress(&self, progress: &StreamProgress) {
        let _ = self
            .live
            .send(LiveEvent::Progress(Arc::new(progress.clone())));
    }

    fn subscribe(&self) -> Option<broadcast::Receiver<LiveEvent>> {
        Some(self.live.subscribe())
    }

    fn flush(&self) -> Flush<'_> {
        Box::pin(async move {
            let Some(queue) = &self.queue else { return };
            let (done, wait) = oneshot::channel();
            // Waits for room rather than dropping: this is the drain.
            if queue.send(Message::Flush(done)).await.is_ok() {
                let _ = tokio::time::timeout(Duration::from_secs(30), wait).await;
            }
        })
    }
}

/// State the hub and the writer share.
#[derive(Default)]
pub(super) struct Shared {
    path: Mutex<Option<PathBuf>>,
    error: Mutex<Option<String>>,
    stored: AtomicU64,
    dropped: AtomicU64,
    lost: AtomicU64,
    drop_warned: AtomicBool,
}

impl Shared {
    pub(super) fn stored(&self, rows: usize) {
        self.stored.fetch_add(rows as u64, Ordering::Relaxed);
        if lock(&self.error).take().is_some() {
            tracing::info!("usage store: writing again");
        }
    }

    /// Said once per failure, not once per batch.
    pub(super) fn failed(&self, rows: usize, message: &str) {
        self.lost.fetch_add(rows as u64, Ordering::Relaxed);
        let mut error = lock(&self.error);
        if error.is_none() {
            tracing::warn!(
                "usage store: {message}; requests are still served but not recorded until it recovers"
            );
            *error = Some(message.to_owned());
        }
    }

    fn unavailable(&self, message: &str) {
        *lock(&self.error) = Some(message.to_owned());
    }

    fn dropped(&self) {
        let total = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.drop_warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "usage store is falling behind: {total} request(s) not recorded (further drops are counted, not logged)"
            );
        }
    }
}

/// A poisoned lock still holds a usable value (a status text).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
