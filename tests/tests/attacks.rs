//! Attacks from the hardening review (issue 11), each tried the way an
//! attacker with a rep's or manager's token would, against the real server
//! binary: planting the org's settings, a decompression bomb, a revoked token
//! on an open connection, a report that leaks, slow request headers, and the
//! smaller leaks (serde echoing input, `/metrics`, `?token=`).

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use automerge::sync::State;
use outpost_core::DocumentId;
use outpost_core::model::{Account, OrgSettings};
use outpost_core::store::{Store, StoreOptions};
use outpost_core::sync::wire::WireMessage;
use outpost_e2e::api::{Api, EventStream};
use outpost_e2e::{Event, RawClient, Server, memory_store};
use serde_json::{Value, json};

const WITHIN: Duration = Duration::from_secs(20);

/// Runs the sync protocol for `doc` from `store` until the server answers
/// with something other than sync (returned: a refusal, an error, the
/// connection's end) or both sides have the same heads (`None`). Works for a
/// document the server does not have yet (a device creating it) too.
async fn exchange(c: &mut RawClient, store: &mut Store, doc: DocumentId) -> Option<Event> {
    let deadline = Instant::now() + WITHIN;
    let mut state = State::new();
    let doc_str = doc.to_string();
    loop {
        if let Some(data) = store.generate_sync_message(doc, &mut state).unwrap() {
            let frame = WireMessage::Sync {
                sender_id: c.peer_id().to_owned(),
                target_id: c.server_peer_id().to_owned(),
                document_id: doc_str.clone(),
                data,
            }
            .encode()
            .unwrap();
            if c.try_send_frame(frame, WITHIN).await.is_err() {
                return Some(Event::Closed("send failed".into()));
            }
        }
        let mut ours = store.heads(doc).unwrap();
        ours.sort();
        let mut theirs = state.their_heads.clone().unwrap_or_default();
        theirs.sort();
        if ours == theirs {
            return None;
        }
        match c
            .recv_event(deadline.saturating_duration_since(Instant::now()))
            .await
        {
            Event::Msg(WireMessage::Sync {
                document_id, data, ..
            }) if document_id == doc_str => {
                store.receive_sync_message(doc, &mut state, &data).unwrap();
            }
            Event::Msg(WireMessage::Scope { .. } | WireMessage::Sync { .. }) => {}
            other => return Some(other),
        }
    }
}

/// [`exchange`], expecting the server to refuse: the refusal.
async fn push_new_document(
    c: &mut RawClient,
    store: &mut Store,
    doc: DocumentId,
) -> Option<WireMessage> {
    match exchange(c, store, doc).await {
        None => None,
        Some(Event::Msg(m)) => Some(m),
        Some(other) => panic!("pushing {doc}: {other:?}"),
    }
}

fn code_of(m: &WireMessage) -> Option<&str> {
    match m {
        WireMessage::Rejected { code, .. } => code.as_deref(),
        _ => None,
    }
}

/// The settings documents of the server's store, read from its data
/// directory after it stopped.
fn stored_settings_docs(server: &mut Server) -> Vec<DocumentId> {
    server.kill();
    let author = outpost_core::Author {
        user_id: "test".into(),
        device_id: "test".into(),
    };
    let store = Store::open(
        server.data_dir().join("documents.db"),
        author,
        StoreOptions::default(),
    )
    .unwrap();
    store
        .document_ids()
        .unwrap()
        .into_iter()
        .filter(|(_, k)| *k == outpost_core::model::DocKind::Settings)
        .map(|(d, _)| d)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_cannot_plant_the_org_settings() {
    let mut server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let stages = json!([
        {"id": "lead", "name": "Lead", "position": 10, "probability": 10, "meaning": "open"},
        {"id": "won", "name": "Won", "position": 20, "probability": 100, "meaning": "won"},
    ]);
    let (s, p) = admin.post(
        "/api/pipelines",
        &json!({"name": "Sales", "stages": stages}),
    );
    assert_eq!(s, 201, "{p}");
    let real = admin.ok("/api/pipelines");

    // a rep's tampered phone creates its own settings document over /sync
    let kari = server.add_user("kari", "rep", Some("west"));
    let mut c = RawClient::connect(&server.url(), &kari).await;
    c.join("kari-phone").await;
    let mut phone = memory_store("kari");
    let planted = phone
        .create_settings(OrgSettings {
            default_currency: "XXX".into(),
            ..Default::default()
        })
        .unwrap();
    let answer = push_new_document(&mut c, &mut phone, planted)
        .await
        .expect("the server must refuse the planted settings");
    assert_eq!(code_of(&answer), Some("forbidden"), "{answer:?}");

    // nothing changed for anyone: pipelines, defaults, the next admin write
    assert_eq!(admin.ok("/api/pipelines"), real);
    let (s, f) = admin.post(
        "/api/custom-fields",
        &json!({"key": "shoe_size", "label": "Shoe size", "entity": "contact", "field_type": "number"}),
    );
    assert!(s == 201 || s == 200, "{s} {f}");
    // a new connection's scope holds exactly the org's one settings document
    let mut c2 = RawClient::connect(&server.url(), &kari).await;
    let (_, scope) = c2.join("kari-tablet").await;
    let WireMessage::Scope { documents, .. } = scope else {
        panic!("expected a scope, got {scope:?}")
    };
    let settings: Vec<_> = documents.iter().filter(|d| d.kind == "settings").collect();
    assert_eq!(settings.len(), 1, "{documents:?}");
    assert_ne!(settings[0].document_id, planted.to_string());

    // even an admin's second settings document is refused: one per org
    let mut a = RawClient::connect(&server.url(), server.admin_token()).await;
    a.join("admin-laptop").await;
    let mut laptop = memory_store("admin");
    let second = laptop.create_settings(OrgSettings::default()).unwrap();
    let answer = push_new_document(&mut a, &mut laptop, second)
        .await
        .expect("a second settings document must be refused");
    assert_eq!(code_of(&answer), Some("settings_exists"), "{answer:?}");

    // and nothing was stored: one settings document on disk
    let stored = stored_settings_docs(&mut server);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(!stored.contains(&planted) && !stored.contains(&second));
}

/// A compressed change chunk whose DEFLATE body inflates to `mib` MiB.
fn deflate_bomb(mib: usize) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..mib {
        enc.write_all(&zeros).unwrap();
    }
    let body = enc.finish().unwrap();
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 2];
    leb128::write::unsigned(&mut chunk, body.len() as u64).unwrap();
    chunk.extend_from_slice(&body);
    chunk
}

/// An Automerge sync message (v1) carrying `chunk` as its one change.
fn sync_message_with(chunk: &[u8]) -> Vec<u8> {
    let mut m = vec![0x42, 0, 0, 0, 1]; // type, no heads, need, have; one change
    leb128::write::unsigned(&mut m, chunk.len() as u64).unwrap();
    m.extend_from_slice(chunk);
    m
}

/// The server's peak resident memory (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decompression_bomb_is_refused_with_flat_memory() {
    let mut server = Server::start();
    let kari = server.add_user("kari", "rep", None);
    let mut phone = memory_store("kari");
    let own = phone
        .create_account(Account {
            name: "Fjordkraft AS".into(),
            ..Default::default()
        })
        .unwrap();
    let mut c = RawClient::connect(&server.url(), &kari).await;
    c.join("kari-phone").await;
    c.sync_doc(&mut phone, own, false, WITHIN).await;

    let bomb = sync_message_with(&deflate_bomb(256));
    assert!(bomb.len() < 400_000, "the frame is small: {}", bomb.len());
    let before = peak_rss_kib(server.pid());
    // to the rep's own account (the writer thread's path) and to a random id
    // (a document the device would be creating)
    for doc in [own, DocumentId::random()] {
        c.send_sync(&doc.to_string(), bomb.clone(), false).await;
        let deadline = Instant::now() + WITHIN;
        loop {
            match c
                .recv_event(deadline.saturating_duration_since(Instant::now()))
                .await
            {
                Event::Msg(m @ WireMessage::Rejected { .. }) => {
                    assert_eq!(code_of(&m), Some("too_large"), "{m:?}");
                    if let WireMessage::Rejected { reason, .. } = &m {
                        assert!(reason.contains("too_large"), "{reason}");
                    }
                    break;
                }
                Event::Msg(_) => {}
                other => panic!("waiting for the refusal: {other:?}"),
            }
        }
    }
    let grown_mib = peak_rss_kib(server.pid()).saturating_sub(before) / 1024;
    eprintln!("decompression bombs: the server's peak memory grew by {grown_mib} MiB");
    assert!(
        grown_mib < 64,
        "server peak memory grew by {grown_mib} MiB for a 256 MiB bomb"
    );
    // the connection and the account still work
    phone
        .modify::<Account>(own, "", |a| a.industry = Some("Energy".into()))
        .unwrap();
    c.sync_doc(&mut phone, own, true, WITHIN).await;
    server.assert_healthy();

    // a frame over the limit is refused by its size, naming it
    let mut small = Server::start_with(&["--max-frame-bytes", "65536"]);
    let token = small.add_user("kari", "rep", None);
    let mut c = RawClient::connect(&small.url(), &token).await;
    c.join("kari-phone").await;
    c.send_sync(&own.to_string(), vec![0x42; 70_000], false)
        .await;
    let reason = c.expect_error_and_close(WITHIN).await;
    assert!(reason.contains("too_large"), "{reason}");
    small.kill();
    server.kill();
}

/// The id of a user's only token, as the admin API lists it.
fn token_id(admin: &Api, user: &str) -> String {
    let v = admin.ok(&format!("/api/admin/users/{user}/tokens"));
    let items = v.as_array().or_else(|| v["items"].as_array()).unwrap();
    items[0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_closed_out_of_open_connections() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari = server.add_user("kari", "rep", None);
    let mut phone = memory_store("kari");
    let doc = phone
        .create_account(Account {
            name: "Nordlys AS".into(),
            ..Default::default()
        })
        .unwrap();
    let mut c = RawClient::connect(&server.url(), &kari).await;
    c.join("kari-phone").await;
    c.sync_doc(&mut phone, doc, false, WITHIN).await;
    let mut events = EventStream::open(&server, &kari).unwrap();
    assert_eq!(
        events.next_event(WITHIN).map(|e| e.0).as_deref(),
        Some("ready")
    );

    let (s, _) = admin.call(
        "DELETE",
        &format!("/api/admin/tokens/{}", token_id(&admin, "kari")),
        None,
    );
    assert_eq!(s, 204);
    let revoked_at = Instant::now();
    // an edit sent after the revocation, on the still-open socket, is not stored
    phone
        .modify::<Account>(doc, "", |a| {
            a.industry = Some("Sent after revocation".into())
        })
        .unwrap();
    match exchange(&mut c, &mut phone, doc).await {
        Some(Event::Msg(WireMessage::Error { message, .. })) => {
            assert!(message.contains("unauthorized"), "{message}")
        }
        Some(Event::Closed(_)) => {}
        other => panic!("expected the connection closed as unauthorized: {other:?}"),
    }
    let got = events.next_event(Duration::from_secs(2)).map(|e| e.0);
    assert_eq!(got.as_deref(), Some("revoked"));
    assert!(revoked_at.elapsed() < Duration::from_secs(2));
    let acc = admin.ok(&format!("/api/accounts/{doc}"));
    assert_ne!(
        acc["account"]["industry"],
        json!("Sent after revocation"),
        "{acc}"
    );

    // a role change reaches an open connection: a rep made viewer can no longer write
    let vera = server.add_user("vera", "rep", None);
    let mut tablet = memory_store("vera");
    let vdoc = tablet
        .create_account(Account {
            name: "Sørlandet AS".into(),
            ..Default::default()
        })
        .unwrap();
    let mut v = RawClient::connect(&server.url(), &vera).await;
    v.join("vera-tablet").await;
    v.sync_doc(&mut tablet, vdoc, false, WITHIN).await;
    let (s, _) = admin.patch("/api/admin/users/vera", &json!({"role": "viewer"}));
    assert_eq!(s, 200);
    tablet
        .modify::<Account>(vdoc, "", |a| a.industry = Some("Viewer edit".into()))
        .unwrap();
    let answer = push_new_document(&mut v, &mut tablet, vdoc)
        .await
        .expect("a viewer's edit must be refused");
    assert_eq!(code_of(&answer), Some("read_only"), "{answer:?}");
    let acc = admin.ok(&format!("/api/accounts/{vdoc}"));
    assert_ne!(acc["account"]["industry"], json!("Viewer edit"), "{acc}");

    // a removed user: their connection and event stream end too
    let olav = server.add_user("olav", "rep", None);
    let mut o = RawClient::connect(&server.url(), &olav).await;
    o.join("olav-phone").await;
    let mut olav_events = EventStream::open(&server, &olav).unwrap();
    assert_eq!(
        olav_events.next_event(WITHIN).map(|e| e.0).as_deref(),
        Some("ready")
    );
    assert_eq!(admin.call("DELETE", "/api/admin/users/olav", None).0, 204);
    let reason = o.expect_error_and_close(Duration::from_secs(2)).await;
    assert!(reason.contains("unauthorized"), "{reason}");
    let got = olav_events.next_event(Duration::from_secs(2)).map(|e| e.0);
    assert_eq!(got.as_deref(), Some("revoked"));
    assert_eq!(Api::new(&server, Some(&olav)).get("/api/me").0, 401);
    // the last admin cannot be removed
    assert_eq!(admin.call("DELETE", "/api/admin/users/admin", None).0, 409);

    // revoked from the CLI (another process): closed within 2 s too
    let mona = server.add_user("mona", "rep", None);
    let mut m = RawClient::connect(&server.url(), &mona).await;
    m.join("mona-phone").await;
    let id = token_id(&admin, "mona");
    server.cli(&["token", "revoke", &id]);
    let reason = m.expect_error_and_close(Duration::from_secs(2)).await;
    assert!(reason.contains("unauthorized"), "{reason}");
}

#[test]
fn the_team_report_counts_only_what_the_caller_may_see() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari_token = server.add_user("kari", "rep", Some("west"));
    let kari = Api::new(&server, Some(&kari_token));
    let stages = json!([
        {"id": "lead", "name": "Lead", "position": 10, "probability": 50, "meaning": "open"},
        {"id": "won", "name": "Won", "position": 20, "probability": 100, "meaning": "won"},
    ]);
    let pid = admin.create_pipeline("Sales", &stages);
    // an account kari cannot open, holding a deal and a visit she owns
    let hidden =
        admin.create_account(&json!({"name": "Hemmelig AS", "owner": "admin", "currency": "NOK"}));
    assert_eq!(kari.get(&format!("/api/accounts/{hidden}")).0, 404);
    let (s, d) = admin.post(
        &format!("/api/accounts/{hidden}/deals"),
        &json!({"name": "Secret deal", "pipeline_id": pid, "stage_id": "lead",
                "amount_minor": 9_900_000, "currency": "NOK", "owner": "kari"}),
    );
    assert_eq!(s, 201, "{d}");
    let now = chrono_now_ms();
    let (s, a) = admin.post(
        &format!("/api/accounts/{hidden}/activities"),
        &json!({"kind": "visit", "subject": "Secret visit", "status": "done",
                "start_at": now, "owner": "kari"}),
    );
    assert_eq!(s, 201, "{a}");
    // the admin's report sees them; kari's does not
    let all = admin.ok("/api/reports/team");
    let row = |v: &Value| {
        v["reps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["user_id"] == "kari")
            .cloned()
            .unwrap()
    };
    assert_eq!(row(&all)["open_pipeline_minor"], json!(9_900_000), "{all}");
    let mine = kari.ok("/api/reports/team");
    let r = row(&mine);
    assert_eq!(r["open_pipeline_minor"], json!(0), "{mine}");
    assert_eq!(r["visits"], json!(0), "{mine}");
    assert_eq!(r["activities"], json!(0), "{mine}");
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Opens a connection from `from` (another loopback address: the server
/// sees a different client) that sends half a request header and then
/// nothing. `None` when the server (or the kernel) refused it.
async fn slow_header(from: &str, to: u16) -> Option<tokio::net::TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4().ok()?;
    socket.bind(format!("{from}:0").parse().ok()?).ok()?;
    let addr: SocketAddr = format!("127.0.0.1:{to}").parse().ok()?;
    let mut s = tokio::time::timeout(Duration::from_secs(2), socket.connect(addr))
        .await
        .ok()?
        .ok()?;
    use tokio::io::AsyncWriteExt;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .ok()?;
    Some(s)
}

/// Whether the server still holds `s` open (nothing to read, no EOF).
fn still_open(s: &tokio::net::TcpStream) -> bool {
    let mut buf = [0u8; 64];
    matches!(s.try_read(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_cannot_exhaust_the_server() {
    // an ordinary open-file limit: 300 slow clients exhaust it on today's main
    let server = Server::start_limited(
        &[
            "--header-read-timeout-secs",
            "3",
            "--max-connections-per-address",
            "50",
        ],
        Some(256),
    );
    let port = server.port();
    let mut held = Vec::new();
    for _ in 0..300 {
        if let Some(s) = slow_header("127.0.0.2", port).await {
            held.push(s);
        }
    }
    // the server answers others while the attacker's connections are held
    let p = port;
    let health = tokio::task::spawn_blocking(move || {
        outpost_e2e::http_request(p, "GET", "/healthz", None, None).0
    })
    .await
    .unwrap();
    assert_eq!(health, 200);
    let open: Vec<_> = held.iter().filter(|s| still_open(s)).collect();
    assert!(!open.is_empty(), "the attack was still under way");
    assert!(open.len() <= 50, "{} held from one address", open.len());
    // and every slow connection is cut off after the header timeout
    for s in &mut held {
        let mut buf = [0u8; 512];
        loop {
            use tokio::io::AsyncReadExt;
            match tokio::time::timeout(WITHIN, s.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(_)) => continue,
                Err(_) => panic!("a slow-header connection was held past the timeout"),
            }
        }
    }
    let log = server.log();
    assert!(log.contains("open-file limit"), "{log}");
}

#[test]
fn errors_metrics_and_tokens_leak_nothing() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    // serde's messages would echo the input back
    let (s, v) = admin.call_text(
        "POST",
        "/api/admin/users",
        r#"{"id": "x1", "role": "kari.nordmann@example.com"}"#,
    );
    assert_eq!(s, 400, "{v}");
    assert!(!v.contains("kari"), "{v}");
    // a JSON body past --max-body-bytes (1 MiB by default) is refused by size
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(1_100_000));
    let (s, v) = admin.call_text("POST", "/api/accounts", &big);
    assert_eq!(s, 413, "{v}");
    assert!(v.contains("payload_too_large"), "{v}");
    server.assert_healthy();
    // a wrong method is a JSON error like every other
    let (s, v) = admin.call("DELETE", "/api/me", None);
    assert_eq!(
        (s, v["code"].as_str()),
        (405, Some("method_not_allowed")),
        "{v}"
    );
    // ?token= only on /sync and /api/events
    let t = server.admin_token().to_owned();
    let (s, _) = server.http_get(&format!("/api/me?token={t}"), None);
    assert_eq!(s, 401);
    let (s, _) = server.http_get(&format!("/api/export/accounts.csv?token={t}"), None);
    assert_eq!(s, 401);
    let (s, _) = server.http_get("/api/me", Some(&t));
    assert_eq!(s, 200);
    // /metrics: not for anyone; for the metrics token
    let (s, _) = server.http_get("/metrics", None);
    assert_eq!(s, 401);
    let m = Server::start_with(&["--metrics-token", "metrics-token-for-prometheus"]);
    assert_eq!(m.http_get("/metrics", None).0, 401);
    assert_eq!(
        m.http_get("/metrics", Some("metrics-token-for-prometheus"))
            .0,
        200
    );
}
