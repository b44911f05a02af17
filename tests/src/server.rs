//! The real `outpost-server` binary in a temporary data directory on an
//! ephemeral loopback port, stopped by its process id.

use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use crate::{SERVER_ENV, START_TIMEOUT, http_request, server_binary};

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
