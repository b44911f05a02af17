//! The real server against clients that misbehave: each bad frame must get an
//! `error` message (where the socket still allows it) and a closed
//! connection, and the server must go on serving everyone else.

use std::time::{Duration, Instant};

use outpost_core::DocumentId;
use outpost_core::model::Account;
use outpost_core::sync::wire::{PeerMetadata, WireMessage};
use outpost_e2e::{ConnectError, Event, RawClient, Server, memory_store, tcp_state};

/// Time allowed for an error and a close.
const CLOSE_WITHIN: Duration = Duration::from_secs(10);
const SYNC_WITHIN: Duration = Duration::from_secs(20);

/// A CBOR map of text keys to text values.
fn cbor_text_map(entries: &[(&str, &str)]) -> Vec<u8> {
    fn head(major: u8, len: usize, out: &mut Vec<u8>) {
        let m = major << 5;
        match len {
            0..=23 => out.push(m | len as u8),
            24..=0xff => out.extend([m | 24, len as u8]),
            _ => {
                let l = u16::try_from(len).expect("short enough");
                out.push(m | 25);
                out.extend(l.to_be_bytes());
            }
        }
    }
    let mut out = Vec::new();
    head(5, entries.len(), &mut out);
    for (k, v) in entries {
        for s in [k, v] {
            head(3, s.len(), &mut out);
            out.extend(s.as_bytes());
        }
    }
    out
}

/// The first sync message of an empty document: valid, and carries nothing.
fn empty_sync_message() -> Vec<u8> {
    use automerge::sync::SyncDoc;
    automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .expect("an empty document still says hello")
        .encode()
}

async fn joined(server: &Server, token: &str, peer: &str) -> RawClient {
    let mut c = RawClient::connect(&server.url(), token).await;
    c.join(peer).await;
    c
}

/// Uploads a new account as the admin and returns its id.
async fn upload_account(server: &Server, name: &str) -> DocumentId {
    let mut store = memory_store("admin");
    let doc = store
        .create_account(Account {
            name: name.into(),
            ..Default::default()
        })
        .expect("create account");
    let mut c = joined(server, server.admin_token(), &format!("uploader-{doc}")).await;
    c.sync_doc(&mut store, doc, false, SYNC_WITHIN).await;
    c.close().await;
    doc
}

/// Downloads a document with a fresh connection and returns its account name.
async fn download_account_name(server: &Server, token: &str, doc: DocumentId) -> String {
    let mut store = memory_store("reader");
    let mut c = joined(server, token, &format!("reader-{}", DocumentId::random())).await;
    c.sync_doc(&mut store, doc, true, SYNC_WITHIN).await;
    c.close().await;
    store
        .doc(doc)
        .expect("downloaded document")
        .account()
        .expect("an account document")
        .record
        .name
}

/// The server process is alive, `/healthz` answers, and a well-behaved
/// client can join, create a document, and another can read it back.
async fn assert_still_serves(server: &mut Server) {
    assert!(server.is_running(), "the server process died");
    server.assert_healthy();
    let name = format!("Healthy {}", DocumentId::random());
    let doc = upload_account(server, &name).await;
    assert_eq!(
        download_account_name(server, server.admin_token(), doc).await,
        name
    );
    assert!(server.is_running(), "the server process died");
}

/// Joins, sends `frame`, and expects `error` + close with a message containing `expect`.
async fn after_join_expect_error(frame: Vec<u8>, expect: &str) {
    let mut server = Server::start();
    let mut c = joined(&server, server.admin_token(), "bad-device").await;
    c.send_frame(frame).await;
    let err = c.expect_error_and_close(CLOSE_WITHIN).await;
    assert!(
        err.contains(expect),
        "error {err:?} should mention {expect:?}"
    );
    assert_still_serves(&mut server).await;
}

/// Sends `frame` as the very first frame (no join).
async fn before_join_expect_error(frame: Vec<u8>, expect: &str) {
    let mut server = Server::start();
    let mut c = RawClient::connect(&server.url(), server.admin_token()).await;
    c.send_frame(frame).await;
    let err = c.expect_error_and_close(CLOSE_WITHIN).await;
    assert!(
        err.contains(expect),
        "error {err:?} should mention {expect:?}"
    );
    assert_still_serves(&mut server).await;
}

#[tokio::test]
async fn cbor_null_frame_after_join() {
    after_join_expect_error(vec![0xf6], "malformed frame").await;
}

#[tokio::test]
async fn cbor_null_frame_instead_of_join() {
    before_join_expect_error(vec![0xf6], "malformed frame").await;
}

#[tokio::test]
async fn cbor_map_with_unknown_type() {
    let frame = cbor_text_map(&[
        ("type", "outpost-no-such-type"),
        ("senderId", "bad-device"),
        ("targetId", "server"),
    ]);
    after_join_expect_error(frame, "malformed frame").await;
}

#[tokio::test]
async fn text_frame_after_join() {
    let mut server = Server::start();
    let mut c = joined(&server, server.admin_token(), "bad-device").await;
    c.send_text(r#"{"type":"sync","senderId":"bad-device"}"#)
        .await;
    let err = c.expect_error_and_close(CLOSE_WITHIN).await;
    assert!(err.contains("text frames"), "{err:?}");
    assert_still_serves(&mut server).await;
}

#[tokio::test]
async fn text_frame_instead_of_join() {
    let mut server = Server::start();
    let mut c = RawClient::connect(&server.url(), server.admin_token()).await;
    c.send_text(r#"{"type":"join","senderId":"bad-device"}"#)
        .await;
    let err = c.expect_error_and_close(CLOSE_WITHIN).await;
    assert!(err.contains("text frames"), "{err:?}");
    assert_still_serves(&mut server).await;
}

#[tokio::test]
async fn join_with_unsupported_protocol_version() {
    let mut server = Server::start();
    let mut c = RawClient::connect(&server.url(), server.admin_token()).await;
    c.send_msg(&WireMessage::Join {
        sender_id: "future-device".into(),
        supported_protocol_versions: vec!["99".into()],
        peer_metadata: Some(PeerMetadata::default()),
    })
    .await;
    let first = c.recv_event(CLOSE_WITHIN).await;
    match first {
        Event::Msg(WireMessage::Error {
            message, target_id, ..
        }) => {
            assert!(
                message.contains("unsupported protocol version"),
                "{message:?}"
            );
            assert_eq!(target_id, "future-device");
        }
        other => panic!("expected an error, got {other:?}"),
    }
    let (after, _) = c.expect_close(CLOSE_WITHIN).await;
    assert!(after.is_empty(), "messages after the error: {after:?}");
    assert_still_serves(&mut server).await;
}

#[tokio::test]
async fn second_join_is_refused() {
    let mut server = Server::start();
    let mut c = joined(&server, server.admin_token(), "twice").await;
    c.send_msg(&WireMessage::Join {
        sender_id: "twice".into(),
        supported_protocol_versions: vec!["1".into()],
        peer_metadata: None,
    })
    .await;
    let err = c.expect_error_and_close(CLOSE_WITHIN).await;
    assert!(err.contains("join"), "{err:?}");
    assert_still_serves(&mut server).await;
}

#[tokio::test]
async fn sender_id_differs_from_the_joined_peer() {
    let mut server = Server::start();
    let mut c = joined(&server, server.admin_token(), "honest-device").await;
    c.send_msg(&WireMessage::Sync {
        sender_id: "someone-else".into(),
        target_id: c.server_peer_id().to_owned(),
        document_id: DocumentId::random().to_string(),
        data: empty_sync_message(),
    })
    .await;
    let err = c.expect_error_and_close(CLOSE_WITHIN).await;
    assert!(err.contains("senderId"), "{err:?}");
    assert_still_serves(&mut server).await;
}

#[tokio::test]
async fn request_with_an_invalid_document_id() {
    let mut server = Server::start();
    let mut c = joined(&server, server.admin_token(), "bad-device").await;
    c.send_sync("not-a-doc", empty_sync_message(), true).await;
    let err = c.expect_error_and_close(CLOSE_WITHIN).await;
    assert!(err.contains("invalid document id"), "{err:?}");
    assert_still_serves(&mut server).await;
}

#[tokio::test]
async fn sync_with_truncated_data() {
    let mut server = Server::start();
    // an existing document the client may write: it must come out intact
    let doc = upload_account(&server, "Intact Ltd").await;
    let mut c = joined(&server, server.admin_token(), "bad-device").await;
    c.send_sync(&doc.to_string(), vec![0x42, 0x01], false).await;
    let err = c.expect_error_and_close(CLOSE_WITHIN).await;
    assert!(err.contains("truncated or invalid"), "{err:?}");
    assert_eq!(
        download_account_name(&server, server.admin_token(), doc).await,
        "Intact Ltd"
    );
    assert_still_serves(&mut server).await;
}

#[tokio::test]
async fn oversized_frame() {
    let mut server = Server::start_with(&["--max-frame-bytes", "65536"]);
    let mut c = joined(&server, server.admin_token(), "big-device").await;
    let big = WireMessage::Sync {
        sender_id: "big-device".into(),
        target_id: c.server_peer_id().to_owned(),
        document_id: DocumentId::random().to_string(),
        data: vec![0u8; 200 * 1024],
    }
    .encode()
    .expect("encode");
    assert!(big.len() > 200 * 1024);
    // the server may close while the frame is still going out
    let sent = c.try_send_frame(big, CLOSE_WITHIN).await;
    let deadline = Instant::now() + CLOSE_WITHIN;
    let mut error = None;
    let ended = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match c.recv_event(left).await {
            Event::Msg(WireMessage::Error { message, .. }) => error = Some(message),
            Event::Msg(m) => panic!("unexpected message: {m:?}"),
            Event::Closed(how) => break how,
            Event::Timeout => panic!(
                "the connection was not closed within {CLOSE_WITHIN:?} after a 200 KiB frame (send: {sent:?}, error: {error:?})"
            ),
            other => panic!("unexpected frame: {other:?}"),
        }
    };
    eprintln!("oversized frame: send {sent:?}, error {error:?}, connection ended by {ended}");
    match (&sent, &error) {
        // the whole frame went out, so the socket allowed the server to answer
        (Ok(()), Some(e)) => assert!(e.contains("too_large"), "{e:?}"),
        (Ok(()), None) => panic!(
            "the server closed the connection ({ended}) without an error message after a 200 KiB frame"
        ),
        (Err(_), Some(e)) => assert!(e.contains("too_large"), "{e:?}"),
        (Err(_), None) => {} // reset mid-send: nothing could be answered
    }
    assert_still_serves(&mut server).await;
}

/// A device that stops reading while the server has lots to send must be
/// disconnected within a bounded time (the queue holds 4 frames and may stay
/// full for 2 s), and must not hold up anyone else.
#[tokio::test]
async fn client_that_stops_reading_is_disconnected() {
    let mut server = Server::start_with(&["--outbound-queue", "4", "--send-timeout-secs", "2"]);
    let token = server.add_user("slowpoke", "rep", None);
    // a long peer id makes every reply (which echoes it) large
    let peer = format!("slow-device-{}", "x".repeat(8 * 1024));
    let mut c = joined(&server, &token, &peer).await;
    let client_port = c.local_port();
    let data = empty_sync_message();

    // requests for documents outside the rep's scope: each gets a
    // doc-unavailable reply that this client never reads
    let started = Instant::now();
    let mut sent = 0usize;
    let stalled = loop {
        let frame = WireMessage::Request {
            sender_id: peer.clone(),
            target_id: c.server_peer_id().to_owned(),
            document_id: DocumentId::random().to_string(),
            data: data.clone(),
        }
        .encode()
        .expect("encode");
        match c.try_send_frame(frame, Duration::from_secs(2)).await {
            Ok(()) => sent += 1,
            Err(e) => break e,
        }
        assert!(
            sent < 20_000 && started.elapsed() < Duration::from_secs(60),
            "sent {sent} requests in {:?} without the server pushing back",
            started.elapsed()
        );
    };
    let stall_at = Instant::now();
    eprintln!(
        "slow reader: {sent} requests sent in {:?}, then: {stalled}",
        started.elapsed()
    );

    let mut failures = Vec::new();
    // the server's end of this TCP connection must go away without the
    // client ever reading: send timeout 2 s + closing grace, well under 20 s
    let bound = Duration::from_secs(20);
    let mut state = tcp_state(server.port(), client_port);
    if state.is_none() {
        eprintln!("slow reader: /proc/net/tcp not readable, cannot watch the server's socket");
    }
    while state == Some("ESTABLISHED") && stall_at.elapsed() < bound {
        tokio::time::sleep(Duration::from_millis(200)).await;
        state = tcp_state(server.port(), client_port);
    }
    eprintln!(
        "slow reader: server-side socket {state:?} {:?} after the stall",
        stall_at.elapsed()
    );
    if state == Some("ESTABLISHED") {
        failures.push(format!(
            "the server still holds the connection (ESTABLISHED) {:?} after the client stopped reading",
            stall_at.elapsed()
        ));
    }

    // reading now drains what was queued and must end in a close
    let drain = Instant::now();
    let mut msgs = 0usize;
    let mut errors = Vec::new();
    let ended = loop {
        match c.recv_event(Duration::from_secs(10)).await {
            Event::Msg(WireMessage::DocUnavailable { .. }) => msgs += 1,
            Event::Msg(WireMessage::Error { message, .. }) => errors.push(message),
            Event::Msg(m) => panic!("unexpected message: {m:?}"),
            Event::Closed(how) => break Some(how),
            Event::Timeout => break None,
            other => panic!("unexpected frame: {other:?}"),
        }
    };
    eprintln!(
        "slow reader: drained {msgs} doc-unavailable in {:?}, errors {errors:?}, end: {ended:?}",
        drain.elapsed()
    );
    if ended.is_none() {
        failures.push(format!(
            "after draining {msgs} messages the connection was still open (no close within 10 s of silence)"
        ));
    }

    assert!(server.is_running(), "the server process died");
    server.assert_healthy();
    let other_token = server.add_user("punctual", "rep", None);
    let mut other = joined(&server, &other_token, "punctual-device").await;
    // a rep may create an account; it is then assigned to them
    let mut store = memory_store("punctual");
    let doc = store
        .create_account(Account {
            name: "Punctual Co".into(),
            ..Default::default()
        })
        .expect("create");
    other.sync_doc(&mut store, doc, false, SYNC_WITHIN).await;
    other.close().await;
    assert_eq!(
        download_account_name(&server, &other_token, doc).await,
        "Punctual Co"
    );
    assert_still_serves(&mut server).await;
    assert!(failures.is_empty(), "slow reader: {failures:#?}");
}

#[tokio::test]
async fn missing_or_invalid_token_gets_401() {
    let mut server = Server::start();
    let url = server.url();
    let status = |r: Result<RawClient, ConnectError>| match r {
        Ok(_) => panic!("connected without a valid token"),
        Err(ConnectError::Http(s)) => s,
        Err(ConnectError::Other(e)) => panic!("expected an HTTP status, got {e}"),
    };
    assert_eq!(status(RawClient::try_connect(&url, None).await), 401);
    assert_eq!(
        status(RawClient::try_connect(&url, Some("opt_not-a-real-token")).await),
        401
    );
    assert_eq!(
        status(RawClient::try_connect(&format!("{url}?token=opt_forged"), None).await),
        401
    );
    assert_eq!(
        status(RawClient::try_connect(&format!("{url}?token="), None).await),
        401
    );

    // a revoked token stops working
    let token = server.add_user("leaver", "rep", None);
    let c = joined(&server, &token, "leaver-device").await;
    c.close().await;
    server.revoke_token(&token);
    assert_eq!(
        status(RawClient::try_connect(&url, Some(&token)).await),
        401
    );

    // the same token in the query works (what stock browser clients do)
    let token = server.issue_token("leaver");
    let mut c = RawClient::try_connect(&format!("{url}?token={token}"), None)
        .await
        .expect("a valid ?token= connects");
    c.join("leaver-device-2").await;
    c.close().await;

    // the admin API refuses too
    let (s, body) = server.http_get("/api/admin/users", None);
    assert_eq!(s, 401, "{body}");
    let (s, body) = server.http_get("/api/admin/users", Some("opt_forged"));
    assert_eq!(s, 401, "{body}");
    assert_still_serves(&mut server).await;
}
