//! What the sync client reports and how it is configured.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::ids::DocumentId;

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// e.g. `ws://127.0.0.1:8080/sync`.
    pub url: String,
    pub token: String,
    /// First retry delay; doubles up to `max_backoff`, with ±50 % jitter.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

impl ClientConfig {
    /// Defaults: retries from 250 ms up to 30 s.
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            token: token.into(),
            min_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Sync state of one account, as a UI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum DocSync {
    /// Every edit made here is on the server.
    Synced,
    /// Edits made here are not on the server yet (or the first sync is running).
    Pending,
    /// The server refused a change: the account was rebuilt from what the
    /// server accepted and the refused edits are kept as a draft
    /// (`Store::drafts`) until the user redoes or discards them.
    NeedsAttention(String),
    /// The server does not have the document for this device.
    Unavailable,
}

/// Progress of the initial sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Progress {
    pub documents_total: u64,
    pub documents_done: u64,
    pub bytes_received: u64,
    /// About how many bytes the documents in scope are on the server (from
    /// `outpost-scope`; an estimate: sync messages differ in size from stored
    /// documents, so show `bytes_received` against it clamped to 100 %).
    pub bytes_total: u64,
}

/// Everything the client knows about its sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncStatus {
    pub connected: bool,
    pub documents: BTreeMap<DocumentId, DocSync>,
    pub progress: Progress,
    pub last_error: Option<String>,
}

/// What happened, for observers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SyncEvent {
    Connected,
    Disconnected {
        reason: String,
    },
    /// Changes from elsewhere landed in the store.
    DocumentChanged(DocumentId),
    /// Access was revoked: the document was removed from this device.
    DocumentRemoved(DocumentId),
    Rejected {
        document: DocumentId,
        reason: String,
    },
    Status(SyncStatus),
}
