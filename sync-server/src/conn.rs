//! One device's websocket connection: handshake, then a loop that answers
//! sync messages, forwards other devices' changes, keeps the connection
//! alive and closes it on bad input.
//!
//! Lifecycle: a bounded outbound queue feeds a writer task; when the queue
//! stays full for `send_timeout` (the device stopped reading) the connection
//! is closed — nothing is dropped silently, the device catches up on its
//! next connection. Every change is on disk before the reply that carries
//! the new heads is queued.

use std::collections::HashMap;
use std::time::Instant;

use automerge::sync::State;
use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use outpost_core::doc::bounded::{BoundError, SyncDecodeError, decode_sync_message};
use outpost_core::sync::wire::{PROTOCOL_VERSION, PeerMetadata, WireMessage};
use outpost_core::{CoreError, DocumentId};
use tokio::sync::mpsc;

use crate::access::Scope;
use crate::auth::{Role, User};
use crate::state::Shared;

mod new_doc;
mod scope;

/// Why a connection is closed by the server.
#[derive(Debug, thiserror::Error)]
pub enum ConnError {
    #[error("{0}")]
    Protocol(String),
    #[error("the device stopped reading")]
    SlowReader,
    /// The token was revoked, or its user removed, while connected.
    #[error("unauthorized: the token was revoked or its user removed")]
    Revoked,
    #[error("internal error")]
    Internal,
}

/// How long scope changes are gathered before a connection recomputes its scope.
const SCOPE_COALESCE: std::time::Duration = std::time::Duration::from_millis(300);

fn protocol(msg: impl Into<String>) -> ConnError {
    ConnError::Protocol(msg.into())
}

struct Session {
    app: Shared,
    /// Who connected, with their token (re-checked after auth changes).
    caller: crate::api::auth::Caller,
    user: User,
    /// The hub's auth epoch when the token was last checked.
    auth_seen: u64,
    conn_id: u64,
    peer_id: String,
    /// Where sync states are saved; `None` for ephemeral peers.
    peer_key: Option<String>,
    scope: Scope,
    /// The scope this device was last sent (`scope` may be ahead: an
    /// account it just created is writable at once, before it is told).
    told: Scope,
    states: HashMap<DocumentId, State>,
    /// Documents a device may be creating (see `on_new_document`), with
    /// the inflated bytes each has received.
    shadows: HashMap<DocumentId, Shadow>,
    out: mpsc::Sender<Message>,
}

/// A document a device is creating, assembled until it is complete.
#[derive(Default)]
pub(crate) struct Shadow {
    doc: automerge::Automerge,
    state: State,
    /// Inflated bytes received into it so far.
    bytes: u64,
}

/// Runs a connection to the end.
pub async fn run(socket: WebSocket, app: Shared, caller: crate::api::auth::Caller) {
    // checked against later auth changes from here on
    let auth_seen = app.hub.auth_epoch();
    let user = caller.user.clone();
    let (mut sink, mut stream) = socket.split();
    let (out, mut out_rx) = mpsc::channel::<Message>(app.cfg.outbound_queue);
    let writer = tokio::spawn(async move {
        while let Some(m) = out_rx.recv().await {
            let close = matches!(m, Message::Close(_));
            if sink.send(m).await.is_err() || close {
                break;
            }
        }
        let _ = sink.close().await;
    });
    metrics::gauge!("outpost_connections").increment(1.0);

    let joined = tokio::time::timeout(app.cfg.idle_timeout, stream.next()).await;
    let peer = match joined {
        Ok(Some(Ok(Message::Binary(b)))) => match WireMessage::decode(&b) {
            Ok(WireMessage::Join {
                sender_id,
                supported_protocol_versions,
                peer_metadata,
            }) if supported_protocol_versions
                .iter()
                .any(|v| v == PROTOCOL_VERSION) =>
            {
                Ok((sender_id, peer_metadata))
            }
            Ok(WireMessage::Join { sender_id, .. }) => Err((
                sender_id,
                "unsupported protocol version: this server speaks 1",
            )),
            Ok(_) => Err((String::new(), "the first message must be join")),
            Err(_) => Err((String::new(), "malformed frame: not a protocol message")),
        },
        Ok(Some(Ok(Message::Text(_)))) => {
            Err((String::new(), "text frames are not part of the protocol"))
        }
        _ => Err((String::new(), "no join message")),
    };
    let (peer_id, meta) = match peer {
        Ok(p) => p,
        Err((target, reason)) => {
            send_error(&out, &app.peer_id, &target, reason).await;
            finish(out, writer).await;
            return;
        }
    };
    let (conn_id, inbox) = app.hub.connect();
    let peer_key = match &meta {
        Some(PeerMetadata {
            storage_id: Some(s),
            is_ephemeral: false,
        }) => Some(format!("{}/{}", user.id, s)),
        _ => None,
    };
    let mut session = Session {
        app: app.clone(),
        caller,
        user,
        auth_seen,
        conn_id,
        peer_id: peer_id.clone(),
        peer_key,
        scope: Scope::default(),
        told: Scope::default(),
        states: HashMap::new(),
        shadows: HashMap::new(),
        out: out.clone(),
    };
    tracing::info!(conn = conn_id, user = %session.user.id, peer = %peer_id, "device joined");
    let result = session.serve(&mut stream, &inbox).await;
    match &result {
        Ok(()) => tracing::info!(conn = conn_id, "connection closed"),
        Err(e) => {
            tracing::info!(conn = conn_id, error = %e, "connection closed by server");
            if !matches!(e, ConnError::SlowReader) {
                send_error(&out, &app.peer_id, &peer_id, &e.to_string()).await;
            }
        }
    }
    session.save_states().await;
    app.hub.disconnect(conn_id);
    drop(session);
    finish(out, writer).await;
}

async fn finish(out: mpsc::Sender<Message>, mut writer: tokio::task::JoinHandle<()>) {
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        out.send(Message::Close(None)),
    )
    .await;
    drop(out);
    if tokio::time::timeout(std::time::Duration::from_secs(5), &mut writer)
        .await
        .is_err()
    {
        // blocked on a device that stopped reading: abort, which drops the socket
        writer.abort();
        tracing::debug!("writer aborted: the device stopped reading");
    }
    metrics::gauge!("outpost_connections").decrement(1.0);
}

async fn send_error(out: &mpsc::Sender<Message>, me: &str, target: &str, message: &str) {
    let msg = WireMessage::Error {
        sender_id: me.to_owned(),
        message: message.to_owned(),
        target_id: target.to_owned(),
    };
    if let Ok(bytes) = msg.encode() {
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(1),
            out.send(Message::Binary(bytes.into())),
        )
        .await;
    }
}

impl Session {
    async fn send(&self, msg: WireMessage) -> Result<(), ConnError> {
        let bytes = msg.encode().map_err(|_| ConnError::Internal)?;
        metrics::counter!("outpost_messages_total", "direction" => "out").increment(1);
        metrics::counter!("outpost_bytes_total", "direction" => "out")
            .increment(bytes.len() as u64);
        match self
            .out
            .send_timeout(Message::Binary(bytes.into()), self.app.cfg.send_timeout)
            .await
        {
            Ok(()) => Ok(()),
            Err(_) => Err(ConnError::SlowReader),
        }
    }

    async fn serve(
        &mut self,
        stream: &mut futures_util::stream::SplitStream<WebSocket>,
        inbox: &crate::hub::Inbox,
    ) -> Result<(), ConnError> {
        self.send(WireMessage::Peer {
            sender_id: self.app.peer_id.clone(),
            selected_protocol_version: PROTOCOL_VERSION.into(),
            target_id: self.peer_id.clone(),
            peer_metadata: Some(PeerMetadata {
                storage_id: Some(self.app.storage_id.clone()),
                is_ephemeral: false,
            }),
        })
        .await?;
        self.refresh_scope(true).await?;
        let mut last_seen = Instant::now();
        let mut ping = tokio::time::interval(self.app.cfg.ping_interval);
        ping.tick().await;
        // scope changes are coalesced: a device creating thousands of
        // accounts must not make every connection recompute (and resend) its
        // whole scope once per account
        let mut scope_due: Option<tokio::time::Instant> = None;
        loop {
            let scope_timer = async {
                match scope_due {
                    Some(t) => tokio::time::sleep_until(t).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = self.app.shutdown.cancelled() => return Ok(()),
                _ = scope_timer => {
                    scope_due = None;
                    self.refresh_scope(false).await?;
                }
                _ = inbox.notify.notified() => {
                    if self.app.hub.auth_epoch() != self.auth_seen {
                        // a token, user or role changed: check at once, not coalesced
                        inbox.take_scope_changed();
                        self.refresh_scope(false).await?;
                    } else if inbox.take_scope_changed() && scope_due.is_none() {
                        scope_due = Some(tokio::time::Instant::now() + SCOPE_COALESCE);
                    }
                    for doc in inbox.take() {
                        self.offer(doc).await?;
                    }
                    for msg in inbox.take_ephemeral() {
                        self.relay(msg).await?;
                    }
                }
                _ = ping.tick() => {
                    if last_seen.elapsed() > self.app.cfg.idle_timeout {
                        return Err(protocol("no message or pong within the idle timeout"));
                    }
                    self.out
                        .send_timeout(Message::Ping(Vec::new().into()), self.app.cfg.send_timeout)
                        .await
                        .map_err(|_| ConnError::SlowReader)?;
                }
                frame = stream.next() => {
                    last_seen = Instant::now();
                    match frame {
                        None | Some(Ok(Message::Close(_))) => return Ok(()),
                        Some(Err(e)) => {
                            let text = e.to_string();
                            if text.contains("too long") || text.contains("Space limit") || text.contains("capacity") {
                                metrics::counter!("outpost_too_large_total").increment(1);
                                return Err(protocol(format!(
                                    "too_large: a frame may carry {} bytes at most",
                                    self.app.cfg.max_frame_bytes
                                )));
                            }
                            // the device went away without a closing handshake
                            tracing::debug!(conn = self.conn_id, error = %short(&text), "read ended");
                            return Ok(());
                        }
                        Some(Ok(Message::Text(_))) => return Err(protocol("text frames are not part of the protocol")),
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                        Some(Ok(Message::Binary(b))) => {
                            if self.app.hub.auth_epoch() != self.auth_seen {
                                // nothing is stored for a token revoked meanwhile
                                self.refresh_scope(false).await?;
                            }
                            metrics::counter!("outpost_messages_total", "direction" => "in").increment(1);
                            metrics::counter!("outpost_bytes_total", "direction" => "in").increment(b.len() as u64);
                            self.on_frame(&b).await?;
                        }
                    }
                }
            }
        }
    }

    async fn on_frame(&mut self, bytes: &[u8]) -> Result<(), ConnError> {
        let msg = WireMessage::decode(bytes)
            .map_err(|_| protocol("malformed frame: not a protocol message"))?;
        if msg.sender_id() != self.peer_id {
            return Err(protocol("senderId does not match the peer that joined"));
        }
        match msg {
            WireMessage::Request {
                document_id, data, ..
            } => self.on_sync(&document_id, &data, true).await,
            WireMessage::Sync {
                document_id, data, ..
            } => self.on_sync(&document_id, &data, false).await,
            msg @ WireMessage::Ephemeral { .. } => {
                let doc = parse_doc(msg.document_id().unwrap_or_default())?;
                // relayed only between devices that may both see the document
                if self.scope.get(doc).is_some() {
                    self.app.hub.open(self.conn_id, doc);
                    self.app.hub.ephemeral(doc, self.conn_id, msg);
                }
                Ok(())
            }
            WireMessage::RemoteSubscriptionChange { .. }
            | WireMessage::RemoteHeadsChanged { .. }
            | WireMessage::DocUnavailable { .. } => Ok(()),
            WireMessage::Join { .. } => Err(protocol("join may only be sent once")),
            _ => Err(protocol("unexpected message type from a device")),
        }
    }

    async fn unavailable(&self, doc: &str) -> Result<(), ConnError> {
        self.send(WireMessage::DocUnavailable {
            sender_id: self.app.peer_id.clone(),
            target_id: self.peer_id.clone(),
            document_id: doc.to_owned(),
        })
        .await
    }

    async fn reject(&self, doc: DocumentId, code: &str, reason: String) -> Result<(), ConnError> {
        metrics::counter!("outpost_rejected_changes_total").increment(1);
        tracing::warn!(conn = self.conn_id, doc = %doc, %reason, "change refused");
        // the server's heads only for a document this device may see: for
        // any other id, a refusal reveals nothing about whether it exists
        let heads = if self.scope.get(doc).is_some() {
            let app = self.app.clone();
            tokio::task::spawn_blocking(move || app.store().heads(doc))
                .await
                .map_err(|_| ConnError::Internal)?
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        self.send(WireMessage::Rejected {
            sender_id: self.app.peer_id.clone(),
            target_id: self.peer_id.clone(),
            document_id: doc.to_string(),
            reason,
            code: Some(code.to_owned()),
            server_heads: heads.iter().map(|h| h.to_string()).collect(),
        })
        .await
    }

    async fn on_sync(
        &mut self,
        doc_str: &str,
        data: &[u8],
        is_request: bool,
    ) -> Result<(), ConnError> {
        let doc = parse_doc(doc_str)?;
        // compressed changes are inflated here, through a bounded reader,
        // on a blocking thread and not on the writer thread (which holds
        // the store lock); past the limit the message is refused unread
        let limit = self.app.cfg.max_message_inflated_bytes;
        let owned = data.to_vec();
        let decoded = tokio::task::spawn_blocking(move || decode_sync_message(&owned, limit))
            .await
            .map_err(|_| ConnError::Internal)?;
        let (message, inflated) = match decoded {
            Ok(m) => m,
            Err(SyncDecodeError::Invalid) => {
                return Err(protocol("truncated or invalid sync message"));
            }
            Err(SyncDecodeError::Bound(BoundError::TooLarge { limit })) => {
                metrics::counter!("outpost_too_large_total").increment(1);
                return self
                    .reject(
                        doc,
                        "too_large",
                        format!("too_large: the changes of one message may inflate to {limit} bytes at most"),
                    )
                    .await;
            }
            Err(SyncDecodeError::Bound(BoundError::Malformed(reason))) => {
                return self
                    .reject(doc, "schema", format!("invalid Automerge bytes: {reason}"))
                    .await;
            }
        };
        let carries_changes = !message.changes.is_empty();
        let access = self.scope.get(doc);
        tracing::debug!(conn = self.conn_id, doc = %doc, is_request, carries_changes, in_scope = access.is_some(), "sync message");
        let Some(access) = access else {
            if is_request || self.user.role == Role::Viewer {
                return self.unavailable(doc_str).await;
            }
            return self.on_new_document(doc, doc_str, message, inflated).await;
        };
        if !access.writable && carries_changes {
            return self
                .reject(doc, "read_only", "this account is read-only for you".into())
                .await;
        }
        // known state, or the one saved for this device (loaded by the
        // writer); merged and committed in the next group commit, and the
        // reply (new heads) comes back only after the commit
        let started = Instant::now();
        let outcome = crate::writer::merge(crate::writer::Request {
            app: self.app.clone(),
            doc,
            known: self.states.remove(&doc),
            peer_key: self.peer_key.clone(),
            message,
            inflated,
        })
        .await
        .ok_or(ConnError::Internal)?;
        metrics::histogram!("outpost_merge_seconds").record(started.elapsed().as_secs_f64());
        let (state, result) = outcome;
        self.states.insert(doc, state);
        self.app.hub.open(self.conn_id, doc);
        match result {
            Ok((reply, changed)) => {
                if changed {
                    self.app.hub.changed(doc, self.conn_id);
                }
                self.send_sync(doc, reply).await
            }
            Err(
                e @ (CoreError::SchemaViolation { .. }
                | CoreError::UnsupportedSchemaVersion { .. }
                | CoreError::NotAutomerge { .. }),
            ) => self.reject(doc, "schema", e.to_string()).await,
            Err(e @ CoreError::TooLarge { .. }) => {
                self.reject(doc, "too_large", e.to_string()).await
            }
            Err(e) => {
                tracing::error!(conn = self.conn_id, doc = %doc, error = %e, "sync failed");
                Err(ConnError::Internal)
            }
        }
    }

    async fn send_sync(&self, doc: DocumentId, reply: Option<Vec<u8>>) -> Result<(), ConnError> {
        match reply {
            Some(data) => {
                self.send(WireMessage::Sync {
                    sender_id: self.app.peer_id.clone(),
                    target_id: self.peer_id.clone(),
                    document_id: doc.to_string(),
                    data,
                })
                .await
            }
            None => Ok(()),
        }
    }

    /// Sends what a peer needs after another device changed `doc`.
    async fn offer(&mut self, doc: DocumentId) -> Result<(), ConnError> {
        let Some(mut state) = self.states.remove(&doc) else {
            return Ok(());
        };
        let app = self.app.clone();
        let (state, reply) = tokio::task::spawn_blocking(move || {
            let r = app.store().generate_sync_message(doc, &mut state);
            (state, r)
        })
        .await
        .map_err(|_| ConnError::Internal)?;
        self.states.insert(doc, state);
        self.send_sync(doc, reply.map_err(|_| ConnError::Internal)?)
            .await
    }

    /// Forwards another device's ephemeral message, addressed to this peer.
    async fn relay(&self, msg: WireMessage) -> Result<(), ConnError> {
        if let WireMessage::Ephemeral {
            sender_id,
            count,
            session_id,
            document_id,
            data,
            ..
        } = msg
        {
            self.send(WireMessage::Ephemeral {
                sender_id,
                target_id: self.peer_id.clone(),
                count,
                session_id,
                document_id,
                data,
            })
            .await?;
        }
        Ok(())
    }

    async fn save_states(&mut self) {
        let Some(key) = self.peer_key.clone() else {
            return;
        };
        let states: Vec<(DocumentId, State)> = self.states.drain().collect();
        let app = self.app.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let store = app.store();
            for (doc, st) in states {
                if let Err(e) = store.save_sync_state(&key, doc, &st) {
                    tracing::warn!(doc = %doc, error = %e, "could not save sync state");
                }
            }
        })
        .await;
    }
}

fn parse_doc(s: &str) -> Result<DocumentId, ConnError> {
    s.parse().map_err(|_| protocol("invalid document id"))
}

fn short(s: &str) -> String {
    s.chars().take(120).collect()
}
