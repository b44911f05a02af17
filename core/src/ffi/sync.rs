//! Sync with an Outpost server: start/stop core's `SyncClient` on the
//! bindings' runtime and forward its events to the store's observer thread.

use std::sync::Arc;
use std::time::Duration;

use crate::sync::client::{
    ClientConfig, SharedStore, SyncClient, SyncEvent, SyncStatus, WaitError,
};

use super::OutpostError;
use super::dispatch::{Dispatcher, Note};
use super::runtime::runtime;
use super::store::{OutpostStore, lock};

type Res<T> = Result<T, OutpostError>;

/// Answered once every event the client sent before the request reached
/// the observers.
type Barrier = tokio::sync::oneshot::Sender<()>;

/// The running client of a store.
#[derive(Debug, Default)]
pub(crate) struct SyncState {
    client: Option<(SyncClient, tokio::task::JoinHandle<()>)>,
    barrier: Option<tokio::sync::mpsc::UnboundedSender<Barrier>>,
}

impl SyncState {
    /// Starts core's client on the bindings' runtime and a task forwarding
    /// its events to the observer thread.
    fn start(&mut self, store: SharedStore, cfg: ClientConfig, dispatcher: Arc<Dispatcher>) {
        let _guard = runtime().enter();
        let (client, events) = SyncClient::start_subscribed(store, cfg);
        let (barrier, barriers) = tokio::sync::mpsc::unbounded_channel();
        let forward = runtime().spawn(forward(events, barriers, dispatcher));
        self.client = Some((client, forward));
        self.barrier = Some(barrier);
    }

    /// A receiver answered once the events the client has sent so far were
    /// delivered to the observers (`None`: sync is not running).
    fn barrier(&self) -> Option<tokio::sync::oneshot::Receiver<()>> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.barrier.as_ref()?.send(tx).ok()?;
        Some(rx)
    }

    /// A future that waits until synced (see `wait_until_synced`); it needs
    /// the bindings' runtime for its timer.
    fn wait_until_synced(
        &self,
        timeout: Duration,
    ) -> Res<impl Future<Output = Result<(), WaitError>> + Send + 'static> {
        let Some((client, _)) = self.client.as_ref() else {
            return Err(OutpostError::Offline {
                detail: "sync is not running".into(),
            });
        };
        Ok(client.wait_until_synced(timeout))
    }

    /// Takes the running client out; the future stops it (saving sync state).
    pub(crate) fn stop(&mut self) -> Option<impl Future<Output = ()> + Send + 'static> {
        self.barrier = None;
        let (client, forward) = self.client.take()?;
        Some(async move {
            client.stop().await;
            forward.abort();
        })
    }
}

#[uniffi::export]
impl OutpostStore {
    /// Starts syncing with the server at `url` (`ws://` or `wss://`, e.g.
    /// `wss://host/sync`) using `token`; restarts if already running.
    /// Returns at once: watch the status or a `SyncObserver`. Offline edits
    /// are pushed when connected.
    pub async fn start_sync(&self, url: String, token: String) -> Res<()> {
        if !(url.starts_with("ws://") || url.starts_with("wss://")) {
            return Err(OutpostError::invalid(
                "url",
                "must be a ws:// or wss:// URL of the server's /sync endpoint",
            ));
        }
        self.stop_sync().await?;
        let store = self.shared_store()?;
        let cfg = ClientConfig::new(url, token);
        lock(&self.sync).start(store, cfg, self.dispatcher.clone());
        Ok(())
    }

    /// Stops syncing; the store stays usable offline.
    pub async fn stop_sync(&self) -> Res<()> {
        self.shared_store()?;
        let stop = lock(&self.sync).stop();
        if let Some(stop) = stop {
            runtime().spawn(stop).await?;
        }
        Ok(())
    }

    /// The sync status now: every document, the progress of the first sync
    /// (or of catching up), edits not yet on the server, and `up_to_date`.
    /// Not connected and empty (but for `pending_edits`) when sync is not
    /// running. (`SyncEvent::Status` carries only what changed.)
    pub fn sync_status(&self) -> Res<SyncStatus> {
        let store = self.shared_store()?;
        let running = lock(&self.sync).client.as_ref().map(|(c, _)| c.status());
        Ok(match running {
            Some(s) => s,
            None => SyncStatus {
                pending_edits: lock(&store)
                    .pending_edits()
                    .map_or(0, |n| i64::try_from(n).unwrap_or(i64::MAX)),
                ..SyncStatus::default()
            },
        })
    }

    /// Edits made here that the server has not acknowledged yet (readable
    /// whether or not sync runs).
    pub async fn pending_edits(&self) -> Res<i64> {
        let n = self.with(|s| s.pending_edits()).await?;
        Ok(i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// Waits until this device is up to date with its server: connected,
    /// the server's scope known, every document of it here and in step, and
    /// every edit made here acknowledged. Never returns early on an empty
    /// status. Fails with `Unauthorized` when the server refused the token,
    /// `Timeout` (naming documents done of total and edits pending) when
    /// `timeout_ms` passed first, `Offline` when sync is not running or
    /// was stopped meanwhile.
    pub async fn wait_until_synced(&self, timeout_ms: i64) -> Res<()> {
        let timeout = u64::try_from(timeout_ms)
            .map_err(|_| OutpostError::invalid("timeout_ms", "must not be negative"))?;
        self.shared_store()?;
        let wait = lock(&self.sync).wait_until_synced(Duration::from_millis(timeout))?;
        runtime().spawn(wait).await?.map_err(|e| {
            let detail = e.to_string();
            match e {
                WaitError::Unauthorized => OutpostError::Unauthorized { detail },
                WaitError::Timeout { .. } => OutpostError::Timeout { detail },
                WaitError::Stopped => OutpostError::Offline { detail },
            }
        })?;
        // the sync observers have heard "up to date" when this returns (as
        // the data observers have heard of an edit when its call returns);
        // an observer waiting here from its own thread would wait for itself
        let delivered = lock(&self.sync).barrier();
        if let Some(delivered) = delivered
            && !self.dispatcher.on_own_thread()
        {
            let _ = delivered.await;
        }
        Ok(())
    }
}

/// Forwards the client's events to the observer thread until the client
/// stops. Holds no object of the app: the observers live on that thread.
async fn forward(
    mut events: tokio::sync::broadcast::Receiver<SyncEvent>,
    mut barriers: tokio::sync::mpsc::UnboundedReceiver<Barrier>,
    dispatcher: Arc<Dispatcher>,
) {
    use tokio::sync::broadcast::error::{RecvError, TryRecvError};
    loop {
        tokio::select! {
            biased;
            e = events.recv() => match e {
                Ok(e) => {
                    if !dispatcher.send(Note::Sync(e)) {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            },
            Some(done) = barriers.recv() => {
                // what was sent before the request, then the flush behind it
                loop {
                    match events.try_recv() {
                        Ok(e) => {
                            dispatcher.send(Note::Sync(e));
                        }
                        Err(TryRecvError::Lagged(_)) => continue,
                        Err(_) => break,
                    }
                }
                dispatcher.send(Note::Flush(done));
            }
        }
    }
}
