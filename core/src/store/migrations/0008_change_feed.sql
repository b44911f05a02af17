-- Migration 8 of the device store: the change feed ("what changed since
-- this token", `store::feed`). A counter that every change of a document
-- advances, and per document the counter's value at its last change (and
-- whether that change removed it). Triggers on `documents` keep both in the
-- same transaction as the change itself, whatever path wrote it (a local
-- edit, a merge from sync, a draft rebuild, a removal). `change_feed_id`
-- names this store's counter, so a token from another store (or from before
-- the app's data was wiped) is recognised.
--
-- FROZEN once shipped: never edit this file; add a new migration instead
-- (core/src/store/migrations.rs).
    CREATE TABLE change_seq (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL
    );
    CREATE TABLE change_feed (
        doc_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        removed INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX change_feed_by_seq ON change_feed(seq);
    INSERT INTO meta(key, value) VALUES ('change_feed_id', lower(hex(randomblob(8))))
        ON CONFLICT(key) DO NOTHING;
    -- the documents already here enter the feed once, in id order
    INSERT INTO change_feed(doc_id, seq)
        SELECT doc_id, ROW_NUMBER() OVER (ORDER BY doc_id) FROM documents;
    INSERT INTO change_seq(id, seq) VALUES (1, (SELECT COUNT(*) FROM documents));
    CREATE TRIGGER change_feed_on_insert AFTER INSERT ON documents BEGIN
        UPDATE change_seq SET seq = seq + 1 WHERE id = 1;
        INSERT OR REPLACE INTO change_feed(doc_id, seq, removed)
            VALUES (NEW.doc_id, (SELECT seq FROM change_seq WHERE id = 1), 0);
    END;
    CREATE TRIGGER change_feed_on_update AFTER UPDATE ON documents BEGIN
        UPDATE change_seq SET seq = seq + 1 WHERE id = 1;
        INSERT OR REPLACE INTO change_feed(doc_id, seq, removed)
            VALUES (NEW.doc_id, (SELECT seq FROM change_seq WHERE id = 1), 0);
    END;
    CREATE TRIGGER change_feed_on_delete AFTER DELETE ON documents BEGIN
        UPDATE change_seq SET seq = seq + 1 WHERE id = 1;
        INSERT OR REPLACE INTO change_feed(doc_id, seq, removed)
            VALUES (OLD.doc_id, (SELECT seq FROM change_seq WHERE id = 1), 1);
    END;
