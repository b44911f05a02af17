-- Migration 1 of the device store: documents, as a snapshot plus
-- incremental change chunks.
--
-- FROZEN: this migration has shipped. Never edit this file (a store that ran
-- it will not run it again); add a new migration instead, see
-- core/src/store/migrations.rs. The statements are the text the migration had
-- in migrations.rs when it moved here (commit f672c81).
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
