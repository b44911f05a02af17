//! What the sync client reports and how it is configured.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::ids::DocumentId;
use crate::model::RecordRef;

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// e.g. `ws://127.0.0.1:8080/sync`.
    pub url: String,
    pub token: String,
    /// First retry delay; doubles up to `max_backoff`, with ±50 % jitter.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Status events are coalesced: at most one per this interval (the
    /// documents whose state changed in between travel together).
    pub status_interval: Duration,
}

impl ClientConfig {
    /// Defaults: retries from 250 ms up to 30 s; at most 10 status events a second.
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            token: token.into(),
            min_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            status_interval: Duration::from_millis(100),
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

impl DocSync {
    /// Nothing more will move for this document without the user: synced,
    /// unavailable, or waiting for the user's decision on a draft.
    pub fn is_settled(&self) -> bool {
        !matches!(self, DocSync::Pending)
    }
}

/// Progress of the initial sync (and of catching up after a reconnect).
/// Counts are signed (`Long` in Kotlin, `Int64` in Swift) though never
/// negative: unsigned types would leak into every app's arithmetic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Progress {
    /// Documents the server announced for this device.
    pub documents_total: i64,
    /// Of those, the ones on the device and in step with the server.
    pub documents_done: i64,
    /// Bytes of the announced documents already here: the size the server
    /// announced for every document done, plus what arrived so far of the
    /// ones in progress (capped at their size). Ends at `bytes_total`.
    pub bytes_received: i64,
    /// The sizes the server announced, summed (`outpost-scope`).
    pub bytes_total: i64,
    /// Bytes of sync messages actually received since the client started
    /// (what the network carried: for diagnostics and benchmarks, not for a
    /// progress bar; it need not end at `bytes_total`).
    pub bytes_downloaded: i64,
}

/// Why the connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum DisconnectKind {
    /// The network: unreachable, dropped, timed out. Retried.
    Network,
    /// The server refused the token (never valid, revoked, user removed).
    /// Retried with the longest backoff; a new token is needed.
    Unauthorized,
    /// The server ended the session with an error. Retried.
    Server,
    /// Something spoke outside the protocol. Retried.
    Protocol,
}

/// Everything the client knows about its sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncStatus {
    pub connected: bool,
    /// The server has told this connection which documents it may have
    /// (until then the totals are not known: not "up to date").
    pub scope_received: bool,
    /// Per document. From [`crate::sync::client::SyncClient::status`] every
    /// document; in a [`SyncEvent::Status`] only the documents whose state
    /// changed since the previous event.
    pub documents: BTreeMap<DocumentId, DocSync>,
    pub progress: Progress,
    /// Edits made here the server has not acknowledged (also readable
    /// without a client: `Store::pending_edits`).
    pub pending_edits: i64,
    /// Connected, the scope known, every document settled and nothing
    /// pending: what a UI shows as "up to date". Computed here, once.
    pub up_to_date: bool,
    pub last_error: Option<String>,
    /// Why the last connection ended, if it did.
    pub last_disconnect: Option<DisconnectKind>,
}

/// What happened, for observers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SyncEvent {
    Connected,
    Disconnected {
        reason: String,
        kind: DisconnectKind,
    },
    /// Changes from elsewhere landed in the store: which records they touched.
    DocumentChanged {
        document: DocumentId,
        records: Vec<RecordRef>,
    },
    /// Access was revoked: the document was removed from this device.
    DocumentRemoved(DocumentId),
    /// Access was revoked while edits made here were not on the server: they
    /// are kept in draft `draft` (readable with `Store::draft_view`,
    /// exportable with `Store::draft_export`). Sent before `DocumentRemoved`.
    DocumentRetained {
        document: DocumentId,
        kept_edits: i64,
        draft: i64,
    },
    /// The server refused a change (`code`: `read_only`, `schema`,
    /// `too_large`…, see docs/SYNC.md).
    Rejected {
        document: DocumentId,
        reason: String,
        code: Option<String>,
    },
    /// The status, coalesced (at most one per `ClientConfig::status_interval`);
    /// `documents` holds only the documents whose state changed; the
    /// progress and the flags are whole.
    Status {
        status: SyncStatus,
    },
}

/// Why [`crate::sync::client::SyncClient::wait_until_synced`] gave up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaitError {
    #[error(
        "not synced in time: {documents_done} of {documents_total} documents, {pending_edits} edits not on the server"
    )]
    Timeout {
        documents_done: i64,
        documents_total: i64,
        pending_edits: i64,
    },
    #[error("the server refused the token")]
    Unauthorized,
    #[error("sync was stopped")]
    Stopped,
}
