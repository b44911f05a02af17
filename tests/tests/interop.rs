//! A stock `@automerge/automerge-repo` client (Node, `tests/interop/`) reads
//! and changes an Outpost account through the real server.
//!
//! Skipped, with a message, only when `node` is not installed. Installs the
//! pinned npm packages (`npm ci`) when `tests/interop/node_modules` is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use outpost_core::model::Account;
use outpost_e2e::{RawClient, Server, memory_store, workspace_root};

const SYNC_WITHIN: Duration = Duration::from_secs(20);
const NODE_WITHIN: Duration = Duration::from_secs(120);

/// `node`'s version, or `None` when it is not installed.
fn node_version() -> Option<String> {
    let out = Command::new("node").arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Runs `npm ci` in `dir` unless the packages are already installed.
fn ensure_npm_packages(dir: &Path) {
    let installed = [
        "@automerge/automerge-repo",
        "@automerge/automerge-repo-network-websocket",
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
        return;
    }
    eprintln!("interop: installing npm packages in {}", dir.display());
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .output()
        .expect("run npm ci (npm must be installed along with node)");
    assert!(
        out.status.success(),
        "npm ci failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn interop_dir() -> PathBuf {
    workspace_root().join("tests").join("interop")
}

#[tokio::test]
async fn stock_automerge_repo_client_reads_and_writes_an_outpost_account() {
    let Some(node) = node_version() else {
        eprintln!(
            "SKIPPED stock_automerge_repo_client_reads_and_writes_an_outpost_account: `node` is not installed"
        );
        return;
    };
    eprintln!("interop: node {node}");
    let dir = interop_dir();
    ensure_npm_packages(&dir);

    let server = Server::start();

    // the admin creates an account the way an Outpost device does
    let name = "Acme Interop GmbH";
    let mut admin_store = memory_store("admin");
    let doc = admin_store
        .create_account(Account {
            name: name.into(),
            industry: Some("Retail".into()),
            ..Default::default()
        })
        .expect("create account");
    let mut admin = RawClient::connect(&server.url(), server.admin_token()).await;
    admin.join("admin-uploader").await;
    admin
        .sync_doc(&mut admin_store, doc, false, SYNC_WITHIN)
        .await;
    admin.close().await;

    let rep_token = server.add_user("rep-node", "rep", None);
    server.assign("rep-node", &doc.to_string());

    let industry = "Wholesale (set by automerge-repo)";
    let run = tokio::process::Command::new("node")
        .arg("interop.mjs")
        .args([server.url().as_str(), &rep_token, &doc.url(), industry])
        .current_dir(&dir)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(NODE_WITHIN, run)
        .await
        .unwrap_or_else(|_| panic!("node interop.mjs did not finish within {NODE_WITHIN:?}"))
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("interop.mjs stdout:\n{stdout}\ninterop.mjs stderr:\n{stderr}");
    assert!(
        out.status.success(),
        "node interop.mjs failed ({})",
        out.status
    );
    assert!(
        stdout.lines().any(|l| l == format!("name: {name}")),
        "the Node client did not print the account name"
    );
    assert!(
        stdout.lines().any(|l| l == "industry before: Retail"),
        "the Node client did not see the industry set by Outpost"
    );

    // a fresh client reads the document back from the server
    let mut store = memory_store("checker");
    let mut checker = RawClient::connect(&server.url(), server.admin_token()).await;
    checker.join("checker").await;
    checker.sync_doc(&mut store, doc, true, SYNC_WITHIN).await;
    checker.close().await;
    let read = store
        .doc(doc)
        .expect("document")
        .account()
        .expect("still an account document");
    assert!(
        read.invalid_fields.is_empty(),
        "fields Outpost could not read after the Node change: {:?}",
        read.invalid_fields
    );
    assert_eq!(read.record.name, name);
    assert_eq!(read.record.industry.as_deref(), Some(industry));

    // the original device catches up too
    let mut admin = RawClient::connect(&server.url(), server.admin_token()).await;
    admin.join("admin-uploader-2").await;
    admin
        .sync_doc(&mut admin_store, doc, true, SYNC_WITHIN)
        .await;
    admin.close().await;
    let mine = admin_store
        .doc(doc)
        .expect("document")
        .account()
        .expect("account");
    assert_eq!(mine.record.industry.as_deref(), Some(industry));
}
