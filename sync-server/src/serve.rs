//! `outpost-server serve`: opening the data directory, the shared state,
//! the listeners and the background tasks.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use outpost_core::Author;
use outpost_core::store::{Store, StoreOptions};
use tokio_util::sync::CancellationToken;

use crate::auth::{AuthDb, Role};
use crate::state::{AppState, Config};
use crate::{api, http, hub, listener, org, state};

/// `outpost-server serve` flags (each also an environment variable).
#[derive(Debug, clap::Parser)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "OUTPOST_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Largest websocket frame (and message) accepted from a device, in
    /// bytes; a bigger one closes the connection with `too_large`.
    #[arg(long, env = "OUTPOST_MAX_FRAME_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_frame_bytes: usize,
    /// Most bytes the changes of one sync message may inflate to
    /// (compressed Automerge chunks are inflated through a bounded reader);
    /// past it the message is refused with `too_large`.
    #[arg(long, env = "OUTPOST_MAX_MESSAGE_INFLATED_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_message_inflated_bytes: u64,
    /// Most inflated bytes the documents one connection is creating (held
    /// in memory until complete) may hold together.
    #[arg(long, env = "OUTPOST_MAX_CONNECTION_INFLATED_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_connection_inflated_bytes: u64,
    /// Most inflated bytes merged in one group commit (the writer thread
    /// splits bigger bursts over several commits).
    #[arg(long, env = "OUTPOST_MAX_BATCH_INFLATED_BYTES", default_value_t = 128 * 1024 * 1024)]
    pub max_batch_inflated_bytes: u64,
    /// Frames queued per connection before the server waits for the device.
    #[arg(long, env = "OUTPOST_OUTBOUND_QUEUE", default_value_t = 256)]
    pub outbound_queue: usize,
    /// Seconds a connection's queue may stay full before it is closed.
    #[arg(long, env = "OUTPOST_SEND_TIMEOUT_SECS", default_value_t = 30)]
    pub send_timeout_secs: u64,
    /// Seconds between pings.
    #[arg(long, env = "OUTPOST_PING_SECS", default_value_t = 20)]
    pub ping_secs: u64,
    /// Seconds of silence after which a connection is closed.
    #[arg(long, env = "OUTPOST_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub idle_timeout_secs: u64,
    /// Most connections open at once (HTTP and websocket); 0 = the
    /// open-file limit minus what the databases and logs need (256, or a
    /// quarter of a small limit).
    #[arg(long, env = "OUTPOST_MAX_CONNECTIONS", default_value_t = 0)]
    pub max_connections: usize,
    /// Most connections open at once from one client address; more are
    /// closed on arrival. Behind a reverse proxy every device shares the
    /// proxy's address: raise this to the number of devices there (0 = no
    /// cap).
    #[arg(
        long,
        env = "OUTPOST_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 1024
    )]
    pub max_connections_per_address: usize,
    /// Seconds a client has to send a whole request header before it is
    /// disconnected.
    #[arg(long, env = "OUTPOST_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// Largest JSON request body of the REST API, in bytes (CSV imports
    /// have `--import-max-bytes`); a bigger one gets 413.
    #[arg(long, env = "OUTPOST_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// A token that may read `/metrics` (e.g. for Prometheus), besides
    /// admins' tokens; at least 16 characters.
    #[arg(long, env = "OUTPOST_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Serve `/metrics` without a token on this address instead (a private
    /// interface only monitoring reaches); the main listener then has none.
    #[arg(long, env = "OUTPOST_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Documents kept in memory; idle ones are unloaded.
    #[arg(long, env = "OUTPOST_CACHE_DOCS", default_value_t = 256)]
    pub cache_docs: usize,
    /// Largest body of a CSV import upload (`/api/import`, `/api/import/preview`), in bytes.
    #[arg(long, env = "OUTPOST_IMPORT_MAX_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub import_max_bytes: usize,
    /// Most columns in a CSV import (the header, and any row).
    #[arg(long, env = "OUTPOST_IMPORT_MAX_COLUMNS", default_value_t = 1000)]
    pub import_max_columns: usize,
    /// Most data rows in a CSV import.
    #[arg(long, env = "OUTPOST_IMPORT_MAX_ROWS", default_value_t = 100_000)]
    pub import_max_rows: usize,
    /// Most cells in a CSV import (every field of every line, the header included).
    #[arg(long, env = "OUTPOST_IMPORT_MAX_CELLS", default_value_t = 2_000_000)]
    pub import_max_cells: usize,
    /// Largest cell of a CSV import, in bytes.
    #[arg(long, env = "OUTPOST_IMPORT_MAX_CELL_BYTES", default_value_t = 64 * 1024)]
    pub import_max_cell_bytes: usize,
    /// Import requests (previews, dry runs, imports) one user may have running at once.
    #[arg(long, env = "OUTPOST_IMPORT_MAX_JOBS_PER_USER", default_value_t = 2)]
    pub import_max_jobs_per_user: usize,
}

impl Default for ServeArgs {
    fn default() -> Self {
        <Self as clap::Parser>::parse_from(["serve"])
    }
}

/// Opens (creating) the auth database in `dir`.
pub fn open_auth(dir: &Path) -> Result<AuthDb, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    Ok(AuthDb::open(&dir.join("auth.db"))?)
}

/// The server's identity, kept in the data directory so its peer and
/// storage ids survive restarts.
fn server_identity(dir: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let path = dir.join("server-id");
    match std::fs::read_to_string(&path) {
        Ok(id) if !id.trim().is_empty() => Ok(id.trim().to_owned()),
        _ => {
            let id = outpost_core::new_record_id();
            std::fs::write(&path, &id)?;
            Ok(id)
        }
    }
}

/// The server's shared state over the data directory `dir` (created and
/// migrated as needed): the store, the auth database, the hub. What
/// `serve` runs on, and what the fuzz targets drive in process.
pub fn open_app(dir: &Path, args: &ServeArgs) -> Result<state::Shared, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let auth = open_auth(dir)?;
    let id = server_identity(dir)?;
    let mut store = Store::open(
        dir.join("documents.db"),
        Author {
            user_id: "server".into(),
            device_id: id.clone(),
        },
        StoreOptions {
            cache_docs: args.cache_docs,
            max_inflated_bytes: args.max_message_inflated_bytes,
            // what devices send is judged by the value rules too
            validate_merges: true,
            // the server's own edits are never "pending": it is the server
            track_pending_edits: false,
            ..StoreOptions::default()
        },
    )?;
    org::ensure_pinned(&auth, &mut store)?;
    let api = api::ApiState::default();
    store.set_change_listener(api.notifier());
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .ok();
    // every series exists from the start, so dashboards see zeros, not gaps
    metrics::counter!("outpost_rejected_changes_total").absolute(0);
    metrics::counter!("outpost_ephemeral_dropped_total").absolute(0);
    metrics::gauge!("outpost_connections").set(0.0);
    metrics::gauge!("outpost_documents_loaded").set(0.0);
    let cfg = Config {
        listen: args.listen,
        data_dir: dir.to_owned(),
        max_frame_bytes: args.max_frame_bytes,
        outbound_queue: args.outbound_queue.max(1),
        send_timeout: Duration::from_secs(args.send_timeout_secs),
        ping_interval: Duration::from_secs(args.ping_secs.max(1)),
        idle_timeout: Duration::from_secs(args.idle_timeout_secs.max(1)),
        max_message_inflated_bytes: args.max_message_inflated_bytes,
        max_connection_inflated_bytes: args
            .max_connection_inflated_bytes
            .max(args.max_message_inflated_bytes),
        max_batch_inflated_bytes: args.max_batch_inflated_bytes,
        max_body_bytes: args.max_body_bytes,
        metrics_token: args.metrics_token.clone(),
        metrics_listen: args.metrics_listen,
        import_max_bytes: args.import_max_bytes,
        import_max_columns: args.import_max_columns,
        import_max_rows: args.import_max_rows,
        import_max_cells: args.import_max_cells,
        import_max_cell_bytes: args.import_max_cell_bytes,
        import_max_jobs_per_user: args.import_max_jobs_per_user,
    };
    let app = Arc::new(AppState {
        cfg,
        store: Mutex::new(store),
        auth: Mutex::new(auth),
        hub: hub::Hub::default(),
        // short: every frame carries it (senderId or targetId); unique
        // enough per server, the storage id stays the full UUID
        peer_id: format!("outpost-{}", id.get(..8).unwrap_or(&id)),
        storage_id: id,
        shutdown: CancellationToken::new(),
        metrics,
        api,
    });
    Ok(app)
}

/// Runs the server until SIGINT/SIGTERM.
pub fn serve(dir: &Path, args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let auth = open_auth(dir)?;
    if !auth.has_admin()? {
        auth.add_user("admin", Role::Admin, None)?;
        match std::env::var("OUTPOST_ADMIN_TOKEN") {
            Ok(t) if t.len() >= 16 => {
                auth.insert_token("admin", &t, Some("OUTPOST_ADMIN_TOKEN"))?;
                eprintln!("admin user created with the token from OUTPOST_ADMIN_TOKEN");
            }
            Ok(_) => return Err("OUTPOST_ADMIN_TOKEN must be at least 16 characters".into()),
            Err(_) => {
                let t = auth.issue_token("admin", Some("first start"))?;
                println!("admin token (shown once, keep it safe): {t}");
            }
        }
    }
    drop(auth);
    let app = open_app(dir, &args)?;
    if args.metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
        return Err("--metrics-token must be at least 16 characters".into());
    }
    let limits = connection_limits(&args);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(app.cfg.listen).await?;
        let addr = listener.local_addr()?;
        // the line tests and scripts wait for
        println!("outpost-server listening on http://{addr}");
        tracing::info!(%addr, data_dir = %app.cfg.data_dir.display(), "listening");
        tokio::spawn(watch_scope(app.clone()));
        if let Some(addr) = app.cfg.metrics_listen {
            let metrics_listener = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!(addr = %metrics_listener.local_addr()?, "metrics listening");
            let (router, stop) = (http::metrics_router(app.clone()), app.shutdown.clone());
            tokio::spawn(listener::serve(metrics_listener, router, limits, stop));
        }
        let shutdown = app.shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutting down: finishing in-flight writes");
            shutdown.cancel();
        });
        listener::serve(
            listener,
            http::router(app.clone()),
            limits,
            app.shutdown.clone(),
        )
        .await;
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    // every write was committed inside its request; nothing is buffered
    tracing::info!("stopped");
    Ok(())
}

/// Raises the open-file limit to the hard limit (logged) and derives the
/// connection caps from it.
fn connection_limits(args: &ServeArgs) -> listener::Limits {
    // some descriptors stay for the databases, their WAL files and logs:
    // a quarter of a small limit, 256 of a large one
    const RESERVED_FILES: u64 = 256;
    let files = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => {
            tracing::info!(open_files = n, "open-file limit raised to the hard limit");
            n
        }
        Err(e) => {
            let n = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
            tracing::warn!(error = %e, open_files = n, "could not raise the open-file limit");
            n
        }
    };
    let from_files = files.saturating_sub(RESERVED_FILES.min(files / 4)).max(16) as usize;
    let max_connections = match args.max_connections {
        0 => from_files,
        n => n,
    };
    if max_connections > from_files {
        tracing::warn!(
            max_connections,
            open_files = files,
            "--max-connections is above what the open-file limit allows"
        );
    }
    tracing::info!(
        max_connections,
        max_per_address = args.max_connections_per_address,
        header_read_timeout_secs = args.header_read_timeout_secs,
        "connection limits"
    );
    listener::Limits {
        max_connections,
        max_per_address: match args.max_connections_per_address {
            0 => usize::MAX,
            n => n,
        },
        header_read_timeout: Duration::from_secs(args.header_read_timeout_secs.max(1)),
    }
}

/// Assignments may change from the CLI while the server runs: poll the
/// auth database's change counter and let connections recompute their scope.
async fn watch_scope(app: state::Shared) {
    let mut last = app.auth().scope_version().unwrap_or(0);
    // a token revoked from the CLI closes open connections within ~1.3 s
    // (this poll, then the connection's re-check)
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = app.shutdown.cancelled() => return,
            _ = tick.tick() => {
                let now = app.auth().scope_version().unwrap_or(last);
                if now != last {
                    last = now;
                    // a change made by the CLI (another process): tokens,
                    // users, roles or assignments
                    app.hub.auth_changed();
                }
            }
        }
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
