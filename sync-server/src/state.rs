//! Shared server state and settings.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use outpost_core::store::Store;
use tokio_util::sync::CancellationToken;

use crate::auth::AuthDb;
use crate::hub::Hub;

/// Server settings (see `outpost-server serve --help`).
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Largest websocket frame accepted.
    pub max_frame_bytes: usize,
    /// Frames queued for one connection before the reader waits.
    pub outbound_queue: usize,
    /// How long a full queue may stay full before the connection is closed.
    pub send_timeout: Duration,
    pub ping_interval: Duration,
    /// A connection silent for this long (no frame, no pong) is closed.
    pub idle_timeout: Duration,
    /// Most bytes the changes of one sync message may inflate to.
    pub max_message_inflated_bytes: u64,
    /// Most inflated bytes the documents one connection is creating may hold.
    pub max_connection_inflated_bytes: u64,
    /// Most inflated bytes merged in one group commit.
    pub max_batch_inflated_bytes: u64,
    /// Largest JSON request body.
    pub max_body_bytes: usize,
    /// A token that may read `/metrics` (besides admins).
    pub metrics_token: Option<String>,
    /// Where `/metrics` is served without a token instead of the main listener.
    pub metrics_listen: Option<SocketAddr>,
    /// CSV import: largest upload body, in bytes.
    pub import_max_bytes: usize,
    /// CSV import: most columns (the header, and any row).
    pub import_max_columns: usize,
    /// CSV import: most data rows.
    pub import_max_rows: usize,
    /// CSV import: most cells, the header included.
    pub import_max_cells: usize,
    /// CSV import: largest cell, in bytes.
    pub import_max_cell_bytes: usize,
    /// CSV import: requests (previews, dry runs, imports) running at once per user.
    pub import_max_jobs_per_user: usize,
}

/// Everything a request handler needs.
#[derive(Debug)]
pub struct AppState {
    pub cfg: Config,
    pub store: Mutex<Store>,
    pub auth: Mutex<AuthDb>,
    pub hub: Hub,
    /// This server's automerge-repo peer id.
    pub peer_id: String,
    pub storage_id: String,
    pub shutdown: CancellationToken,
    pub metrics: Option<PrometheusHandle>,
    /// The REST API's state (change events, import jobs).
    pub api: crate::api::ApiState,
}

pub type Shared = Arc<AppState>;

impl AppState {
    /// The store (a poisoned lock is recovered: the store itself is consistent
    /// because every write is one SQLite transaction).
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The auth database.
    pub fn auth(&self) -> MutexGuard<'_, AuthDb> {
        self.auth.lock().unwrap_or_else(|e| e.into_inner())
    }
}
