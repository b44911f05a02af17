-- Migration 5 of the device store: search rows share the rowid of
-- their idx_contacts row, FTS5 prefix indexes for 2-4 letter prefixes, ranked
-- name > e-mail > company, expression indexes for the agenda and dashboard;
-- rebuilt from the documents.
-- Edited twice after it shipped (commits 3fe51bc and 730a31a): migration 7
-- adds to stores made before those edits what the edits added.
--
-- FROZEN: this migration has shipped. Never edit this file (a store that ran
-- it will not run it again); add a new migration instead, see
-- core/src/store/migrations.rs. The statements are the text the migration had
-- in migrations.rs when it moved here (commit f672c81).
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
