//! End-to-end test harness: runs the real `outpost-server` binary in a
//! temporary data directory on an ephemeral loopback port, drives its admin
//! CLI, and talks the wire protocol with a raw websocket client.
//!
//! The binary is not built by `cargo test -p outpost-e2e` itself (a test crate
//! cannot depend on another package's binary), so [`server_binary`] finds it in
//! the workspace target directory and runs `cargo build -p outpost-server`
//! once per test process when it is missing or older than the server's or the
//! core's sources.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use outpost_core::store::Store;

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

mod http;
mod raw;
mod server;

pub use http::{dechunk, http_request};
pub use raw::{ConnectError, Event, RawClient};
pub use server::Server;

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
