//! A rep cannot read or write an account outside their scope: not by the
//! scope list, not by a guessed id, not by a forged write. And SIGTERM stops
//! the server cleanly without losing acknowledged data.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use automerge::sync::State;
use outpost_core::DocumentId;
use outpost_core::model::Account;
use outpost_core::store::Store;
use outpost_core::sync::wire::WireMessage;
use outpost_e2e::{RawClient, Server, memory_store};

const WITHIN: Duration = Duration::from_secs(10);

/// Drives the sync protocol for `doc` from `store` until the server answers
/// something other than `sync`; returns that message (or `None` if the
/// exchange settled with only `sync` messages).
async fn exchange(
    c: &mut RawClient,
    store: &mut Store,
    doc: DocumentId,
    request: bool,
) -> Option<WireMessage> {
    let mut state = State::new();
    let mut first = true;
    for _ in 0..20 {
        if let Some(data) = store.generate_sync_message(doc, &mut state).unwrap() {
            c.send_sync(&doc.to_string(), data, request && first).await;
            first = false;
        }
        match c.recv_msg(Duration::from_secs(2)).await {
            Some(WireMessage::Sync { data, .. }) => {
                let _ = store.receive_sync_message(doc, &mut state, &data);
            }
            Some(WireMessage::Scope { .. }) => {}
            None => return None,
            Some(other) => return Some(other),
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessed_and_forged_ids_get_doc_unavailable_and_nothing_is_written() {
    let server = Server::start();
    let rep_token = server.add_user("per", "rep", None);

    // the admin uploads an account that is not per's
    let mut admin_store = memory_store("admin");
    let doc = admin_store
        .create_account(Account {
            name: "Not Yours AS".into(),
            ..Default::default()
        })
        .unwrap();
    let mut admin = RawClient::connect(&server.url(), server.admin_token()).await;
    admin.join("admin-device").await;
    admin.sync_doc(&mut admin_store, doc, false, WITHIN).await;

    // 1. the scope per is told about does not list it
    let mut per = RawClient::connect(&server.url(), &rep_token).await;
    let (_, scope) = per.join("per-device").await;
    match scope {
        WireMessage::Scope { documents, .. } => {
            assert!(
                documents.iter().all(|d| d.document_id != doc.to_string()),
                "{documents:?}"
            );
        }
        other => panic!("expected outpost-scope, got {other:?}"),
    }

    // 2. asking for it by id looks exactly like asking for an id that does not exist
    let mut probe = memory_store("per");
    let existing = exchange(&mut per, &mut probe, doc, true).await;
    let missing_id = DocumentId::random();
    let missing = exchange(&mut per, &mut probe, missing_id, true).await;
    // the same message, differing only in the id asked for
    let answered_for = |m: Option<WireMessage>| match m {
        Some(WireMessage::DocUnavailable { document_id, .. }) => document_id,
        other => panic!("expected doc-unavailable, got {other:?}"),
    };
    assert_eq!(answered_for(existing), doc.to_string());
    assert_eq!(answered_for(missing), missing_id.to_string());
    assert!(
        !probe.contains(doc).unwrap(),
        "nothing of the document reached the rep"
    );

    // 3. a forged write: per holds a copy (say, leaked) and pushes a change to it
    let mut forged = memory_store("per");
    forged
        .apply(doc, &admin_store.export(doc).unwrap())
        .unwrap();
    forged
        .modify::<Account>(doc, "", |a| a.name = "Hijacked".into())
        .unwrap();
    let answer = exchange(&mut per, &mut forged, doc, false).await;
    assert!(
        matches!(answer, Some(WireMessage::DocUnavailable { .. })),
        "forged write answered with {answer:?}"
    );

    // the server's copy is untouched
    let mut check = memory_store("admin");
    let mut reader = RawClient::connect(&server.url(), server.admin_token()).await;
    reader.join("admin-reader").await;
    reader.sync_doc(&mut check, doc, true, WITHIN).await;
    assert_eq!(
        check.doc(doc).unwrap().account().unwrap().record.name,
        "Not Yours AS"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_server_cleanly_and_keeps_acknowledged_data() {
    let mut server = Server::start();
    let mut store = memory_store("admin");
    let doc = store
        .create_account(Account {
            name: "Before Shutdown AS".into(),
            ..Default::default()
        })
        .unwrap();
    let mut c = RawClient::connect(&server.url(), server.admin_token()).await;
    c.join("admin-device").await;
    c.sync_doc(&mut store, doc, false, WITHIN).await;

    let pid = server.pid().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + WITHIN;
    while server.is_running() {
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(server.log().contains("shutting down"), "{}", server.log());

    server.restart();
    let mut check = memory_store("admin");
    let mut reader = RawClient::connect(&server.url(), server.admin_token()).await;
    reader.join("admin-reader").await;
    reader.sync_doc(&mut check, doc, true, WITHIN).await;
    assert_eq!(
        check.doc(doc).unwrap().account().unwrap().record.name,
        "Before Shutdown AS"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_prometheus_metrics() {
    let server = Server::start();
    let mut store = memory_store("admin");
    let doc = store
        .create_account(Account {
            name: "Metrics AS".into(),
            ..Default::default()
        })
        .unwrap();
    let mut c = RawClient::connect(&server.url(), server.admin_token()).await;
    c.join("admin-device").await;
    c.sync_doc(&mut store, doc, false, WITHIN).await;
    let (status, body) = server.http_get("/healthz", None);
    assert_eq!(status, 200, "{body}");
    // metrics are for admins (or the metrics token), not for anyone
    let (status, _) = server.http_get("/metrics", None);
    assert_eq!(status, 401);
    let rep = server.add_user("metrics-rep", "rep", None);
    let (status, _) = server.http_get("/metrics", Some(&rep));
    assert_eq!(status, 403);
    let (status, metrics) = server.http_get("/metrics", Some(server.admin_token()));
    assert_eq!(status, 200);
    for series in [
        "outpost_connections 1",
        "outpost_documents_loaded",
        "outpost_messages_total{direction=\"in\"}",
        "outpost_bytes_total{direction=\"out\"}",
        "outpost_merge_seconds_count",
        "outpost_rejected_changes_total 0",
    ] {
        assert!(metrics.contains(series), "missing {series} in:\n{metrics}");
    }
}
