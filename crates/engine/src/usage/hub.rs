//! [`UsageHub`]: the gateway's usage sink. Prices each finished request,
//! hands it to the writer thread without waiting (a full queue drops and
//! counts, it never blocks), and broadcasts it live.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, oneshot};

use super::budget::{BudgetNotice, BudgetRefusal, Budgets, now_ms};
use super::prices::{CatalogPrices, ConfigPrices, PriceTable, price};
use super::store::{RequestRow, Retention, SqliteStore, UsageStore};
use super::writer::{self, Message, Opener};
use super::{Flush, LiveEvent, StreamProgress, UsageEvent, UsageSink};
use crate::config::{Budget, Config};

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
    pub budgets: Vec<Budget>,
}

pub struct UsageHub {
    prices: Arc<dyn PriceTable>,
    queue: Option<mpsc::Sender<Message>>,
    live: broadcast::Sender<LiveEvent>,
    shared: Arc<Shared>,
    next_id: AtomicU64,
    forward: Option<Arc<dyn UsageSink>>,
    budgets: Option<Budgets>,
}

impl UsageHub {
    /// Records into `store` (none: only logs and broadcasts).
    pub fn new(store: Option<Box<dyn UsageStore>>, options: HubOptions) -> Self {
        let budgets = budgets(&options.budgets, store.as_deref());
        Self::start(store.map(Opener::Ready), options, budgets)
    }

    /// The SQLite store at `path`, opened by the writer thread so that the
    /// gateway listens at once. If it cannot be opened the gateway still
    /// serves: that is logged once and shown in [`Self::status`].
    pub fn open(path: &Path, options: HubOptions) -> Self {
        // Budgets need today's totals before the first request: read them here.
        let existing = match options.budgets.is_empty() {
            true => None,
            false => SqliteStore::open_existing(path).ok().flatten(),
        };
        let budgets = budgets(
            &options.budgets,
            existing.as_ref().map(|s| s as &dyn UsageStore),
        );
        drop(existing);
        let hub = Self::start(Some(Opener::Path(path.to_owned())), options, budgets);
        *lock(&hub.shared.path) = Some(path.to_owned());
        hub
    }

    fn start(opener: Option<Opener>, options: HubOptions, budgets: Option<Budgets>) -> Self {
        let shared = Arc::new(Shared::default());
        let queue = opener.and_then(|opener| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            match writer::spawn(opener, options.retention, receiver, Arc::clone(&shared)) {
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
            budgets,
        }
    }

    /// What the config asks for: its `usage_db` (or the data dir's), its
    /// retention and prices; nothing stored when `record_usage = false`.
    pub fn for_config(
        config: &Config,
        env: &dyn Fn(&str) -> Option<String>,
        forward: Option<Arc<dyn UsageSink>>,
    ) -> Self {
        let options = HubOptions {
            prices: Arc::new(ConfigPrices::new(
                config.prices.clone(),
                Some(Arc::new(CatalogPrices::for_config(config))),
            )),
            retention: config.usage.retention(),
            forward,
            budgets: config.budgets.clone(),
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

    fn announce(&self, notice: BudgetNotice) {
        tracing::warn!("{notice}");
        let _ = self.live.send(LiveEvent::Budget(Arc::new(notice)));
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
        if let Some(budgets) = &self.budgets {
            for notice in budgets.add(&row, now_ms()) {
                self.announce(notice);
            }
        }
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

    fn budget_check(&self, provider: &str) -> Option<BudgetRefusal> {
        self.budgets.as_ref()?.check(provider, now_ms())
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

/// In-memory totals for the config's budgets, seeded from the store.
fn budgets(budgets: &[Budget], store: Option<&dyn UsageStore>) -> Option<Budgets> {
    if budgets.is_empty() {
        return None;
    }
    let tracker = Budgets::new(budgets, now_ms());
    match store.map(|store| tracker.seed(store)) {
        Some(Ok(notices)) => notices.iter().for_each(|notice| tracing::warn!("{notice}")),
        Some(Err(err)) => tracing::warn!("budgets start from zero: {err}"),
        None => {}
    }
    Some(tracker)
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

    /// Rows that could not be stored (no store): counted, not logged again.
    pub(super) fn lost(&self, rows: usize) {
        self.lost.fetch_add(rows as u64, Ordering::Relaxed);
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

    pub(super) fn unavailable(&self, message: &str) {
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
