//! A field device for tools and tests outside Rust (the browser tests): a
//! real `outpost-core` store in a temporary directory, synced by the real
//! `SyncClient`, with helpers that wait until an edit is on the server.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use outpost_core::store::{Store, StoreOptions};
use outpost_core::sync::client::{ClientConfig, DocSync, SharedStore, SyncClient, SyncEvent};
use outpost_core::{Author, DocumentId};
use tempfile::TempDir;
use tokio::sync::broadcast::{Receiver, error::RecvError};

/// A fresh device store of `user` (a new device id) in a temporary
/// directory, which lives as long as the returned `TempDir`.
pub fn open_store(user: &str) -> Result<(SharedStore, TempDir), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let author = Author {
        user_id: user.to_owned(),
        device_id: outpost_core::new_record_id(),
    };
    let store = Store::open(
        dir.path().join("device.db"),
        author,
        StoreOptions::default(),
    )
    .map_err(|e| e.to_string())?;
    Ok((Arc::new(Mutex::new(store)), dir))
}

/// A sync client configuration for tests: reconnects within half a second.
pub fn client_config(url: &str, token: &str) -> ClientConfig {
    let mut cfg = ClientConfig::new(url, token);
    cfg.max_backoff = Duration::from_millis(500);
    cfg
}

/// A device online with one user's token.
#[derive(Debug)]
pub struct TestDevice {
    store: SharedStore,
    client: Option<SyncClient>,
    cfg: ClientConfig,
    wait: Duration,
    _dir: TempDir,
}

impl TestDevice {
    /// Opens a fresh store as `user` and starts syncing with `url` (ws://…/sync).
    pub fn start(url: &str, token: &str, user: &str, wait: Duration) -> Result<Self, String> {
        let (store, dir) = open_store(user)?;
        let cfg = client_config(url, token);
        let client = SyncClient::start(store.clone(), cfg.clone());
        Ok(Self {
            store,
            client: Some(client),
            cfg,
            wait,
            _dir: dir,
        })
    }

    fn client(&self) -> Result<&SyncClient, String> {
        self.client
            .as_ref()
            .ok_or_else(|| "the device is offline".to_owned())
    }

    /// Stops syncing (edits from now on stay on the device).
    pub async fn offline(&mut self) {
        if let Some(c) = self.client.take() {
            c.stop().await;
        }
    }

    /// Reconnects and waits until the server has everything made offline:
    /// a fresh client reports `doc` Synced only once the server's heads
    /// include the device's.
    pub async fn online_and_sync(&mut self, doc: DocumentId) -> Result<(), String> {
        let client = SyncClient::start(self.store.clone(), self.cfg.clone());
        let deadline = tokio::time::Instant::now() + self.wait;
        let outcome = loop {
            match client.status().documents.get(&doc) {
                Some(DocSync::Synced) => break Ok(()),
                Some(DocSync::NeedsAttention(r)) => break Err(format!("refused: {r}")),
                _ if tokio::time::Instant::now() >= deadline => {
                    break Err(format!("not synced: {:?}", client.status()));
                }
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        self.client = Some(client);
        outcome
    }

    /// The device's store.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for the initial sync of the user's scope.
    pub async fn until_synced(&self) -> Result<(), String> {
        let client = self.client()?;
        client
            .wait_until_synced(self.wait)
            .await
            .map_err(|e| format!("not synced ({e}): {:?}", client.status()))
    }

    /// Runs `edit` on the store (which changes `doc`, or creates and returns
    /// it) and waits until the server has acknowledged the change.
    pub async fn change_and_sync(
        &self,
        edit: impl FnOnce(&mut Store) -> Result<DocumentId, String>,
    ) -> Result<DocumentId, String> {
        // subscribed before the edit, so its Pending -> Synced steps cannot be
        // missed (the status still reads Synced until the edit is offered)
        let mut events = self.client()?.subscribe();
        let doc = edit(&mut self.store())?;
        until_acknowledged(&mut events, &self.store, doc, self.wait).await?;
        Ok(doc)
    }

    /// Stops syncing.
    pub async fn stop(mut self) {
        if let Some(c) = self.client.take() {
            c.stop().await;
        }
    }
}

/// Waits until the server has acknowledged every edit made here of `doc`
/// (the store's pending count of it is back to 0: the server's heads include
/// the device's), or it was refused.
async fn until_acknowledged(
    events: &mut Receiver<SyncEvent>,
    store: &SharedStore,
    doc: DocumentId,
    wait: Duration,
) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let pending = store
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pending_edits_of(doc)
            .map_err(|e| e.to_string())?;
        if pending == 0 {
            return Ok(());
        }
        let ev = tokio::select! {
            _ = tokio::time::sleep_until(deadline) => {
                return Err("the change did not sync in time".into());
            }
            // looked at again at least this often
            _ = tokio::time::sleep(Duration::from_millis(50)) => continue,
            ev = events.recv() => ev,
        };
        match ev {
            Ok(SyncEvent::Rejected {
                document, reason, ..
            }) if document == doc => {
                return Err(format!("refused: {reason}"));
            }
            Ok(SyncEvent::Status { status: s }) => {
                if let Some(DocSync::NeedsAttention(r)) = s.documents.get(&doc) {
                    return Err(format!("refused: {r}"));
                }
            }
            Err(RecvError::Closed) => return Err("sync client stopped".into()),
            _ => {}
        }
    }
}
