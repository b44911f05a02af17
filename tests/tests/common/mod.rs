//! A field device shared by the end-to-end tests: a store on disk and, while
//! online, core's real sync client.

#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use outpost_core::store::Store;
use outpost_core::sync::client::{SharedStore, SyncClient};
use outpost_e2e::{Server, device};

/// How long a test waits for a device to see something (not a timing
/// assertion: a bound that only a stuck sync reaches).
pub const WAIT: Duration = Duration::from_secs(20);

/// A device of one user.
pub struct Device {
    pub store: SharedStore,
    pub client: Option<SyncClient>,
    _dir: tempfile::TempDir,
}

impl Device {
    pub fn new(user: &str) -> Self {
        let (store, dir) = device::open_store(user).unwrap();
        Self {
            store,
            client: None,
            _dir: dir,
        }
    }

    pub fn online(&mut self, server: &Server, token: &str) {
        let cfg = device::client_config(&server.url(), token);
        self.client = Some(SyncClient::start(self.store.clone(), cfg));
    }

    pub async fn offline(&mut self) {
        if let Some(c) = self.client.take() {
            c.stop().await;
        }
    }

    pub async fn synced(&self) {
        let c = self.client.as_ref().unwrap();
        if let Err(e) = c.wait_until_synced(WAIT).await {
            panic!("not synced ({e}): {:?}", c.status());
        }
    }

    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap()
    }

    /// Waits until `f` holds for this device's store.
    pub async fn until(&self, what: &str, f: impl Fn(&mut Store) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while tokio::time::Instant::now() < deadline {
            if f(&mut self.store()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("timed out waiting for: {what}");
    }
}
