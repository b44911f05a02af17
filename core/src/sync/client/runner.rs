//! The connection and the protocol of the device's sync client: connect,
//! join, follow the scope the server announces, exchange sync messages per
//! document, handle refusals and revocations, reconnect.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use automerge::sync::State;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_util::sync::CancellationToken;

use super::{ClientConfig, DisconnectKind, DocSync, Shared, SharedStore, SyncEvent, lock, to_i64};
use crate::ids::DocumentId;
use crate::sync::wire::{PROTOCOL_VERSION, PeerMetadata, WireMessage};

/// The key under which the server's sync states are saved in the store.
pub(super) const SERVER_PEER: &str = "server";

#[derive(Debug, thiserror::Error)]
pub(super) enum SessionError {
    #[error("connect: {0}")]
    Connect(String),
    #[error("the server refused the token")]
    Unauthorized,
    #[error("server: {0}")]
    Server(String),
    #[error("connection lost")]
    Lost,
    #[error("protocol: {0}")]
    Protocol(String),
    #[error("local store: {0}")]
    Store(#[from] crate::CoreError),
}

impl SessionError {
    fn kind(&self) -> DisconnectKind {
        match self {
            SessionError::Unauthorized => DisconnectKind::Unauthorized,
            SessionError::Connect(_) | SessionError::Lost => DisconnectKind::Network,
            SessionError::Server(_) => DisconnectKind::Server,
            SessionError::Protocol(_) | SessionError::Store(_) => DisconnectKind::Protocol,
        }
    }
}

pub(super) type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(super) struct Session {
    pub(super) peer_id: String,
    pub(super) server_id: String,
    pub(super) scope: BTreeMap<DocumentId, bool>,
    pub(super) states: HashMap<DocumentId, State>,
    pub(super) attention: HashSet<DocumentId>,
    /// The org's settings document as the server names it in the scope.
    pub(super) settings: Option<DocumentId>,
}

pub(super) struct Runner {
    pub(super) store: SharedStore,
    pub(super) cfg: ClientConfig,
    pub(super) shared: Arc<Shared>,
    pub(super) cancel: CancellationToken,
    pub(super) local_rx: mpsc::UnboundedReceiver<DocumentId>,
}

impl Runner {
    pub(super) fn new(
        store: SharedStore,
        cfg: ClientConfig,
        shared: Arc<Shared>,
        cancel: CancellationToken,
        local_rx: mpsc::UnboundedReceiver<DocumentId>,
    ) -> Self {
        Self {
            store,
            cfg,
            shared,
            cancel,
            local_rx,
        }
    }

    pub(super) fn send_event(&self, event: SyncEvent) {
        let _ = self.shared.events.send(event);
    }

    pub(super) async fn run(mut self) {
        let mut backoff = self.cfg.min_backoff;
        loop {
            let result = self.session(&mut backoff).await;
            let (reason, kind) = match result {
                Ok(()) => return, // stopped
                Err(e) => (e.to_string(), e.kind()),
            };
            tracing::info!(error = %reason, ?kind, "sync disconnected; will retry");
            self.shared.update(&[], |t| {
                t.status.connected = false;
                t.status.scope_received = false;
                t.status.last_error = Some(reason.clone());
                t.status.last_disconnect = Some(kind);
            });
            self.send_event(SyncEvent::Disconnected { reason, kind });
            // a refused token will not become valid by itself soon
            if kind == DisconnectKind::Unauthorized {
                backoff = self.cfg.max_backoff;
            }
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
        use tokio_tungstenite::tungstenite::Error as WsError;
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
        .map_err(|e| match e {
            WsError::Http(resp) if resp.status() == 401 || resp.status() == 403 => {
                SessionError::Unauthorized
            }
            other => SessionError::Connect(other.to_string()),
        })?;
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
            Ok(Ok(WireMessage::Error { message, .. })) => return Err(server_error(message)),
            Ok(Ok(_)) => return Err(SessionError::Protocol("expected peer".into())),
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(SessionError::Protocol("no answer to join".into())),
        };
        *backoff = self.cfg.min_backoff;
        self.shared.update(&[], |t| {
            t.status.connected = true;
            t.status.last_error = None;
            t.status.last_disconnect = None;
        });
        self.send_event(SyncEvent::Connected);
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

    pub(super) fn state_for(
        &self,
        session: &mut Session,
        doc: DocumentId,
    ) -> Result<State, SessionError> {
        match session.states.remove(&doc) {
            Some(s) => Ok(s),
            None => Ok(lock(&self.store).sync_state(SERVER_PEER, doc)?),
        }
    }

    /// Sends whatever the server needs about `doc`.
    pub(super) async fn offer(
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
    pub(super) fn pin_settings(&self, session: &Session) -> Result<(), SessionError> {
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
    pub(super) fn needs_attention(&self, doc: DocumentId, reason: String, code: Option<String>) {
        self.shared.update(&[doc], |t| {
            t.status
                .documents
                .insert(doc, DocSync::NeedsAttention(reason.clone()));
        });
        self.send_event(SyncEvent::Rejected {
            document: doc,
            reason,
            code,
        });
    }

    /// Works out whether the server has everything this device has of
    /// `doc`; when it does, the document's pending edits are acknowledged.
    pub(super) fn update_doc_status(&self, session: &Session, doc: DocumentId) {
        if session.attention.contains(&doc) {
            return;
        }
        let draft = lock(&self.store)
            .drafts(Some(doc))
            .ok()
            .and_then(|d| d.last().map(|d| d.reason.clone()));
        if let Some(reason) = draft {
            let pending = lock(&self.store).pending_edits().map_or(0, to_i64);
            self.shared.update(&[doc], |t| {
                t.status
                    .documents
                    .insert(doc, DocSync::NeedsAttention(reason));
                t.status.pending_edits = pending;
            });
            return;
        }
        let (synced, pending) = {
            // one critical section: an edit made between reading the heads
            // and clearing the count would otherwise be cleared unsent
            let mut store = lock(&self.store);
            // In step: the server has every change made here and this
            // device every change the server has, by the heads the server
            // sent in this session (it answers every offer at least once).
            // The saved state's shared heads are not enough: they say the
            // server had this device's changes when it was last online, not
            // that nothing arrived there since (19 of 20 accounts edited by
            // the office while a phone was away were not on it yet when
            // wait_until_synced returned).
            let synced = match (store.contains(doc), session.states.get(&doc)) {
                (Ok(true), Some(st)) => {
                    let ours = store.heads(doc).unwrap_or_default();
                    st.their_heads.as_ref().is_some_and(|theirs| {
                        ours.iter().all(|h| theirs.contains(h))
                            && theirs.iter().all(|h| ours.contains(h))
                    })
                }
                _ => false,
            };
            if synced && let Err(e) = store.acknowledge(doc) {
                tracing::warn!(doc = %doc, error = %e, "could not clear pending edits");
            }
            (synced, store.pending_edits().map_or(0, to_i64))
        };
        let newly_synced =
            synced && self.shared.lock().status.documents.get(&doc) != Some(&DocSync::Synced);
        self.shared.update(&[doc], |t| {
            t.status.documents.insert(
                doc,
                if synced {
                    DocSync::Synced
                } else {
                    DocSync::Pending
                },
            );
            t.status.pending_edits = pending;
            if synced {
                t.in_flight.remove(&doc);
            }
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
                        self.revoke(session, *doc)?;
                    }
                }
                session.scope = new;
                session.settings = documents
                    .iter()
                    .find(|d| d.kind == "settings")
                    .and_then(|d| d.document_id.parse().ok());
                self.pin_settings(session)?;
                let sizes: BTreeMap<DocumentId, i64> = documents
                    .iter()
                    .filter_map(|d| {
                        d.document_id
                            .parse()
                            .ok()
                            .map(|id| (id, to_i64(d.size.unwrap_or(0))))
                    })
                    .collect();
                let scope = session.scope.clone();
                let remaining = local.clone();
                let announced: Vec<DocumentId> = scope.keys().copied().collect();
                self.shared.update(&announced, move |t| {
                    t.status
                        .documents
                        .retain(|d, _| scope.contains_key(d) || remaining.contains(d));
                    // every announced document is pending until offered and
                    // found in step below: "up to date" must not be seen
                    // between the scope and the offers (it was: 2 of 32)
                    for doc in scope.keys() {
                        t.status.documents.entry(*doc).or_insert(DocSync::Pending);
                    }
                    t.sizes = sizes;
                    t.status.scope_received = true;
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
                        let n = data.len() as i64;
                        self.shared.update(&[], |t| {
                            *t.in_flight.entry(doc).or_insert(0) += n;
                            t.downloaded += n;
                        });
                        if !r.new_changes.is_empty() {
                            if session.settings == Some(doc) {
                                self.pin_settings(session)?;
                            }
                            self.send_event(SyncEvent::DocumentChanged {
                                document: doc,
                                records: r.records,
                            });
                        }
                    }
                    Err(e) => {
                        // a server sending what breaks our schema: keep ours, flag it
                        tracing::warn!(doc = %doc, error = %e, "refused a change from the server");
                        session.attention.insert(doc);
                        self.shared.update(&[doc], |t| {
                            t.status
                                .documents
                                .insert(doc, DocSync::NeedsAttention(e.to_string()));
                        });
                        return Ok(());
                    }
                }
                self.offer(ws, session, doc, false).await?;
            }
            WireMessage::DocUnavailable { document_id, .. } => {
                if let Ok(doc) = document_id.parse::<DocumentId>() {
                    self.shared.update(&[doc], |t| {
                        t.status.documents.insert(doc, DocSync::Unavailable);
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
                self.on_rejected(ws, session, doc, reason, code, server_heads)
                    .await?;
            }
            WireMessage::Error { message, .. } => return Err(server_error(message)),
            _ => {}
        }
        Ok(())
    }
}

/// An `error` from the server: an auth refusal of an open connection (a
/// revoked token) is `Unauthorized`, as the failed upgrade is.
fn server_error(message: String) -> SessionError {
    if message.starts_with("unauthorized") {
        SessionError::Unauthorized
    } else {
        SessionError::Server(message)
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
