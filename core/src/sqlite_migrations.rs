//! Numbered, append-only SQLite schema migrations tracked in
//! `PRAGMA user_version`: the runner shared by the device store
//! (`store::migrations`) and the sync server's `auth.db`.
//!
//! The rules, for every database that uses it:
//! - Migration `i` (counting from 1) takes a database from version `i - 1`
//!   to `i`, in one transaction that also sets `user_version`.
//! - A migration that has shipped is never edited. A database that ran it
//!   will never run it again, so an edit reaches only databases created
//!   afterwards and the two kinds silently differ (device stores made before
//!   commit d0657b5 lack `drafts.reapplied_at` for that reason). Each
//!   migration lives in its own file, and each crate has a unit test that
//!   compares the SHA-256 of every file with a committed list. A fix is a
//!   new migration.
//! - SQL has no "add this column if it is missing", so a migration may be a
//!   Rust step; its source file is frozen like an SQL file. A Rust step uses
//!   nothing but `rusqlite`, so that no later change elsewhere alters what
//!   it does.
//! - A database whose version is newer than the list is refused, never
//!   opened: this build does not know what the newer one changed.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use sha2::{Digest, Sha256};

/// A migration written in Rust, for what SQL alone cannot say.
pub type RustStep = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// What a migration runs.
#[derive(Clone, Copy, Debug)]
pub enum Step {
    /// SQL statements, run as one batch.
    Sql(&'static str),
    /// A Rust function. `source` is the text of the file it lives in
    /// (`include_str!`), so its digest freezes it like an SQL file's.
    Rust { run: RustStep, source: &'static str },
}

/// One numbered migration.
#[derive(Clone, Copy)]
pub struct Migration {
    /// The file name without its extension, e.g. `0001_documents`.
    pub name: &'static str,
    pub step: Step,
}

impl std::fmt::Debug for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.step {
            Step::Sql(_) => "sql",
            Step::Rust { .. } => "rust",
        };
        f.debug_struct("Migration")
            .field("name", &self.name)
            .field("kind", &kind)
            .finish()
    }
}

impl Migration {
    /// A migration of SQL statements.
    pub const fn sql(name: &'static str, sql: &'static str) -> Self {
        Self {
            name,
            step: Step::Sql(sql),
        }
    }

    /// A migration in Rust; `source` is its file's text.
    pub const fn rust(name: &'static str, run: RustStep, source: &'static str) -> Self {
        Self {
            name,
            step: Step::Rust { run, source },
        }
    }

    /// The frozen text: the SQL, or the Rust step's source file.
    pub fn source(&self) -> &'static str {
        match self.step {
            Step::Sql(sql) => sql,
            Step::Rust { source, .. } => source,
        }
    }
}

impl Migration {
    /// The SHA-256 of [`Migration::source`], in hex: what a frozen list
    /// records for it.
    pub fn digest(&self) -> String {
        Sha256::digest(self.source().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Checks `migrations` against `frozen`, the `(name, digest)` of every
/// migration that has shipped, in order: none removed, none edited, none
/// added without its digest being recorded. Each crate's unit test calls it
/// with its committed list; the error says what happened and what to do
/// (`list` names where the migrations are declared).
pub fn check_frozen(
    migrations: &[Migration],
    frozen: &[(&str, &str)],
    list: &str,
) -> Result<(), String> {
    for (i, (name, digest)) in frozen.iter().enumerate() {
        let Some(m) = migrations.get(i) else {
            return Err(format!(
                "migration {} ({name}) was removed: migrations are append-only",
                i + 1
            ));
        };
        if (m.name, m.digest().as_str()) != (*name, *digest) {
            return Err(format!(
                "migration {} ({}) changed. Shipped migrations are frozen: undo the edit \
                 and add a new migration instead (see {list})",
                i + 1,
                m.name
            ));
        }
    }
    if let Some(m) = migrations.get(frozen.len()) {
        return Err(format!(
            "migration {} is new: append (\"{}\", \"{}\") to the frozen list",
            frozen.len() + 1,
            m.name,
            m.digest()
        ));
    }
    Ok(())
}

/// The schema as `sqlite_master` lists it (name and SQL, by name), to
/// compare a database brought up to date with a freshly made one.
pub fn schema(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut st = conn.prepare(
        "SELECT name, COALESCE(sql, '') FROM sqlite_master \
         WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

/// Why a database could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database was written by a newer build.
    #[error("schema version {found} is newer than this build supports ({supported})")]
    TooNew { found: i64, supported: i64 },
    /// A migration failed; the database stays at the version before it.
    #[error("migration {version} ({name}) failed: {source}")]
    Failed {
        version: i64,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// Reading or writing the version failed.
    #[error("storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// The database's schema version (`PRAGMA user_version`).
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Brings the database up to version `target` (at most `migrations.len()`),
/// each migration in its own immediate transaction that re-reads the
/// version first, so two processes opening the same database at once (the
/// server and its admin CLI) never run a migration twice. `what` names the
/// database in the log. Returns the version the database had.
pub fn migrate(
    conn: &mut Connection,
    migrations: &[Migration],
    target: i64,
    what: &'static str,
) -> Result<i64, MigrationError> {
    let latest = migrations.len() as i64;
    let target = target.min(latest);
    let found = version(conn)?;
    if found > latest {
        return Err(MigrationError::TooNew {
            found,
            supported: latest,
        });
    }
    if found >= target {
        // up to date: no write lock taken (the admin CLI opens auth.db
        // while the server runs)
        return Ok(found);
    }
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = version(&tx)?;
        if current > latest {
            return Err(MigrationError::TooNew {
                found: current,
                supported: latest,
            });
        }
        if current >= target {
            return Ok(found);
        }
        let migration = migrations[current as usize];
        let done = match migration.step {
            Step::Sql(sql) => tx.execute_batch(sql),
            Step::Rust { run, .. } => run(&tx),
        };
        done.and_then(|()| tx.pragma_update(None, "user_version", current + 1))
            .map_err(|source| MigrationError::Failed {
                version: current + 1,
                name: migration.name,
                source,
            })?;
        tx.commit()?;
        tracing::info!(
            db = what,
            from = current,
            to = current + 1,
            migration = migration.name,
            "migrated"
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn add_column_if_missing(tx: &Transaction<'_>) -> rusqlite::Result<()> {
        let has: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM pragma_table_info('t') WHERE name = 'b')",
            [],
            |r| r.get(0),
        )?;
        if !has {
            tx.execute_batch("ALTER TABLE t ADD COLUMN b INTEGER;")?;
        }
        Ok(())
    }

    const LIST: &[Migration] = &[
        Migration::sql("0001_t", "CREATE TABLE t (a INTEGER);"),
        Migration::rust("0002_b", add_column_if_missing, "fn add_column_if_missing"),
        Migration::sql("0003_bad", "CREATE TABLE t (a INTEGER);"),
    ];

    #[test]
    fn a_frozen_list_catches_an_edit_a_removal_and_an_unrecorded_addition() {
        let shipped = [
            Migration::sql("0001_t", "CREATE TABLE t (a INTEGER);"),
            Migration::sql("0002_u", "CREATE TABLE u (a INTEGER);"),
        ];
        let frozen: Vec<(&str, String)> = shipped.iter().map(|m| (m.name, m.digest())).collect();
        let frozen: Vec<(&str, &str)> = frozen.iter().map(|(n, d)| (*n, d.as_str())).collect();
        assert_eq!(check_frozen(&shipped, &frozen, "here"), Ok(()));
        // the known digest of "" guards against a digest that ignores its input
        assert_eq!(
            Migration::sql("0000_empty", "").digest(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );

        let edited = [
            shipped[0],
            Migration::sql("0002_u", "CREATE TABLE u (a INTEGER, b TEXT);"),
        ];
        let e = check_frozen(&edited, &frozen, "here").unwrap_err();
        assert!(e.starts_with("migration 2 (0002_u) changed"), "{e}");
        assert!(e.contains("(see here)"), "{e}");

        let e = check_frozen(&shipped[..1], &frozen, "here").unwrap_err();
        assert!(e.contains("migration 2 (0002_u) was removed"), "{e}");

        let added = [
            shipped[0],
            shipped[1],
            Migration::sql("0003_v", "CREATE TABLE v (a INTEGER);"),
        ];
        let e = check_frozen(&added, &frozen, "here").unwrap_err();
        assert!(
            e.starts_with("migration 3 is new: append (\"0003_v\", \""),
            "{e}"
        );
    }

    #[test]
    fn runs_forward_one_transaction_per_migration_and_stops_at_a_failure() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn, LIST, 2, "test").unwrap(), 0);
        assert_eq!(version(&conn).unwrap(), 2);
        // again: nothing to do
        assert_eq!(migrate(&mut conn, LIST, 2, "test").unwrap(), 2);
        let err = migrate(&mut conn, LIST, 3, "test").unwrap_err();
        assert!(
            matches!(
                err,
                MigrationError::Failed {
                    version: 3,
                    name: "0003_bad",
                    ..
                }
            ),
            "{err}"
        );
        // the failed migration left the version where it was
        assert_eq!(version(&conn).unwrap(), 2);
    }

    #[test]
    fn a_rust_step_adds_a_column_only_where_it_is_missing() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER, b INTEGER); PRAGMA user_version = 1;")
            .unwrap();
        migrate(&mut conn, LIST, 2, "test").unwrap();
        assert_eq!(version(&conn).unwrap(), 2);
    }

    #[test]
    fn a_newer_database_is_refused_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 9).unwrap();
        let err = migrate(&mut conn, LIST, 3, "test").unwrap_err();
        assert!(
            matches!(
                err,
                MigrationError::TooNew {
                    found: 9,
                    supported: 3
                }
            ),
            "{err}"
        );
        assert_eq!(version(&conn).unwrap(), 9);
    }
}
