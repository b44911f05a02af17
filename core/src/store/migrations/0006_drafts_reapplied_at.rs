//! Migration 6 of the device store: `drafts.reapplied_at`, where it is
//! missing.
//!
//! Migration 4 gained `ALTER TABLE drafts ADD COLUMN reapplied_at INTEGER`
//! after migration 5 had shipped (commit d0657b5). Stores created at version
//! 4 or 5 by earlier builds never ran that line, so they lack the column
//! (and `Store::reapplied_since` failed on them); stores created since have
//! it. SQLite has no `ADD COLUMN IF NOT EXISTS`, hence a Rust step.
//!
//! FROZEN: this migration has shipped. Never edit this file; add a new
//! migration instead (core/src/store/migrations.rs). It uses nothing but
//! rusqlite, so no later change elsewhere alters what it does.

pub(super) fn run(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let present: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM pragma_table_info('drafts') WHERE name = 'reapplied_at')",
        [],
        |r| r.get(0),
    )?;
    if !present {
        tx.execute_batch("ALTER TABLE drafts ADD COLUMN reapplied_at INTEGER;")?;
    }
    Ok(())
}
