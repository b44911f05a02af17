//! A store written by an older build (schema version 1: documents only, no
//! query index) opens with this build: it is migrated, its index is rebuilt
//! from the documents, and its schema ends up identical to a fresh store's.

use outpost_core::model::{Account, Contact};
use outpost_core::store::Store;
use outpost_core::{CrmDoc, DocumentId};

use crate::support::*;

fn schema_of(path: &std::path::Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut st = conn
        .prepare("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_version_1_store_is_migrated_and_reindexed() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    let who = author("alice");
    // what a version-1 build left on disk: a document, no index
    let doc_id = DocumentId::random();
    {
        let s = Store::open_at_version(&old, who.clone(), 1).unwrap();
        drop(s);
        let mut doc = CrmDoc::new_account(
            doc_id,
            &who,
            NOW,
            Account {
                name: "Old Times AS".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let before = doc.heads();
        doc.edit(&who, NOW + 1, |e| {
            e.create(Contact {
                first_name: "Gammel".into(),
                last_name: "Kunde".into(),
                ..Default::default()
            })
        })
        .unwrap();
        let conn = rusqlite::Connection::open(&old).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 1);
        conn.execute(
            "INSERT INTO documents(doc_id, kind, snapshot) VALUES (?1, 'account', ?2)",
            rusqlite::params![
                doc_id.to_string(),
                doc.automerge().fork_at(&before).unwrap().save()
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO chunks(doc_id, seq, data) VALUES (?1, 1, ?2)",
            rusqlite::params![doc_id.to_string(), doc.save_after(&before)],
        )
        .unwrap();
    }

    let mut s = Store::open(&old, who.clone(), opts()).unwrap();
    assert_eq!(
        s.list_accounts(&Default::default()).unwrap()[0].name,
        "Old Times AS"
    );
    assert_eq!(s.search_contacts("gammel", 10).unwrap().len(), 1);
    assert_eq!(s.list::<Contact>(doc_id).unwrap().len(), 1);
    drop(s);

    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh, who, opts()).unwrap());
    assert_eq!(schema_of(&old), schema_of(&fresh));
}

#[test]
fn a_store_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::open(&path, author("a"), opts()).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(&path, author("a"), opts()).unwrap_err();
    assert!(
        matches!(err, outpost_core::CoreError::StoreTooNew { found: 99, .. }),
        "{err}"
    );
}
