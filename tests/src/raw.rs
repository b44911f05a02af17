//! A websocket client that speaks the wire protocol frame by frame.

use std::fmt;
use std::time::{Duration, Instant};

use automerge::sync::State;
use futures_util::{SinkExt, StreamExt};
use outpost_core::DocumentId;
use outpost_core::store::Store;
use outpost_core::sync::wire::{PeerMetadata, WireMessage};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// What [`RawClient::recv_event`] saw.
#[derive(Debug)]
pub enum Event {
    /// A protocol message.
    Msg(WireMessage),
    /// A binary frame that is not a protocol message.
    Undecodable(Vec<u8>),
    /// A text frame.
    Text(String),
    /// The connection ended: a close frame, end of stream or an I/O error (described).
    Closed(String),
    /// Nothing arrived in time.
    Timeout,
}

/// Why a websocket connection could not be opened.
#[derive(Debug)]
pub enum ConnectError {
    /// The server answered the upgrade request with this HTTP status.
    Http(u16),
    /// Anything else.
    Other(String),
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A websocket client that speaks the wire protocol frame by frame, with no
/// automerge-repo logic: for tests that send exactly what they want.
pub struct RawClient {
    ws: Ws,
    peer_id: String,
    server_peer_id: String,
    closed: bool,
}

impl fmt::Debug for RawClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawClient")
            .field("peer_id", &self.peer_id)
            .field("server_peer_id", &self.server_peer_id)
            .field("closed", &self.closed)
            .finish()
    }
}

impl RawClient {
    /// Connects with `Authorization: Bearer <token>`; panics on failure.
    pub async fn connect(url: &str, token: &str) -> RawClient {
        match Self::try_connect(url, Some(token)).await {
            Ok(c) => c,
            Err(e) => panic!("websocket connect to {url} failed: {e:?}"),
        }
    }

    /// Connects, with the token (if any) as a bearer header. Put it in the
    /// URL (`?token=`) instead by passing `None` and such a URL.
    pub async fn try_connect(url: &str, token: Option<&str>) -> Result<RawClient, ConnectError> {
        let mut req = url
            .into_client_request()
            .map_err(|e| ConnectError::Other(e.to_string()))?;
        if let Some(t) = token {
            let v = HeaderValue::from_str(&format!("Bearer {t}"))
                .map_err(|e| ConnectError::Other(e.to_string()))?;
            req.headers_mut().insert("Authorization", v);
        }
        let connect = tokio_tungstenite::connect_async(req);
        match tokio::time::timeout(Duration::from_secs(20), connect).await {
            Ok(Ok((ws, _))) => Ok(RawClient {
                ws,
                peer_id: String::new(),
                server_peer_id: String::new(),
                closed: false,
            }),
            Ok(Err(tungstenite::Error::Http(resp))) => {
                Err(ConnectError::Http(resp.status().as_u16()))
            }
            Ok(Err(e)) => Err(ConnectError::Other(e.to_string())),
            Err(_) => Err(ConnectError::Other("connect timed out".into())),
        }
    }

    /// The peer id this client joined with ("" before [`RawClient::join`]).
    pub fn peer_id(&self) -> &str {
        &self.peer_id
    }

    /// The server's peer id, from its `peer` reply.
    pub fn server_peer_id(&self) -> &str {
        &self.server_peer_id
    }

    /// The local TCP port of this connection.
    pub fn local_port(&self) -> u16 {
        match self.ws.get_ref() {
            MaybeTlsStream::Plain(s) => s.local_addr().expect("local addr").port(),
            _ => panic!("not a plain TCP stream"),
        }
    }

    /// Sends `join` (protocol "1", an ephemeral peer), and returns the
    /// server's `peer` reply and the `outpost-scope` that follows it.
    pub async fn join(&mut self, peer_id: &str) -> (WireMessage, WireMessage) {
        self.send_msg(&WireMessage::Join {
            sender_id: peer_id.to_owned(),
            supported_protocol_versions: vec!["1".into()],
            peer_metadata: Some(PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            }),
        })
        .await;
        self.peer_id = peer_id.to_owned();
        let t = Duration::from_secs(10);
        let peer = self.recv_msg(t).await.expect("a peer reply to join");
        match &peer {
            WireMessage::Peer {
                sender_id,
                selected_protocol_version,
                target_id,
                ..
            } => {
                assert_eq!(selected_protocol_version, "1");
                assert_eq!(target_id, peer_id);
                self.server_peer_id = sender_id.clone();
            }
            other => panic!("expected peer, got {other:?}"),
        }
        let scope = self.recv_msg(t).await.expect("outpost-scope after peer");
        assert!(
            matches!(scope, WireMessage::Scope { .. }),
            "expected outpost-scope, got {scope:?}"
        );
        (peer, scope)
    }

    /// Sends one binary frame.
    pub async fn send_frame(&mut self, bytes: Vec<u8>) {
        self.ws
            .send(Message::Binary(bytes.into()))
            .await
            .expect("send binary frame");
    }

    /// Sends one binary frame, giving up after `timeout`; `Err` describes a
    /// failure (the connection is gone) or the timeout (the peer stopped reading).
    pub async fn try_send_frame(
        &mut self,
        bytes: Vec<u8>,
        timeout: Duration,
    ) -> Result<(), String> {
        match tokio::time::timeout(timeout, self.ws.send(Message::Binary(bytes.into()))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("timed out".into()),
        }
    }

    /// Sends one text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::Text(text.into()))
            .await
            .expect("send text frame");
    }

    /// Encodes and sends a protocol message.
    pub async fn send_msg(&mut self, msg: &WireMessage) {
        self.send_frame(msg.encode().expect("encode wire message"))
            .await;
    }

    /// Sends a `sync` (or `request`) for `doc` from this client's peer id.
    pub async fn send_sync(&mut self, doc: &str, data: Vec<u8>, request: bool) {
        let msg = WireMessage::sync_message(
            request,
            self.peer_id.clone(),
            self.server_peer_id.clone(),
            doc.to_owned(),
            data,
        );
        self.send_msg(&msg).await;
    }

    /// The next event, skipping pings and pongs.
    pub async fn recv_event(&mut self, timeout: Duration) -> Event {
        if self.closed {
            return Event::Closed("already closed".into());
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let next = tokio::time::timeout_at(deadline, self.ws.next()).await;
            let frame = match next {
                Err(_) => return Event::Timeout,
                Ok(f) => f,
            };
            let ev = match frame {
                None => Event::Closed("end of stream".into()),
                Some(Err(e)) => Event::Closed(format!("error: {e}")),
                Some(Ok(Message::Close(f))) => Event::Closed(format!("close frame {f:?}")),
                Some(Ok(Message::Binary(b))) => match WireMessage::decode(&b) {
                    Ok(m) => Event::Msg(m),
                    Err(_) => Event::Undecodable(b.to_vec()),
                },
                Some(Ok(Message::Text(t))) => Event::Text(t.to_string()),
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
            };
            if matches!(ev, Event::Closed(_)) {
                self.closed = true;
            }
            return ev;
        }
    }

    /// The next protocol message, or `None` on timeout or when the
    /// connection ended. Panics on a frame that is not a protocol message.
    pub async fn recv_msg(&mut self, timeout: Duration) -> Option<WireMessage> {
        match self.recv_event(timeout).await {
            Event::Msg(m) => Some(m),
            Event::Timeout | Event::Closed(_) => None,
            other => panic!("the server sent a frame that is not a protocol message: {other:?}"),
        }
    }

    /// Whether the connection was seen to end.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Expects the server to send an `error` message and then close the
    /// connection, all within `timeout`; returns the error's text. Other
    /// messages before the error are skipped. Panics if the connection
    /// closes without an error, if anything follows the error, or on timeout.
    pub async fn expect_error_and_close(&mut self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut error: Option<String> = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.recv_event(left).await {
                Event::Msg(WireMessage::Error {
                    message, target_id, ..
                }) => {
                    assert!(error.is_none(), "two error messages");
                    if !self.peer_id.is_empty() {
                        assert_eq!(target_id, self.peer_id, "error addressed to another peer");
                    }
                    error = Some(message);
                }
                Event::Msg(m) => {
                    assert!(error.is_none(), "message after the error: {m:?}");
                }
                Event::Closed(how) => {
                    return error.unwrap_or_else(|| {
                        panic!("the server closed the connection ({how}) without an error message")
                    });
                }
                Event::Timeout => match error {
                    Some(e) => panic!(
                        "the server sent error {e:?} but did not close the connection within {timeout:?}"
                    ),
                    None => panic!("no error and no close within {timeout:?}"),
                },
                other => panic!("unexpected frame from the server: {other:?}"),
            }
        }
    }

    /// Reads until the connection ends, within `timeout`; returns the
    /// protocol messages read and how it ended. Panics on timeout.
    pub async fn expect_close(&mut self, timeout: Duration) -> (Vec<WireMessage>, String) {
        let deadline = Instant::now() + timeout;
        let mut msgs = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.recv_event(left).await {
                Event::Msg(m) => msgs.push(m),
                Event::Closed(how) => return (msgs, how),
                Event::Timeout => panic!(
                    "the connection was still open after {timeout:?} ({} messages read)",
                    msgs.len()
                ),
                other => panic!("unexpected frame from the server: {other:?}"),
            }
        }
    }

    /// Closes the connection politely.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.ws.close(None)).await;
    }

    /// Runs the Automerge sync protocol for `doc` between `store` and the
    /// server until both have the same heads: uploads a document `store`
    /// has, or downloads one it lacks. The first message goes out as a
    /// `request` if `request` is true (a document the server should already
    /// have), else as `sync` (how a device creates a new document). Panics on
    /// `doc-unavailable`, `outpost-rejected`, `error`, a closed connection or
    /// when not settled within `timeout`.
    pub async fn sync_doc(
        &mut self,
        store: &mut Store,
        doc: DocumentId,
        request: bool,
        timeout: Duration,
    ) {
        let deadline = Instant::now() + timeout;
        let mut state = State::new();
        let mut first = true;
        let doc_str = doc.to_string();
        loop {
            let msg = store
                .generate_sync_message(doc, &mut state)
                .expect("generate sync message");
            if let Some(data) = msg {
                self.send_sync(&doc_str, data, request && first).await;
                first = false;
            }
            // settled once the server's last word carries our heads: it has
            // everything we have, and we have everything it has
            if store.contains(doc).expect("store") {
                let mut ours = store.heads(doc).expect("heads");
                ours.sort();
                let mut theirs = state.their_heads.clone().unwrap_or_default();
                theirs.sort();
                if !ours.is_empty() && ours == theirs {
                    return;
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.recv_event(left).await {
                Event::Msg(WireMessage::Sync {
                    document_id, data, ..
                }) if document_id == doc_str => {
                    store
                        .receive_sync_message(doc, &mut state, &data)
                        .expect("receive the server's sync message");
                }
                Event::Msg(
                    m @ (WireMessage::DocUnavailable { .. }
                    | WireMessage::Rejected { .. }
                    | WireMessage::Error { .. }),
                ) if m.document_id().is_none_or(|d| d == doc_str) => {
                    panic!("syncing {doc_str}: the server answered {m:?}")
                }
                Event::Msg(_) => {}
                Event::Timeout => panic!(
                    "syncing {doc_str}: not settled within {timeout:?} (their heads {:?})",
                    state.their_heads
                ),
                other => panic!("syncing {doc_str}: {other:?}"),
            }
        }
    }
}
