//! The servers under test: the real `outpost-server` (through the e2e
//! harness) and the stock automerge-repo sync server (Node, `bench/stock-server`).
//! Both run on 127.0.0.1 with an ephemeral port and a temporary data
//! directory, and are stopped by process id.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use outpost_e2e::Server;

/// Which server a workload runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Outpost,
    Stock,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Outpost => "outpost",
            Kind::Stock => "stock",
        }
    }
}

/// A running server.
#[derive(Debug)]
pub enum Target {
    Outpost {
        server: Box<Server>,
        /// A rep who sees every account with territory `bench`.
        rep_token: String,
    },
    Stock(StockServer),
}

/// The territory every bench account is in.
pub const TERRITORY: &str = "bench";

impl Target {
    /// Starts a fresh server of `kind`.
    pub fn start(kind: Kind, cache_docs: usize) -> Target {
        match kind {
            Kind::Outpost => {
                let cache = cache_docs.to_string();
                // every simulated device connects from 127.0.0.1: no per-address cap
                let server = Server::start_with(&[
                    "--cache-docs",
                    &cache,
                    "--max-connections-per-address",
                    "0",
                ]);
                let rep_token = server.add_user("bench-rep", "rep", None);
                server.add_territory("bench-rep", TERRITORY);
                Target::Outpost {
                    server: Box::new(server),
                    rep_token,
                }
            }
            Kind::Stock => Target::Stock(StockServer::start()),
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Target::Outpost { .. } => Kind::Outpost,
            Target::Stock(_) => Kind::Stock,
        }
    }

    pub fn url(&self) -> String {
        match self {
            Target::Outpost { server, .. } => server.url(),
            Target::Stock(s) => s.url.clone(),
        }
    }

    /// The token a device uses (none for the stock server).
    pub fn device_token(&self) -> Option<String> {
        match self {
            Target::Outpost { rep_token, .. } => Some(rep_token.clone()),
            Target::Stock(_) => None,
        }
    }

    /// The token for seeding documents (the admin's; none for stock).
    pub fn admin_token(&self) -> Option<String> {
        match self {
            Target::Outpost { server, .. } => Some(server.admin_token().to_owned()),
            Target::Stock(_) => None,
        }
    }

    pub fn pid(&self) -> u32 {
        match self {
            Target::Outpost { server, .. } => server.pid(),
            Target::Stock(s) => s.child.id(),
        }
    }

    /// (VmRSS, VmHWM) in bytes.
    pub fn memory(&self) -> (u64, u64) {
        proc_memory(self.pid())
    }

    /// CPU seconds (user + system) the server used so far.
    pub fn cpu_seconds(&self) -> f64 {
        proc_cpu_seconds(self.pid())
    }
}

/// (VmRSS, VmHWM) of a process in bytes, from `/proc/<pid>/status`.
pub fn proc_memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// utime + stime of a process in seconds, from `/proc/<pid>/stat`.
pub fn proc_cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // fields after the command name, which is in parentheses and may hold spaces
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after ')'
    (ticks(11) + ticks(12)) / 100.0
}

/// The stock automerge-repo sync server (`node bench/stock-server/server.mjs`),
/// with NodeFS storage in a temporary directory. Killed by process id on drop.
#[derive(Debug)]
pub struct StockServer {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

/// `bench/stock-server`.
pub fn stock_dir() -> PathBuf {
    outpost_e2e::workspace_root()
        .join("bench")
        .join("stock-server")
}

/// Whether `node` runs here.
pub fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `npm ci` in `bench/stock-server` unless its packages are installed.
pub fn ensure_npm_packages(dir: &Path) -> Result<(), String> {
    let installed = [
        "@automerge/automerge-repo",
        "@automerge/automerge-repo-network-websocket",
        "@automerge/automerge-repo-storage-nodefs",
        "ws",
    ]
    .iter()
    .all(|p| {
        dir.join("node_modules")
            .join(p)
            .join("package.json")
            .exists()
    });
    if installed {
        return Ok(());
    }
    eprintln!("loadgen: npm ci in {}", dir.display());
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("run npm: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "npm ci failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

impl StockServer {
    /// Starts the stock server and waits for its listening line.
    pub fn start() -> StockServer {
        let dir = stock_dir();
        if let Err(e) = ensure_npm_packages(&dir) {
            panic!("{e}");
        }
        let data = tempfile::Builder::new()
            .prefix("outpost-bench-stock-")
            .tempdir()
            .expect("temp dir");
        let mut child = Command::new("node")
            .arg("server.mjs")
            .arg("--storage")
            .arg(data.path().join("data"))
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn node server.mjs");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !sent && line.starts_with("stock-server listening on ") {
                    sent = tx.send(line).is_ok();
                }
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the stock server did not start within 30 s");
            }
        };
        let url = line
            .trim_start_matches("stock-server listening on ")
            .trim()
            .to_owned();
        StockServer {
            child,
            url,
            _dir: data,
        }
    }
}

impl Drop for StockServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
