//! Stores written by older builds open with this build: migrated to the
//! latest schema version, with a schema identical to a fresh store's, their
//! data readable, their query index rebuilt, drafts working.
//!
//! The fixtures in `core/tests/fixtures/stores/` were each written by the
//! code of an old commit through its own `Store` API (see `make.sh` there,
//! which regenerates them). Each test works on a copy in a temp dir.

use std::path::{Path, PathBuf};

use outpost_core::model::{Account, Activity, Contact, Deal};
use outpost_core::store::Store;
use outpost_core::{CrmDoc, DocumentId};

use crate::support::*;

fn schema_of(path: &Path) -> Vec<(String, String)> {
    outpost_core::sqlite_migrations::schema(&rusqlite::Connection::open(path).unwrap()).unwrap()
}

fn user_version(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// A fresh store of this build, next to `dir`'s other files: (schema, version).
fn fresh(dir: &Path) -> (Vec<(String, String)>, i64) {
    let path = dir.join("fresh.db");
    drop(Store::open(&path, author("fresh"), opts()).unwrap());
    (schema_of(&path), user_version(&path))
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
        assert_eq!(user_version(&old), 1);
        let conn = rusqlite::Connection::open(&old).unwrap();
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

    assert_eq!(schema_of(&old), fresh(dir.path()).0);
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
    assert_eq!(user_version(&path), 99, "a refused store is left alone");
}

// ---- stores written by past builds (core/tests/fixtures/stores) ----

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stores")
}

/// What make_store/main.rs writes: (account, contact given name, family
/// name, phone), each account with one contact, one deal and one visit.
const PEOPLE: &[(&str, &str, &str, &str)] = &[
    ("Fjord Fisk AS", "Kari", "Nordmann", "+47 912 34 567"),
    ("Сибирские Сети", "Юлия", "Соколова", "+7 912 345-67-89"),
    ("Novak Les d.o.o.", "Špela", "Novak", "+386 41 123 456"),
    ("Äänekosken Ääni", "Aino", "Mäkelä", "+358 40 123 4567"),
];
/// The title of the refused edit kept as a draft (make_store/drafts.rs).
const DRAFT_TITLE: &str = "Daglig leder";

/// Every fixture this test knows; `every_fixture_is_tested` fails when
/// make.sh writes one that is not listed here.
const FIXTURES: &[&str] = &[
    "v2-7663000",
    "v3-326710b",
    "v4-27ffa9d",
    "v5-2aa9de5",
    "v5-3fe51bc",
    "v5-730a31a",
    "v5-d0657b5",
];

#[test]
fn every_fixture_is_tested() {
    let mut found: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".db").map(str::to_owned))
        .collect();
    found.sort();
    assert_eq!(found, FIXTURES, "fixtures on disk vs. tested");
}

fn account_doc(s: &Store, name: &str) -> DocumentId {
    s.list_accounts(&Default::default())
        .unwrap()
        .into_iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no account {name}"))
        .doc_id
}

fn contact_of(s: &mut Store, doc: DocumentId) -> Contact {
    let mut contacts = s.list::<Contact>(doc).unwrap();
    assert_eq!(contacts.len(), 1);
    contacts.remove(0).record
}

fn names_found(s: &Store, query: &str) -> Vec<String> {
    s.search_contacts(query, 10)
        .unwrap()
        .into_iter()
        .map(|h| format!("{} @ {}", h.full_name, h.account_name))
        .collect()
}

/// Opens a copy of fixture `name` with this build and checks everything.
fn upgrade(name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (fresh_schema, latest) = fresh(dir.path());
    let path = dir.path().join("store.db");
    std::fs::copy(fixtures_dir().join(format!("{name}.db")), &path).unwrap();
    let version: i64 = name[1..2].parse().unwrap();
    assert_eq!(
        user_version(&path),
        version,
        "{name}: fixture's own version"
    );
    assert!(version < latest);

    let mut s = Store::open(&path, author("rep"), opts()).unwrap();
    s.set_clock(|| NOW);
    assert_eq!(user_version(&path), latest, "{name}: migrated");

    // the data, with Unicode names intact
    let mut accounts: Vec<String> = s
        .list_accounts(&Default::default())
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    accounts.sort();
    let mut expected: Vec<String> = PEOPLE.iter().map(|p| p.0.to_owned()).collect();
    expected.sort();
    assert_eq!(accounts, expected, "{name}: accounts");
    for &(account, given, family, phone) in PEOPLE {
        let doc = account_doc(&s, account);
        let contact = contact_of(&mut s, doc);
        assert_eq!(
            (contact.first_name.as_str(), contact.last_name.as_str()),
            (given, family),
            "{name}: contact of {account}"
        );
        assert_eq!(contact.phones[0].number, phone);
        let deals = s.list::<Deal>(doc).unwrap();
        assert_eq!(deals.len(), 1, "{name}: deals of {account}");
        let deal = &deals[0].record;
        assert_eq!(deal.name, format!("{account}: renewal"));
        assert_eq!(
            (deal.stage_id.as_str(), deal.amount_minor),
            ("proposal", 25_000_000)
        );
        let activities = s.list::<Activity>(doc).unwrap();
        assert_eq!(activities.len(), 1, "{name}: activities of {account}");
        assert_eq!(activities[0].record.subject, format!("Visit {given}"));
        assert_eq!(activities[0].record.contact_ids, vec![contact.meta.id]);
        // the index was rebuilt: found by phone
        let calling = s.lookup_phone(phone).unwrap();
        assert_eq!(calling.len(), 1, "{name}: who is calling from {account}");
        assert_eq!(calling[0].account_name, account);
    }

    // search, through the rebuilt index: case and diacritics folded, prefixes
    for (query, hit) in [
        ("kari", "Kari Nordmann @ Fjord Fisk AS"),
        ("Kar", "Kari Nordmann @ Fjord Fisk AS"),
        ("юлия", "Юлия Соколова @ Сибирские Сети"),
        ("СОКОЛ", "Юлия Соколова @ Сибирские Сети"),
        ("spela", "Špela Novak @ Novak Les d.o.o."),
        ("Špela", "Špela Novak @ Novak Les d.o.o."),
        ("makela", "Aino Mäkelä @ Äänekosken Ääni"),
        ("mäk", "Aino Mäkelä @ Äänekosken Ääni"),
    ] {
        assert_eq!(
            names_found(&s, query),
            vec![hit],
            "{name}: search {query:?}"
        );
    }

    // drafts, including the column migration 4 was edited to add
    let fjord = account_doc(&s, "Fjord Fisk AS");
    assert!(!s.reapplied_since(fjord, 0).unwrap(), "{name}");
    let drafts = s.drafts(None).unwrap();
    if version >= 4 {
        assert_eq!(drafts.len(), 1, "{name}: the fixture's draft");
        let draft = &drafts[0];
        assert_eq!(draft.doc_id, fjord);
        assert_eq!(draft.reason, "refused for the fixture");
        assert_eq!(contact_of(&mut s, fjord).title, None, "set aside");
        let view = s.draft_view(draft.id).unwrap();
        let viewed = view.list::<Contact>().remove(0).record;
        assert_eq!(viewed.title.as_deref(), Some(DRAFT_TITLE));
        assert_eq!(
            s.reapply_draft_unless_recent(draft.id, 600_000).unwrap(),
            Some(1),
            "{name}: re-applied"
        );
        assert_eq!(
            contact_of(&mut s, fjord).title.as_deref(),
            Some(DRAFT_TITLE)
        );
        assert!(s.reapplied_since(fjord, NOW - 1).unwrap(), "{name}");
        assert_eq!(
            s.reapply_draft_unless_recent(draft.id, 600_000).unwrap(),
            None,
            "{name}: not twice within the window"
        );
    } else {
        assert!(drafts.is_empty(), "{name}: no drafts before version 4");
    }
    // a new draft works on every upgraded store
    let accepted = s.heads(fjord).unwrap();
    let kari = contact_of(&mut s, fjord).meta.id;
    s.modify::<Contact>(fjord, &kari, |c| c.title = Some("Innkjøpssjef".into()))
        .unwrap();
    let draft = s
        .set_aside_refused(fjord, &accepted, "refused after the upgrade")
        .unwrap()
        .unwrap();
    assert_eq!(s.drafts(Some(fjord)).unwrap().last().unwrap().id, draft);

    // a write, then reopen
    let novak = account_doc(&s, "Novak Les d.o.o.");
    let new_contact = s
        .create(
            novak,
            Contact {
                first_name: "Øystein".into(),
                last_name: "Ødegård".into(),
                ..Default::default()
            },
        )
        .unwrap();
    drop(s);
    let mut s = Store::open(&path, author("rep"), opts()).unwrap();
    assert_eq!(user_version(&path), latest);
    let got = s.get::<Contact>(novak, &new_contact).unwrap().unwrap();
    assert_eq!(got.record.last_name, "Ødegård");
    assert_eq!(
        // å folds to a; ø is a letter of its own, not an o with a diacritic
        names_found(&s, "ødegard"),
        vec!["Øystein Ødegård @ Novak Les d.o.o."]
    );
    assert_eq!(s.drafts(Some(fjord)).unwrap().last().unwrap().id, draft);
    assert_eq!(s.list_accounts(&Default::default()).unwrap().len(), 4);
    drop(s);

    // nothing left over from the old schema, nothing missing
    assert_eq!(schema_of(&path), fresh_schema, "{name}: schema");
}

#[test]
fn a_version_2_store_of_7663000() {
    upgrade("v2-7663000");
}

#[test]
fn a_version_3_store_of_326710b() {
    upgrade("v3-326710b");
}

#[test]
fn a_version_4_store_of_27ffa9d_without_drafts_reapplied_at() {
    upgrade("v4-27ffa9d");
}

#[test]
fn a_version_5_store_of_2aa9de5_without_reapplied_at_agenda_indexes_or_search_prefixes() {
    upgrade("v5-2aa9de5");
}

#[test]
fn a_version_5_store_of_3fe51bc_without_reapplied_at_or_search_prefixes() {
    upgrade("v5-3fe51bc");
}

#[test]
fn a_version_5_store_of_730a31a_without_reapplied_at() {
    upgrade("v5-730a31a");
}

#[test]
fn a_version_5_store_of_d0657b5_with_reapplied_at() {
    upgrade("v5-d0657b5");
}

#[test]
fn a_store_that_cannot_tell_whether_a_draft_was_reapplied_says_so() {
    // what every store made at version 4 or 5 before d0657b5 looked like to
    // the sync client, which took the error for "re-applied lately" and so
    // never re-applied: now the error reaches the caller
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let mut s = Store::open(&path, author("rep"), opts()).unwrap();
    s.set_clock(|| NOW);
    let doc = s
        .create_account(Account {
            name: "A".into(),
            ..Default::default()
        })
        .unwrap();
    let accepted = s.heads(doc).unwrap();
    s.create(
        doc,
        Contact {
            first_name: "Refused".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let draft = s
        .set_aside_refused(doc, &accepted, "schema")
        .unwrap()
        .unwrap();
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("ALTER TABLE drafts DROP COLUMN reapplied_at")
        .unwrap();
    drop(conn);
    let mut s = Store::open(&path, author("rep"), opts()).unwrap();
    assert!(s.reapplied_since(doc, 0).is_err());
    assert!(
        s.reapply_draft_unless_recent(draft, 600_000).is_err(),
        "an error, not \"re-applied lately\""
    );
}
