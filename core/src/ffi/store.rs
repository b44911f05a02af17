//! The store handle: opening, the blocking-work helper, data observers.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::store::{Store, StoreOptions};
use crate::sync::client::SharedStore;
use crate::{Author, DocumentId};

use super::OutpostError;
use super::runtime::runtime;
use super::sync::SyncState;

/// Told when an account (or settings) document changed, by an edit made
/// here or by changes that arrived through sync. Called on a background
/// thread: hop to the UI thread before touching views.
#[uniffi::export(with_foreign)]
pub trait DataObserver: Send + Sync {
    /// `document_id` changed; re-read what the screen shows of it.
    fn on_document_changed(&self, document_id: DocumentId);
    /// `document_id` was removed from this device (access revoked).
    fn on_document_removed(&self, document_id: DocumentId);
}

pub(crate) type Observers<T> = Mutex<BTreeMap<u64, Arc<T>>>;

/// An open Outpost store: one SQLite file on the device.
#[derive(uniffi::Object)]
pub struct OutpostStore {
    pub(crate) store: SharedStore,
    pub(crate) data_observers: Arc<Observers<dyn DataObserver>>,
    pub(crate) sync: Mutex<SyncState>,
    next_observer: AtomicU64,
}

impl std::fmt::Debug for OutpostStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutpostStore").finish_non_exhaustive()
    }
}

/// Opens (or creates) the store at `path` for `user_id` on this device.
/// `device_id` must stay the same for the installation (make one with
/// `new_id()` on first start and keep it). `phone_region` (ISO 3166, e.g.
/// "NO") is how phone numbers without a country code are read.
#[uniffi::export(default(phone_region = None))]
pub async fn open_store(
    path: String,
    user_id: String,
    device_id: String,
    phone_region: Option<String>,
) -> Result<Arc<OutpostStore>, OutpostError> {
    let author = Author { user_id, device_id };
    let opts = StoreOptions {
        phone_region: phone_region.unwrap_or_else(|| StoreOptions::default().phone_region),
        ..StoreOptions::default()
    };
    let store = runtime()
        .spawn_blocking(move || Store::open(path, author, opts))
        .await??;
    Ok(Arc::new(OutpostStore {
        store: Arc::new(Mutex::new(store)),
        data_observers: Arc::default(),
        sync: Mutex::default(),
        next_observer: AtomicU64::new(1),
    }))
}

#[uniffi::export]
impl OutpostStore {
    /// Registers an observer of data changes; returns a handle for `remove_data_observer`.
    pub fn add_data_observer(&self, observer: Arc<dyn DataObserver>) -> u64 {
        let handle = self.next_observer.fetch_add(1, Ordering::Relaxed);
        lock(&self.data_observers).insert(handle, observer);
        handle
    }

    /// Removes a data observer.
    pub fn remove_data_observer(&self, handle: u64) {
        lock(&self.data_observers).remove(&handle);
    }
}

impl Drop for OutpostStore {
    /// A store dropped while syncing stops its sync client in the background.
    fn drop(&mut self) {
        if let Some(stop) = lock(&self.sync).stop() {
            runtime().spawn(stop);
        }
    }
}

impl OutpostStore {
    /// Runs `f` on the store on the runtime's blocking pool.
    pub(crate) async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> crate::Result<T> + Send + 'static,
    ) -> Result<T, OutpostError> {
        let store = self.store.clone();
        Ok(runtime()
            .spawn_blocking(move || f(&mut lock(&store)))
            .await??)
    }

    /// Like `with` for an edit of `doc`; tells the data observers afterwards.
    pub(crate) async fn edit<T: Send + 'static>(
        &self,
        doc: DocumentId,
        f: impl FnOnce(&mut Store) -> crate::Result<T> + Send + 'static,
    ) -> Result<T, OutpostError> {
        let out = self.with(f).await?;
        self.changed(doc).await;
        Ok(out)
    }

    /// Tells the data observers that `doc` changed, on the blocking pool (so
    /// observers always run on a background thread, never the caller's), and
    /// returns once they have been told.
    pub(crate) async fn changed(&self, doc: DocumentId) {
        let observers = self.data_observers.clone();
        let _ = runtime()
            .spawn_blocking(move || notify_changed(&observers, doc))
            .await;
    }

    pub(crate) fn next_handle(&self) -> u64 {
        self.next_observer.fetch_add(1, Ordering::Relaxed)
    }
}

pub(crate) fn notify_changed(observers: &Observers<dyn DataObserver>, doc: DocumentId) {
    for o in snapshot(observers) {
        o.on_document_changed(doc);
    }
}

pub(crate) fn notify_removed(observers: &Observers<dyn DataObserver>, doc: DocumentId) {
    for o in snapshot(observers) {
        o.on_document_removed(doc);
    }
}

/// The observers at this moment, so none is called with the lock held.
pub(crate) fn snapshot<T: ?Sized>(observers: &Observers<T>) -> Vec<Arc<T>> {
    lock(observers).values().cloned().collect()
}

pub(crate) fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
