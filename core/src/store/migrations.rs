//! The store's SQLite schema as numbered migrations, tracked in `user_version`.
//!
//! Migration 1 holds the documents (the source of truth); migration 2 the
//! query index, which is derived data: any migration that changes index
//! tables sets `reindex` so the index is rebuilt from the documents.

use rusqlite::Connection;

use crate::error::{CoreError, Result};

/// Numbered migrations; migration `i` takes the store from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: documents, as a snapshot plus incremental change chunks.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (
        doc_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        snapshot BLOB,
        chunk_count INTEGER NOT NULL DEFAULT 0,
        chunk_bytes INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE chunks (
        doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (doc_id, seq)
    );
    "#,
    // 2: the query index.
    r#"
    CREATE TABLE idx_accounts (
        doc_id TEXT PRIMARY KEY, id TEXT NOT NULL, name TEXT NOT NULL,
        account_type TEXT, owner TEXT, territory TEXT, lifecycle TEXT, tier TEXT,
        industry TEXT, archived INTEGER NOT NULL, created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL, currency TEXT, balance_minor INTEGER NOT NULL,
        overdue_minor INTEGER NOT NULL
    );
    CREATE INDEX idx_accounts_owner ON idx_accounts(owner);
    CREATE INDEX idx_accounts_name ON idx_accounts(name COLLATE NOCASE);
    CREATE TABLE idx_tags (doc_id TEXT NOT NULL, kind TEXT NOT NULL, record_id TEXT NOT NULL, tag TEXT NOT NULL);
    CREATE INDEX idx_tags_doc ON idx_tags(doc_id);
    CREATE INDEX idx_tags_tag ON idx_tags(tag, kind);
    CREATE TABLE idx_contacts (
        doc_id TEXT NOT NULL, id TEXT NOT NULL, full_name TEXT NOT NULL, title TEXT,
        email TEXT, phone TEXT, owner TEXT, archived INTEGER NOT NULL,
        created_at INTEGER NOT NULL, PRIMARY KEY (doc_id, id)
    );
    CREATE INDEX idx_contacts_created ON idx_contacts(created_at);
    CREATE VIRTUAL TABLE idx_contacts_fts USING fts5(
        name, emails, company, doc_id UNINDEXED, contact_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TABLE idx_phones (e164 TEXT NOT NULL, doc_id TEXT NOT NULL, contact_id TEXT, label TEXT);
    CREATE INDEX idx_phones_e164 ON idx_phones(e164);
    CREATE INDEX idx_phones_doc ON idx_phones(doc_id);
    CREATE TABLE idx_deals (
        doc_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, pipeline_id TEXT NOT NULL,
        stage_id TEXT NOT NULL, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
        probability INTEGER, expected_close TEXT, owner TEXT, archived INTEGER NOT NULL,
        created_at INTEGER NOT NULL, stage_changed_at INTEGER NOT NULL,
        PRIMARY KEY (doc_id, id)
    );
    CREATE INDEX idx_deals_stage ON idx_deals(pipeline_id, stage_id);
    CREATE TABLE idx_stages (
        doc_id TEXT NOT NULL, pipeline_id TEXT NOT NULL, pipeline_name TEXT NOT NULL,
        stage_id TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL,
        probability INTEGER NOT NULL, meaning TEXT NOT NULL
    );
    CREATE INDEX idx_stages_key ON idx_stages(pipeline_id, stage_id);
    CREATE TABLE idx_org (doc_id TEXT PRIMARY KEY, default_currency TEXT, default_pipeline_id TEXT);
    CREATE TABLE idx_activities (
        doc_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        subject TEXT NOT NULL, due_at INTEGER, start_at INTEGER, end_at INTEGER,
        completed_at INTEGER, direction TEXT, owner TEXT, deal_id TEXT,
        archived INTEGER NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (doc_id, id)
    );
    CREATE INDEX idx_activities_due ON idx_activities(due_at);
    CREATE INDEX idx_activities_start ON idx_activities(start_at);
    CREATE TABLE idx_activity_contacts (doc_id TEXT NOT NULL, activity_id TEXT NOT NULL, contact_id TEXT NOT NULL);
    CREATE INDEX idx_activity_contacts_contact ON idx_activity_contacts(doc_id, contact_id);
    CREATE TABLE idx_orders (
        doc_id TEXT NOT NULL, id TEXT NOT NULL, ordered_at INTEGER NOT NULL,
        total_minor INTEGER NOT NULL, outstanding_minor INTEGER NOT NULL,
        currency TEXT NOT NULL, archived INTEGER NOT NULL, PRIMARY KEY (doc_id, id)
    );
    CREATE TABLE idx_dates (
        doc_id TEXT NOT NULL, contact_id TEXT NOT NULL, kind TEXT NOT NULL, label TEXT,
        month INTEGER NOT NULL, day INTEGER NOT NULL, year INTEGER
    );
    CREATE INDEX idx_dates_doc ON idx_dates(doc_id);
    CREATE TABLE idx_cases (
        doc_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT, status TEXT,
        opened_at INTEGER NOT NULL, closed_at INTEGER, archived INTEGER NOT NULL,
        PRIMARY KEY (doc_id, id)
    );
    INSERT INTO meta(key, value) VALUES ('reindex', '1')
        ON CONFLICT(key) DO UPDATE SET value = '1';
    "#,
    // 3: per-peer sync state, so a reconnecting peer does not resend its history.
    r#"
    CREATE TABLE sync_states (
        peer TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        state BLOB NOT NULL,
        PRIMARY KEY (peer, doc_id)
    );
    "#,
    // 4: refused changes kept as drafts, and the rebuild generation of a document.
    r#"
    ALTER TABLE documents ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        reason TEXT NOT NULL,
        changes BLOB NOT NULL
    );
    CREATE INDEX drafts_doc ON drafts(doc_id);
    ALTER TABLE drafts ADD COLUMN reapplied_at INTEGER;
    "#,
    // 5: search rows share the rowid of their idx_contacts row (so a
    // document's rows are deleted by key, not by a scan), prefix indexes for
    // the 2-4 letter prefixes people type, ranked name > e-mail > company;
    // rebuilt from the documents.
    r#"
    DROP TABLE idx_contacts_fts;
    CREATE VIRTUAL TABLE idx_contacts_fts USING fts5(
        name, emails, company, doc_id UNINDEXED, contact_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3 4'
    );
    INSERT INTO idx_contacts_fts(idx_contacts_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0)');
    -- the agenda and dashboard filter on these exact expressions
    CREATE INDEX idx_activities_when ON idx_activities(COALESCE(start_at, due_at));
    CREATE INDEX idx_activities_overdue ON idx_activities(status, COALESCE(due_at, end_at, start_at));
    CREATE INDEX idx_activities_kind_when ON idx_activities(kind, COALESCE(start_at, due_at, completed_at));
    CREATE INDEX idx_activities_task_due ON idx_activities(kind, status, due_at);
    INSERT INTO meta(key, value) VALUES ('reindex', '1')
        ON CONFLICT(key) DO UPDATE SET value = '1';
    "#,
];

/// The version a fully migrated store has.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to `target`, each step in its own transaction.
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > LATEST {
        return Err(CoreError::StoreTooNew {
            found: current,
            supported: LATEST,
        });
    }
    for version in current..target {
        let tx = conn.transaction()?;
        let sql = MIGRATIONS[version as usize];
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
        tracing::info!(from = version, to = version + 1, "store migrated");
    }
    Ok(())
}
