//! The device's sync client: connects to an Outpost server (or any
//! automerge-repo websocket server) with a token, syncs every document the
//! server says this device may have, pushes local edits as they are made,
//! and keeps going offline for as long as it takes: it reconnects with
//! exponential backoff and jitter and resumes from the sync state it saved.
//!
//! The retry loop is written here rather than taken from a crate: it is a
//! dozen lines tied to the connection's lifecycle (reset on a successful
//! handshake, cancelled by `stop`), which a generic retry crate does not model.
//!
//! `runner` holds the connection and the protocol; this file the handle the
//! app keeps, the shared status with its derived figures (progress, "up to
//! date"), and the emitter that coalesces status events.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use crate::ids::DocumentId;
use crate::store::Store;

mod refusals;
mod runner;
mod status;

pub use status::{
    ClientConfig, DisconnectKind, DocSync, Progress, SyncEvent, SyncStatus, WaitError,
};

/// The store shared between the app and the sync client.
pub type SharedStore = Arc<Mutex<Store>>;

/// A running sync client. Dropping it does not stop it; call [`SyncClient::stop`].
#[derive(Debug)]
pub struct SyncClient {
    shared: Arc<Shared>,
    store: SharedStore,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    emitter: tokio::task::JoinHandle<()>,
}

/// What the status is computed from.
#[derive(Debug, Default)]
struct Tracked {
    status: SyncStatus,
    /// The documents of the scope the server last announced, with the size
    /// it announced for each.
    sizes: BTreeMap<DocumentId, i64>,
    /// Bytes of sync messages received per document not done yet.
    in_flight: HashMap<DocumentId, i64>,
    /// Documents whose state changed since the last status event.
    delta: BTreeSet<DocumentId>,
    /// Bytes of sync messages received (all documents, all sessions).
    downloaded: i64,
}

impl Tracked {
    /// The figures derived from the rest, computed here once (numbers are
    /// computed in core; apps show them).
    fn derive(&mut self) {
        let s = &mut self.status;
        let settled = |d: &DocumentId| s.documents.get(d).is_some_and(DocSync::is_settled);
        let mut done = 0;
        let mut received = 0;
        for (doc, size) in &self.sizes {
            if settled(doc) {
                done += 1;
                received += size;
            } else {
                received += self.in_flight.get(doc).copied().unwrap_or(0).min(*size);
            }
        }
        s.progress = Progress {
            documents_total: self.sizes.len() as i64,
            documents_done: done,
            bytes_received: received,
            bytes_total: self.sizes.values().sum(),
            bytes_downloaded: self.downloaded,
        };
        s.up_to_date = s.connected
            && s.scope_received
            && s.pending_edits == 0
            && done == s.progress.documents_total
            && s.documents.values().all(DocSync::is_settled);
    }
}

/// State shared by the handle, the runner and the status emitter.
#[derive(Debug)]
struct Shared {
    tracked: Mutex<Tracked>,
    /// A status change waits to be emitted.
    dirty: Notify,
    events: broadcast::Sender<SyncEvent>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Tracked> {
        self.tracked.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the status; `docs` are the documents whose state may have
    /// changed (for the next event's delta).
    fn update(&self, docs: &[DocumentId], f: impl FnOnce(&mut Tracked)) {
        {
            let mut t = self.lock();
            f(&mut t);
            t.delta.extend(docs.iter().copied());
            t.derive();
        }
        self.dirty.notify_one();
    }

    /// Sends the status with the documents changed since the last one.
    fn flush(&self) {
        let snapshot = {
            let mut t = self.lock();
            let delta = std::mem::take(&mut t.delta);
            let mut s = t.status.clone();
            s.documents.retain(|d, _| delta.contains(d));
            s
        };
        let _ = self.events.send(SyncEvent::Status { status: snapshot });
    }
}

/// Emits status events, at most one per `interval`: a burst of changes (an
/// initial pull of 500 accounts) becomes a few events carrying deltas.
async fn emit_status(shared: Arc<Shared>, cancel: CancellationToken, interval: Duration) {
    let mut last = tokio::time::Instant::now() - interval;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => {
                shared.flush();
                return;
            }
            _ = shared.dirty.notified() => {}
        }
        tokio::select! {
            _ = cancel.cancelled() => {}
            _ = tokio::time::sleep_until(last + interval) => {}
        }
        shared.flush();
        last = tokio::time::Instant::now();
    }
}

/// A count for the status (signed for the apps' sake; never this large).
pub(super) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn lock(store: &SharedStore) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|e| e.into_inner())
}

impl SyncClient {
    /// Starts syncing `store` in the background (on the current tokio runtime).
    pub fn start(store: SharedStore, cfg: ClientConfig) -> Self {
        Self::start_subscribed(store, cfg).0
    }

    /// Like [`SyncClient::start`], with a receiver subscribed before the
    /// client runs, so an observer misses no event (not even the first
    /// `Connected`, which a `subscribe` after `start` can race with).
    pub fn start_subscribed(
        store: SharedStore,
        cfg: ClientConfig,
    ) -> (Self, broadcast::Receiver<SyncEvent>) {
        let (events, first) = broadcast::channel(1024);
        let pending = lock(&store).pending_edits().map_or(0, to_i64);
        let shared = Arc::new(Shared {
            tracked: Mutex::new(Tracked {
                status: SyncStatus {
                    pending_edits: pending,
                    ..SyncStatus::default()
                },
                ..Tracked::default()
            }),
            dirty: Notify::new(),
            events,
        });
        let cancel = CancellationToken::new();
        let (local_tx, local_rx) = mpsc::unbounded_channel();
        lock(&store).set_change_listener(move |doc| {
            let _ = local_tx.send(doc);
        });
        let emitter = tokio::spawn(emit_status(
            shared.clone(),
            cancel.clone(),
            cfg.status_interval,
        ));
        let runner =
            runner::Runner::new(store.clone(), cfg, shared.clone(), cancel.clone(), local_rx);
        let task = tokio::spawn(runner.run());
        let client = Self {
            shared,
            store,
            cancel,
            task,
            emitter,
        };
        (client, first)
    }

    /// The current status, every document included. The pending-edit count
    /// is read from the store now (an edit made a moment ago counts).
    pub fn status(&self) -> SyncStatus {
        let pending = lock(&self.store).pending_edits().ok().map(to_i64);
        let mut s = self.shared.lock().status.clone();
        if let Some(p) = pending {
            s.pending_edits = p;
            s.up_to_date &= p == 0;
        }
        s
    }

    /// Events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SyncEvent> {
        self.shared.events.subscribe()
    }

    /// Waits until this device is up to date with its server: connected, the
    /// server has announced the scope, every document of it is on the device
    /// and in step (or settled: unavailable, or waiting for the user's
    /// decision on a draft), and every edit made here is acknowledged.
    /// Never before the scope is known (an empty status is not "synced").
    /// The future holds no borrow of the client (it can be spawned).
    pub fn wait_until_synced(
        &self,
        timeout: Duration,
    ) -> impl std::future::Future<Output = Result<(), WaitError>> + Send + 'static {
        let shared = self.shared.clone();
        let store = self.store.clone();
        let cancel = self.cancel.clone();
        // subscribed before the first look, so no change falls between
        let mut events = self.subscribe();
        async move {
            let deadline = tokio::time::Instant::now() + timeout;
            loop {
                let s = shared.lock().status.clone();
                // the store's count is the truth: an edit made a moment ago
                // may not have reached the status yet
                let pending = lock(&store).pending_edits().map_or(1, to_i64);
                if s.up_to_date && pending == 0 {
                    // the observers hear "up to date" before the caller
                    // does, not a throttle interval later
                    shared.flush();
                    return Ok(());
                }
                if !s.connected && s.last_disconnect == Some(DisconnectKind::Unauthorized) {
                    return Err(WaitError::Unauthorized);
                }
                if cancel.is_cancelled() {
                    return Err(WaitError::Stopped);
                }
                tokio::select! {
                    _ = tokio::time::sleep_until(deadline) => {
                        return Err(WaitError::Timeout {
                            documents_done: s.progress.documents_done,
                            documents_total: s.progress.documents_total,
                            pending_edits: pending,
                        });
                    }
                    _ = events.recv() => {}
                    // the status is read again at least this often
                    _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                }
            }
        }
    }

    /// Stops syncing, saving sync state; the store stays usable offline.
    pub async fn stop(self) {
        self.cancel.cancel();
        let _ = self.task.await;
        let _ = self.emitter.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(n: u8) -> DocumentId {
        DocumentId::from_bytes([n; 16])
    }

    /// The race the Kotlin suite met under load: the scope of 32 announced,
    /// two documents offered and in step, 30 not looked at yet.
    #[test]
    fn not_up_to_date_until_every_announced_document_is_settled() {
        let mut t = Tracked::default();
        t.status.connected = true;
        t.status.scope_received = true;
        t.sizes = (0..32).map(|n| (doc(n), 100)).collect();
        t.status.documents = (0..2).map(|n| (doc(n), DocSync::Synced)).collect();
        t.derive();
        assert!(!t.status.up_to_date);
        assert_eq!(t.status.progress.documents_done, 2);
        assert_eq!(t.status.progress.bytes_received, 200);

        t.status.documents = (0..32).map(|n| (doc(n), DocSync::Synced)).collect();
        t.derive();
        assert!(t.status.up_to_date);
        assert_eq!(
            t.status.progress.bytes_received,
            t.status.progress.bytes_total
        );
    }
}
