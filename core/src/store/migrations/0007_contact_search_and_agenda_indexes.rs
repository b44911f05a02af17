//! Migration 7 of the device store: what the later texts of migration 5
//! added, where it is missing.
//!
//! Migration 5 was edited twice after it shipped, so a store that ran an
//! earlier text of it lacks what a later text added:
//! - the expression indexes the agenda and dashboard filter on (added by
//!   commit 3fe51bc; missing in stores made by 2aa9de5);
//! - the FTS5 prefix indexes of contact search (added by commit 730a31a;
//!   missing in stores made by 2aa9de5 and 3fe51bc).
//!
//! The statements are those of migration 5, so an upgraded store's schema is
//! identical to a new store's. The search table is rebuilt (and the index
//! with it, from the documents) only where it has no prefix indexes.
//!
//! FROZEN: this migration has shipped. Never edit this file; add a new
//! migration instead (core/src/store/migrations.rs). It uses nothing but
//! rusqlite, so no later change elsewhere alters what it does.

pub(super) fn run(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        r#"
    CREATE INDEX IF NOT EXISTS idx_activities_when ON idx_activities(COALESCE(start_at, due_at));
    CREATE INDEX IF NOT EXISTS idx_activities_overdue ON idx_activities(status, COALESCE(due_at, end_at, start_at));
    CREATE INDEX IF NOT EXISTS idx_activities_kind_when ON idx_activities(kind, COALESCE(start_at, due_at, completed_at));
    CREATE INDEX IF NOT EXISTS idx_activities_task_due ON idx_activities(kind, status, due_at);
    "#,
    )?;
    let search: String = tx.query_row(
        "SELECT sql FROM sqlite_master WHERE name = 'idx_contacts_fts'",
        [],
        |r| r.get(0),
    )?;
    if !search.contains("prefix") {
        tx.execute_batch(
            r#"
    DROP TABLE idx_contacts_fts;
    CREATE VIRTUAL TABLE idx_contacts_fts USING fts5(
        name, emails, company, doc_id UNINDEXED, contact_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3 4'
    );
    INSERT INTO idx_contacts_fts(idx_contacts_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0)');
    INSERT INTO meta(key, value) VALUES ('reindex', '1')
        ON CONFLICT(key) DO UPDATE SET value = '1';
    "#,
        )?;
    }
    Ok(())
}
