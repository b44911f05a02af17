//! A simulated device: one websocket speaking automerge-repo's protocol v1,
//! its own local copy of each document it holds, and one Automerge sync
//! state per document. It works against both servers: it skips Outpost's
//! `outpost-scope` and anything else it does not need.
//!
//! Local copies are either plain in-memory Automerge documents (light: the
//! many-device runs) or an in-memory `outpost_core` `Store` (the device whose
//! view is measured: a change counts as visible once it went through the
//! store's validated merge and index).
//!
//! Each device runs as one tokio task; the driver talks to it through
//! [`Peer`] commands.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use automerge::sync::{State, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, ChangeHash, ObjType, ROOT, ReadDoc, Value};
use futures_util::{SinkExt, StreamExt};
use outpost_core::DocumentId;
use outpost_core::model::Account;
use outpost_core::store::Store;
use outpost_core::sync::wire::{PeerMetadata, WireMessage};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// The field every bench edit writes: `account.industry`.
pub const FIELD: &str = "industry";

/// Counters of one device (or shared by many).
#[derive(Debug, Default)]
pub struct Stats {
    pub bytes_out: AtomicU64,
    pub bytes_in: AtomicU64,
    pub frames_out: AtomicU64,
    pub frames_in: AtomicU64,
    /// Of those bytes, the Automerge sync messages themselves (the `data`
    /// of `sync`/`request` frames, both ways); the rest is the envelope.
    pub sync_data: AtomicU64,
    /// Of `sync_data`: the change hashes (heads, needs, last-sync heads),
    /// the Bloom filters, and the changes themselves; the rest is framing
    /// (message type, lengths, flags).
    pub sync_hashes: AtomicU64,
    pub sync_blooms: AtomicU64,
    pub sync_changes: AtomicU64,
    /// Own edits the server acknowledged (its heads cover them).
    pub acked: AtomicU64,
    pub edits: AtomicU64,
}

impl Stats {
    /// Counts one Automerge sync message and what its bytes are made of.
    fn count_sync(&self, data: &[u8]) {
        let add = |c: &AtomicU64, n: usize| c.fetch_add(n as u64, Ordering::Relaxed);
        add(&self.sync_data, data.len());
        let Ok(m) = automerge::sync::Message::decode(data) else {
            return;
        };
        let hashes =
            m.heads.len() + m.need.len() + m.have.iter().map(|h| h.last_sync.len()).sum::<usize>();
        add(&self.sync_hashes, hashes * 32);
        add(
            &self.sync_blooms,
            m.have.iter().map(|h| h.bloom.to_bytes().len()).sum(),
        );
        add(&self.sync_changes, m.changes.iter().map(<[u8]>::len).sum());
    }
}

enum Cmd {
    /// Take a local copy (or none: fetch it) and sync until both sides agree.
    Open {
        doc: DocumentId,
        bytes: Option<Vec<u8>>,
        done: oneshot::Sender<()>,
    },
    Edit {
        doc: DocumentId,
        value: String,
        acked: Option<oneshot::Sender<Instant>>,
    },
    Watch {
        doc: DocumentId,
        value: String,
        seen: oneshot::Sender<Instant>,
    },
}

/// The driver's handle on a device task.
#[derive(Debug, Clone)]
pub struct Peer {
    tx: mpsc::UnboundedSender<Cmd>,
}

/// Where a device keeps its documents.
pub enum Local {
    Light(HashMap<DocumentId, Automerge>),
    Store(Box<Store>),
}

impl Local {
    pub fn light() -> Local {
        Local::Light(HashMap::new())
    }

    fn has(&mut self, doc: DocumentId) -> bool {
        match self {
            Local::Light(m) => m.contains_key(&doc),
            Local::Store(s) => s.contains(doc).unwrap_or(false),
        }
    }

    fn insert(&mut self, doc: DocumentId, bytes: &[u8]) {
        match self {
            Local::Light(m) => {
                let am = Automerge::load(bytes)
                    .expect("bench document loads")
                    .with_actor(automerge::ActorId::random());
                m.insert(doc, am);
            }
            Local::Store(s) => {
                s.apply(doc, bytes).expect("store takes the bench document");
            }
        }
    }

    fn heads(&mut self, doc: DocumentId) -> Vec<ChangeHash> {
        match self {
            Local::Light(m) => m.get(&doc).map(|d| d.get_heads()).unwrap_or_default(),
            Local::Store(s) => {
                if s.contains(doc).unwrap_or(false) {
                    s.heads(doc).unwrap_or_default()
                } else {
                    Vec::new()
                }
            }
        }
    }

    fn generate(&mut self, doc: DocumentId, state: &mut State) -> Option<Vec<u8>> {
        match self {
            Local::Light(m) => m
                .entry(doc)
                .or_default()
                .generate_sync_message(state)
                .map(automerge::sync::Message::encode),
            Local::Store(s) => s.generate_sync_message(doc, state).ok().flatten(),
        }
    }

    fn receive(&mut self, doc: DocumentId, state: &mut State, data: &[u8]) {
        match self {
            Local::Light(m) => {
                if let Ok(msg) = automerge::sync::Message::decode(data) {
                    let d = m.entry(doc).or_default();
                    let _ = d.receive_sync_message(state, msg);
                }
            }
            Local::Store(s) => {
                let _ = s.receive_sync_message(doc, state, data);
            }
        }
    }

    fn edit(&mut self, doc: DocumentId, value: &str) -> Option<ChangeHash> {
        match self {
            Local::Light(m) => {
                let d = m.get_mut(&doc)?;
                let obj = match d.get(ROOT, "account").ok()? {
                    Some((Value::Object(ObjType::Map), id)) => id,
                    _ => return None,
                };
                let mut tx = d.transaction();
                tx.put(&obj, FIELD, value).ok()?;
                tx.commit().0
            }
            Local::Store(s) => {
                let id = s.doc(doc).ok()?.account()?.record.meta.id.clone();
                s.modify::<Account>(doc, &id, |a| a.industry = Some(value.to_owned()))
                    .ok()?;
                s.heads(doc).ok()?.first().copied()
            }
        }
    }

    fn field(&mut self, doc: DocumentId) -> Option<String> {
        match self {
            Local::Light(m) => {
                let d = m.get(&doc)?;
                let obj = match d.get(ROOT, "account").ok()? {
                    Some((Value::Object(ObjType::Map), id)) => id,
                    _ => return None,
                };
                match d.get(&obj, FIELD).ok()? {
                    Some((Value::Scalar(s), _)) => s.as_str().map(str::to_owned),
                    _ => None,
                }
            }
            Local::Store(s) => s.doc(doc).ok()?.account()?.record.industry,
        }
    }
}

#[derive(Default)]
struct DocState {
    sync: State,
    settle: Vec<oneshot::Sender<()>>,
    /// Own edits not yet acknowledged, oldest first.
    pending: Vec<(ChangeHash, Option<oneshot::Sender<Instant>>)>,
    watches: Vec<(String, oneshot::Sender<Instant>)>,
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects, joins, and starts the device task.
pub async fn connect(
    url: &str,
    token: Option<&str>,
    local: Local,
    stats: Arc<Stats>,
) -> Result<Peer, String> {
    let mut req = url.into_client_request().map_err(|e| e.to_string())?;
    if let Some(t) = token {
        let v = HeaderValue::from_str(&format!("Bearer {t}")).map_err(|e| e.to_string())?;
        req.headers_mut().insert("Authorization", v);
    }
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .map_err(|e| e.to_string())?;
    let peer_id = format!("bench-{:016x}", rand::random::<u64>());
    let join = WireMessage::Join {
        sender_id: peer_id.clone(),
        supported_protocol_versions: vec!["1".into()],
        peer_metadata: Some(PeerMetadata {
            storage_id: None,
            is_ephemeral: true,
        }),
    }
    .encode()
    .map_err(|e| e.to_string())?;
    count(&stats.bytes_out, &stats.frames_out, join.len());
    ws.send(Message::Binary(join.into()))
        .await
        .map_err(|e| e.to_string())?;
    let server_id = loop {
        match ws.next().await {
            Some(Ok(Message::Binary(b))) => {
                count(&stats.bytes_in, &stats.frames_in, b.len());
                if let Ok(WireMessage::Peer { sender_id, .. }) = WireMessage::decode(&b) {
                    break sender_id;
                }
            }
            Some(Ok(_)) => {}
            other => return Err(format!("no peer reply: {other:?}")),
        }
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let task = Device {
        ws,
        peer_id,
        server_id,
        local,
        docs: HashMap::new(),
        stats,
    };
    tokio::spawn(task.run(rx));
    Ok(Peer { tx })
}

fn count(bytes: &AtomicU64, frames: &AtomicU64, n: usize) {
    bytes.fetch_add(n as u64, Ordering::Relaxed);
    frames.fetch_add(1, Ordering::Relaxed);
}

impl Peer {
    /// Takes `bytes` as the local copy of `doc` (or starts empty) and syncs
    /// until the server and this device have the same heads.
    pub async fn open(&self, doc: DocumentId, bytes: Option<Vec<u8>>) {
        let (done, rx) = oneshot::channel();
        let _ = self.tx.send(Cmd::Open { doc, bytes, done });
        let _ = rx.await;
    }

    /// Sets the bench field; `Some` receiver resolves when the server acked it.
    pub fn edit(
        &self,
        doc: DocumentId,
        value: String,
        want_ack: bool,
    ) -> Option<oneshot::Receiver<Instant>> {
        let (acked, rx) = if want_ack {
            let (a, r) = oneshot::channel();
            (Some(a), Some(r))
        } else {
            (None, None)
        };
        let _ = self.tx.send(Cmd::Edit { doc, value, acked });
        rx
    }

    /// Resolves when the bench field of `doc` holds `value` here.
    pub fn watch(&self, doc: DocumentId, value: String) -> oneshot::Receiver<Instant> {
        let (seen, rx) = oneshot::channel();
        let _ = self.tx.send(Cmd::Watch { doc, value, seen });
        rx
    }
}

struct Device {
    ws: Ws,
    peer_id: String,
    server_id: String,
    local: Local,
    docs: HashMap<DocumentId, DocState>,
    stats: Arc<Stats>,
}

impl Device {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Cmd>) {
        loop {
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    Some(c) => { if self.on_cmd(c).await.is_err() { return; } }
                    None => { let _ = self.ws.close(None).await; return; }
                },
                frame = self.ws.next() => match frame {
                    Some(Ok(Message::Binary(b))) => {
                        count(&self.stats.bytes_in, &self.stats.frames_in, b.len());
                        if self.on_frame(&b).await.is_err() { return; }
                    }
                    Some(Ok(_)) => {}
                    _ => return,
                }
            }
        }
    }

    async fn on_cmd(&mut self, cmd: Cmd) -> Result<(), ()> {
        match cmd {
            Cmd::Open { doc, bytes, done } => {
                let request = bytes.is_none() && !self.local.has(doc);
                if let Some(b) = bytes {
                    self.local.insert(doc, &b);
                }
                self.docs.entry(doc).or_default().settle.push(done);
                self.send_sync(doc, request).await?;
            }
            Cmd::Edit { doc, value, acked } => {
                if let Some(h) = self.local.edit(doc, &value) {
                    self.stats.edits.fetch_add(1, Ordering::Relaxed);
                    self.docs.entry(doc).or_default().pending.push((h, acked));
                    self.send_sync(doc, false).await?;
                }
            }
            Cmd::Watch { doc, value, seen } => {
                if self.local.field(doc).as_deref() == Some(value.as_str()) {
                    let _ = seen.send(Instant::now());
                } else {
                    self.docs
                        .entry(doc)
                        .or_default()
                        .watches
                        .push((value, seen));
                }
            }
        }
        Ok(())
    }

    async fn send_sync(&mut self, doc: DocumentId, request: bool) -> Result<(), ()> {
        let st = self.docs.entry(doc).or_default();
        let Some(data) = self.local.generate(doc, &mut st.sync) else {
            return Ok(());
        };
        self.stats.count_sync(&data);
        let msg = WireMessage::sync_message(
            request,
            self.peer_id.clone(),
            self.server_id.clone(),
            doc.to_string(),
            data,
        );
        let bytes = msg.encode().map_err(|_| ())?;
        count(&self.stats.bytes_out, &self.stats.frames_out, bytes.len());
        self.ws
            .send(Message::Binary(bytes.into()))
            .await
            .map_err(|_| ())
    }

    async fn on_frame(&mut self, b: &[u8]) -> Result<(), ()> {
        let Ok(WireMessage::Sync {
            document_id, data, ..
        }) = WireMessage::decode(b)
        else {
            return Ok(());
        };
        let Ok(doc) = document_id.parse::<DocumentId>() else {
            return Ok(());
        };
        self.stats.count_sync(&data);
        let st = self.docs.entry(doc).or_default();
        self.local.receive(doc, &mut st.sync, &data);
        self.send_sync(doc, false).await?;
        let now = Instant::now();
        let ours = self.local.heads(doc);
        let value = self.local.field(doc);
        let st = self.docs.entry(doc).or_default();
        let mut theirs = st.sync.their_heads.clone().unwrap_or_default();
        theirs.sort();
        let mut sorted = ours.clone();
        sorted.sort();
        let in_step = !sorted.is_empty() && sorted == theirs;
        if in_step {
            for s in st.settle.drain(..) {
                let _ = s.send(());
            }
        }
        // own edits form a chain: an acked edit acks every earlier one
        let upto = if in_step {
            st.pending.len()
        } else {
            st.pending
                .iter()
                .rposition(|(h, _)| theirs.contains(h))
                .map_or(0, |i| i + 1)
        };
        for (_, a) in st.pending.drain(..upto) {
            self.stats.acked.fetch_add(1, Ordering::Relaxed);
            if let Some(a) = a {
                let _ = a.send(now);
            }
        }
        if let Some(v) = value {
            let mut i = 0;
            while i < st.watches.len() {
                if st.watches[i].0 == v {
                    let (_, s) = st.watches.swap_remove(i);
                    let _ = s.send(now);
                } else {
                    i += 1;
                }
            }
        }
        Ok(())
    }
}
