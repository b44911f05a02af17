//! Users, tokens and assignments, in the server's `auth.db`.
//!
//! Tokens are 256 random bits shown once; only their SHA-256 is stored.

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
}

/// The auth database.
#[derive(Debug)]
pub struct AuthDb {
    conn: Connection,
}

const SCHEMA: &str = r#"
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
"#;

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
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
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

    /// Revokes a token, given the token itself or the first 8+ hex characters
    /// of its hash (as `tokens` lists them).
    pub fn revoke_token(&self, token_or_id: &str) -> Result<(), AuthError> {
        let by_hash = hash_token(token_or_id);
        let n = self.conn.execute(
            "UPDATE tokens SET revoked_at = ?3 WHERE revoked_at IS NULL AND (hash = ?1 OR (length(?2) >= 8 AND hash LIKE ?2 || '%'))",
            params![by_hash, token_or_id, now_ms()],
        )?;
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
            Err(AuthError::NoSuchToken)
        ));
    }
}
