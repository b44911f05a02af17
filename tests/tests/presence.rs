//! Ephemeral messages (presence) reach the other devices that have the
//! account open, and nobody else.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use outpost_core::model::Account;
use outpost_core::sync::wire::WireMessage;
use outpost_e2e::{RawClient, Server, memory_store};

const WITHIN: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ephemeral_messages_are_relayed_to_devices_with_the_document_open() {
    let server = Server::start();
    let outsider_token = server.add_user("per", "rep", None);
    let mut a_store = memory_store("admin");
    let doc = a_store
        .create_account(Account {
            name: "Presence AS".into(),
            ..Default::default()
        })
        .unwrap();
    let mut a = RawClient::connect(&server.url(), server.admin_token()).await;
    a.join("device-a").await;
    a.sync_doc(&mut a_store, doc, false, WITHIN).await;
    let mut b_store = memory_store("admin");
    let mut b = RawClient::connect(&server.url(), server.admin_token()).await;
    b.join("device-b").await;
    b.sync_doc(&mut b_store, doc, true, WITHIN).await;
    let mut outsider = RawClient::connect(&server.url(), &outsider_token).await;
    outsider.join("device-per").await;

    a.send_msg(&WireMessage::Ephemeral {
        sender_id: "device-a".into(),
        target_id: a.server_peer_id().to_owned(),
        count: 1,
        session_id: "session-a".into(),
        document_id: doc.to_string(),
        data: b"\xa1\x64here\xf5".to_vec(),
    })
    .await;

    let mut got = None;
    let deadline = tokio::time::Instant::now() + WITHIN;
    while tokio::time::Instant::now() < deadline {
        match b.recv_msg(Duration::from_millis(500)).await {
            Some(m @ WireMessage::Ephemeral { .. }) => {
                got = Some(m);
                break;
            }
            _ => continue,
        }
    }
    match got {
        Some(WireMessage::Ephemeral {
            sender_id,
            target_id,
            count,
            document_id,
            data,
            ..
        }) => {
            assert_eq!(sender_id, "device-a");
            assert_eq!(target_id, "device-b");
            assert_eq!(count, 1);
            assert_eq!(document_id, doc.to_string());
            assert_eq!(data, b"\xa1\x64here\xf5");
        }
        other => panic!("device b got no ephemeral message: {other:?}"),
    }
    // a rep who may not see the account hears nothing of it
    while let Some(m) = outsider.recv_msg(Duration::from_millis(300)).await {
        assert!(!matches!(m, WireMessage::Ephemeral { .. }), "leaked: {m:?}");
    }
}
