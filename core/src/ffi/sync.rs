//! Sync with an Outpost server: start/stop core's `SyncClient` on the
//! bindings' runtime and forward its events to the observers.

use std::sync::Arc;
use std::time::Duration;

use crate::sync::client::{ClientConfig, SharedStore, SyncClient, SyncEvent, SyncStatus};

use super::OutpostError;
use super::runtime::runtime;
use super::store::{
    DataObserver, Observers, OutpostStore, lock, notify_changed, notify_removed, snapshot,
};

/// Told about sync: connected/disconnected, refused changes, and every
/// status change (per-account state, initial-sync progress). Called on a
/// background thread.
#[uniffi::export(with_foreign)]
pub trait SyncObserver: Send + Sync {
    fn on_sync_event(&self, event: SyncEvent);
}

/// The running client and the observers of this store's sync.
#[derive(Default)]
pub(crate) struct SyncState {
    client: Option<(SyncClient, tokio::task::JoinHandle<()>)>,
    observers: Arc<Observers<dyn SyncObserver>>,
}

impl SyncState {
    /// Starts core's client on the bindings' runtime and a task forwarding
    /// its events to the observers.
    fn start(
        &mut self,
        store: SharedStore,
        cfg: ClientConfig,
        data: Arc<Observers<dyn DataObserver>>,
    ) {
        let _guard = runtime().enter();
        let (client, events) = SyncClient::start_subscribed(store, cfg);
        let forward = runtime().spawn(forward(events, data, self.observers.clone()));
        self.client = Some((client, forward));
    }

    /// A future that waits until synced (see `wait_until_synced`); it needs
    /// the bindings' runtime for its timer.
    fn wait_until_synced(
        &self,
        timeout: Duration,
    ) -> Result<impl Future<Output = Result<(), OutpostError>> + Send + 'static, OutpostError> {
        let Some((client, _)) = self.client.as_ref() else {
            return Err(OutpostError::Offline {
                detail: "sync is not running".into(),
            });
        };
        // subscribe before reading the status, so no change falls between
        let events = client.subscribe();
        Ok(wait_synced(client.status(), events, timeout))
    }

    /// Takes the running client out; the future stops it (saving sync state).
    pub(crate) fn stop(&mut self) -> Option<impl Future<Output = ()> + Send + 'static> {
        let (client, forward) = self.client.take()?;
        Some(async move {
            client.stop().await;
            forward.abort();
        })
    }
}

#[uniffi::export]
impl OutpostStore {
    /// Starts syncing with the server at `url` (e.g. `wss://host/sync`) using
    /// `token`; restarts if already running. Returns at once: watch the
    /// status or a `SyncObserver`. Offline edits are pushed when connected.
    pub async fn start_sync(&self, url: String, token: String) -> Result<(), OutpostError> {
        self.stop_sync().await;
        let cfg = ClientConfig::new(url, token);
        lock(&self.sync).start(self.store.clone(), cfg, self.data_observers.clone());
        Ok(())
    }

    /// Stops syncing; the store stays usable offline.
    pub async fn stop_sync(&self) {
        let stop = lock(&self.sync).stop();
        if let Some(stop) = stop {
            stop.await;
        }
    }

    /// The sync status now (not connected and empty when sync is not running).
    pub fn sync_status(&self) -> SyncStatus {
        lock(&self.sync)
            .client
            .as_ref()
            .map(|(c, _)| c.status())
            .unwrap_or_default()
    }

    /// Waits until connected and every account in scope is synced. Fails
    /// with `Unauthorized` when the server refused the token, `Offline` when
    /// `timeout_ms` passed first or sync is not running.
    pub async fn wait_until_synced(&self, timeout_ms: u64) -> Result<(), OutpostError> {
        let wait = lock(&self.sync).wait_until_synced(Duration::from_millis(timeout_ms))?;
        runtime().spawn(wait).await?
    }

    /// Registers a sync observer; returns a handle for `remove_sync_observer`.
    pub fn add_sync_observer(&self, observer: Arc<dyn SyncObserver>) -> u64 {
        let handle = self.next_handle();
        lock(&lock(&self.sync).observers).insert(handle, observer);
        handle
    }

    /// Removes a sync observer.
    pub fn remove_sync_observer(&self, handle: u64) {
        lock(&lock(&self.sync).observers).remove(&handle);
    }
}

/// Forwards the client's events to the observers until the client stops.
/// Observers run on the blocking pool: a slow one delays only the events.
async fn forward(
    mut events: tokio::sync::broadcast::Receiver<SyncEvent>,
    data: Arc<Observers<dyn DataObserver>>,
    sync: Arc<Observers<dyn SyncObserver>>,
) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        let event = match events.recv().await {
            Ok(e) => e,
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        let (data, sync) = (data.clone(), sync.clone());
        let _ = tokio::task::spawn_blocking(move || {
            match &event {
                SyncEvent::DocumentChanged(doc) => notify_changed(&data, *doc),
                SyncEvent::DocumentRemoved(doc) => notify_removed(&data, *doc),
                _ => {}
            }
            for o in snapshot(&sync) {
                o.on_sync_event(event.clone());
            }
        })
        .await;
    }
}

fn is_synced(s: &SyncStatus) -> bool {
    use crate::sync::client::DocSync;
    s.connected
        && s.progress.documents_total > 0
        && s.documents
            .values()
            .all(|d| matches!(d, DocSync::Synced | DocSync::Unavailable))
}

async fn wait_synced(
    mut status: SyncStatus,
    mut events: tokio::sync::broadcast::Receiver<SyncEvent>,
    timeout: Duration,
) -> Result<(), OutpostError> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if is_synced(&status) {
            return Ok(());
        }
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(SyncEvent::Status(s))) => status = s,
            // core reports a failed connect as text; the server refuses a
            // bad token with HTTP 401 on the websocket upgrade, which the
            // reason names (and never the token itself)
            Ok(Ok(SyncEvent::Disconnected { reason })) if reason.contains("401") => {
                return Err(OutpostError::Unauthorized { detail: reason });
            }
            Ok(Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(_)) | Err(_) => {
                let detail = status
                    .last_error
                    .unwrap_or_else(|| "not synced in time".into());
                return Err(OutpostError::Offline { detail });
            }
        }
    }
}
