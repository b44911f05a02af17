//! Two-replica tests of the document layer.

use automerge::transaction::Transactable;

use super::*;
use crate::model::{Account, Contact, Deal, Email};

/// A realistic time (2026-11-01) in ms.
const T: i64 = 1_793_491_200_000;

fn author(u: &str) -> Author {
    Author {
        user_id: u.into(),
        device_id: uuid::Uuid::new_v4().to_string(),
    }
}

fn account_doc(a: &Author) -> CrmDoc {
    let acc = Account {
        name: "Acme".into(),
        ..Default::default()
    };
    CrmDoc::new_account(DocumentId::random(), a, 1_000, acc).unwrap()
}

/// Adds a contact with just a first name; returns its id.
fn add_contact(doc: &mut CrmDoc, a: &Author, now: i64, first_name: &str) -> String {
    doc.edit(a, now, |e| {
        e.create(Contact {
            first_name: first_name.into(),
            ..Default::default()
        })
    })
    .unwrap()
}

fn replica(doc: &CrmDoc) -> CrmDoc {
    CrmDoc::load(doc.id(), &doc.save()).unwrap()
}

fn sync(a: &mut CrmDoc, b: &mut CrmDoc) {
    let bytes_a = a.save();
    let bytes_b = b.save();
    a.merge_bytes(&bytes_b).unwrap();
    b.merge_bytes(&bytes_a).unwrap();
}

#[test]
fn different_fields_merge_and_same_field_conflicts_with_both_authors() {
    let (ua, ub) = (author("alice"), author("bob"));
    let mut a = account_doc(&ua);
    let cid = add_contact(&mut a, &ua, 2_000, "Kari");
    let mut b = replica(&a);
    a.edit(&ua, T + 3_000, |e| {
        e.modify::<Contact>(&cid, |c| {
            c.title = Some("CEO".into());
            c.last_name = "Nordmann".into();
        })
    })
    .unwrap();
    b.edit(&ub, T + 3_500, |e| {
        e.modify::<Contact>(&cid, |c| {
            c.title = Some("CFO".into());
            c.language = Some("nb".into());
        })
    })
    .unwrap();
    sync(&mut a, &mut b);
    assert_eq!(a.heads(), b.heads());
    let ca = a.get::<Contact>(&cid).unwrap().record;
    assert_eq!(ca, b.get::<Contact>(&cid).unwrap().record);
    assert_eq!(ca.last_name, "Nordmann");
    assert_eq!(ca.language.as_deref(), Some("nb"));

    let conflicts = a.conflicts();
    assert_eq!(conflicts, b.conflicts());
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = &conflicts[0];
    assert_eq!(
        (c.kind, c.record_id.as_str(), c.field.as_str()),
        (RecordKind::Contact, cid.as_str(), "title")
    );
    let mut seen: Vec<(String, String, i64)> = c
        .values
        .iter()
        .map(|v| {
            (
                v.value.as_str().unwrap().to_owned(),
                v.author.clone().unwrap().user_id,
                v.at,
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("CEO".into(), "alice".into(), T + 3_000),
            ("CFO".into(), "bob".into(), T + 3_500)
        ]
    );
    // the first value is what reads show
    assert_eq!(c.values[0].value.as_str(), ca.title.as_deref());

    // bob picks alice's value; once alice has the resolution, the conflict is gone everywhere
    let pick = c
        .values
        .iter()
        .find(|v| v.value == "CEO")
        .unwrap()
        .value_id
        .clone();
    b.resolve_conflict(&ub, 4_000, RecordKind::Contact, &cid, "title", &pick)
        .unwrap();
    sync(&mut a, &mut b);
    assert!(a.conflicts().is_empty());
    assert!(b.conflicts().is_empty());
    assert_eq!(
        a.get::<Contact>(&cid).unwrap().record.title.as_deref(),
        Some("CEO")
    );
    // resolving again is an error, not a silent no-op
    assert!(matches!(
        a.resolve_conflict(&ua, 5_000, RecordKind::Contact, &cid, "title", &pick),
        Err(CoreError::NoSuchConflict { .. })
    ));
}

#[test]
fn offline_adds_to_sub_collections_and_sets_both_survive() {
    let (ua, ub) = (author("alice"), author("bob"));
    let mut a = account_doc(&ua);
    let cid = a.edit(&ua, 2, |e| e.create(named_contact())).unwrap();
    let mut b = replica(&a);
    a.edit(&ua, 3, |e| {
        e.modify::<Contact>(&cid, |c| {
            c.emails.push(Email {
                id: new_record_id(),
                address: "a@example.com".into(),
                ..Default::default()
            });
            c.hobbies.push("golf".into());
        })
    })
    .unwrap();
    b.edit(&ub, 3, |e| {
        e.modify::<Contact>(&cid, |c| {
            c.emails.push(Email {
                id: new_record_id(),
                address: "b@example.com".into(),
                ..Default::default()
            });
            c.hobbies.push("chess".into());
        })
    })
    .unwrap();
    sync(&mut a, &mut b);
    let c = a.get::<Contact>(&cid).unwrap().record;
    assert_eq!(c.emails.len(), 2);
    assert_eq!(c.hobbies, vec!["chess".to_string(), "golf".to_string()]);
    assert!(a.conflicts().is_empty());
}

#[test]
fn archive_wins_over_nothing_and_restores() {
    let ua = author("alice");
    let mut a = account_doc(&ua);
    let cid = a.edit(&ua, 2, |e| e.create(named_contact())).unwrap();
    a.edit(&ua, 3, |e| e.set_archived(RecordKind::Contact, &cid, true))
        .unwrap();
    let c = a.get::<Contact>(&cid).unwrap().record;
    assert!(c.meta.archived);
    assert_eq!(c.meta.archived_at, Some(3));
    a.edit(&ua, 4, |e| e.set_archived(RecordKind::Contact, &cid, false))
        .unwrap();
    let c = a.get::<Contact>(&cid).unwrap().record;
    assert!(!c.meta.archived);
    assert_eq!(c.meta.archived_at, None);
    assert_eq!(c.meta.updated_at, 4);
    assert_eq!(c.meta.created_at, 2);
}

#[test]
fn history_lists_who_changed_what_with_previous_values() {
    let (ua, ub) = (author("alice"), author("bob"));
    let mut a = account_doc(&ua);
    let did = a
        .edit(&ua, 10_000_000_000_000, |e| {
            e.create(Deal {
                name: "Big one".into(),
                amount_minor: 10_000,
                currency: "EUR".into(),
                stage_id: "prospecting".into(),
                ..Default::default()
            })
        })
        .unwrap();
    a.edit(&ub, 10_000_000_001_000, |e| {
        e.modify::<Deal>(&did, |d| {
            d.amount_minor = 25_000;
            d.description = "first call went well".into();
        })
    })
    .unwrap();
    a.edit(&ua, 10_000_000_002_000, |e| {
        e.move_deal_stage(&did, "proposal")
    })
    .unwrap();
    let h = a.history(RecordKind::Deal, &did);
    assert_eq!(h[0].action, history::ChangeAction::Created);
    assert_eq!(h[0].author.as_ref().unwrap().user_id, "alice");
    let amount: Vec<_> = h.iter().filter(|c| c.field == "amount_minor").collect();
    assert_eq!(amount.len(), 2, "{h:#?}");
    assert_eq!(amount[1].old_value, serde_json::json!(10_000));
    assert_eq!(amount[1].new_value, serde_json::json!(25_000));
    assert_eq!(amount[1].author.as_ref().unwrap().user_id, "bob");
    assert_eq!(amount[1].at, 10_000_000_001_000);
    let desc: Vec<_> = h.iter().filter(|c| c.field == "description").collect();
    assert_eq!(
        desc.last().unwrap().new_value,
        serde_json::json!("first call went well")
    );
    let stage: Vec<_> = h.iter().filter(|c| c.field == "stage_id").collect();
    assert_eq!(
        stage.last().unwrap().old_value,
        serde_json::json!("prospecting")
    );
    assert_eq!(
        stage.last().unwrap().new_value,
        serde_json::json!("proposal")
    );
    // the stage history entry was appended too
    let d = a.get::<Deal>(&did).unwrap().record;
    assert_eq!(d.stage_history.len(), 1);
    assert_eq!(
        d.stage_history[0].from_stage.as_deref(),
        Some("prospecting")
    );

    // the account as it was before bob's edit
    let past = a.as_of(10_000_000_000_500).unwrap();
    assert_eq!(past.get::<Deal>(&did).unwrap().record.amount_minor, 10_000);
    let before_creation = a.as_of(5).unwrap();
    assert!(before_creation.get::<Deal>(&did).is_none());
}

#[test]
fn bad_bytes_and_bad_documents_are_refused_and_leave_the_document_alone() {
    let ua = author("alice");
    let mut a = account_doc(&ua);
    let heads = a.heads();
    assert!(matches!(
        a.merge_bytes(b"not automerge"),
        Err(CoreError::NotAutomerge { .. })
    ));

    // a foreign client turns the contacts collection into a string
    let mut evil = automerge::AutoCommit::load(&a.save()).unwrap();
    evil.put(automerge::ROOT, "contacts", "oops").unwrap();
    assert!(matches!(
        a.merge_bytes(&evil.save()),
        Err(CoreError::SchemaViolation { .. })
    ));

    // a newer schema version
    let mut newer = automerge::AutoCommit::load(&a.save()).unwrap();
    newer.put(automerge::ROOT, "schema_version", 99).unwrap();
    assert!(matches!(
        a.merge_bytes(&newer.save()),
        Err(CoreError::UnsupportedSchemaVersion { found: 99, .. })
    ));
    assert_eq!(a.heads(), heads);

    // a document that is not an Outpost document at all
    let mut other = automerge::AutoCommit::new();
    other.put(automerge::ROOT, "hello", "world").unwrap();
    assert!(matches!(
        CrmDoc::load(DocumentId::random(), &other.save()),
        Err(CoreError::SchemaViolation { .. })
    ));
}

#[test]
fn a_wrongly_typed_field_from_a_foreign_client_degrades_one_field_only() {
    let ua = author("alice");
    let mut a = account_doc(&ua);
    let cid = a
        .edit(&ua, 2, |e| {
            e.create(Contact {
                first_name: "Kari".into(),
                title: Some("CEO".into()),
                ..Default::default()
            })
        })
        .unwrap();
    let mut foreign = automerge::AutoCommit::load(&a.save()).unwrap();
    let contact = record_obj(&foreign, RecordKind::Contact, &cid).unwrap();
    foreign.put(&contact, "birthday", 19_700_101).unwrap();
    a.merge_bytes(&foreign.save()).unwrap();
    let read = a.get::<Contact>(&cid).unwrap();
    assert_eq!(read.record.first_name, "Kari");
    assert_eq!(read.record.birthday, None);
    assert_eq!(read.invalid_fields, vec!["birthday".to_string()]);
    // editing another field leaves the foreign value where it was
    a.edit(&ua, 3, |e| {
        e.modify::<Contact>(&cid, |c| c.title = Some("CTO".into()))
    })
    .unwrap();
    let (v, _) = a.automerge().get(&contact, "birthday").unwrap().unwrap();
    assert_eq!(v.as_i64(), Some(19_700_101));
}

#[test]
fn migrations_run_forward_and_stamp_the_version() {
    fn add_flag(tx: &mut automerge::transaction::Transaction<'_>) -> Result<()> {
        tx.put(automerge::ROOT, "migrated_flag", true)?;
        Ok(())
    }
    let ua = author("alice");
    let mut a = account_doc(&ua);
    let steps = [schema::Migration {
        from: 1,
        apply: add_flag,
    }];
    assert!(a.migrate_with(&ua, 5, &steps, 2).unwrap());
    let (v, _) = a
        .automerge()
        .get(automerge::ROOT, "migrated_flag")
        .unwrap()
        .unwrap();
    assert_eq!(v.as_bool(), Some(true));
    assert!(
        !a.migrate_with(&ua, 6, &steps, 2).unwrap(),
        "second run is a no-op"
    );
    // no step for the gap: a clear error, nothing committed
    let mut b = account_doc(&ua);
    assert!(b.migrate_with(&ua, 5, &[], 2).is_err());
    assert_eq!(b.schema_version(), 1);
    // the shipped migration list brings a current document nowhere
    assert!(!b.migrate(&ua, 5).unwrap());
}

#[test]
fn records_only_go_in_their_own_kind_of_document() {
    let ua = author("alice");
    let mut s = CrmDoc::new_settings(DocumentId::random(), &ua, 1, Default::default()).unwrap();
    assert!(matches!(
        s.edit(&ua, 2, |e| e.create(named_contact())),
        Err(CoreError::Invalid(_))
    ));
    let mut a = account_doc(&ua);
    let id = a
        .edit(&ua, 2, |e| {
            e.create(Contact {
                meta: crate::model::RecordMeta {
                    id: "fixed".into(),
                    ..Default::default()
                },
                ..named_contact()
            })
        })
        .unwrap();
    assert_eq!(id, "fixed");
    assert!(matches!(
        a.edit(&ua, 3, |e| e.create(Contact {
            meta: crate::model::RecordMeta {
                id: "fixed".into(),
                ..Default::default()
            },
            ..Default::default()
        })),
        Err(CoreError::RecordExists { .. })
    ));
}

#[test]
fn a_merge_may_not_flip_the_type_or_delete_a_collection() {
    let ua = author("alice");
    let mut a = account_doc(&ua);
    let heads = a.heads();
    let mut flip = automerge::AutoCommit::load(&a.save()).unwrap();
    flip.put(automerge::ROOT, "type", "outpost.settings")
        .unwrap();
    assert!(matches!(
        a.merge_bytes(&flip.save()),
        Err(CoreError::SchemaViolation { .. })
    ));
    let mut wipe = automerge::AutoCommit::load(&a.save()).unwrap();
    wipe.delete(automerge::ROOT, "contacts").unwrap();
    assert!(matches!(
        a.merge_bytes(&wipe.save()),
        Err(CoreError::SchemaViolation { .. })
    ));
    let mut float = automerge::AutoCommit::load(&a.save()).unwrap();
    float.put(automerge::ROOT, "schema_version", 1.9).unwrap();
    assert!(matches!(
        a.merge_bytes(&float.save()),
        Err(CoreError::SchemaViolation { .. })
    ));
    assert_eq!(a.heads(), heads);
}

#[test]
fn the_collection_key_is_the_id_even_when_a_foreign_client_lies_inside() {
    let ua = author("alice");
    let mut a = account_doc(&ua);
    let c1 = add_contact(&mut a, &ua, T, "One");
    let c2 = add_contact(&mut a, &ua, T, "Two");
    let mut foreign = automerge::AutoCommit::load(&a.save()).unwrap();
    let obj = record_obj(&foreign, RecordKind::Contact, &c1).unwrap();
    foreign.put(&obj, "id", c2.as_str()).unwrap();
    a.merge_bytes(&foreign.save()).unwrap();
    assert_eq!(a.get::<Contact>(&c1).unwrap().record.meta.id, c1);
    a.edit(&ua, T + 1, |e| {
        e.modify::<Contact>(&c1, |c| c.title = Some("edited".into()))
    })
    .unwrap();
    assert_eq!(
        a.get::<Contact>(&c1).unwrap().record.title.as_deref(),
        Some("edited")
    );
    assert_eq!(a.get::<Contact>(&c2).unwrap().record.title, None);
}

#[test]
fn a_refused_sync_message_is_rewound_and_the_next_one_merges() {
    use automerge::sync::{State, SyncDoc};
    let (ua, ub) = (author("alice"), author("bob"));
    let mut server = account_doc(&ua);
    let actor = server.automerge().get_actor().clone();
    let (heads, saved) = (server.heads(), server.save());

    // a foreign client deletes the contacts collection and syncs it
    let mut evil = automerge::AutoCommit::load(&saved).unwrap();
    evil.delete(automerge::ROOT, "contacts").unwrap();
    let (mut st_evil, mut st_server) = (State::new(), State::new());
    let mut refused = false;
    for _ in 0..10 {
        if let Some(m) = evil.sync().generate_sync_message(&mut st_evil) {
            let before = st_server.clone();
            match server.receive_sync_message(&mut st_server, m) {
                Err(CoreError::SchemaViolation { .. }) => {
                    refused = true;
                    assert_eq!(st_server, before, "state untouched");
                    break;
                }
                other => other.map(drop).unwrap(),
            }
        }
        if let Some(m) = server.generate_sync_message(&mut st_server) {
            evil.sync().receive_sync_message(&mut st_evil, m).unwrap();
        }
    }
    assert!(refused);
    assert_eq!(server.heads(), heads);
    assert_eq!(
        server.automerge().get_actor(),
        &actor,
        "same actor after the rewind"
    );
    assert!(
        server
            .automerge()
            .get(automerge::ROOT, "contacts")
            .unwrap()
            .is_some()
    );

    // an honest device's edit still merges over sync afterwards
    let mut phone = CrmDoc::load(server.id(), &saved).unwrap();
    add_contact(&mut phone, &ub, T, "Kari");
    let (mut st_phone, mut st_srv2) = (State::new(), State::new());
    for _ in 0..10 {
        if let Some(m) = phone.generate_sync_message(&mut st_phone) {
            server.receive_sync_message(&mut st_srv2, m).unwrap();
        }
        if let Some(m) = server.generate_sync_message(&mut st_srv2) {
            phone.receive_sync_message(&mut st_phone, m).unwrap();
        }
    }
    assert_eq!(server.heads(), phone.heads());
    assert_eq!(server.list::<Contact>().len(), 1);
}

#[test]
fn a_record_replaced_by_a_scalar_is_refused_though_the_root_is_untouched() {
    let ua = author("alice");
    let mut a = account_doc(&ua);
    let cid = add_contact(&mut a, &ua, T, "Kari");
    let heads = a.heads();
    let mut evil = automerge::AutoCommit::load(&a.save()).unwrap();
    let (_, contacts) = evil.get(automerge::ROOT, "contacts").unwrap().unwrap();
    evil.put(&contacts, cid.as_str(), "gone").unwrap();
    assert!(matches!(
        a.merge_bytes(&evil.save()),
        Err(CoreError::SchemaViolation { .. })
    ));
    assert_eq!(a.heads(), heads);
    assert_eq!(a.list::<Contact>().len(), 1);
}

/// The smallest valid contact (a contact needs a name, e-mail or phone).
fn named_contact() -> Contact {
    Contact {
        first_name: "Kari".into(),
        ..Default::default()
    }
}

#[test]
fn a_collection_two_devices_create_offline_keeps_both_their_records() {
    use crate::model::Quote;
    let (ua, ub) = (author("alice"), author("bob"));
    let mut a = account_doc(&ua);
    // an account made before quotes existed: no `quotes` map at the root
    let mut tx = a.am.transaction();
    tx.delete(ROOT, "quotes").unwrap();
    tx.commit();
    assert!(a.am.get(ROOT, "quotes").unwrap().is_none());
    let mut b = replica(&a);
    let quote = |title: &str| Quote {
        title: title.into(),
        currency: "NOK".into(),
        ..Default::default()
    };
    // each device makes the map with its first quote, offline
    let qa = a.edit(&ua, T, |e| e.create(quote("from alice"))).unwrap();
    let qb = b.edit(&ub, T, |e| e.create(quote("from bob"))).unwrap();
    sync(&mut a, &mut b);
    assert_eq!(
        a.am.get_all(ROOT, "quotes").unwrap().len(),
        2,
        "two maps in conflict"
    );
    for d in [&a, &b] {
        let mut titles: Vec<String> = d
            .list::<Quote>()
            .into_iter()
            .map(|r| r.record.title)
            .collect();
        titles.sort();
        assert_eq!(
            titles,
            ["from alice", "from bob"],
            "neither device's quote is hidden"
        );
    }
    // both stay editable, and a third quote lands beside them
    b.edit(&ub, T + 1, |e| {
        e.modify::<Quote>(&qa, |q| q.title = "alice's, edited".into())
            .map(|_| ())
    })
    .unwrap();
    a.edit(&ua, T + 1, |e| {
        e.modify::<Quote>(&qb, |q| q.title = "bob's, edited".into())
            .map(|_| ())
    })
    .unwrap();
    let qc = a.edit(&ua, T + 2, |e| e.create(quote("third"))).unwrap();
    sync(&mut a, &mut b);
    for d in [&a, &b] {
        assert_eq!(d.get::<Quote>(&qa).unwrap().record.title, "alice's, edited");
        assert_eq!(d.get::<Quote>(&qb).unwrap().record.title, "bob's, edited");
        assert!(d.get::<Quote>(&qc).is_some());
        assert_eq!(d.list::<Quote>().len(), 3);
        assert_eq!(
            d.records_changed_since(&[])
                .iter()
                .filter(|r| r.kind == crate::model::RecordKind::Quote)
                .count(),
            3,
            "changes in either map name their record"
        );
    }
    // a record id may not be created twice across the maps
    assert!(
        a.edit(&ua, T + 3, |e| e.create(Quote {
            meta: crate::model::RecordMeta {
                id: qb.clone(),
                ..Default::default()
            },
            ..quote("dup")
        }))
        .is_err()
    );
}
