-- Migration 3 of the device store: per-peer sync state, so a
-- reconnecting peer does not resend its history.
--
-- FROZEN: this migration has shipped. Never edit this file (a store that ran
-- it will not run it again); add a new migration instead, see
-- core/src/store/migrations.rs. The statements are the text the migration had
-- in migrations.rs when it moved here (commit f672c81).
    CREATE TABLE sync_states (
        peer TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        state BLOB NOT NULL,
        PRIMARY KEY (peer, doc_id)
    );
