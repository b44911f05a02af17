//! Fan-out: which connections have which documents open, so a change merged
//! from one device is offered to every other device that has the document.
//!
//! A notification only says "document D changed"; the connection then asks
//! the store for the sync message its peer needs. Notifications for the same
//! document collapse into one, so a slow device never makes the hub drop
//! data: it simply catches up with one message when it is ready.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use outpost_core::DocumentId;
use tokio::sync::Notify;

/// A connection's inbox of changed documents.
#[derive(Debug, Default)]
pub struct Inbox {
    dirty: Mutex<BTreeSet<DocumentId>>,
    /// Scope may have changed (assignments, revocations).
    scope_changed: AtomicBool,
    /// Ephemeral messages (presence) from other devices, to relay as they are.
    ephemeral: Mutex<VecDeque<outpost_core::sync::wire::WireMessage>>,
    pub notify: Notify,
}

impl Inbox {
    /// Takes every document marked changed since the last call.
    pub fn take(&self) -> Vec<DocumentId> {
        let mut d = self.dirty.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *d).into_iter().collect()
    }

    /// Takes the ephemeral messages waiting to be relayed.
    pub fn take_ephemeral(&self) -> Vec<outpost_core::sync::wire::WireMessage> {
        let mut q = self.ephemeral.lock().unwrap_or_else(|e| e.into_inner());
        q.drain(..).collect()
    }

    /// Whether the scope must be recomputed (clears the flag).
    pub fn take_scope_changed(&self) -> bool {
        self.scope_changed.swap(false, Ordering::AcqRel)
    }
}

/// The registry of open documents.
#[derive(Debug, Clone, Default)]
pub struct Hub {
    inner: Arc<Mutex<HubInner>>,
    /// Bumped by every change to users, roles or tokens: an open connection
    /// or event stream that sees it move re-checks its token before it
    /// stores or sends anything more.
    auth_epoch: Arc<AtomicU64>,
}

#[derive(Debug, Default)]
struct HubInner {
    next_id: u64,
    conns: HashMap<u64, Arc<Inbox>>,
    by_doc: HashMap<DocumentId, BTreeSet<u64>>,
}

impl Hub {
    /// Registers a connection; returns its id and inbox.
    pub fn connect(&self) -> (u64, Arc<Inbox>) {
        let mut h = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        h.next_id += 1;
        let id = h.next_id;
        let inbox = Arc::new(Inbox::default());
        h.conns.insert(id, inbox.clone());
        (id, inbox)
    }

    /// Forgets a connection.
    pub fn disconnect(&self, conn: u64) {
        let mut h = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        h.conns.remove(&conn);
        h.by_doc.retain(|_, set| {
            set.remove(&conn);
            !set.is_empty()
        });
        // a device that touched 100,000 accounts left a table sized for
        // them (heaptrack, figure 6 in BENCHMARKS.md)
        if h.by_doc.capacity() > 4 * h.by_doc.len() + 1024 {
            h.by_doc.shrink_to_fit();
        }
    }

    /// Marks that a connection syncs a document.
    pub fn open(&self, conn: u64, doc: DocumentId) {
        let mut h = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        h.by_doc.entry(doc).or_default().insert(conn);
    }

    /// Stops offering a document to a connection (e.g. revoked).
    pub fn close(&self, conn: u64, doc: DocumentId) {
        let mut h = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(set) = h.by_doc.get_mut(&doc) {
            set.remove(&conn);
            if set.is_empty() {
                h.by_doc.remove(&doc);
            }
        }
    }

    /// A document changed: wake every connection that has it, except `from`.
    pub fn changed(&self, doc: DocumentId, from: u64) {
        let h = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(set) = h.by_doc.get(&doc) {
            for id in set.iter().filter(|id| **id != from) {
                if let Some(inbox) = h.conns.get(id) {
                    inbox
                        .dirty
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(doc);
                    inbox.notify.notify_one();
                }
            }
        }
    }

    /// Relays an ephemeral message (presence, cursors) to every other
    /// connection that has the document open. Ephemeral data is transient by
    /// definition: when a slow device has `EPHEMERAL_QUEUE` waiting, the
    /// oldest is dropped and counted in `outpost_ephemeral_dropped_total`.
    pub fn ephemeral(
        &self,
        doc: DocumentId,
        from: u64,
        msg: outpost_core::sync::wire::WireMessage,
    ) {
        const EPHEMERAL_QUEUE: usize = 64;
        let h = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(set) = h.by_doc.get(&doc) {
            for id in set.iter().filter(|id| **id != from) {
                if let Some(inbox) = h.conns.get(id) {
                    let mut q = inbox.ephemeral.lock().unwrap_or_else(|e| e.into_inner());
                    if q.len() >= EPHEMERAL_QUEUE {
                        q.pop_front();
                        metrics::counter!("outpost_ephemeral_dropped_total").increment(1);
                    }
                    q.push_back(msg.clone());
                    inbox.notify.notify_one();
                }
            }
        }
    }

    /// Users, roles or tokens changed (a token revoked, a user removed, a
    /// role changed): every connection and event stream re-checks its token
    /// at once, and recomputes its scope.
    pub fn auth_changed(&self) {
        self.auth_epoch.fetch_add(1, Ordering::AcqRel);
        self.scope_changed();
    }

    /// The current auth epoch (see [`Hub::auth_changed`]).
    pub fn auth_epoch(&self) -> u64 {
        self.auth_epoch.load(Ordering::Acquire)
    }

    /// Assignments or users changed: every connection recomputes its scope.
    pub fn scope_changed(&self) {
        let h = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        for inbox in h.conns.values() {
            inbox.scope_changed.store(true, Ordering::Release);
            inbox.notify.notify_one();
        }
    }
}
