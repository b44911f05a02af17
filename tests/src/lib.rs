//! End-to-end test harness: runs the real `outpost-server` binary in a
//! temporary data directory on an ephemeral loopback port, drives its admin
//! CLI, and talks the wire protocol with a raw websocket client.
//!
//! The binary is not built by `cargo test -p outpost-e2e` itself (a test crate
//! cannot depend on another package's binary), so [`server_binary`] finds it in
//! the workspace target directory and runs `cargo build -p outpost-server`
//! once per test process when it is missing or older than the server's or the
//! core's sources.

use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use automerge::sync::State;
use futures_util::{SinkExt, StreamExt};
use outpost_core::DocumentId;
use outpost_core::store::Store;
use outpost_core::sync::wire::{PeerMetadata, WireMessage};
use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub mod api;
pub mod device;

/// How long a server may take to print its "listening" line.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Environment variables the server reads as defaults for its flags: removed
/// from the child's environment so a developer's shell cannot change a test.
const SERVER_ENV: &[&str] = &[
    "OUTPOST_DATA_DIR",
    "OUTPOST_LISTEN",
    "OUTPOST_MAX_FRAME_BYTES",
    "OUTPOST_OUTBOUND_QUEUE",
    "OUTPOST_SEND_TIMEOUT_SECS",
    "OUTPOST_PING_SECS",
    "OUTPOST_IDLE_TIMEOUT_SECS",
    "OUTPOST_CACHE_DOCS",
    "OUTPOST_ADMIN_TOKEN",
];

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the e2e crate lives inside the workspace")
        .to_path_buf()
}

/// The workspace target directory: `CARGO_TARGET_DIR` if set, else `<root>/target`.
pub fn target_dir() -> PathBuf {
    let root = workspace_root();
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => root.join(d), // join keeps an absolute path as is
        _ => root.join("target"),
    }
}

fn newest_mtime(path: &Path, newest: &mut Option<SystemTime>) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if meta.is_dir() {
        if let Ok(entries) = std::fs::read_dir(path) {
            for e in entries.flatten() {
                newest_mtime(&e.path(), newest);
            }
        }
    } else if let Ok(m) = meta.modified()
        && newest.is_none_or(|n| m > n)
    {
        *newest = Some(m);
    }
}

/// Whether `bin` is missing or older than a source it is built from.
fn needs_build(bin: &Path) -> bool {
    let Ok(built) = std::fs::metadata(bin).and_then(|m| m.modified()) else {
        return true;
    };
    let root = workspace_root();
    let mut newest = None;
    for p in [
        "Cargo.toml",
        "Cargo.lock",
        "core/Cargo.toml",
        "core/src",
        "sync-server/Cargo.toml",
        "sync-server/src",
        "sync-server/build.rs",
        "sync-server/console",
    ] {
        newest_mtime(&root.join(p), &mut newest);
    }
    newest.is_some_and(|n| n > built)
}

/// The `outpost-server` binary (`OUTPOST_SERVER_BIN` overrides), built once
/// per test process with `cargo build -p outpost-server` if it is missing or
/// older than its sources.
pub fn server_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("OUTPOST_SERVER_BIN") {
            return PathBuf::from(p);
        }
        let target = target_dir();
        let bin = target
            .join("debug")
            .join(format!("outpost-server{}", std::env::consts::EXE_SUFFIX));
        if needs_build(&bin) {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            eprintln!("e2e: building outpost-server into {}", target.display());
            let status = Command::new(cargo)
                .args(["build", "-p", "outpost-server"])
                .current_dir(workspace_root())
                .env("CARGO_TARGET_DIR", &target)
                .status()
                .expect("run cargo build -p outpost-server");
            assert!(status.success(), "cargo build -p outpost-server failed");
        }
        assert!(
            bin.exists(),
            "outpost-server binary not found at {}",
            bin.display()
        );
        bin
    })
    .clone()
}

/// A running `outpost-server` with its own temporary data directory.
///
/// The process is killed (by its process id, `SIGKILL` on Unix) when the
/// value is dropped. Its stderr goes to `server.log` in the data directory's
/// parent temp dir (see [`Server::log`]).
pub struct Server {
    dir: TempDir,
    bin: PathBuf,
    child: Option<Child>,
    port: u16,
    admin_token: String,
    serve_args: Vec<String>,
    /// The open-file limit (soft and hard) the server runs under, if set.
    open_files: Option<u64>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("dir", &self.dir.path())
            .field("port", &self.port)
            .field("pid", &self.child.as_ref().map(Child::id))
            .field("serve_args", &self.serve_args)
            .finish()
    }
}

fn random_token() -> String {
    let bytes: [u8; 24] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("e2e_admin_{hex}")
}

impl Server {
    /// Starts a server with default settings.
    pub fn start() -> Server {
        Self::start_with(&[])
    }

    /// Starts a server with extra `serve` flags, e.g. `["--max-frame-bytes", "65536"]`.
    pub fn start_with(serve_args: &[&str]) -> Server {
        Self::start_limited(serve_args, None)
    }

    /// Starts a server under an open-file limit (soft and hard, through
    /// util-linux's `prlimit`), e.g. to show descriptors cannot run out.
    pub fn start_limited(serve_args: &[&str], open_files: Option<u64>) -> Server {
        let dir = tempfile::Builder::new()
            .prefix("outpost-e2e-")
            .tempdir()
            .expect("create temp dir");
        let mut server = Server {
            dir,
            bin: server_binary(),
            child: None,
            port: 0,
            admin_token: random_token(),
            serve_args: serve_args.iter().map(|s| (*s).to_owned()).collect(),
            open_files,
        };
        let (child, port) = server.spawn(0).unwrap_or_else(|e| panic!("{e}"));
        server.child = Some(child);
        server.port = port;
        server
    }

    /// The data directory (`--data-dir`).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// Everything the server wrote to stderr so far (all runs).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn command(&self) -> Command {
        let mut cmd = match self.open_files {
            // prlimit execs the server: the pid stays the server's
            Some(n) => {
                let mut c = Command::new("prlimit");
                c.arg(format!("--nofile={n}:{n}")).arg("--").arg(&self.bin);
                c
            }
            None => Command::new(&self.bin),
        };
        for v in SERVER_ENV {
            cmd.env_remove(v);
        }
        // every other server setting from the developer's shell too
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("OUTPOST_") {
                cmd.env_remove(k);
            }
        }
        cmd.arg("--data-dir").arg(self.data_dir());
        cmd
    }

    /// Spawns `serve` on `port` (0: any) and waits for its listening line.
    fn spawn(&self, port: u16) -> Result<(Child, u16), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .map_err(|e| format!("open server log: {e}"))?;
        let mut cmd = self.command();
        cmd.arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .args(&self.serve_args)
            .env("OUTPOST_ADMIN_TOKEN", &self.admin_token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        if std::env::var_os("RUST_LOG").is_none() {
            cmd.env("RUST_LOG", "info");
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", self.bin.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            // keeps reading until the process exits, so it never blocks on a full pipe
            let mut sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !sent && line.starts_with("outpost-server listening on http://") {
                    sent = tx.send(line).is_ok();
                }
            }
        });
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(line) => {
                let addr = line.trim_start_matches("outpost-server listening on http://");
                let port = addr
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.trim().parse::<u16>().ok())
                    .ok_or_else(|| format!("unexpected listening line: {line:?}"))?;
                Ok((child, port))
            }
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().ok();
                Err(format!(
                    "outpost-server did not start (exit: {status:?}); log:\n{}",
                    self.log()
                ))
            }
        }
    }

    /// The websocket URL, `ws://127.0.0.1:PORT/sync`.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/sync", self.port)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn http_base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port the server listens on now.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The admin user's token (given to the server through `OUTPOST_ADMIN_TOKEN`).
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// The server's process id. Panics if it was killed and not restarted.
    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .map(Child::id)
            .expect("the server is not running")
    }

    /// Runs the admin CLI (`outpost-server --data-dir DIR ARGS...`), asserts
    /// it succeeded, and returns its stdout. Works while the server runs.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = self
            .command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run outpost-server CLI");
        assert!(
            out.status.success(),
            "outpost-server {args:?} failed ({}):\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("CLI output is UTF-8")
    }

    /// Adds a user (`rep`, `manager`, `admin` or `viewer`) and returns a fresh token.
    pub fn add_user(&self, id: &str, role: &str, team: Option<&str>) -> String {
        let mut args = vec!["user", "add", id, "--role", role];
        if let Some(t) = team {
            args.extend(["--team", t]);
        }
        self.cli(&args);
        self.issue_token(id)
    }

    /// Issues another token for an existing user.
    pub fn issue_token(&self, user: &str) -> String {
        let token = self.cli(&["token", "issue", user]).trim().to_owned();
        assert!(!token.is_empty(), "token issue printed nothing");
        token
    }

    /// Revokes a token (the token itself or its id).
    pub fn revoke_token(&self, token: &str) {
        self.cli(&["token", "revoke", token]);
    }

    /// Gives `user` the account `doc` (the bare document id, without
    /// `automerge:`). A running server notices within about two seconds (it
    /// polls the auth database); a connection made afterwards sees it at once.
    pub fn assign(&self, user: &str, doc: &str) {
        self.cli(&["assign", user, doc]);
    }

    /// Takes the account `doc` away from `user`.
    pub fn unassign(&self, user: &str, doc: &str) {
        self.cli(&["unassign", user, doc]);
    }

    /// Adds a territory to a user.
    pub fn add_territory(&self, user: &str, territory: &str) {
        self.cli(&["territory", "add", user, territory]);
    }

    /// Kills the server with `SIGKILL` (no graceful shutdown) and reaps it.
    /// Does nothing if it is not running.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the process is still running (reaps it if it exited).
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Kills the server if it runs, and starts it again on the same data
    /// directory. It tries the same port first; if that port cannot be bound
    /// (taken meanwhile), it falls back to a new ephemeral port — so always
    /// take [`Server::url`] again after a restart.
    pub fn restart(&mut self) {
        self.kill();
        let mut last_err = String::new();
        // a just-killed listener's port is normally free at once (tokio sets
        // SO_REUSEADDR); retry briefly before giving it up
        for _ in 0..5 {
            match self.spawn(self.port) {
                Ok((child, port)) => {
                    self.child = Some(child);
                    self.port = port;
                    return;
                }
                Err(e) => {
                    last_err = e;
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
        eprintln!(
            "e2e: port {} could not be reused ({last_err}); using a new port",
            self.port
        );
        let (child, port) = self.spawn(0).unwrap_or_else(|e| panic!("{e}"));
        self.child = Some(child);
        self.port = port;
    }

    /// `GET path` with an optional bearer token: (status, body).
    pub fn http_get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        http_request(self.port, "GET", path, token, None)
    }

    /// `POST path` with a JSON body: (status, body).
    pub fn http_post(&self, path: &str, token: Option<&str>, json: &str) -> (u16, String) {
        http_request(self.port, "POST", path, token, Some(json))
    }

    /// Asserts `/healthz` answers 200 `{"status":"ok"}`.
    pub fn assert_healthy(&self) {
        let (status, body) = self.http_get("/healthz", None);
        assert_eq!(status, 200, "/healthz: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("/healthz JSON");
        assert_eq!(v["status"], "ok", "/healthz: {body}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() && std::env::var_os("OUTPOST_E2E_QUIET").is_none() {
            eprintln!(
                "---- outpost-server log ({}) ----\n{}\n---- end of log ----",
                self.log_path().display(),
                tail(&self.log(), 200)
            );
        }
    }
}

fn tail(s: &str, lines: usize) -> String {
    let all: Vec<&str> = s.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A minimal HTTP/1.1 request over loopback (`Connection: close`).
pub fn http_request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    json: Option<&str>,
) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect for HTTP");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("set timeout");
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let body = json.unwrap_or("");
    if json.is_some() {
        req.push_str("Content-Type: application/json\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).expect("send HTTP request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read HTTP response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad HTTP response: {text:?}"));
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

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

/// A fresh in-memory store, writing as `user` on a random device.
pub fn memory_store(user: &str) -> Store {
    let device: [u8; 16] = rand::random();
    let device_id: String = device.iter().map(|b| format!("{b:02x}")).collect();
    Store::open_in_memory(
        outpost_core::Author {
            user_id: user.to_owned(),
            device_id,
        },
        outpost_core::store::StoreOptions::default(),
    )
    .expect("in-memory store")
}

/// The kernel's TCP state (`ESTABLISHED`, `FIN_WAIT1`, ...) of the
/// connection whose local end is 127.0.0.1:`local_port` and remote end
/// 127.0.0.1:`remote_port`, from `/proc/net/tcp`. `Some("GONE")` when no
/// such socket exists any more; `None` where `/proc/net/tcp` is not readable
/// (not Linux).
pub fn tcp_state(local_port: u16, remote_port: u16) -> Option<&'static str> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let want_local = format!("0100007F:{local_port:04X}");
    let want_remote = format!("0100007F:{remote_port:04X}");
    for line in table.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() > 3 && f[1] == want_local && f[2] == want_remote {
            return Some(match f[3] {
                "01" => "ESTABLISHED",
                "02" => "SYN_SENT",
                "03" => "SYN_RECV",
                "04" => "FIN_WAIT1",
                "05" => "FIN_WAIT2",
                "06" => "TIME_WAIT",
                "07" => "CLOSE",
                "08" => "CLOSE_WAIT",
                "09" => "LAST_ACK",
                "0A" => "LISTEN",
                "0B" => "CLOSING",
                _ => "OTHER",
            });
        }
    }
    Some("GONE")
}
