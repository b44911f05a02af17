-- Migration 4 of the device store: refused changes kept as drafts,
-- and the rebuild generation of a document.
-- Its last line (drafts.reapplied_at) was added after migration 5 had shipped
-- (commit d0657b5), so stores created at version 4 or 5 before that lack the
-- column: migration 6 adds it where it is missing.
--
-- FROZEN: this migration has shipped. Never edit this file (a store that ran
-- it will not run it again); add a new migration instead, see
-- core/src/store/migrations.rs. The statements are the text the migration had
-- in migrations.rs when it moved here (commit f672c81).
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
