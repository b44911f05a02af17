//! The observer interfaces the app implements, and a store's registry of
//! them. Observers are called on the store's observer thread
//! (`dispatch`), one event at a time in the order things happened; an
//! observer that throws is logged once (target `outpost::observer`, through
//! the log sink) and the next observer still runs.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::ids::DocumentId;
use crate::model::{RecordKind, RecordRef};
use crate::sync::client::SyncEvent;

use super::dispatch::Note;
use super::error::ObserverError;
use super::store::lock;

/// `RecordRef { kind, id }` (the account or settings record of a
/// document has id `""`).
pub(crate) fn touched(kind: RecordKind, id: impl Into<String>) -> RecordRef {
    RecordRef {
        kind,
        id: id.into(),
    }
}

/// Told when an account (or settings) document changed, by an edit made
/// here or by changes that arrived through sync. Called on the store's
/// observer thread, in order: hop to the UI thread before touching views,
/// and return quickly (the next event waits).
#[uniffi::export(with_foreign)]
pub trait DataObserver: Send + Sync {
    /// `document_id` changed; re-read what the screen shows of it.
    /// `records` names the records the change created or changed, whether
    /// it was made here or arrived through sync (the account or settings
    /// record itself has id `""`).
    fn on_document_changed(
        &self,
        document_id: DocumentId,
        records: Vec<RecordRef>,
    ) -> Result<(), ObserverError>;
    /// `document_id` was removed from this device (access revoked).
    fn on_document_removed(&self, document_id: DocumentId) -> Result<(), ObserverError>;
}

/// Told about sync: connected/disconnected, refused changes, and every
/// status change (per-account state, initial-sync progress). Called on the
/// store's observer thread, in order.
#[uniffi::export(with_foreign)]
pub trait SyncObserver: Send + Sync {
    fn on_sync_event(&self, event: SyncEvent) -> Result<(), ObserverError>;
}

/// The observers of one store, by handle.
#[derive(Default)]
pub(crate) struct Observers {
    data: Mutex<BTreeMap<u64, Arc<dyn DataObserver>>>,
    sync: Mutex<BTreeMap<u64, Arc<dyn SyncObserver>>>,
}

impl std::fmt::Debug for Observers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observers")
            .field("data", &lock(&self.data).len())
            .field("sync", &lock(&self.sync).len())
            .finish()
    }
}

impl Observers {
    pub(crate) fn add_data(&self, handle: u64, o: Arc<dyn DataObserver>) {
        lock(&self.data).insert(handle, o);
    }

    pub(crate) fn add_sync(&self, handle: u64, o: Arc<dyn SyncObserver>) {
        lock(&self.sync).insert(handle, o);
    }

    /// Removes an observer of either kind; the app's object is released on
    /// the caller's thread.
    pub(crate) fn remove(&self, handle: u64) {
        let data = lock(&self.data).remove(&handle);
        let sync = lock(&self.sync).remove(&handle);
        drop((data, sync));
    }

    /// Releases every observer, on the caller's thread.
    pub(crate) fn clear(&self) {
        let data = std::mem::take(&mut *lock(&self.data));
        let sync = std::mem::take(&mut *lock(&self.sync));
        drop((data, sync));
    }

    /// Tells every observer concerned about `note` (on the observer thread).
    /// The registry is read when the note is delivered, so an observer
    /// removed before that is not called.
    pub(crate) fn notify(&self, note: &Note) {
        // what the data observers hear: an edit made here or one that
        // arrived through sync, or a document removed by a revocation
        match note {
            Note::Changed { doc, records }
            | Note::Sync(SyncEvent::DocumentChanged {
                document: doc,
                records,
            }) => {
                for o in snapshot(&self.data) {
                    report(
                        "data observer",
                        o.on_document_changed(*doc, records.clone()),
                    );
                }
            }
            Note::Sync(SyncEvent::DocumentRemoved(doc)) => {
                for o in snapshot(&self.data) {
                    report("data observer", o.on_document_removed(*doc));
                }
            }
            _ => {}
        }
        if let Note::Sync(event) = note {
            for o in snapshot(&self.sync) {
                report("sync observer", o.on_sync_event(event.clone()));
            }
        }
    }
}

/// The observers at this moment, so none is called with the lock held.
fn snapshot<T: ?Sized>(m: &Mutex<BTreeMap<u64, Arc<T>>>) -> Vec<Arc<T>> {
    lock(m).values().cloned().collect()
}

/// Logs a failed callback once: its first line (a Kotlin stack trace or a
/// Python repr is long), never a Rust panic.
fn report(what: &str, r: Result<(), ObserverError>) {
    if let Err(e) = r {
        tracing::warn!(target: "outpost::observer", "{what} failed: {}", e.summary());
    }
}
