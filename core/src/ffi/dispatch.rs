//! Calls into the app (observers, the log sink) happen on threads of this
//! module only: one dedicated thread per store calls its observers, in the
//! order the events happened, and one thread calls the log sink. Never a
//! runtime thread, never while a lock of the store is held.
//!
//! The gate: `shutdown()` (the Python package calls it at interpreter exit)
//! closes it, waiting for a call in progress to return; after that nothing
//! calls into the app again. A Python interpreter that is finalizing ends
//! any other thread that enters it with `pthread_exit`, whose forced unwind
//! through Rust frames aborts the process (`FATAL: exception not rethrown`):
//! that was the abort at exit, when a sync event or the release of an
//! observer (dropped by a runtime thread) reached Python too late.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::thread::{JoinHandle, ThreadId};

use crate::ids::DocumentId;
use crate::sync::client::SyncEvent;

use super::observers::Observers;
use super::store::lock;
use crate::model::RecordRef;

static ENABLED: AtomicBool = AtomicBool::new(true);
/// Held (shared) for every call into the app; `close_gate` takes it
/// exclusively to wait for the call in progress.
static IN_CALL: RwLock<()> = RwLock::new(());

thread_local! {
    /// This thread is inside a call into the app (an observer or the sink).
    static CALLING: Cell<bool> = const { Cell::new(false) };
}

/// Permission to call into the app, or `None` once the gate is closed.
pub(crate) struct Call {
    _guard: RwLockReadGuard<'static, ()>,
}

impl Call {
    pub(crate) fn enter() -> Option<Self> {
        let guard = IN_CALL.read().unwrap_or_else(|e| e.into_inner());
        if !ENABLED.load(Ordering::SeqCst) {
            return None;
        }
        CALLING.with(|c| c.set(true));
        Some(Self { _guard: guard })
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        CALLING.with(|c| c.set(false));
    }
}

/// Nothing calls into the app after this returns (a call in progress on
/// another thread is waited for; from inside a callback, it is not).
pub(crate) fn close_gate() {
    ENABLED.store(false, Ordering::SeqCst);
    if !CALLING.with(Cell::get) {
        drop(IN_CALL.write().unwrap_or_else(|e| e.into_inner()));
    }
}

pub(crate) fn gate_open() -> bool {
    ENABLED.load(Ordering::SeqCst)
}

/// What a store's observers are told.
#[derive(Debug)]
pub(crate) enum Note {
    Changed {
        doc: DocumentId,
        records: Vec<RecordRef>,
    },
    Sync(SyncEvent),
    /// Answered once everything before it was delivered.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// A store's observer thread.
#[derive(Debug)]
pub(crate) struct Dispatcher {
    tx: Mutex<Option<Sender<Note>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    thread_id: ThreadId,
}

impl Dispatcher {
    pub(crate) fn start(observers: Arc<Observers>) -> std::io::Result<Self> {
        let (tx, rx) = channel();
        let thread = std::thread::Builder::new()
            .name("outpost-observers".into())
            .spawn(move || deliver(&rx, &observers))?;
        Ok(Self {
            thread_id: thread.thread().id(),
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Queues `note`; false once the dispatcher stopped.
    pub(crate) fn send(&self, note: Note) -> bool {
        lock(&self.tx)
            .as_ref()
            .is_some_and(|tx| tx.send(note).is_ok())
    }

    /// Whether the caller is this store's observer thread (an observer
    /// calling back into the store must not wait for itself).
    pub(crate) fn on_own_thread(&self) -> bool {
        std::thread::current().id() == self.thread_id
    }

    /// Delivers what is queued, then ends the thread (waits for it unless
    /// called from it).
    pub(crate) fn stop(&self) {
        drop(lock(&self.tx).take());
        let thread = lock(&self.thread).take();
        if let Some(t) = thread
            && !self.on_own_thread()
        {
            let _ = t.join();
        }
    }
}

fn deliver(rx: &Receiver<Note>, observers: &Observers) {
    for note in rx {
        if let Note::Flush(done) = note {
            let _ = done.send(());
            continue;
        }
        let Some(_call) = Call::enter() else {
            continue;
        };
        observers.notify(&note);
    }
}
