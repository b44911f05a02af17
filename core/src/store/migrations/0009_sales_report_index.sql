-- Migration 9 of the device store: what the sales reports read (store::
-- queries::sales). Every stage move of every deal (from the deals' stage
-- history: stalled deals, stage conversion, sales-cycle length), and every
-- line of every order (product performance), and the product catalogue of
-- the org's settings (names in reports, product search: `folded` is the
-- name and SKU lowercased by Rust, which folds every script, where
-- SQLite's NOCASE folds ASCII only). Derived data like the rest of
-- the query index: `reindex` rebuilds it from the documents on open.
--
-- FROZEN once shipped: never edit this file; add a new migration instead
-- (core/src/store/migrations.rs).
    CREATE TABLE idx_stage_moves (
        doc_id TEXT NOT NULL, deal_id TEXT NOT NULL, id TEXT NOT NULL,
        from_stage TEXT, to_stage TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (doc_id, deal_id, id)
    );
    CREATE INDEX idx_stage_moves_deal ON idx_stage_moves(doc_id, deal_id, at);
    CREATE TABLE idx_order_lines (
        doc_id TEXT NOT NULL, order_id TEXT NOT NULL, id TEXT NOT NULL, order_status TEXT,
        product_id TEXT, description TEXT NOT NULL,
        quantity_milli INTEGER NOT NULL, total_minor INTEGER NOT NULL,
        PRIMARY KEY (doc_id, order_id, id)
    );
    CREATE INDEX idx_order_lines_product ON idx_order_lines(product_id);
    CREATE TABLE idx_products (
        doc_id TEXT NOT NULL, id TEXT NOT NULL, sku TEXT NOT NULL, name TEXT NOT NULL,
        folded TEXT NOT NULL, unit_price_minor INTEGER NOT NULL, currency TEXT NOT NULL,
        stock INTEGER, stock_at INTEGER, archived INTEGER NOT NULL,
        PRIMARY KEY (doc_id, id)
    );
    INSERT INTO meta(key, value) VALUES ('reindex', '1')
        ON CONFLICT(key) DO UPDATE SET value = '1';
