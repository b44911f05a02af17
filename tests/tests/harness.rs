//! The harness itself: start, CLI, kill and restart keep what they promise.

use std::time::Duration;

use outpost_core::model::Account;
use outpost_core::sync::wire::WireMessage;
use outpost_e2e::{RawClient, Server, memory_store};

const SYNC_WITHIN: Duration = Duration::from_secs(20);

#[tokio::test]
async fn kill_and_restart_keep_the_data_dir_and_port() {
    let mut server = Server::start();
    server.assert_healthy();
    let pid = server.pid();
    let port = server.port();
    assert_eq!(server.url(), format!("ws://127.0.0.1:{port}/sync"));
    assert_eq!(server.http_base(), format!("http://127.0.0.1:{port}"));

    // a document and a user, then a hard kill
    let mut store = memory_store("admin");
    let doc = store
        .create_account(Account {
            name: "Survives Kill".into(),
            ..Default::default()
        })
        .expect("create");
    let mut c = RawClient::connect(&server.url(), server.admin_token()).await;
    c.join("before-kill").await;
    c.sync_doc(&mut store, doc, false, SYNC_WITHIN).await;
    let rep = server.add_user("rep-k", "rep", None);
    server.assign("rep-k", &doc.to_string());

    server.kill();
    assert!(!server.is_running());
    // the connection ends with the process
    c.expect_close(Duration::from_secs(5)).await;

    server.restart();
    assert_ne!(server.pid(), pid);
    assert_eq!(
        server.port(),
        port,
        "restart reuses the port when it is free"
    );
    server.assert_healthy();

    // everything committed before the kill is there; tokens still work
    let mut again = memory_store("rep-k");
    let mut r = RawClient::connect(&server.url(), &rep).await;
    let (_, scope) = r.join("after-restart").await;
    match scope {
        WireMessage::Scope { documents, .. } => {
            assert!(documents.iter().any(|d| d.document_id == doc.to_string()));
        }
        other => panic!("{other:?}"),
    }
    r.sync_doc(&mut again, doc, true, SYNC_WITHIN).await;
    let name = again
        .doc(doc)
        .expect("doc")
        .account()
        .expect("account")
        .record
        .name;
    assert_eq!(name, "Survives Kill");
    let users = server.cli(&["user", "list"]);
    assert!(users.contains("rep-k"), "{users}");
}
