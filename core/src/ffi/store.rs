//! The store handle: opening, closing, the blocking-work helper, observers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use crate::ids::{Author, DocumentId};
use crate::store::{Store, StoreOptions};
use crate::sync::client::SharedStore;

use super::OutpostError;
use super::dispatch::{Dispatcher, Note, close_gate, gate_open};
use super::observers::{DataObserver, Observers, SyncObserver};
use super::runtime::{block_on_or_spawn, on_runtime_thread, runtime};
use super::sync::SyncState;
use crate::model::RecordRef;

type Res<T> = Result<T, OutpostError>;

/// How long `close` waits for calls still running on the store (a long
/// query, the sync client saving its state) before it lets go of the file.
const CLOSE_WAIT: Duration = Duration::from_secs(10);

/// Every store opened and not yet dropped, for `shutdown`.
static OPEN: Mutex<Vec<Weak<OutpostStore>>> = Mutex::new(Vec::new());

/// An open Outpost store: one SQLite file on the device.
///
/// `close()` stops sync, delivers what the observers are still owed,
/// releases the observers and the store file (its lock too); afterwards
/// every call fails with `OutpostError::Closed`. Dropping the last
/// reference closes it the same way (Kotlin's `close()`/`use {}`, Swift's
/// `deinit`, Python's garbage collector).
#[derive(uniffi::Object)]
pub struct OutpostStore {
    /// `None` once closed.
    store: Mutex<Option<SharedStore>>,
    pub(crate) observers: Arc<Observers>,
    pub(crate) dispatcher: Arc<Dispatcher>,
    pub(crate) sync: Mutex<SyncState>,
    next_handle: AtomicU64,
}

impl std::fmt::Debug for OutpostStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutpostStore")
            .field("open", &lock(&self.store).is_some())
            .finish_non_exhaustive()
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
    for (arg, v) in [
        ("path", &path),
        ("user_id", &user_id),
        ("device_id", &device_id),
    ] {
        if v.trim().is_empty() {
            return Err(OutpostError::invalid(arg, "must not be empty"));
        }
    }
    if !gate_open() {
        return Err(OutpostError::Closed {
            detail: "the library was shut down".into(),
        });
    }
    let author = Author { user_id, device_id };
    let opts = StoreOptions {
        phone_region: phone_region.unwrap_or_else(|| StoreOptions::default().phone_region),
        ..StoreOptions::default()
    };
    let store = runtime()
        .spawn_blocking(move || Store::open(path, author, opts))
        .await??;
    let observers = Arc::new(Observers::default());
    let dispatcher = Dispatcher::start(observers.clone()).map_err(|_| OutpostError::Storage {
        detail: "the operating system refused to start the observer thread".into(),
    })?;
    let handle = Arc::new(OutpostStore {
        store: Mutex::new(Some(Arc::new(Mutex::new(store)))),
        observers,
        dispatcher: Arc::new(dispatcher),
        sync: Mutex::default(),
        next_handle: AtomicU64::new(1),
    });
    let mut open = lock(&OPEN);
    open.retain(|w| w.strong_count() > 0);
    open.push(Arc::downgrade(&handle));
    Ok(handle)
}

/// Closes every open store (as `close()` does) and stops every call into
/// the app: observers and the log sink are released and never called
/// again, in this process. For the end of a process; the Python package
/// calls it at interpreter exit (`atexit`), before Python starts tearing
/// itself down.
#[uniffi::export]
pub fn shutdown() {
    // first: nothing calls into the app from here on (waits for a call in
    // progress), then every store lets go of its file and its observers
    close_gate();
    let stores: Vec<_> = lock(&OPEN).drain(..).filter_map(|w| w.upgrade()).collect();
    for s in &stores {
        s.close_now();
    }
    super::log::release_sink();
}

#[uniffi::export]
impl OutpostStore {
    /// Stops sync, tells the observers what they are still owed, releases
    /// them and the store file. Idempotent; every other call afterwards
    /// fails with `Closed`. (In Kotlin this is the `close()` of
    /// `AutoCloseable`, so `use {}` works.)
    pub fn close(&self) {
        self.close_now();
    }

    /// Whether `close()` ran (or the library was shut down).
    pub fn is_closed(&self) -> bool {
        lock(&self.store).is_none()
    }

    /// Registers an observer of data changes; returns a handle for
    /// `remove_observer`.
    pub fn add_data_observer(&self, observer: Arc<dyn DataObserver>) -> Res<i64> {
        self.shared()?;
        let handle = self.next_handle();
        self.observers.add_data(handle, observer);
        Ok(handle as i64)
    }

    /// Registers a sync observer; returns a handle for `remove_observer`.
    pub fn add_sync_observer(&self, observer: Arc<dyn SyncObserver>) -> Res<i64> {
        self.shared()?;
        let handle = self.next_handle();
        self.observers.add_sync(handle, observer);
        Ok(handle as i64)
    }

    /// Removes an observer (data or sync); it is not called after this returns
    /// (unless it is being called right now, on the observer thread).
    pub fn remove_observer(&self, handle: i64) {
        if let Ok(h) = u64::try_from(handle) {
            self.observers.remove(h);
        }
    }
}

impl Drop for OutpostStore {
    /// The last reference gone (Kotlin `close()`, Swift `deinit`, Python's
    /// garbage collector): closed like `close()`.
    fn drop(&mut self) {
        self.close_now();
    }
}

impl OutpostStore {
    /// The store, or `Closed`.
    fn shared(&self) -> Res<SharedStore> {
        lock(&self.store).clone().ok_or_else(OutpostError::closed)
    }

    fn next_handle(&self) -> u64 {
        self.next_handle.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs `f` on the store on the runtime's blocking pool.
    pub(crate) async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> crate::Result<T> + Send + 'static,
    ) -> Res<T> {
        let store = self.shared()?;
        Ok(runtime()
            .spawn_blocking(move || f(&mut lock(&store)))
            .await??)
    }

    /// Like `with` for an edit of `doc` that touches `records`; the data
    /// observers have been told when it returns.
    pub(crate) async fn edit<T: Send + 'static>(
        &self,
        doc: DocumentId,
        records: Vec<RecordRef>,
        f: impl FnOnce(&mut Store) -> crate::Result<T> + Send + 'static,
    ) -> Res<T> {
        let out = self.with(f).await?;
        self.changed(doc, records).await;
        Ok(out)
    }

    /// Tells the data observers (on the observer thread) that `doc` changed,
    /// and returns once they have been told, so an app that writes and then
    /// looks at what its observer saw finds it there. (From the observer
    /// thread itself, an observer that writes, it does not wait.)
    pub(crate) async fn changed(&self, doc: DocumentId, records: Vec<RecordRef>) {
        self.dispatcher.send(Note::Changed { doc, records });
        self.flush().await;
    }

    /// Waits until every event queued so far reached the observers.
    pub(crate) async fn flush(&self) {
        if self.dispatcher.on_own_thread() {
            return;
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.dispatcher.send(Note::Flush(tx)) {
            let _ = rx.await;
        }
    }

    /// The store as the sync client needs it.
    pub(crate) fn shared_store(&self) -> Res<SharedStore> {
        self.shared()
    }

    /// `close()`: stop sync, deliver, release observers, release the file.
    pub(crate) fn close_now(&self) {
        let stop = lock(&self.sync).stop();
        if let Some(stop) = stop {
            block_on_or_spawn(stop, CLOSE_WAIT);
        }
        // the observers hear what they are still owed, and may still read
        // the store while they do
        self.dispatcher.stop();
        let store = lock(&self.store).take();
        // a start_sync that raced with this close
        if let Some(stop) = lock(&self.sync).stop() {
            block_on_or_spawn(stop, CLOSE_WAIT);
        }
        // the app's observer objects are released here, on the caller's thread
        self.observers.clear();
        if let Some(store) = store {
            // calls still running hold the store; the file is let go when
            // the last one ends (so when this returns, in practice)
            let deadline = Instant::now() + CLOSE_WAIT;
            while Arc::strong_count(&store) > 1 && Instant::now() < deadline && !on_runtime_thread()
            {
                std::thread::sleep(Duration::from_millis(2));
            }
            drop(store);
        }
    }
}

pub(crate) fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
