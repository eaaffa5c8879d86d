//! The one writer: a thread that takes rows off the hub's channel and
//! inserts them in batches, one transaction each, so the store's speed
//! never touches a request. Retention runs here too.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, oneshot};

use super::hub::Shared;
use super::store::{RequestRow, Retention, SqliteStore, UsageStore};

/// Rows per transaction at most.
const MAX_BATCH: usize = 4096;
/// After the first row of a batch, more are awaited this long: one commit
/// (a few page writes) per tenth of a second under load instead of one per
/// request, and one wake-up of this thread instead of one per request.
const LINGER: Duration = Duration::from_millis(100);
/// Retention is applied at start and then this often (while requests come).
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The store, or where the writer opens one (off the thread that listens).
pub(super) enum Opener {
    Ready(Box<dyn UsageStore>),
    Path(PathBuf),
}

impl Opener {
    /// `None` (said once) when the store cannot be opened.
    fn open(self, shared: &Shared) -> Option<Box<dyn UsageStore>> {
        match self {
            Self::Ready(store) => Some(store),
            Self::Path(path) => match SqliteStore::open(&path) {
                Ok(store) => Some(Box::new(store)),
                Err(err) => {
                    tracing::warn!("{err}; requests are served but not recorded");
                    shared.unavailable(&err.to_string());
                    None
                }
            },
        }
    }
}

pub(super) enum Message {
    Row(Arc<RequestRow>),
    /// Answered once every row sent before it is written (or failed).
    Flush(oneshot::Sender<()>),
}

pub(super) fn spawn(
    opener: Opener,
    retention: Retention,
    messages: mpsc::Receiver<Message>,
    shared: Arc<Shared>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("usage-writer".into())
        .spawn(move || {
            let writer = Writer {
                store: opener.open(&shared),
                retention,
                shared,
                last_prune: None,
            };
            writer.run(messages);
        })
        .map(drop)
}

struct Writer {
    store: Option<Box<dyn UsageStore>>,
    retention: Retention,
    shared: Arc<Shared>,
    last_prune: Option<Instant>,
}

impl Writer {
    /// Ends when the hub and every sender are gone.
    fn run(mut self, mut messages: mpsc::Receiver<Message>) {
        self.prune();
        let mut batch = Vec::with_capacity(MAX_BATCH);
        let mut flushes = Vec::new();
        while let Some(first) = messages.blocking_recv() {
            if matches!(first, Message::Row(_)) {
                std::thread::sleep(LINGER);
            }
            let mut next = Some(first);
            while let Some(message) = next {
                match message {
                    Message::Row(row) => batch.push(row),
                    Message::Flush(done) => flushes.push(done),
                }
                next = (batch.len() < MAX_BATCH)
                    .then(|| messages.try_recv().ok())
                    .flatten();
            }
            self.write(&batch);
            batch.clear();
            for done in flushes.drain(..) {
                let _ = done.send(());
            }
            if self
                .last_prune
                .is_none_or(|last| last.elapsed() >= PRUNE_EVERY)
            {
                self.prune();
            }
        }
    }

    fn write(&mut self, batch: &[Arc<RequestRow>]) {
        if batch.is_empty() {
            return;
        }
        let Some(store) = &mut self.store else {
            self.shared.lost(batch.len());
            return;
        };
        match store.insert(batch) {
            Ok(()) => self.shared.stored(batch.len()),
            Err(err) => self.shared.failed(batch.len(), &err.to_string()),
        }
    }

    fn prune(&mut self) {
        self.last_prune = Some(Instant::now());
        let Some(store) = &mut self.store else { return };
        if self.retention == Retention::default() {
            return;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let now_ms = i64::try_from(now.as_millis()).unwrap_or(i64::MAX);
        match store.prune(&self.retention, now_ms) {
            Ok(0) => {}
            Ok(deleted) => {
                tracing::info!("usage store: {deleted} old requests removed (retention)")
            }
            Err(err) => tracing::warn!("usage store: retention failed: {err}"),
        }
    }
}
