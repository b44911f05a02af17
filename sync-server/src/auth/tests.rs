//! Tests of the auth database: tokens, users, exact revocation, and its
//! migrations (digests, upgrades from databases made by past builds).

use super::*;

#[test]
fn removing_a_user_removes_their_tokens_but_never_the_last_admin() {
    let dir = tempfile::tempdir().unwrap();
    let db = AuthDb::open(&dir.path().join("auth.db")).unwrap();
    db.add_user("root", Role::Admin, None).unwrap();
    db.add_user("kari", Role::Rep, Some("west")).unwrap();
    let token = db.issue_token("kari", None).unwrap();
    db.assign("kari", "doc").unwrap();
    db.add_territory("kari", "west").unwrap();
    db.remove_user("kari").unwrap();
    assert!(db.authenticate(&token).unwrap().is_none());
    assert!(db.user("kari").unwrap().is_none());
    assert!(matches!(db.remove_user("kari"), Err(AuthError::NoSuchUser)));
    assert!(matches!(db.remove_user("root"), Err(AuthError::LastAdmin)));
    // kari can be added again, with nothing left over
    db.add_user("kari", Role::Rep, None).unwrap();
    let back = db.user("kari").unwrap().unwrap();
    assert!(back.assigned.is_empty() && back.territories.is_empty());
}

#[test]
fn tokens_are_stored_hashed_and_can_be_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let db = AuthDb::open(&dir.path().join("auth.db")).unwrap();
    db.add_user("kari", Role::Rep, Some("west")).unwrap();
    assert!(matches!(
        db.add_user("kari", Role::Rep, None),
        Err(AuthError::UserExists)
    ));
    let token = db.issue_token("kari", Some("phone")).unwrap();
    assert!(token.len() >= 64);
    let stored: String = db
        .conn
        .query_row("SELECT hash FROM tokens", [], |r| r.get(0))
        .unwrap();
    assert_ne!(stored, token);
    assert_eq!(db.authenticate(&token).unwrap().unwrap().id, "kari");
    assert!(db.authenticate("opt_guess").unwrap().is_none());
    let id = db.tokens("kari").unwrap()[0].0.clone();
    db.revoke_token(&id).unwrap();
    assert!(db.authenticate(&token).unwrap().is_none());
    assert!(matches!(
        db.revoke_token("nothing"),
        Err(AuthError::InvalidTokenRef)
    ));
    assert!(matches!(
        db.revoke_token("000000000000"),
        Err(AuthError::NoSuchToken)
    ));
}

fn active(db: &AuthDb, token: &str) -> bool {
    db.authenticate(token).unwrap().is_some()
}

#[test]
fn only_an_exact_id_or_a_whole_token_revokes_and_only_that_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = AuthDb::open(&dir.path().join("auth.db")).unwrap();
    db.add_user("kari", Role::Rep, None).unwrap();
    db.add_user("mona", Role::Manager, None).unwrap();
    let kari = db.issue_token("kari", None).unwrap();
    let kari2 = db.issue_token("kari", None).unwrap();
    let mona = db.issue_token("mona", None).unwrap();
    let kari_id = db.tokens("kari").unwrap()[0].0.clone();
    let hash = hash_token(&kari);
    let upper = kari_id.to_uppercase();
    let version = db.scope_version().unwrap();
    for bad in [
        "________",
        "%%%%%%%%",
        "%",
        "",
        "____________", // 12 wildcards, the id's length
        "%%%%%%%%%%%%",
        &kari_id[..8], // the old 8-character prefix
        &kari_id[..11],
        upper.as_str(),
        &hash[..13], // one more than an id: neither form
        &kari[..12], // 12 characters of another form
        "opt_%",
        "12345678901g",
    ] {
        assert!(
            matches!(db.revoke_token(bad), Err(AuthError::InvalidTokenRef)),
            "{bad:?} was accepted"
        );
    }
    // a long string is taken for a whole token: compared by its hash
    for unknown in [
        "________________",
        "%%%%%%%%%%%%%%%%%%%%",
        hash.as_str(),
        &kari[..kari.len() - 1],
    ] {
        assert!(
            matches!(db.revoke_token(unknown), Err(AuthError::NoSuchToken)),
            "{unknown:?}"
        );
    }
    assert!(active(&db, &kari) && active(&db, &kari2) && active(&db, &mona));
    assert_eq!(db.scope_version().unwrap(), version, "nothing changed");

    db.revoke_token(&kari_id).unwrap();
    assert!(!active(&db, &kari) && active(&db, &kari2) && active(&db, &mona));
    db.revoke_token(&mona).unwrap();
    assert!(active(&db, &kari2) && !active(&db, &mona));
    assert!(matches!(
        db.revoke_token(&mona),
        Err(AuthError::NoSuchToken)
    ));
    let err = db.revoke_token("%").unwrap_err().to_string();
    assert!(err.contains("12 lowercase hex characters"), "{err}");
}

/// SHA-256 of every auth.db migration's file, in order.
///
/// If this test fails because you changed a migration: undo that change
/// and add a new migration instead. An auth.db that already ran the old
/// text never runs yours, so servers upgraded from it would silently
/// differ from new ones. If you added a migration, append its digest
/// here (the failure prints it).
const FROZEN: &[(&str, &str)] = &[(
    "0001_users_tokens_assignments",
    "b4639d211bf31356a232ba6d35106430f10f33b4677197d96f1904affb508e45",
)];

#[test]
fn shipped_migrations_are_never_edited() {
    if let Err(e) =
        sqlite_migrations::check_frozen(MIGRATIONS, FROZEN, "MIGRATIONS in sync-server/src/auth.rs")
    {
        panic!("auth.db: {e}");
    }
}

fn version_of(path: &std::path::Path) -> i64 {
    let conn = Connection::open(path).unwrap();
    sqlite_migrations::version(&conn).unwrap()
}

fn schema_of(path: &std::path::Path) -> Vec<(String, String)> {
    sqlite_migrations::schema(&Connection::open(path).unwrap()).unwrap()
}

#[test]
fn an_auth_db_made_by_f672c81_keeps_its_users_tokens_assignments_and_territories() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/auth");
    let made: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("auth-f672c81.json")).unwrap())
            .unwrap();
    let token = |k: &str| made["tokens"][k].as_str().unwrap().to_owned();
    let docs: Vec<String> = made["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    std::fs::copy(fixtures.join("auth-f672c81.db"), &path).unwrap();
    assert_eq!(version_of(&path), 0, "made before versioned migrations");
    let scope_before = {
        let conn = Connection::open(&path).unwrap();
        conn.query_row(
            "SELECT value FROM meta WHERE key = 'scope_version'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
    };

    let db = AuthDb::open(&path).unwrap();
    assert_eq!(version_of(&path), AUTH_SCHEMA_VERSION);
    assert_eq!(db.scope_version().unwrap(), scope_before);
    let ids: Vec<String> = db.users().unwrap().into_iter().map(|u| u.id).collect();
    assert_eq!(ids, ["admin", "kari", "mona", "vera"]);
    let kari = db.authenticate(&token("kari")).unwrap().unwrap();
    assert_eq!(kari.id, "kari");
    assert_eq!(kari.role, Role::Rep);
    assert_eq!(kari.team.as_deref(), Some("west"));
    assert_eq!(kari.territories, ["nord-øst", "west"]);
    let mut assigned = docs.clone();
    assigned.sort();
    assert_eq!(kari.assigned, assigned);
    let mona = db.authenticate(&token("mona")).unwrap().unwrap();
    assert_eq!(
        (mona.role, mona.territories.as_slice()),
        (Role::Manager, &["west".to_owned()][..])
    );
    let vera = db.authenticate(&token("vera")).unwrap().unwrap();
    assert_eq!(
        (vera.role, vera.assigned.as_slice()),
        (Role::Viewer, &docs[1..])
    );
    let admin = db
        .authenticate(made["admin_token"].as_str().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(admin.role, Role::Admin);
    assert!(db.authenticate(&token("kari_revoked")).unwrap().is_none());
    let listed: Vec<String> = db
        .tokens("kari")
        .unwrap()
        .into_iter()
        .map(|t| t.0)
        .collect();
    assert_eq!(listed.join(","), made["kari_token_ids"].as_str().unwrap());

    // writes work, and survive a reopen without migrating again
    db.add_user("nils", Role::Rep, None).unwrap();
    let nils = db.issue_token("nils", None).unwrap();
    db.set_goals(
        "nils",
        Goals {
            visits_per_week: Some(5),
            won_per_month_minor: None,
        },
    )
    .unwrap();
    db.revoke_token(&listed[0]).unwrap();
    drop(db);
    let db = AuthDb::open(&path).unwrap();
    assert_eq!(db.authenticate(&nils).unwrap().unwrap().id, "nils");
    assert_eq!(db.goals("nils").unwrap().unwrap().visits_per_week, Some(5));
    assert!(db.authenticate(&token("kari")).unwrap().is_none());
    assert!(db.authenticate(&token("mona")).unwrap().is_some());
    drop(db);

    let fresh = dir.path().join("fresh.db");
    drop(AuthDb::open(&fresh).unwrap());
    assert_eq!(schema_of(&path), schema_of(&fresh));
}

#[test]
fn an_auth_db_from_before_goals_gets_the_table_and_keeps_its_rows() {
    // what builds before commit 074c967 left: no `goals`, no version
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE users (id TEXT PRIMARY KEY, role TEXT NOT NULL, team TEXT, created_at INTEGER NOT NULL);
         CREATE TABLE tokens (hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, label TEXT, created_at INTEGER NOT NULL, revoked_at INTEGER);
         CREATE TABLE assignments (user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, doc_id TEXT NOT NULL, PRIMARY KEY (user_id, doc_id));
         CREATE TABLE territories (user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, territory TEXT NOT NULL, PRIMARY KEY (user_id, territory));
         CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
         INSERT INTO meta VALUES ('scope_version', 7);
         INSERT INTO users VALUES ('kari', 'rep', NULL, 1);",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO tokens VALUES (?1, 'kari', NULL, 1, NULL)",
        [hash_token("opt_fixture_token_of_kari")],
    )
    .unwrap();
    drop(conn);
    let db = AuthDb::open(&path).unwrap();
    assert_eq!(version_of(&path), 1);
    assert_eq!(db.scope_version().unwrap(), 7);
    assert_eq!(
        db.authenticate("opt_fixture_token_of_kari")
            .unwrap()
            .unwrap()
            .id,
        "kari"
    );
    db.set_goals("kari", Goals::default()).unwrap();
}

#[test]
fn an_auth_db_from_a_newer_build_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.db");
    drop(AuthDb::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = AuthDb::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::Migration(MigrationError::TooNew {
                found: 99,
                supported: AUTH_SCHEMA_VERSION
            })
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "auth.db: schema version 99 is newer than this build supports ({AUTH_SCHEMA_VERSION})"
        )
    );
    assert_eq!(version_of(&path), 99);
}
