-- Migration 1 of the server's auth.db: users, hashed tokens, assignments,
-- territories, goals and the scope version.
-- This is the schema every build up to commit f672c81 ran on each start, before
-- auth.db had versioned migrations, byte for byte (IF NOT EXISTS included): an
-- auth.db made by such a build is adopted by running it (it adds only what
-- is missing, e.g. `goals` in one made before commit 074c967).
--
-- FROZEN: this migration has shipped. Never edit this file; add a new
-- migration instead (sync-server/src/auth.rs, MIGRATIONS).
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    team TEXT,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE TABLE IF NOT EXISTS assignments (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (user_id, doc_id)
);
CREATE TABLE IF NOT EXISTS territories (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    territory TEXT NOT NULL,
    PRIMARY KEY (user_id, territory)
);
CREATE TABLE IF NOT EXISTS goals (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    visits_per_week INTEGER,
    won_per_month_minor INTEGER
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('scope_version', 0);
