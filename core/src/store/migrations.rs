//! The store's SQLite schema as numbered, append-only migrations, tracked in
//! `user_version` (the runner and its rules: `crate::sqlite_migrations`).
//!
//! Migration 1 holds the documents (the source of truth); migration 2 the
//! query index, which is derived data: any migration that changes index
//! tables sets `reindex` so the index is rebuilt from the documents.
//!
//! Each migration is a frozen file in `migrations/`. To change the schema,
//! add a file with the next number, list it below, append its SHA-256 to
//! `FROZEN` in the test at the end, add a fixture line to
//! `core/tests/fixtures/stores/make.sh` once it ships (and regenerate the
//! fixtures). Never edit a migration that is already listed.

use rusqlite::Connection;

use crate::error::{CoreError, Result};
use crate::sqlite_migrations::{Migration, MigrationError, migrate};

#[path = "migrations/0006_drafts_reapplied_at.rs"]
mod m0006;
#[path = "migrations/0007_contact_search_and_agenda_indexes.rs"]
mod m0007;

/// Numbered migrations; migration `i` takes the store from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration::sql(
        "0001_documents",
        include_str!("migrations/0001_documents.sql"),
    ),
    Migration::sql(
        "0002_query_index",
        include_str!("migrations/0002_query_index.sql"),
    ),
    Migration::sql(
        "0003_sync_states",
        include_str!("migrations/0003_sync_states.sql"),
    ),
    Migration::sql("0004_drafts", include_str!("migrations/0004_drafts.sql")),
    Migration::sql(
        "0005_contact_search",
        include_str!("migrations/0005_contact_search.sql"),
    ),
    Migration::rust(
        "0006_drafts_reapplied_at",
        m0006::run,
        include_str!("migrations/0006_drafts_reapplied_at.rs"),
    ),
    Migration::rust(
        "0007_contact_search_and_agenda_indexes",
        m0007::run,
        include_str!("migrations/0007_contact_search_and_agenda_indexes.rs"),
    ),
    Migration::sql(
        "0008_change_feed",
        include_str!("migrations/0008_change_feed.sql"),
    ),
    Migration::sql(
        "0009_sales_report_index",
        include_str!("migrations/0009_sales_report_index.sql"),
    ),
];

/// The version a fully migrated store has.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to `target`, each step in its own transaction.
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    migrate(conn, MIGRATIONS, target, "store").map_err(|e| match e {
        MigrationError::TooNew { found, supported } => CoreError::StoreTooNew { found, supported },
        MigrationError::Failed {
            version,
            name,
            source,
        } => {
            tracing::error!(version, migration = name, error = %source, "store migration failed");
            CoreError::Sqlite(source)
        }
        MigrationError::Sqlite(e) => CoreError::Sqlite(e),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::MIGRATIONS;
    use crate::sqlite_migrations::check_frozen;

    /// The SHA-256 of every migration's file, in order.
    ///
    /// If this test fails because you changed a migration: undo that change
    /// and add a new migration instead. A store that already ran the old
    /// text will never run yours, so every store made before your change
    /// would silently differ from the ones made after (that is how
    /// `drafts.reapplied_at` went missing, see migration 6). If you added a
    /// migration, append its digest here (the failure prints it).
    const FROZEN: &[(&str, &str)] = &[
        (
            "0001_documents",
            "d7af208d82ce3e558355a88e1b719f8dc47cbd35d734a14bc69df442b5bfa5e8",
        ),
        (
            "0002_query_index",
            "95477ff646de5f0a98152c571495ad463e1204b6bf2fef276528095f3f7e7f2b",
        ),
        (
            "0003_sync_states",
            "c70fe64221027627a0c58e6b78b507c277cddf5c95da43a5650a3ad27c8829bd",
        ),
        (
            "0004_drafts",
            "4429c01cd13d8b790b52045e3bd8d26851d6963e219ead655b1e5f36370fe317",
        ),
        (
            "0005_contact_search",
            "a38f72ff1fd91d906cff655ef1df26eff7dd0adf5647a04219e6d7657bc610c5",
        ),
        (
            "0006_drafts_reapplied_at",
            "3fe10dc040a19c17c358f5cfcdb4c9bbe236e78f2d11ca7ccf042609f07a239c",
        ),
        (
            "0007_contact_search_and_agenda_indexes",
            "26076c239c56c7a8d62b16ab8d8f2a2f6e87234f54273a05123a8048b10b428f",
        ),
        (
            "0008_change_feed",
            "5df6357b4525080de4a59436074ab84d281f8345410877f2a3b4412c0d235908",
        ),
        (
            "0009_sales_report_index",
            "d740dea154c8e80892f67f6f6bad1b95ce76a7b484647c94a06ea041435c1bb2",
        ),
    ];

    #[test]
    fn shipped_migrations_are_never_edited() {
        if let Err(e) = check_frozen(MIGRATIONS, FROZEN, "core/src/store/migrations.rs") {
            panic!("device store: {e}");
        }
    }
}
