//! Seed inputs for every target, made with the real code: sync messages of
//! two in-memory stores syncing, a compressed change, a V2 message carrying
//! a saved document, frames of every message type, CSV files, a valid body
//! for every route. `scripts/fuzz.sh` writes them into an empty corpus; the
//! replay test runs them too.

use automerge::sync::{Message, MessageVersion, State};
use outpost_core::DocumentId;
use outpost_core::model::{Account, Activity, Case, Contact, Deal, Order};
use outpost_core::store::Store;
use outpost_core::sync::wire::{PeerMetadata, RemoteHeads, ScopeEntry, WireMessage};

use crate::docs::{ACCOUNT, account_id, empty_store, new_id};

/// The account document of [`crate::docs::ACCOUNT`] (what made the
/// committed file; record ids are random, so each call differs).
pub fn make_account() -> Vec<u8> {
    let mut s = empty_store("fuzz-origin");
    let doc = s
        .create_account(Account {
            name: "Acme Fisk AS".into(),
            territory: Some("west".into()),
            ..Default::default()
        })
        .expect("account");
    s.create(
        doc,
        Contact {
            first_name: "Test".into(),
            last_name: "Person".into(),
            title: Some("Buyer".into()),
            ..Default::default()
        },
    )
    .expect("contact");
    s.create(
        doc,
        Deal {
            name: "Boat".into(),
            ..Default::default()
        },
    )
    .expect("deal");
    s.create(doc, Activity::default()).expect("activity");
    s.create(doc, Order::default()).expect("order");
    s.create(doc, Case::default()).expect("case");
    s.export(doc).expect("export")
}

/// Runs the sync protocol from `a` (document `da`) to `b` (document `db`)
/// until both are quiet; the messages `a` sent.
fn sync(a: &mut Store, da: DocumentId, b: &mut Store, db: DocumentId) -> Vec<Vec<u8>> {
    let (mut sa, mut sb) = (State::new(), State::new());
    let mut sent = Vec::new();
    for _ in 0..20 {
        let m1 = a.generate_sync_message(da, &mut sa).expect("generate");
        if let Some(m) = &m1 {
            sent.push(m.clone());
            b.receive_sync_message(db, &mut sb, m).expect("receive");
        }
        let m2 = b.generate_sync_message(db, &mut sb).expect("generate");
        if let Some(m) = &m2 {
            a.receive_sync_message(da, &mut sa, m).expect("receive");
        }
        if m1.is_none() && m2.is_none() {
            break;
        }
    }
    sent
}

fn with_mode(mode: u8, bytes: &[u8]) -> Vec<u8> {
    let mut v = vec![mode];
    v.extend_from_slice(bytes);
    v
}

/// A phone holding the account with an edit and a new contact whose notes
/// are long enough for Automerge to compress the change.
fn edited_phone() -> (Store, Vec<automerge::ChangeHash>) {
    let mut phone = empty_store("fuzz-phone");
    phone.apply(account_id(), ACCOUNT).expect("copy");
    let before = phone.heads(account_id()).expect("heads");
    let contact = phone.list::<Contact>(account_id()).expect("contacts")[0]
        .record
        .meta
        .id
        .clone();
    phone
        .modify::<Contact>(account_id(), &contact, |c| c.title = Some("CEO".into()))
        .expect("edit");
    phone
        .create(
            account_id(),
            Contact {
                first_name: "Long".into(),
                notes: "met at the fair; wants a quote for nets. ".repeat(40),
                ..Default::default()
            },
        )
        .expect("contact");
    (phone, before)
}

/// The seeds of the `sync_message` target (first byte: 0 = the store holds
/// the account, 1 = a new document).
pub fn sync_message() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // a phone's edits to the account, as the server receives them
    let (mut phone, _) = edited_phone();
    let mut server = crate::docs::store_with_account("fuzz-server");
    for m in sync(&mut phone, account_id(), &mut server, account_id()) {
        out.push(with_mode(0, &m));
    }
    // the last change alone, compressed (chunk type 2) as Automerge writes it
    let doc = phone.doc(account_id()).expect("doc");
    let mut change = doc
        .automerge()
        .get_last_local_change()
        .expect("a local change");
    let compressed = change.bytes().to_vec();
    assert_eq!(compressed[8], 2, "the change is compressed");
    let heads = doc.heads();
    let msg = Message {
        heads: heads.clone(),
        need: Vec::new(),
        have: Vec::new(),
        changes: compressed.into(),
        flags: None,
        version: MessageVersion::V1,
    };
    out.push(with_mode(0, &msg.encode()));
    // a V2 message carrying the whole saved document (deflated columns)
    let v2 = Message {
        heads: heads.clone(),
        need: Vec::new(),
        have: Vec::new(),
        changes: doc.save().into(),
        flags: None,
        version: MessageVersion::V2,
    };
    let v2 = v2.encode();
    out.push(with_mode(0, &v2));
    out.push(with_mode(1, &v2));
    // an account created on a phone, pulled by a server that never had it
    let mut creator = empty_store("fuzz-creator");
    let doc = creator
        .create_account(Account {
            name: "New AS".into(),
            ..Default::default()
        })
        .expect("account");
    creator
        .create(
            doc,
            Contact {
                first_name: "New".into(),
                ..Default::default()
            },
        )
        .expect("contact");
    let mut server = empty_store("fuzz-server");
    for m in sync(&mut creator, doc, &mut server, new_id()) {
        out.push(with_mode(1, &m));
    }
    out
}

/// The seeds of the `doc_load` target (first byte: 0 `CrmDoc::load`, 1
/// into an empty store, 2 merged into the account).
pub fn doc_load() -> Vec<Vec<u8>> {
    let (mut phone, before) = edited_phone();
    let changes = phone.changes_since(account_id(), &before).expect("changes");
    let saved = phone.export(account_id()).expect("export");
    let mut compressed = phone
        .doc(account_id())
        .expect("doc")
        .automerge()
        .get_last_local_change()
        .expect("change");
    let compressed = compressed.bytes().to_vec();
    let mut out = Vec::new();
    for mode in 0..3 {
        out.push(with_mode(mode, ACCOUNT));
        out.push(with_mode(mode, &saved));
    }
    out.push(with_mode(2, &changes));
    out.push(with_mode(2, &compressed));
    out
}

/// The seeds of the `wire_decode` target: a frame of every message type.
pub fn wire_decode() -> Vec<Vec<u8>> {
    let data = sync_message()
        .into_iter()
        .next()
        .map(|m| m[1..].to_vec())
        .unwrap_or_default();
    let (s, t, d) = (
        "peer-a".to_owned(),
        "outpost-1".to_owned(),
        account_id().to_string(),
    );
    let msgs = vec![
        WireMessage::Join {
            sender_id: s.clone(),
            supported_protocol_versions: vec!["1".into()],
            peer_metadata: Some(PeerMetadata {
                storage_id: Some("storage".into()),
                is_ephemeral: false,
            }),
        },
        WireMessage::Peer {
            sender_id: t.clone(),
            selected_protocol_version: "1".into(),
            target_id: s.clone(),
            peer_metadata: None,
        },
        WireMessage::Error {
            sender_id: t.clone(),
            message: "too_large".into(),
            target_id: s.clone(),
        },
        WireMessage::sync_message(true, s.clone(), t.clone(), d.clone(), data.clone()),
        WireMessage::sync_message(false, s.clone(), t.clone(), d.clone(), data.clone()),
        WireMessage::DocUnavailable {
            sender_id: t.clone(),
            target_id: s.clone(),
            document_id: d.clone(),
        },
        WireMessage::Ephemeral {
            sender_id: s.clone(),
            target_id: t.clone(),
            count: 3,
            session_id: "session".into(),
            document_id: d.clone(),
            data: vec![0xa0],
        },
        WireMessage::RemoteSubscriptionChange {
            sender_id: s.clone(),
            target_id: t.clone(),
            add: Some(vec!["storage".into()]),
            remove: None,
        },
        WireMessage::RemoteHeadsChanged {
            sender_id: t.clone(),
            target_id: s.clone(),
            document_id: d.clone(),
            new_heads: [(
                "storage".to_owned(),
                RemoteHeads {
                    heads: vec!["abc".into()],
                    timestamp: 1,
                },
            )]
            .into(),
        },
        WireMessage::Rejected {
            sender_id: t.clone(),
            target_id: s.clone(),
            document_id: d.clone(),
            reason: "schema".into(),
            code: Some("schema".into()),
            server_heads: vec!["abc".into()],
        },
        WireMessage::Scope {
            sender_id: t,
            target_id: s,
            documents: vec![ScopeEntry {
                document_id: d,
                kind: "account".into(),
                writable: true,
                size: Some(10),
            }],
        },
    ];
    msgs.iter().map(|m| m.encode().expect("encode")).collect()
}

/// The seeds of the `import_csv` target.
pub fn import_csv() -> Vec<Vec<u8>> {
    let files: [(u8, &str); 6] = [
        (
            0,
            "First Name,Last Name,Email,Phone,Account Name\nTest,Person,test@example.com,+47 22 33 44 55,Acme Fisk AS\nAnn,Other,ann@example.com,22334455,New AS\n",
        ),
        (
            1,
            "Account Name,Website,Billing City,Territory\nAcme Fisk AS,acme.example,Bergen,west\nNew AS,,Oslo,east\n",
        ),
        (
            2,
            "Deal Name,Amount,Close Date,Stage,Account Name\nBoat,\"1,234.50\",2024-02-29,lead,Acme Fisk AS\nNet,99,03/01/2024,won,Acme Fisk AS\n",
        ),
        (4, "firstname,lastname,email\n\"a,b\",c,d@e.f\n"),
        (
            8,
            "First Name,Email,External Id\nA,a@example.com,C-1\nA,a@example.com,C-1\n",
        ),
        (16 + 2, "name,amount,closedate\nx,1e3,31.12.2024\n"),
    ];
    files
        .iter()
        .map(|(mode, csv)| with_mode(*mode, csv.as_bytes()))
        .collect()
}

/// The seeds of the `rest_body` target: a valid body for every route (raw
/// mode), and a few structured ones.
pub fn rest_body() -> Vec<Vec<u8>> {
    let bodies: &[(u8, &str)] = &[
        (0, r#"{"name":"Seed AS","territory":"west"}"#),
        (1, r#"{"name":"Renamed AS","phone":"+4722334455"}"#),
        (2, "{}"),
        (3, "{}"),
        (
            4,
            r#"{"record_kind":"contact","record_id":"x","field":"title","value":"CFO"}"#,
        ),
        (
            5,
            r#"{"first_name":"A","emails":{"e2":{"address":"a@example.com"}},"important_dates":{"d1":{"date":"--02-29","label":"birthday"}}}"#,
        ),
        (6, r#"{"name":"Deal","stage_id":"lead"}"#),
        (7, r#"{"kind":"visit","subject":"Visit"}"#),
        (8, r#"{"number":"O-2"}"#),
        (9, r#"{"subject":"Case"}"#),
        (10, r#"{"title":"CTO","birthday":"1980-02-29"}"#),
        (11, r#"{"name":"Bigger boat"}"#),
        (12, r#"{"subject":"Call back"}"#),
        (13, r#"{"number":"O-3"}"#),
        (14, r#"{"subject":"Fixed"}"#),
        (15, "{}"),
        (16, "{}"),
        (17, r#"{"stage_id":"offer"}"#),
        (
            18,
            r#"{"name":"Service","stages":[{"id":"a","name":"A","position":0,"probability":5,"meaning":"open"}]}"#,
        ),
        (19, r#"{"name":"Sales 2"}"#),
        (
            20,
            r#"{"entity":"deal","key":"color","label":"Color","field_type":"text"}"#,
        ),
        (21, r#"{"label":"Size"}"#),
        (22, "First Name,Email\nA,a@example.com\n"),
        (
            23,
            r#"{"kind":"contacts","csv":"First Name,Email\nA,a@example.com\n","dry_run":true}"#,
        ),
        (24, r#"{"role":"rep","team":"east"}"#),
        (25, r#"{"visits_per_week":10,"won_per_month_minor":100000}"#),
        (26, r#"{"id":"new-user","role":"viewer"}"#),
        (27, ""),
        (28, ""),
        (29, ""),
    ];
    let mut out: Vec<Vec<u8>> = bodies
        .iter()
        .map(|(route, body)| {
            let mut v = vec![*route, 0];
            v.extend_from_slice(body.as_bytes());
            v
        })
        .collect();
    for route in [1u8, 5, 10, 18, 24] {
        out.push(vec![route, 1, 3, 0x40, 7, 0x22, 0x91, 9, 1, 0x35, 2]);
    }
    out
}

/// The seeds of the `phone` target (first byte: region).
pub fn phone() -> Vec<Vec<u8>> {
    [
        (0u8, "(415) 555-2671"),
        (1, "+47 22 33 44 55"),
        (1, "0047 22-33-44-55"),
        (1, "22334455"),
        (2, "020 7946 0018"),
        (3, "+49 30 1234567"),
        (8, "+91 98765 43210"),
        (12, "+1 800 FLOWERS"),
        (13, "123456"),
        (0, "tel:+1-201-555-0123;ext=12"),
    ]
    .iter()
    .map(|(r, n)| with_mode(*r, n.as_bytes()))
    .collect()
}

/// The seeds of the `date` target.
pub fn date() -> Vec<Vec<u8>> {
    [
        "1980-02-29",
        "--02-29",
        "--13-01",
        "2024-12-31",
        "0001-01-01",
        "+12345-01-01",
        "soon",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// The seeds of a target by name.
pub fn for_target(name: &str) -> Vec<Vec<u8>> {
    match name {
        "wire_decode" => wire_decode(),
        "sync_message" => sync_message(),
        "doc_load" => doc_load(),
        "import_csv" => import_csv(),
        "rest_body" => rest_body(),
        "phone" => phone(),
        "date" => date(),
        _ => Vec::new(),
    }
}
