//! Sync sessions between stores, as the websocket client and server run
//! them, without a network: messages are passed by hand until both sides
//! are quiet.

use automerge::sync::State;
use outpost_core::model::{Account, Contact};
use outpost_core::store::Store;
use outpost_core::{CoreError, DocumentId};

use crate::support::*;

/// Runs the sync protocol between `a` and `b` for `doc` until neither has
/// anything to send; returns how many messages and bytes went a → b.
fn run(
    a: &mut Store,
    sa: &mut State,
    b: &mut Store,
    sb: &mut State,
    doc: DocumentId,
) -> (usize, usize) {
    let (mut msgs, mut bytes) = (0, 0);
    for _ in 0..50 {
        let m1 = a.generate_sync_message(doc, sa).unwrap();
        if let Some(m) = &m1 {
            msgs += 1;
            bytes += m.len();
            b.receive_sync_message(doc, sb, m).unwrap();
        }
        let m2 = b.generate_sync_message(doc, sb).unwrap();
        if let Some(m) = &m2 {
            a.receive_sync_message(doc, sa, m).unwrap();
        }
        if m1.is_none() && m2.is_none() {
            return (msgs, bytes);
        }
    }
    panic!("sync did not settle");
}

#[test]
fn a_device_pulls_a_new_document_and_both_sides_converge() {
    let mut server = memory_store("server", NOW);
    let mut device = memory_store("rep", NOW);
    let doc = server
        .create_account(Account {
            name: "Fjord Fisk AS".into(),
            ..Default::default()
        })
        .unwrap();
    server
        .create(
            doc,
            Contact {
                first_name: "Kari".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let (mut s_srv, mut s_dev) = (State::new(), State::new());
    // the device starts: it does not have the document, so its first message is a request
    run(&mut device, &mut s_dev, &mut server, &mut s_srv, doc);
    assert!(device.contains(doc).unwrap());
    assert_eq!(device.search_contacts("kari", 10).unwrap().len(), 1);
    // an edit on the device reaches the server
    device
        .create(
            doc,
            Contact {
                first_name: "Ola".into(),
                ..Default::default()
            },
        )
        .unwrap();
    run(&mut device, &mut s_dev, &mut server, &mut s_srv, doc);
    assert_eq!(server.heads(doc).unwrap(), device.heads(doc).unwrap());
    assert_eq!(server.search_contacts("ola", 10).unwrap().len(), 1);
}

#[test]
fn saved_sync_state_means_a_reconnect_does_not_resend_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = memory_store("server", NOW);
    let path = dir.path().join("device.db");
    let mut device = Store::open(&path, author("rep"), opts()).unwrap();
    let doc = server
        .create_account(Account {
            name: "A".into(),
            ..Default::default()
        })
        .unwrap();
    for i in 0..200 {
        server
            .create(
                doc,
                Contact {
                    first_name: format!("P{i}"),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    let (mut s_srv, mut s_dev) = (State::new(), State::new());
    let (_, first_bytes) = run(&mut server, &mut s_srv, &mut device, &mut s_dev, doc);
    device.save_sync_state("server", doc, &s_dev).unwrap();
    drop(device);

    server
        .create(
            doc,
            Contact {
                first_name: "New".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let mut device = Store::open(&path, author("rep"), opts()).unwrap();
    let mut s_dev = device.sync_state("server", doc).unwrap();
    let mut s_srv = State::new(); // the server side may have forgotten
    s_srv.shared_heads = s_dev.shared_heads.clone();
    let (_, again_bytes) = run(&mut server, &mut s_srv, &mut device, &mut s_dev, doc);
    assert_eq!(device.list::<Contact>(doc).unwrap().len(), 201);
    assert!(
        again_bytes * 10 < first_bytes,
        "resumed sync sent {again_bytes} bytes, first sync {first_bytes}"
    );
}

#[test]
fn a_sync_message_that_breaks_the_schema_is_refused_and_nothing_changes() {
    let mut server = memory_store("server", NOW);
    let mut device = memory_store("rep", NOW);
    let doc = server
        .create_account(Account {
            name: "A".into(),
            ..Default::default()
        })
        .unwrap();
    let (mut s_srv, mut s_dev) = (State::new(), State::new());
    run(&mut device, &mut s_dev, &mut server, &mut s_srv, doc);
    let heads = server.heads(doc).unwrap();

    // a tampered device turns the contacts collection into a number
    let mut evil = automerge::AutoCommit::load(&device.export(doc).unwrap()).unwrap();
    automerge::transaction::Transactable::put(&mut evil, automerge::ROOT, "contacts", 5).unwrap();
    let mut evil_doc = evil.document().clone();
    let mut evil_state = State::new();
    let mut s = server.sync_state("evil", doc).unwrap();
    let mut refused = None;
    for _ in 0..10 {
        let Some(msg) = automerge::sync::SyncDoc::generate_sync_message(&evil_doc, &mut evil_state)
        else {
            break;
        };
        match server.receive_sync_message(doc, &mut s, &msg.encode()) {
            Err(e) => {
                refused = Some(e);
                break;
            }
            Ok(_) => {
                if let Some(reply) = server.generate_sync_message(doc, &mut s).unwrap() {
                    let reply = automerge::sync::Message::decode(&reply).unwrap();
                    automerge::sync::SyncDoc::receive_sync_message(
                        &mut evil_doc,
                        &mut evil_state,
                        reply,
                    )
                    .unwrap();
                }
            }
        }
    }
    let err = refused.expect("the server accepted a schema-breaking change");
    assert!(matches!(err, CoreError::SchemaViolation { .. }), "{err}");
    assert_eq!(server.heads(doc).unwrap(), heads);
    // garbage is refused too
    assert!(
        server
            .receive_sync_message(doc, &mut s, b"nonsense")
            .is_err()
    );
}

#[test]
fn after_a_refusal_the_device_rebuilds_keeps_a_draft_and_writes_on() {
    let mut server = memory_store("server", NOW);
    let mut device = memory_store("rep", NOW);
    let doc = server
        .create_account(Account {
            name: "A".into(),
            ..Default::default()
        })
        .unwrap();
    let (mut s_srv, mut s_dev) = (State::new(), State::new());
    run(&mut device, &mut s_dev, &mut server, &mut s_srv, doc);
    let server_heads = server.heads(doc).unwrap();

    // an edit the server refuses (here: never sent; the server said no)
    let refused = device
        .create(
            doc,
            Contact {
                first_name: "Refused".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let draft = device
        .set_aside_refused(doc, &server_heads, "read-only")
        .unwrap()
        .unwrap();
    assert_eq!(device.heads(doc).unwrap(), server_heads);
    assert!(device.get::<Contact>(doc, &refused).unwrap().is_none());
    assert_eq!(device.drafts(Some(doc)).unwrap()[0].id, draft);
    let view = device.draft_view(draft).unwrap();
    assert_eq!(
        view.get::<Contact>(&refused).unwrap().record.first_name,
        "Refused"
    );

    // a later edit syncs: a fresh actor id, so no clash with the discarded sequence numbers
    let later = device
        .create(
            doc,
            Contact {
                first_name: "Later".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let (mut s_srv, mut s_dev) = (State::new(), State::new());
    run(&mut device, &mut s_dev, &mut server, &mut s_srv, doc);
    assert!(server.get::<Contact>(doc, &later).unwrap().is_some());
    assert!(server.get::<Contact>(doc, &refused).unwrap().is_none());
    assert_eq!(server.heads(doc).unwrap(), device.heads(doc).unwrap());
    device.discard_draft(draft).unwrap();
    assert!(device.drafts(None).unwrap().is_empty());
}

#[test]
fn reapplying_a_draft_rewrites_the_valid_edits_and_drops_what_does_not_fit() {
    let mut server = memory_store("server", NOW);
    let mut device = memory_store("rep", NOW);
    let doc = server
        .create_account(Account {
            name: "A".into(),
            ..Default::default()
        })
        .unwrap();
    let (mut s_srv, mut s_dev) = (State::new(), State::new());
    run(&mut device, &mut s_dev, &mut server, &mut s_srv, doc);
    let server_heads = server.heads(doc).unwrap();

    // refused changes: a valid new contact and title, plus a field of the
    // wrong type that some other client wrote on this device
    let cid = device
        .create(
            doc,
            Contact {
                first_name: "Kept".into(),
                title: Some("CEO".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let mut foreign = automerge::AutoCommit::load(&device.export(doc).unwrap()).unwrap();
    let contacts = match automerge::ReadDoc::get(&foreign, automerge::ROOT, "contacts").unwrap() {
        Some((_, id)) => id,
        None => panic!("no contacts"),
    };
    let contact = match automerge::ReadDoc::get(&foreign, &contacts, cid.as_str()).unwrap() {
        Some((_, id)) => id,
        None => panic!("no contact"),
    };
    automerge::transaction::Transactable::put(&mut foreign, &contact, "birthday", 42).unwrap();
    device.apply(doc, &foreign.save()).unwrap();

    let draft = device
        .set_aside_refused(doc, &server_heads, "schema")
        .unwrap()
        .unwrap();
    assert!(device.get::<Contact>(doc, &cid).unwrap().is_none());
    let written = device.reapply_draft(draft).unwrap();
    assert_eq!(written, 1);
    assert!(device.reapplied_since(doc, NOW).unwrap());
    let (mut s_srv, mut s_dev) = (State::new(), State::new());
    run(&mut device, &mut s_dev, &mut server, &mut s_srv, doc);
    let on_server = server.get::<Contact>(doc, &cid).unwrap().unwrap();
    assert_eq!(on_server.record.title.as_deref(), Some("CEO"));
    assert_eq!(on_server.record.birthday, None);
    assert!(
        on_server.invalid_fields.is_empty(),
        "{:?}",
        on_server.invalid_fields
    );
}
