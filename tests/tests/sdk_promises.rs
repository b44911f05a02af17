//! What the device SDK promises an app, tried with real devices (core's
//! store and sync client) against the real server: nothing typed on the
//! phone disappears when access is revoked; "synced" means synced; the
//! pending-edit count and the progress figures are honest; status events
//! are coalesced.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use outpost_core::model::{Account, Contact, Phone};
use outpost_core::sync::client::{SyncEvent, WaitError};
use outpost_e2e::Server;
use outpost_e2e::api::Api;
use serde_json::json;

mod common;
use common::{Device, WAIT};

/// Creates `n` accounts in `territory` through the API; returns their ids.
fn accounts_in(admin: &Api, territory: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            admin.create_account(
                &json!({"name": format!("Konto {i} Ærøskøbing"), "territory": territory}),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_typed_offline_survives_revocation_as_a_draft() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari_token = server.add_user("kari", "rep", None);
    server.add_territory("kari", "west");
    let doc: outpost_core::DocumentId = accounts_in(&admin, "west", 1)[0].parse().unwrap();

    let mut phone = Device::new("kari");
    phone.online(&server, &kari_token);
    phone.synced().await;
    assert!(phone.store().contains(doc).unwrap());

    // offline, the rep adds a contact with a phone number
    phone.offline().await;
    phone
        .store()
        .create(
            doc,
            Contact {
                first_name: "Ingrid".into(),
                phones: vec![Phone {
                    number: "+47 912 34 567".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        phone.store().pending_edits().unwrap(),
        1,
        "readable while offline"
    );

    // meanwhile the office moves the account to another territory
    let (s, v) = admin.patch(
        &format!("/api/accounts/{doc}"),
        &json!({"territory": "east"}),
    );
    assert_eq!(s, 200, "{v}");

    // back online: the account leaves the phone, the contact does not
    let cfg = outpost_e2e::device::client_config(&server.url(), &kari_token);
    let (client, mut events) =
        outpost_core::sync::client::SyncClient::start_subscribed(phone.store.clone(), cfg);
    let deadline = Instant::now() + WAIT;
    let (mut retained, mut removed) = (None, false);
    while !(retained.is_some() && removed) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, events.recv()).await {
            Ok(Ok(SyncEvent::DocumentRetained {
                document,
                kept_edits,
                draft,
            })) if document == doc => retained = Some((kept_edits, draft)),
            Ok(Ok(SyncEvent::DocumentRemoved(d))) if d == doc => removed = true,
            Ok(_) => {}
            Err(_) => panic!("no revocation seen: retained {retained:?}, removed {removed}"),
        }
    }
    client.stop().await;
    let (kept, draft) = retained.unwrap();
    assert_eq!(kept, 1);
    let mut store = phone.store();
    assert!(!store.contains(doc).unwrap());
    // the app's get_account returns None, not an error
    assert!(store.get::<Account>(doc, "").unwrap().is_none());
    // the draft holds the contact, phone number and all, and exports it
    let drafts = store.drafts(Some(doc)).unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].id, draft);
    let view = store.draft_view(draft).unwrap();
    let kept: Vec<Contact> = view
        .list::<Contact>()
        .into_iter()
        .map(|r| r.record)
        .collect();
    assert!(
        kept.iter()
            .any(|c| c.first_name == "Ingrid" && c.phones[0].number == "+47 912 34 567"),
        "{kept:?}"
    );
    let export = store.draft_export(draft).unwrap().to_string();
    assert!(export.contains("+47 912 34 567"));
    assert_eq!(store.pending_edits().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synced_means_every_document_is_here_and_every_edit_acknowledged() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari_token = server.add_user("kari", "rep", None);
    server.add_territory("kari", "north");
    let docs = accounts_in(&admin, "north", 30);

    // a fresh device: the wait returns only once all 30 are on it
    let mut phone = Device::new("kari");
    phone.online(&server, &kari_token);
    let client = phone.client.as_ref().unwrap();
    let mut events = client.subscribe();
    client.wait_until_synced(WAIT).await.unwrap();
    let status = client.status();
    assert!(status.up_to_date && status.scope_received);
    for d in &docs {
        assert!(
            phone.store().contains(d.parse().unwrap()).unwrap(),
            "{d} is here"
        );
    }
    assert_eq!(status.progress.documents_done, 30);
    assert_eq!(status.progress.documents_total, 30);
    assert_eq!(status.progress.bytes_received, status.progress.bytes_total);

    // status events were coalesced: far fewer than one per document change
    let mut n = 0;
    while let Ok(ev) = events.try_recv() {
        if let SyncEvent::Status { status: s } = ev {
            n += 1;
            // each carries only what changed
            assert!(s.documents.len() <= 30);
        }
    }
    assert!(n > 0 && n < 60, "{n} status events for 30 accounts");

    // an edit: not "synced" until the server has it
    let doc = docs[0].parse().unwrap();
    phone
        .store()
        .modify::<Account>(doc, "", |a| a.industry = Some("Fiske".into()))
        .unwrap();
    assert!(!client.status().up_to_date || phone.store().pending_edits().unwrap() == 0);
    client.wait_until_synced(WAIT).await.unwrap();
    assert_eq!(phone.store().pending_edits().unwrap(), 0);
    let acc = admin.ok(&format!("/api/accounts/{doc}"));
    assert_eq!(acc["account"]["industry"], "Fiske");
    phone.offline().await;

    // a refused token is a typed error, not a timeout
    let mut stranger = Device::new("kari");
    stranger.online(&server, "opt_not_a_token_0000000000000000");
    let started = Instant::now();
    let err = stranger
        .client
        .as_ref()
        .unwrap()
        .wait_until_synced(WAIT)
        .await
        .unwrap_err();
    assert_eq!(err, WaitError::Unauthorized);
    assert!(started.elapsed() < WAIT);
    stranger.offline().await;
}

/// After days offline, "synced" means caught up: what the office changed
/// meanwhile is on the phone when the wait returns, not a moment later
/// (the saved sync state says the server had the phone's changes, which is
/// not the same as the phone having the server's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnecting_device_has_what_changed_meanwhile_when_synced() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari_token = server.add_user("kari", "rep", None);
    server.add_territory("kari", "north");
    let docs = accounts_in(&admin, "north", 20);
    let mut phone = Device::new("kari");
    phone.online(&server, &kari_token);
    phone.synced().await;
    phone.offline().await;

    // the office edits every account while the phone is away
    for d in &docs {
        let (s, v) = admin.patch(
            &format!("/api/accounts/{d}"),
            &json!({"industry": "Havbruk"}),
        );
        assert_eq!(s, 200, "{v}");
    }

    phone.online(&server, &kari_token);
    let client = phone.client.as_ref().unwrap();
    client.wait_until_synced(WAIT).await.unwrap();
    let stale: Vec<&String> = docs
        .iter()
        .filter(|d| {
            let acc = phone
                .store()
                .get::<Account>(d.parse().unwrap(), "")
                .unwrap()
                .unwrap();
            acc.record.industry.as_deref() != Some("Havbruk")
        })
        .collect();
    assert!(
        stale.is_empty(),
        "{} of 20 accounts not caught up when wait_until_synced returned",
        stale.len()
    );
    phone.offline().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_tracks_the_download_within_five_percent() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari_token = server.add_user("kari", "rep", None);
    server.add_territory("kari", "south");
    let docs = accounts_in(&admin, "south", 30);
    // give the accounts some history so sizes differ from sync messages
    for d in &docs {
        for i in 0..3 {
            let (s, v) = admin.post(
                &format!("/api/accounts/{d}/contacts"),
                &json!({"first_name": format!("Kontakt {i}"), "last_name": "Соколова"}),
            );
            assert_eq!(s, 201, "{v}");
        }
    }
    let mut phone = Device::new("kari");
    phone.online(&server, &kari_token);
    let client = phone.client.as_ref().unwrap();
    let mut events = client.subscribe();
    let deadline = Instant::now() + WAIT;
    let mut last_fraction = 0.0_f64;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ev = tokio::time::timeout(left, events.recv())
            .await
            .expect("the pull ends in time")
            .unwrap();
        if let SyncEvent::Status { status: s } = ev {
            let p = s.progress;
            if p.bytes_total == 0 {
                continue;
            }
            let bytes = p.bytes_received as f64 / p.bytes_total as f64;
            let docs = p.documents_done as f64 / p.documents_total as f64;
            // the byte figure never runs backwards, never past 100 %
            assert!(
                bytes + 1e-9 >= last_fraction,
                "{bytes} after {last_fraction}"
            );
            assert!(bytes <= 1.0);
            last_fraction = bytes;
            // and it tracks the documents actually done within 5 %, once
            // more than one document is done (sizes differ per document)
            if p.documents_done > 1 {
                assert!(
                    (bytes - docs).abs() <= 0.05 + 1.0 / p.documents_total as f64,
                    "{p:?}"
                );
            }
            if s.up_to_date {
                assert_eq!(p.bytes_received, p.bytes_total, "{p:?}");
                break;
            }
        }
    }
    phone.offline().await;
    let _ = Duration::from_secs(0);
}
