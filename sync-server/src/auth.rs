//! Users, tokens and assignments, in the server's `auth.db`.
//!
//! Tokens are 256 random bits shown once; only their SHA-256 is stored.

use outpost_core::sqlite_migrations::{self, Migration, MigrationError};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Syncs the accounts assigned to them or in their territories; may write them.
    Rep,
    /// Everything the reps of their team may see; may write it.
    Manager,
    /// Everything; the only role that may change settings documents.
    Admin,
    /// Like a rep, but read-only.
    Viewer,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Rep => "rep",
            Role::Manager => "manager",
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "rep" => Role::Rep,
            "manager" => Role::Manager,
            "admin" => Role::Admin,
            "viewer" => Role::Viewer,
            _ => return None,
        })
    }
}

/// An authenticated user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: String,
    pub role: Role,
    pub team: Option<String>,
    pub territories: Vec<String>,
    pub assigned: Vec<String>,
}

/// Errors of the auth database.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("no such user")]
    NoSuchUser,
    #[error("user already exists")]
    UserExists,
    #[error("no such token")]
    NoSuchToken,
    /// Neither a token id nor a whole token (see [`TokenRef::parse`]).
    #[error("not a token id: expected {}", TOKEN_REF_FORM)]
    InvalidTokenRef,
    /// Removing the last admin would lock everyone out of administration.
    #[error("the last admin cannot be removed")]
    LastAdmin,
    /// auth.db is newer than this build, or a migration failed.
    #[error("auth.db: {0}")]
    Migration(#[from] MigrationError),
}

/// What a token revocation accepts, in words (for error messages).
pub const TOKEN_REF_FORM: &str = "the token's id (exactly the 12 lowercase hex characters that \
     `outpost-server token list` and GET /api/admin/users/{id}/tokens show) or the whole token";

/// How many hex characters of a token's SHA-256 make its id.
pub const TOKEN_ID_LEN: usize = 12;

/// The shortest token there is: an operator's `OUTPOST_ADMIN_TOKEN` has at
/// least 16 characters; issued tokens have 68.
pub const MIN_TOKEN_LEN: usize = 16;

/// A token named for revocation: by its id, or the whole token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRef {
    /// The first 12 hex characters of the token's hash, as listed.
    Id(String),
    /// The token itself (compared by its hash).
    Token(String),
}

impl TokenRef {
    /// Exactly [`TOKEN_ID_LEN`] lowercase hex characters are an id; a string
    /// of at least [`MIN_TOKEN_LEN`] characters is taken for a whole token
    /// (matched by the SHA-256 of all of it, so it can only ever name that
    /// one token). Anything else — `%` or `_` wildcards, a part of an id,
    /// upper case — is [`AuthError::InvalidTokenRef`].
    pub fn parse(s: &str) -> Result<Self, AuthError> {
        let is_id = s.len() == TOKEN_ID_LEN
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if is_id {
            Ok(Self::Id(s.to_owned()))
        } else if s.chars().count() >= MIN_TOKEN_LEN {
            Ok(Self::Token(s.to_owned()))
        } else {
            Err(AuthError::InvalidTokenRef)
        }
    }
}

/// The auth database.
#[derive(Debug)]
pub struct AuthDb {
    conn: Connection,
}

/// The auth database's migrations (rules: `outpost_core::sqlite_migrations`).
/// Never edit one that is listed; add a new file with the next number, list
/// it here and append its SHA-256 to `FROZEN` in the tests below.
const MIGRATIONS: &[Migration] = &[Migration::sql(
    "0001_users_tokens_assignments",
    include_str!("auth/migrations/0001_users_tokens_assignments.sql"),
)];

/// The version a fully migrated auth.db has.
pub const AUTH_SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings auth.db up to date, or refuses one written by a newer build.
///
/// Every build up to commit f672c81 ran migration 1's statements (then a
/// `CREATE TABLE IF NOT EXISTS` schema) on each start and never set
/// `user_version`, so an auth.db it made has version 0 and the tables.
/// Migration 1 is those statements byte for byte, so running it on such a
/// database adopts it as version 1, touching no row and adding only a table
/// it may lack (`goals`, in one made before commit 074c967).
fn migrate_auth(conn: &mut Connection) -> Result<(), AuthError> {
    if sqlite_migrations::version(conn)? == 0 {
        let existing: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users')",
            [],
            |r| r.get(0),
        )?;
        if existing {
            tracing::info!("auth.db from before versioned migrations: adopting it as version 1");
        }
    }
    sqlite_migrations::migrate(conn, MIGRATIONS, AUTH_SCHEMA_VERSION, "auth.db")?;
    Ok(())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The SHA-256 of a token, hex.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh token: 256 random bits.
pub fn new_token() -> String {
    format!("opt_{}", hex::encode(rand::random::<[u8; 32]>()))
}

impl AuthDb {
    /// Opens (creating) the database at `path`.
    pub fn open(path: &std::path::Path) -> Result<Self, AuthError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate_auth(&mut conn)?;
        Ok(Self { conn })
    }

    fn bump(&self) -> Result<(), AuthError> {
        self.conn.execute(
            "UPDATE meta SET value = value + 1 WHERE key = 'scope_version'",
            [],
        )?;
        Ok(())
    }

    /// A number that changes whenever users, assignments or territories do
    /// (the running server polls it, so CLI changes reach connected devices).
    pub fn scope_version(&self) -> Result<i64, AuthError> {
        Ok(self.conn.query_row(
            "SELECT value FROM meta WHERE key = 'scope_version'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Whether any admin exists.
    pub fn has_admin(&self) -> Result<bool, AuthError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM users WHERE role = 'admin' LIMIT 1",
                [],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Adds a user.
    pub fn add_user(&self, id: &str, role: Role, team: Option<&str>) -> Result<(), AuthError> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO users(id, role, team, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![id, role.as_str(), team, now_ms()],
        )?;
        if n == 0 {
            return Err(AuthError::UserExists);
        }
        self.bump()
    }

    /// Issues a token for a user; returns it (the only time it is shown).
    pub fn issue_token(&self, user: &str, label: Option<&str>) -> Result<String, AuthError> {
        let token = new_token();
        self.insert_token(user, &token, label)?;
        Ok(token)
    }

    /// Stores a token chosen by the operator (e.g. `OUTPOST_ADMIN_TOKEN`).
    pub fn insert_token(
        &self,
        user: &str,
        token: &str,
        label: Option<&str>,
    ) -> Result<(), AuthError> {
        self.require_user(user)?;
        self.conn.execute(
            "INSERT OR IGNORE INTO tokens(hash, user_id, label, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![hash_token(token), user, label, now_ms()],
        )?;
        Ok(())
    }

    /// Revokes one token, given its id as [`AuthDb::tokens`] lists it or the
    /// whole token (see [`TokenRef::parse`]); anything else is refused and
    /// revokes nothing. Ids and hashes are compared for equality, never as
    /// patterns.
    pub fn revoke_token(&self, token_or_id: &str) -> Result<(), AuthError> {
        let n = match TokenRef::parse(token_or_id)? {
            TokenRef::Id(id) => self.conn.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE revoked_at IS NULL AND substr(hash, 1, 12) = ?1",
                params![id, now_ms()],
            )?,
            TokenRef::Token(token) => self.conn.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE revoked_at IS NULL AND hash = ?1",
                params![hash_token(&token), now_ms()],
            )?,
        };
        if n == 0 {
            return Err(AuthError::NoSuchToken);
        }
        self.bump()
    }

    /// The tokens of a user: (id = first 12 hex of the hash, label, revoked).
    pub fn tokens(&self, user: &str) -> Result<Vec<(String, Option<String>, bool)>, AuthError> {
        let mut st = self
            .conn
            .prepare("SELECT substr(hash, 1, 12), label, revoked_at IS NOT NULL FROM tokens WHERE user_id = ?1 ORDER BY created_at")?;
        let rows = st.query_map([user], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The user a valid (not revoked) token belongs to.
    pub fn authenticate(&self, token: &str) -> Result<Option<User>, AuthError> {
        let user: Option<String> = self
            .conn
            .query_row(
                "SELECT user_id FROM tokens WHERE hash = ?1 AND revoked_at IS NULL",
                [hash_token(token)],
                |r| r.get(0),
            )
            .optional()?;
        match user {
            Some(u) => self.user(&u),
            None => Ok(None),
        }
    }

    /// A user with their territories and assignments.
    pub fn user(&self, id: &str) -> Result<Option<User>, AuthError> {
        let row: Option<(String, Option<String>)> = self
            .conn
            .query_row("SELECT role, team FROM users WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((role, team)) = row else {
            return Ok(None);
        };
        let list = |sql: &str| -> Result<Vec<String>, AuthError> {
            let mut st = self.conn.prepare_cached(sql)?;
            let rows = st.query_map([id], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok(Some(User {
            id: id.to_owned(),
            role: Role::parse(&role).unwrap_or(Role::Viewer),
            team,
            territories: list(
                "SELECT territory FROM territories WHERE user_id = ?1 ORDER BY territory",
            )?,
            assigned: list("SELECT doc_id FROM assignments WHERE user_id = ?1 ORDER BY doc_id")?,
        }))
    }

    /// `NoSuchUser` unless `id` exists. Cheaper than [`AuthDb::user`], which
    /// also reads every assignment (a device creating accounts in bulk made
    /// each new assignment cost O(assignments) through it).
    fn require_user(&self, id: &str) -> Result<(), AuthError> {
        self.conn
            .prepare_cached("SELECT 1 FROM users WHERE id = ?1")?
            .query_row([id], |_| Ok(()))
            .optional()?
            .ok_or(AuthError::NoSuchUser)
    }

    /// Every user.
    pub fn users(&self) -> Result<Vec<User>, AuthError> {
        let ids: Vec<String> = {
            let mut st = self.conn.prepare("SELECT id FROM users ORDER BY id")?;
            st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        ids.iter()
            .filter_map(|id| self.user(id).transpose())
            .collect()
    }

    /// The members of a team.
    pub fn team_members(&self, team: &str) -> Result<Vec<User>, AuthError> {
        Ok(self
            .users()?
            .into_iter()
            .filter(|u| u.team.as_deref() == Some(team))
            .collect())
    }

    /// Assigns an account document to a user.
    pub fn assign(&self, user: &str, doc: &str) -> Result<(), AuthError> {
        self.require_user(user)?;
        self.conn.execute(
            "INSERT OR IGNORE INTO assignments(user_id, doc_id) VALUES (?1, ?2)",
            params![user, doc],
        )?;
        self.bump()
    }

    /// Takes an account away from a user.
    pub fn unassign(&self, user: &str, doc: &str) -> Result<(), AuthError> {
        self.conn.execute(
            "DELETE FROM assignments WHERE user_id = ?1 AND doc_id = ?2",
            params![user, doc],
        )?;
        self.bump()
    }

    /// Adds a territory to a user.
    pub fn add_territory(&self, user: &str, territory: &str) -> Result<(), AuthError> {
        self.require_user(user)?;
        self.conn.execute(
            "INSERT OR IGNORE INTO territories(user_id, territory) VALUES (?1, ?2)",
            params![user, territory],
        )?;
        self.bump()
    }

    /// Removes a territory from a user.
    pub fn remove_territory(&self, user: &str, territory: &str) -> Result<(), AuthError> {
        self.conn.execute(
            "DELETE FROM territories WHERE user_id = ?1 AND territory = ?2",
            params![user, territory],
        )?;
        self.bump()
    }

    /// Removes a user with their tokens, assignments, territories and goals
    /// (the accounts stay). The last admin cannot be removed.
    pub fn remove_user(&self, user: &str) -> Result<(), AuthError> {
        let role: Option<String> = self
            .conn
            .query_row("SELECT role FROM users WHERE id = ?1", [user], |r| r.get(0))
            .optional()?;
        match role.as_deref() {
            None => return Err(AuthError::NoSuchUser),
            Some("admin") => {
                let admins: i64 = self.conn.query_row(
                    "SELECT COUNT(*) FROM users WHERE role = 'admin'",
                    [],
                    |r| r.get(0),
                )?;
                if admins <= 1 {
                    return Err(AuthError::LastAdmin);
                }
            }
            Some(_) => {}
        }
        // tokens, assignments, territories and goals go with it (ON DELETE CASCADE)
        self.conn
            .execute("DELETE FROM users WHERE id = ?1", [user])?;
        self.bump()
    }

    /// Changes a user's role and team.
    pub fn set_role(&self, user: &str, role: Role, team: Option<&str>) -> Result<(), AuthError> {
        let n = self.conn.execute(
            "UPDATE users SET role = ?2, team = ?3 WHERE id = ?1",
            params![user, role.as_str(), team],
        )?;
        if n == 0 {
            return Err(AuthError::NoSuchUser);
        }
        self.bump()
    }
}

/// A rep's targets, shown on the team dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Goals {
    pub visits_per_week: Option<i64>,
    pub won_per_month_minor: Option<i64>,
}

impl AuthDb {
    /// Sets a user's goals.
    pub fn set_goals(&self, user: &str, goals: Goals) -> Result<(), AuthError> {
        self.require_user(user)?;
        self.conn.execute(
            "INSERT INTO goals(user_id, visits_per_week, won_per_month_minor) VALUES (?1, ?2, ?3)
             ON CONFLICT(user_id) DO UPDATE SET visits_per_week = ?2, won_per_month_minor = ?3",
            params![user, goals.visits_per_week, goals.won_per_month_minor],
        )?;
        Ok(())
    }

    /// A user's goals, if set.
    pub fn goals(&self, user: &str) -> Result<Option<Goals>, AuthError> {
        Ok(self
            .conn
            .query_row(
                "SELECT visits_per_week, won_per_month_minor FROM goals WHERE user_id = ?1",
                [user],
                |r| {
                    Ok(Goals {
                        visits_per_week: r.get(0)?,
                        won_per_month_minor: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_a_user_removes_their_tokens_but_never_the_last_admin() {
        let dir = tempfile::tempdir().unwrap();
        let db = AuthDb::open(&dir.path().join("auth.db")).unwrap();
        db.add_user("root", Role::Admin, None).unwrap();
        db.add_user("kari", Role::Rep, Some("west")).unwrap();
        let token = db.issue_token("kari", None).unwrap();
        db.assign("kari", "doc").unwrap();
        db.add_territory("kari", "west").unwrap();
        db.remove_user("kari").unwrap();
        assert!(db.authenticate(&token).unwrap().is_none());
        assert!(db.user("kari").unwrap().is_none());
        assert!(matches!(db.remove_user("kari"), Err(AuthError::NoSuchUser)));
        assert!(matches!(db.remove_user("root"), Err(AuthError::LastAdmin)));
        // kari can be added again, with nothing left over
        db.add_user("kari", Role::Rep, None).unwrap();
        let back = db.user("kari").unwrap().unwrap();
        assert!(back.assigned.is_empty() && back.territories.is_empty());
    }

    #[test]
    fn tokens_are_stored_hashed_and_can_be_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let db = AuthDb::open(&dir.path().join("auth.db")).unwrap();
        db.add_user("kari", Role::Rep, Some("west")).unwrap();
        assert!(matches!(
            db.add_user("kari", Role::Rep, None),
            Err(AuthError::UserExists)
        ));
        let token = db.issue_token("kari", Some("phone")).unwrap();
        assert!(token.len() >= 64);
        let stored: String = db
            .conn
            .query_row("SELECT hash FROM tokens", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, token);
        assert_eq!(db.authenticate(&token).unwrap().unwrap().id, "kari");
        assert!(db.authenticate("opt_guess").unwrap().is_none());
        let id = db.tokens("kari").unwrap()[0].0.clone();
        db.revoke_token(&id).unwrap();
        assert!(db.authenticate(&token).unwrap().is_none());
        assert!(matches!(
            db.revoke_token("nothing"),
            Err(AuthError::InvalidTokenRef)
        ));
        assert!(matches!(
            db.revoke_token("000000000000"),
            Err(AuthError::NoSuchToken)
        ));
    }

    fn active(db: &AuthDb, token: &str) -> bool {
        db.authenticate(token).unwrap().is_some()
    }

    #[test]
    fn only_an_exact_id_or_a_whole_token_revokes_and_only_that_token() {
        let dir = tempfile::tempdir().unwrap();
        let db = AuthDb::open(&dir.path().join("auth.db")).unwrap();
        db.add_user("kari", Role::Rep, None).unwrap();
        db.add_user("mona", Role::Manager, None).unwrap();
        let kari = db.issue_token("kari", None).unwrap();
        let kari2 = db.issue_token("kari", None).unwrap();
        let mona = db.issue_token("mona", None).unwrap();
        let kari_id = db.tokens("kari").unwrap()[0].0.clone();
        let hash = hash_token(&kari);
        let upper = kari_id.to_uppercase();
        let version = db.scope_version().unwrap();
        for bad in [
            "________",
            "%%%%%%%%",
            "%",
            "",
            "____________", // 12 wildcards, the id's length
            "%%%%%%%%%%%%",
            &kari_id[..8], // the old 8-character prefix
            &kari_id[..11],
            upper.as_str(),
            &hash[..13], // one more than an id: neither form
            &kari[..12], // 12 characters of another form
            "opt_%",
            "12345678901g",
        ] {
            assert!(
                matches!(db.revoke_token(bad), Err(AuthError::InvalidTokenRef)),
                "{bad:?} was accepted"
            );
        }
        // a long string is taken for a whole token: compared by its hash
        for unknown in [
            "________________",
            "%%%%%%%%%%%%%%%%%%%%",
            hash.as_str(),
            &kari[..kari.len() - 1],
        ] {
            assert!(
                matches!(db.revoke_token(unknown), Err(AuthError::NoSuchToken)),
                "{unknown:?}"
            );
        }
        assert!(active(&db, &kari) && active(&db, &kari2) && active(&db, &mona));
        assert_eq!(db.scope_version().unwrap(), version, "nothing changed");

        db.revoke_token(&kari_id).unwrap();
        assert!(!active(&db, &kari) && active(&db, &kari2) && active(&db, &mona));
        db.revoke_token(&mona).unwrap();
        assert!(active(&db, &kari2) && !active(&db, &mona));
        assert!(matches!(
            db.revoke_token(&mona),
            Err(AuthError::NoSuchToken)
        ));
        let err = db.revoke_token("%").unwrap_err().to_string();
        assert!(err.contains("12 lowercase hex characters"), "{err}");
    }

    /// SHA-256 of every auth.db migration's file, in order.
    ///
    /// If this test fails because you changed a migration: undo that change
    /// and add a new migration instead. An auth.db that already ran the old
    /// text never runs yours, so servers upgraded from it would silently
    /// differ from new ones. If you added a migration, append its digest
    /// here (the failure prints it).
    const FROZEN: &[(&str, &str)] = &[(
        "0001_users_tokens_assignments",
        "b4639d211bf31356a232ba6d35106430f10f33b4677197d96f1904affb508e45",
    )];

    #[test]
    fn shipped_migrations_are_never_edited() {
        for (i, (name, digest)) in FROZEN.iter().enumerate() {
            let Some(m) = MIGRATIONS.get(i) else {
                panic!(
                    "migration {} ({name}) was removed: migrations are append-only",
                    i + 1
                );
            };
            assert_eq!(
                (
                    m.name,
                    hex::encode(Sha256::digest(m.source().as_bytes())).as_str()
                ),
                (*name, *digest),
                "auth.db migration {} changed. Shipped migrations are frozen: undo the edit \
                 and add a new migration instead (see MIGRATIONS in sync-server/src/auth.rs)",
                i + 1
            );
        }
        if let Some(m) = MIGRATIONS.get(FROZEN.len()) {
            panic!(
                "auth.db migration {} is new: append (\"{}\", \"{}\") to FROZEN",
                FROZEN.len() + 1,
                m.name,
                hex::encode(Sha256::digest(m.source().as_bytes()))
            );
        }
    }

    fn version_of(path: &std::path::Path) -> i64 {
        let conn = Connection::open(path).unwrap();
        sqlite_migrations::version(&conn).unwrap()
    }

    fn schema_of(path: &std::path::Path) -> Vec<(String, String)> {
        let conn = Connection::open(path).unwrap();
        let mut st = conn
            .prepare("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn an_auth_db_made_by_f672c81_keeps_its_users_tokens_assignments_and_territories() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/auth");
        let made: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(fixtures.join("auth-f672c81.json")).unwrap(),
        )
        .unwrap();
        let token = |k: &str| made["tokens"][k].as_str().unwrap().to_owned();
        let docs: Vec<String> = made["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.db");
        std::fs::copy(fixtures.join("auth-f672c81.db"), &path).unwrap();
        assert_eq!(version_of(&path), 0, "made before versioned migrations");
        let scope_before = {
            let conn = Connection::open(&path).unwrap();
            conn.query_row(
                "SELECT value FROM meta WHERE key = 'scope_version'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
        };

        let db = AuthDb::open(&path).unwrap();
        assert_eq!(version_of(&path), AUTH_SCHEMA_VERSION);
        assert_eq!(db.scope_version().unwrap(), scope_before);
        let ids: Vec<String> = db.users().unwrap().into_iter().map(|u| u.id).collect();
        assert_eq!(ids, ["admin", "kari", "mona", "vera"]);
        let kari = db.authenticate(&token("kari")).unwrap().unwrap();
        assert_eq!(kari.id, "kari");
        assert_eq!(kari.role, Role::Rep);
        assert_eq!(kari.team.as_deref(), Some("west"));
        assert_eq!(kari.territories, ["nord-øst", "west"]);
        let mut assigned = docs.clone();
        assigned.sort();
        assert_eq!(kari.assigned, assigned);
        let mona = db.authenticate(&token("mona")).unwrap().unwrap();
        assert_eq!(
            (mona.role, mona.territories.as_slice()),
            (Role::Manager, &["west".to_owned()][..])
        );
        let vera = db.authenticate(&token("vera")).unwrap().unwrap();
        assert_eq!(
            (vera.role, vera.assigned.as_slice()),
            (Role::Viewer, &docs[1..])
        );
        let admin = db
            .authenticate(made["admin_token"].as_str().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(admin.role, Role::Admin);
        assert!(db.authenticate(&token("kari_revoked")).unwrap().is_none());
        let listed: Vec<String> = db
            .tokens("kari")
            .unwrap()
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(listed.join(","), made["kari_token_ids"].as_str().unwrap());

        // writes work, and survive a reopen without migrating again
        db.add_user("nils", Role::Rep, None).unwrap();
        let nils = db.issue_token("nils", None).unwrap();
        db.set_goals(
            "nils",
            Goals {
                visits_per_week: Some(5),
                won_per_month_minor: None,
            },
        )
        .unwrap();
        db.revoke_token(&listed[0]).unwrap();
        drop(db);
        let db = AuthDb::open(&path).unwrap();
        assert_eq!(db.authenticate(&nils).unwrap().unwrap().id, "nils");
        assert_eq!(db.goals("nils").unwrap().unwrap().visits_per_week, Some(5));
        assert!(db.authenticate(&token("kari")).unwrap().is_none());
        assert!(db.authenticate(&token("mona")).unwrap().is_some());
        drop(db);

        let fresh = dir.path().join("fresh.db");
        drop(AuthDb::open(&fresh).unwrap());
        assert_eq!(schema_of(&path), schema_of(&fresh));
    }

    #[test]
    fn an_auth_db_from_before_goals_gets_the_table_and_keeps_its_rows() {
        // what builds before commit 074c967 left: no `goals`, no version
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE users (id TEXT PRIMARY KEY, role TEXT NOT NULL, team TEXT, created_at INTEGER NOT NULL);
             CREATE TABLE tokens (hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, label TEXT, created_at INTEGER NOT NULL, revoked_at INTEGER);
             CREATE TABLE assignments (user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, doc_id TEXT NOT NULL, PRIMARY KEY (user_id, doc_id));
             CREATE TABLE territories (user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, territory TEXT NOT NULL, PRIMARY KEY (user_id, territory));
             CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
             INSERT INTO meta VALUES ('scope_version', 7);
             INSERT INTO users VALUES ('kari', 'rep', NULL, 1);",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO tokens VALUES (?1, 'kari', NULL, 1, NULL)",
            [hash_token("opt_fixture_token_of_kari")],
        )
        .unwrap();
        drop(conn);
        let db = AuthDb::open(&path).unwrap();
        assert_eq!(version_of(&path), 1);
        assert_eq!(db.scope_version().unwrap(), 7);
        assert_eq!(
            db.authenticate("opt_fixture_token_of_kari")
                .unwrap()
                .unwrap()
                .id,
            "kari"
        );
        db.set_goals("kari", Goals::default()).unwrap();
    }

    #[test]
    fn an_auth_db_from_a_newer_build_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.db");
        drop(AuthDb::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = AuthDb::open(&path).unwrap_err();
        assert!(
            matches!(
                err,
                AuthError::Migration(MigrationError::TooNew {
                    found: 99,
                    supported: AUTH_SCHEMA_VERSION
                })
            ),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "auth.db: schema version 99 is newer than this build supports ({AUTH_SCHEMA_VERSION})"
            )
        );
        assert_eq!(version_of(&path), 99);
    }
}
