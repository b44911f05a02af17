//! The device's sync client: connects to an Outpost server (or any
//! automerge-repo websocket server) with a token, syncs every document the
//! server says this device may have, pushes local edits as they are made,
//! and keeps going offline for as long as it takes: it reconnects with
//! exponential backoff and jitter and resumes from the sync state it saved.
//!
//! The retry loop is written here rather than taken from a crate: it is a
//! dozen lines tied to the connection's lifecycle (reset on a successful
//! handshake, cancelled by `stop`), which a generic retry crate does not model.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use automerge::sync::State;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{broadcast, mpsc};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_util::sync::CancellationToken;

use super::wire::{PROTOCOL_VERSION, PeerMetadata, WireMessage};
use crate::ids::DocumentId;
use crate::store::Store;

mod status;

pub use status::{ClientConfig, DocSync, Progress, SyncEvent, SyncStatus};

/// The store shared between the app and the sync client.
pub type SharedStore = Arc<Mutex<Store>>;

/// The key under which the server's sync states are saved in the store.
const SERVER_PEER: &str = "server";

/// A running sync client. Dropping it does not stop it; call [`SyncClient::stop`].
#[derive(Debug)]
pub struct SyncClient {
    status: Arc<Mutex<SyncStatus>>,
    events: broadcast::Sender<SyncEvent>,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Debug, thiserror::Error)]
enum SessionError {
    #[error("connect: {0}")]
    Connect(String),
    #[error("server: {0}")]
    Server(String),
    #[error("connection lost")]
    Lost,
    #[error("protocol: {0}")]
    Protocol(String),
    #[error("local store: {0}")]
    Store(#[from] crate::CoreError),
}

impl SyncClient {
    /// Starts syncing `store` in the background (on the current tokio runtime).
    pub fn start(store: SharedStore, cfg: ClientConfig) -> Self {
        Self::start_subscribed(store, cfg).0
    }

    /// Like [`SyncClient::start`], with a receiver subscribed before the
    /// client runs, so an observer misses no event (not even the first
    /// `Connected`, which a `subscribe` after `start` can race with).
    pub fn start_subscribed(
        store: SharedStore,
        cfg: ClientConfig,
    ) -> (Self, broadcast::Receiver<SyncEvent>) {
        let status = Arc::new(Mutex::new(SyncStatus::default()));
        let (events, first) = broadcast::channel(1024);
        let cancel = CancellationToken::new();
        let (local_tx, local_rx) = mpsc::unbounded_channel();
        lock(&store).set_change_listener(move |doc| {
            let _ = local_tx.send(doc);
        });
        let runner = Runner {
            store,
            cfg,
            status: status.clone(),
            events: events.clone(),
            cancel: cancel.clone(),
            local_rx,
        };
        let task = tokio::spawn(runner.run());
        let client = Self {
            status,
            events,
            cancel,
            task,
        };
        (client, first)
    }

    /// The current status.
    pub fn status(&self) -> SyncStatus {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SyncEvent> {
        self.events.subscribe()
    }

    /// Waits until connected and every document in scope is synced, or the timeout.
    pub async fn wait_until_synced(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let s = self.status();
            if s.connected
                && s.progress.documents_total > 0
                && s.documents
                    .values()
                    .all(|d| matches!(d, DocSync::Synced | DocSync::Unavailable))
            {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops syncing, saving sync state; the store stays usable offline.
    pub async fn stop(self) {
        self.cancel.cancel();
        let _ = self.task.await;
    }
}

fn lock(store: &SharedStore) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|e| e.into_inner())
}

struct Runner {
    store: SharedStore,
    cfg: ClientConfig,
    status: Arc<Mutex<SyncStatus>>,
    events: broadcast::Sender<SyncEvent>,
    cancel: CancellationToken,
    local_rx: mpsc::UnboundedReceiver<DocumentId>,
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Session {
    peer_id: String,
    server_id: String,
    scope: BTreeMap<DocumentId, bool>,
    states: HashMap<DocumentId, State>,
    attention: HashSet<DocumentId>,
    /// The org's settings document as the server names it in the scope.
    settings: Option<DocumentId>,
}

impl Runner {
    fn set_status(&self, f: impl FnOnce(&mut SyncStatus)) {
        let snapshot = {
            let mut s = self.status.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut s);
            s.clone()
        };
        let _ = self.events.send(SyncEvent::Status(snapshot));
    }

    async fn run(mut self) {
        let mut backoff = self.cfg.min_backoff;
        loop {
            let result = self.session(&mut backoff).await;
            let reason = match result {
                Ok(()) => return, // stopped
                Err(e) => e.to_string(),
            };
            tracing::info!(error = %reason, "sync disconnected; will retry");
            self.set_status(|s| {
                s.connected = false;
                s.last_error = Some(reason.clone());
            });
            let _ = self.events.send(SyncEvent::Disconnected { reason });
            let jitter = 0.5 + rand::random::<f64>();
            let wait = backoff.mul_f64(jitter).min(self.cfg.max_backoff);
            tokio::select! {
                _ = self.cancel.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
            }
            backoff = (backoff * 2).min(self.cfg.max_backoff);
        }
    }

    async fn connect(&self) -> Result<Ws, SessionError> {
        let sep = if self.cfg.url.contains('?') { '&' } else { '?' };
        let url = format!("{}{sep}token={}", self.cfg.url, self.cfg.token);
        let mut req = url
            .into_client_request()
            .map_err(|e| SessionError::Connect(e.to_string()))?;
        if let Ok(v) = format!("Bearer {}", self.cfg.token).parse() {
            req.headers_mut().insert("Authorization", v);
        }
        let (ws, _) = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async(req),
        )
        .await
        .map_err(|_| SessionError::Connect("timed out".into()))?
        .map_err(|e| SessionError::Connect(e.to_string()))?;
        Ok(ws)
    }

    async fn session(&mut self, backoff: &mut Duration) -> Result<(), SessionError> {
        let mut ws = tokio::select! {
            _ = self.cancel.cancelled() => return Ok(()),
            ws = self.connect() => ws?,
        };
        let device = lock(&self.store).author().device_id.clone();
        let peer_id = format!("outpost-{device}-{:08x}", rand::random::<u32>());
        send(
            &mut ws,
            &WireMessage::Join {
                sender_id: peer_id.clone(),
                supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
                peer_metadata: Some(PeerMetadata {
                    storage_id: Some(device),
                    is_ephemeral: false,
                }),
            },
        )
        .await?;
        let server_id = match tokio::time::timeout(Duration::from_secs(10), recv(&mut ws)).await {
            Ok(Ok(WireMessage::Peer { sender_id, .. })) => sender_id,
            Ok(Ok(WireMessage::Error { message, .. })) => {
                return Err(SessionError::Server(message));
            }
            Ok(Ok(_)) => return Err(SessionError::Protocol("expected peer".into())),
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(SessionError::Protocol("no answer to join".into())),
        };
        *backoff = self.cfg.min_backoff;
        self.set_status(|s| {
            s.connected = true;
            s.last_error = None;
        });
        let _ = self.events.send(SyncEvent::Connected);
        let mut session = Session {
            peer_id,
            server_id,
            scope: BTreeMap::new(),
            states: HashMap::new(),
            attention: HashSet::new(),
            settings: None,
        };
        let result = self.serve(&mut ws, &mut session).await;
        self.save_states(&session);
        let _ = ws.close(None).await;
        result
    }

    fn save_states(&self, session: &Session) {
        let store = lock(&self.store);
        for (doc, st) in &session.states {
            if let Err(e) = store.save_sync_state(SERVER_PEER, *doc, st) {
                tracing::warn!(doc = %doc, error = %e, "could not save sync state");
            }
        }
    }

    async fn serve(&mut self, ws: &mut Ws, session: &mut Session) -> Result<(), SessionError> {
        loop {
            tokio::select! {
                _ = self.cancel.cancelled() => return Ok(()),
                Some(doc) = self.local_rx.recv() => {
                    let mut docs = vec![doc];
                    while let Ok(d) = self.local_rx.try_recv() {
                        if !docs.contains(&d) {
                            docs.push(d);
                        }
                    }
                    for d in docs {
                        self.offer(ws, session, d, false).await?;
                    }
                }
                msg = recv(ws) => {
                    let msg = msg?;
                    self.on_message(ws, session, msg).await?;
                }
            }
        }
    }

    fn state_for(&self, session: &mut Session, doc: DocumentId) -> Result<State, SessionError> {
        match session.states.remove(&doc) {
            Some(s) => Ok(s),
            None => Ok(lock(&self.store).sync_state(SERVER_PEER, doc)?),
        }
    }

    /// Sends whatever the server needs about `doc`.
    async fn offer(
        &self,
        ws: &mut Ws,
        session: &mut Session,
        doc: DocumentId,
        request: bool,
    ) -> Result<(), SessionError> {
        if session.attention.contains(&doc) {
            return Ok(());
        }
        let in_scope = session.scope.contains_key(&doc);
        let mut state = self.state_for(session, doc)?;
        let (msg, have) = {
            let mut store = lock(&self.store);
            let have = store.contains(doc)?;
            if !in_scope && !have {
                session.states.insert(doc, state);
                return Ok(());
            }
            (store.generate_sync_message(doc, &mut state)?, have)
        };
        session.states.insert(doc, state);
        self.update_doc_status(session, doc);
        if let Some(data) = msg {
            let m = WireMessage::sync_message(
                request && !have,
                session.peer_id.clone(),
                session.server_id.clone(),
                doc.to_string(),
                data,
            );
            send(ws, &m).await?;
        }
        Ok(())
    }

    /// Uses the settings document the server names as the org's (once it is
    /// on the device): a stale or planted one never feeds pipelines or defaults.
    fn pin_settings(&self, session: &Session) -> Result<(), SessionError> {
        let Some(doc) = session.settings else {
            return Ok(());
        };
        let mut store = lock(&self.store);
        if store.settings_doc()? != Some(doc) && store.contains(doc)? {
            store.pin_settings(doc)?;
        }
        Ok(())
    }

    /// Marks a document as needing the user's attention and tells observers.
    fn needs_attention(&self, doc: DocumentId, reason: String) {
        self.set_status(|s| {
            s.documents
                .insert(doc, DocSync::NeedsAttention(reason.clone()));
        });
        let _ = self.events.send(SyncEvent::Rejected {
            document: doc,
            reason,
        });
    }

    fn update_doc_status(&self, session: &Session, doc: DocumentId) {
        if session.attention.contains(&doc) {
            return;
        }
        let draft = lock(&self.store)
            .drafts(Some(doc))
            .ok()
            .and_then(|d| d.last().map(|d| d.reason.clone()));
        if let Some(reason) = draft {
            self.set_status(|s| {
                s.documents.insert(doc, DocSync::NeedsAttention(reason));
            });
            return;
        }
        let synced = {
            let mut store = lock(&self.store);
            match (store.contains(doc), session.states.get(&doc)) {
                (Ok(true), Some(st)) => {
                    let ours = store.heads(doc).unwrap_or_default();
                    st.their_heads
                        .as_ref()
                        .is_some_and(|theirs| ours.iter().all(|h| theirs.contains(h)))
                        || st.shared_heads == ours
                }
                _ => false,
            }
        };
        let newly_synced = {
            let s = self.status.lock().unwrap_or_else(|e| e.into_inner());
            synced && s.documents.get(&doc) != Some(&DocSync::Synced)
        };
        self.set_status(|s| {
            s.documents.insert(
                doc,
                if synced {
                    DocSync::Synced
                } else {
                    DocSync::Pending
                },
            );
            s.progress.documents_done = s
                .documents
                .values()
                .filter(|d| **d == DocSync::Synced)
                .count() as u64;
        });
        if newly_synced && let Some(st) = session.states.get(&doc) {
            let _ = lock(&self.store).save_sync_state(SERVER_PEER, doc, st);
        }
    }

    async fn on_message(
        &self,
        ws: &mut Ws,
        session: &mut Session,
        msg: WireMessage,
    ) -> Result<(), SessionError> {
        match msg {
            WireMessage::Scope { documents, .. } => {
                let new: BTreeMap<DocumentId, bool> = documents
                    .iter()
                    .filter_map(|d| d.document_id.parse().ok().map(|id| (id, d.writable)))
                    .collect();
                let local: Vec<DocumentId> = lock(&self.store)
                    .document_ids()?
                    .into_iter()
                    .map(|(d, _)| d)
                    .collect();
                for doc in &local {
                    if new.contains_key(doc) {
                        continue;
                    }
                    // Known to the server before (in the old scope, or a saved
                    // sync state shows it was synced): access was revoked.
                    let was_synced = session.scope.contains_key(doc)
                        || !lock(&self.store)
                            .sync_state(SERVER_PEER, *doc)?
                            .shared_heads
                            .is_empty();
                    if was_synced {
                        {
                            let mut store = lock(&self.store);
                            store.remove_document(*doc)?;
                            store.forget_sync_states(*doc)?;
                        }
                        session.states.remove(doc);
                        self.set_status(|s| {
                            s.documents.remove(doc);
                        });
                        let _ = self.events.send(SyncEvent::DocumentRemoved(*doc));
                    }
                }
                session.scope = new;
                session.settings = documents
                    .iter()
                    .find(|d| d.kind == "settings")
                    .and_then(|d| d.document_id.parse().ok());
                self.pin_settings(session)?;
                self.set_status(|s| {
                    s.documents
                        .retain(|d, _| session.scope.contains_key(d) || local.contains(d));
                    s.progress.documents_total = session.scope.len() as u64;
                    s.progress.bytes_total = documents.iter().filter_map(|d| d.size).sum();
                });
                let docs: Vec<DocumentId> = session
                    .scope
                    .keys()
                    .copied()
                    .chain(local.iter().copied())
                    .collect();
                let mut seen = HashSet::new();
                for doc in docs {
                    if seen.insert(doc) {
                        self.offer(ws, session, doc, true).await?;
                    }
                }
            }
            WireMessage::Sync {
                document_id, data, ..
            } => {
                let Ok(doc) = document_id.parse::<DocumentId>() else {
                    return Err(SessionError::Protocol(
                        "invalid document id from server".into(),
                    ));
                };
                let mut state = self.state_for(session, doc)?;
                let received = lock(&self.store).receive_sync_message(doc, &mut state, &data);
                session.states.insert(doc, state);
                match received {
                    Ok(r) => {
                        self.set_status(|s| s.progress.bytes_received += data.len() as u64);
                        if !r.new_changes.is_empty() {
                            if session.settings == Some(doc) {
                                self.pin_settings(session)?;
                            }
                            let _ = self.events.send(SyncEvent::DocumentChanged(doc));
                        }
                    }
                    Err(e) => {
                        // a server sending what breaks our schema: keep ours, flag it
                        tracing::warn!(doc = %doc, error = %e, "refused a change from the server");
                        session.attention.insert(doc);
                        self.set_status(|s| {
                            s.documents
                                .insert(doc, DocSync::NeedsAttention(e.to_string()));
                        });
                        return Ok(());
                    }
                }
                self.offer(ws, session, doc, false).await?;
            }
            WireMessage::DocUnavailable { document_id, .. } => {
                if let Ok(doc) = document_id.parse::<DocumentId>() {
                    self.set_status(|s| {
                        s.documents.insert(doc, DocSync::Unavailable);
                    });
                }
            }
            WireMessage::Rejected {
                document_id,
                reason,
                code,
                server_heads,
                ..
            } => {
                let Ok(doc) = document_id.parse::<DocumentId>() else {
                    return Ok(());
                };
                let heads: Vec<automerge::ChangeHash> =
                    server_heads.iter().filter_map(|h| h.parse().ok()).collect();
                // Rebuild from what the server accepted and keep our refused
                // edits as a draft; then sync on from there.
                let set_aside = lock(&self.store).set_aside_refused(doc, &heads, &reason);
                match set_aside {
                    Ok(draft) => {
                        session.states.remove(&doc);
                        // Not a permission refusal: write the edits again as
                        // new changes; what broke the schema drops out. Once
                        // per 10 minutes per account, so a refusal of the
                        // re-application itself cannot loop.
                        let mut reason = reason;
                        if let Some(draft) = draft
                            && code.as_deref() != Some("read_only")
                        {
                            let reapplied =
                                lock(&self.store).reapply_draft_unless_recent(draft, 600_000);
                            match reapplied {
                                Ok(Some(n)) => {
                                    tracing::info!(doc = %doc, records = n, "re-applied edits after a refusal")
                                }
                                Ok(None) => {}
                                // never taken for "re-applied lately": say on
                                // the account that the edits wait in the draft
                                Err(e) => {
                                    tracing::warn!(doc = %doc, draft, error = %e, "could not re-apply a draft");
                                    reason = format!(
                                        "{reason} (the refused edits are kept in draft {draft}; re-applying them failed: {e})"
                                    );
                                }
                            }
                        }
                        self.needs_attention(doc, reason);
                        self.offer(ws, session, doc, false).await?;
                    }
                    Err(e) => {
                        // e.g. a new account the server refused: keep it as it is
                        tracing::info!(doc = %doc, error = %e, "refused document kept as is");
                        session.attention.insert(doc);
                        self.needs_attention(doc, reason);
                    }
                }
            }
            WireMessage::Error { message, .. } => return Err(SessionError::Server(message)),
            _ => {}
        }
        Ok(())
    }
}

async fn send(ws: &mut Ws, msg: &WireMessage) -> Result<(), SessionError> {
    let bytes = msg
        .encode()
        .map_err(|e| SessionError::Protocol(e.to_string()))?;
    ws.send(Message::Binary(bytes.into()))
        .await
        .map_err(|_| SessionError::Lost)
}

async fn recv(ws: &mut Ws) -> Result<WireMessage, SessionError> {
    loop {
        match ws.next().await {
            None => return Err(SessionError::Lost),
            Some(Err(_)) => return Err(SessionError::Lost),
            Some(Ok(Message::Binary(b))) => {
                return WireMessage::decode(&b).map_err(|e| SessionError::Protocol(e.to_string()));
            }
            Some(Ok(Message::Close(_))) => return Err(SessionError::Lost),
            Some(Ok(_)) => continue, // ping/pong are answered by tungstenite
        }
    }
}
