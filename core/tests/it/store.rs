//! Durability and merging through the store.

use outpost_core::model::{Account, Contact, Email, RecordKind};
use outpost_core::store::Store;
use outpost_core::{CoreError, DocumentId};

use crate::support::*;

fn contact(first: &str, last: &str, email: &str) -> Contact {
    Contact {
        first_name: first.into(),
        last_name: last.into(),
        emails: vec![Email {
            id: "e1".into(),
            address: email.into(),
            primary: true,
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn edits_survive_reopening_and_compaction_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let who = author("alice");
    let mut options = opts();
    options.compact_after_chunks = 5;
    let (doc, ids) = {
        let mut s = Store::open(&path, who.clone(), options.clone()).unwrap();
        let doc = s
            .create_account(Account {
                name: "Fjord Fisk AS".into(),
                ..Default::default()
            })
            .unwrap();
        let mut ids = Vec::new();
        for i in 0..12 {
            ids.push(
                s.create(
                    doc,
                    contact(
                        &format!("Name{i}"),
                        "Hansen",
                        &format!("n{i}@fjord.example"),
                    ),
                )
                .unwrap(),
            );
        }
        (doc, ids)
    };
    // compaction ran (12 writes, threshold 5): few chunks remain, nothing lost
    let conn = rusqlite::Connection::open(&path).unwrap();
    let chunks: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM chunks WHERE doc_id = ?1",
            [doc.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(chunks < 5, "chunks were not compacted: {chunks}");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(conn);

    let mut s = Store::open(&path, who, options).unwrap();
    let contacts = s.list::<Contact>(doc).unwrap();
    assert_eq!(contacts.len(), 12);
    for id in &ids {
        assert!(s.get::<Contact>(doc, id).unwrap().is_some());
    }
    assert_eq!(s.search_contacts("name1", 50).unwrap().len(), 3); // Name1, Name10, Name11
}

#[test]
fn merges_from_another_replica_update_the_index() {
    let mut a = memory_store("alice", NOW);
    let mut b = memory_store("bob", NOW);
    let doc = a
        .create_account(Account {
            name: "Bergen Bakeri".into(),
            ..Default::default()
        })
        .unwrap();
    let outcome = b.apply(doc, &a.export(doc).unwrap()).unwrap();
    assert!(outcome.created);
    assert_eq!(
        b.list_accounts(&Default::default()).unwrap()[0].name,
        "Bergen Bakeri"
    );

    let heads_b = b.heads(doc).unwrap();
    a.create(doc, contact("Ingrid", "Berg", "ingrid@bakeri.example"))
        .unwrap();
    // only the changes bob lacks travel
    let delta = a.changes_since(doc, &heads_b).unwrap();
    assert!(delta.len() < a.export(doc).unwrap().len() + 1);
    let outcome = b.apply(doc, &delta).unwrap();
    assert_eq!((outcome.created, outcome.new_changes), (false, 1));
    let hits = b.search_contacts("ingr", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].account_name, "Bergen Bakeri");
    // applying the same bytes again changes nothing
    assert_eq!(b.apply(doc, &delta).unwrap().new_changes, 0);
}

#[test]
fn bad_input_leaves_the_store_untouched() {
    let mut a = memory_store("alice", NOW);
    let doc = a
        .create_account(Account {
            name: "Acme".into(),
            ..Default::default()
        })
        .unwrap();
    a.create(doc, contact("Kari", "Nordmann", "kari@acme.example"))
        .unwrap();
    let heads = a.heads(doc).unwrap();
    let before = a.export(doc).unwrap();

    assert!(matches!(
        a.apply(doc, b"\x85\x6f\x4a\x83garbage"),
        Err(CoreError::NotAutomerge { .. })
    ));
    let mut newer = automerge::AutoCommit::load(&before).unwrap();
    automerge::transaction::Transactable::put(&mut newer, automerge::ROOT, "schema_version", 7)
        .unwrap();
    assert!(matches!(
        a.apply(doc, &newer.save()),
        Err(CoreError::UnsupportedSchemaVersion { found: 7, .. })
    ));
    // a brand-new document that is not an Outpost document
    let mut foreign = automerge::AutoCommit::new();
    automerge::transaction::Transactable::put(&mut foreign, automerge::ROOT, "todo", "x").unwrap();
    let other = DocumentId::random();
    assert!(matches!(
        a.apply(other, &foreign.save()),
        Err(CoreError::SchemaViolation { .. })
    ));
    assert!(!a.contains(other).unwrap());

    assert_eq!(a.heads(doc).unwrap(), heads);
    assert_eq!(a.search_contacts("kari", 10).unwrap().len(), 1);
    assert_eq!(a.document_ids().unwrap().len(), 1);
}

#[test]
fn archive_and_restore_hide_and_show_in_queries() {
    let mut a = memory_store("alice", NOW);
    let doc = a
        .create_account(Account {
            name: "Acme".into(),
            ..Default::default()
        })
        .unwrap();
    let cid = a
        .create(doc, contact("Kari", "Nordmann", "kari@acme.example"))
        .unwrap();
    a.archive(doc, RecordKind::Contact, &cid).unwrap();
    assert!(a.search_contacts("kari", 10).unwrap().is_empty());
    assert!(
        a.get::<Contact>(doc, &cid)
            .unwrap()
            .unwrap()
            .record
            .meta
            .archived
    );
    a.restore(doc, RecordKind::Contact, &cid).unwrap();
    assert_eq!(a.search_contacts("kari", 10).unwrap().len(), 1);

    a.archive(doc, RecordKind::Account, "").unwrap();
    assert!(a.list_accounts(&Default::default()).unwrap().is_empty());
    let all = a
        .list_accounts(&outpost_core::store::queries::AccountFilter {
            include_archived: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), 1);
    assert!(all[0].archived);
}

#[test]
fn conflicts_and_history_through_the_store() {
    let mut a = memory_store("alice", NOW);
    let mut b = memory_store("bob", NOW + 1000);
    let doc = a
        .create_account(Account {
            name: "Acme".into(),
            ..Default::default()
        })
        .unwrap();
    b.apply(doc, &a.export(doc).unwrap()).unwrap();
    a.modify::<Account>(doc, "", |acc| acc.value_tier = Some("A".into()))
        .unwrap();
    b.modify::<Account>(doc, "", |acc| acc.value_tier = Some("B".into()))
        .unwrap();
    a.apply(doc, &b.export(doc).unwrap()).unwrap();
    let conflicts = a.conflicts(doc).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].kind, RecordKind::Account);
    assert_eq!(conflicts[0].field, "value_tier");
    let authors: Vec<String> = conflicts[0]
        .values
        .iter()
        .map(|v| v.author.clone().unwrap().user_id)
        .collect();
    assert!(authors.contains(&"alice".to_string()) && authors.contains(&"bob".to_string()));
    let bob_value = conflicts[0]
        .values
        .iter()
        .find(|v| v.value == "B")
        .unwrap()
        .value_id
        .clone();
    a.resolve_conflict(
        doc,
        RecordKind::Account,
        &conflicts[0].record_id,
        "value_tier",
        &bob_value,
    )
    .unwrap();
    assert!(a.conflicts(doc).unwrap().is_empty());
    b.apply(doc, &a.export(doc).unwrap()).unwrap();
    assert!(b.conflicts(doc).unwrap().is_empty());
    assert_eq!(
        b.doc(doc)
            .unwrap()
            .account()
            .unwrap()
            .record
            .value_tier
            .as_deref(),
        Some("B")
    );

    let account_id = b
        .doc(doc)
        .unwrap()
        .account()
        .unwrap()
        .record
        .meta
        .id
        .clone();
    let history = b.history(doc, RecordKind::Account, &account_id).unwrap();
    let tiers: Vec<_> = history.iter().filter(|h| h.field == "value_tier").collect();
    assert_eq!(tiers.len(), 3, "{tiers:#?}"); // alice A, bob B, the resolution
    assert_eq!(
        tiers.last().unwrap().author.as_ref().unwrap().user_id,
        "alice"
    );
}

#[test]
fn with_author_attributes_edits_to_the_given_user_and_restores_the_store_author() {
    let mut s = memory_store("server", NOW);
    let doc = s
        .create_account(outpost_core::model::Account {
            name: "Acme".into(),
            ..Default::default()
        })
        .unwrap();
    let office = outpost_core::Author {
        user_id: "mona".into(),
        device_id: "api".into(),
    };
    let id = s
        .with_author(office.clone(), |s| {
            s.create(
                doc,
                outpost_core::model::Contact {
                    first_name: "Kari".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(s.author().user_id, "server");
    let c = s
        .get::<outpost_core::model::Contact>(doc, &id)
        .unwrap()
        .unwrap()
        .record;
    assert_eq!(c.meta.created_by.as_deref(), Some("mona"));
    let h = s
        .history(doc, outpost_core::model::RecordKind::Contact, &id)
        .unwrap();
    assert_eq!(h[0].author.as_ref(), Some(&office));
    // a panic inside does not leave the store writing as someone else
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        s.with_author(office.clone(), |_| panic!("boom"))
    }));
    assert!(caught.is_err());
    assert_eq!(s.author().user_id, "server");
}

#[test]
fn a_batch_commits_every_write_together_and_reads_see_them_inside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let who = author("alice");
    let (a, b) = {
        let mut s = Store::open(&path, who.clone(), opts()).unwrap();
        let (a, b) = s
            .batch(|s| {
                let a = s
                    .create_account(Account {
                        name: "Batch One".into(),
                        ..Default::default()
                    })
                    .unwrap();
                let b = s
                    .create_account(Account {
                        name: "Batch Two".into(),
                        ..Default::default()
                    })
                    .unwrap();
                s.create(a, contact("Kari", "Nordmann", "kari@example.no"))
                    .unwrap();
                // read-your-writes inside the batch
                assert_eq!(s.search_contacts("kari", 10).unwrap().len(), 1);
                (a, b)
            })
            .unwrap();
        (a, b)
    };
    let mut s = Store::open(&path, who, opts()).unwrap();
    assert_eq!(s.get_account_name(a), Some("Batch One".to_owned()));
    assert_eq!(s.get_account_name(b), Some("Batch Two".to_owned()));
    assert_eq!(s.search_contacts("kari", 10).unwrap().len(), 1);
}

#[test]
fn a_panic_inside_a_batch_rolls_it_back_and_the_store_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let who = author("alice");
    let mut s = Store::open(&path, who.clone(), opts()).unwrap();
    let kept = s
        .create_account(Account {
            name: "Before".into(),
            ..Default::default()
        })
        .unwrap();
    let aborted = s.batch(|s| {
        s.create_account(Account {
            name: "Lost".into(),
            ..Default::default()
        })
        .unwrap();
        panic!("a bug in the middle of a batch");
    });
    assert!(
        matches!(aborted, Err(outpost_core::CoreError::Aborted)),
        "{aborted:?}"
    );
    // later writes commit (no transaction was left open) and survive a reopen
    let after = s
        .create_account(Account {
            name: "After".into(),
            ..Default::default()
        })
        .unwrap();
    drop(s);
    let mut s = Store::open(&path, who, opts()).unwrap();
    let names: Vec<String> = s
        .document_ids()
        .unwrap()
        .into_iter()
        .filter_map(|(d, _)| s.get_account_name(d))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(s.get_account_name(kept).as_deref(), Some("Before"));
    assert_eq!(s.get_account_name(after).as_deref(), Some("After"));
}

trait AccountName {
    fn get_account_name(&mut self, doc: DocumentId) -> Option<String>;
}

impl AccountName for Store {
    fn get_account_name(&mut self, doc: DocumentId) -> Option<String> {
        Some(self.doc(doc).ok()?.account()?.record.name)
    }
}
