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
mod tests;
