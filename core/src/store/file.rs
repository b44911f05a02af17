//! One writer per store file, and one actor per installation.
//!
//! **The lock.** A store on disk holds an exclusive OS lock (`flock` on
//! Unix, `LockFileEx` on Windows, through std's `File::try_lock`) on a
//! sidecar file `<store>.lock` for as long as it is open. A second open of
//! the same file — another handle in the same process, an app extension, a
//! widget or a background worker in another process — gets
//! [`CoreError::Locked`] at once instead of writing the same documents under
//! the same actor (which corrupts them: "duplicate seq"). The lock goes away
//! with the store (drop, or the process ending, even by a crash).
//!
//! **The actor salt.** Every store installation has 8 random bytes in its
//! `meta` table (`actor_salt`), mixed into the actor its edits are written
//! under (`Author::actor_salted`). The store also records which file it is
//! (`file_identity`: device and inode). A store file copied or restored from
//! a backup onto another phone finds itself in a different file at its next
//! open and rotates its salt, so the two installations that now share a
//! device id never reuse each other's actor or sequence numbers. A store
//! created before salts existed keeps its old actor until it is moved.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use crate::error::{CoreError, Result};

/// The path of the lock file of the store at `path`.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

/// Takes the exclusive lock of the store at `path`, or `Locked`.
pub(crate) fn lock(path: &Path) -> Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(path))
        .map_err(|e| CoreError::Io(e.to_string()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(CoreError::Locked),
        Err(TryLockError::Error(e)) => Err(CoreError::Io(e.to_string())),
    }
}

/// Which file this is: (device, inode) on Unix; on other systems the
/// creation time (a restored copy is a new file there too).
fn identity(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(format!("{}:{}", meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let t = meta.created().ok()?;
        let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some(format!("created:{}", d.as_nanos()))
    }
}

fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
        [key, value],
    )?;
    Ok(())
}

fn fresh_salt() -> [u8; 8] {
    rand::random()
}

fn parse_salt(hex: &str) -> Option<[u8; 8]> {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .filter_map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    bytes.try_into().ok()
}

fn to_hex(salt: &[u8; 8]) -> String {
    salt.iter().map(|b| format!("{b:02x}")).collect()
}

/// The installation's actor salt: read, created (a new store), or rotated
/// (the store file was copied or restored: it is not the file it was).
/// `path` is `None` for an in-memory store (always a new installation).
pub(crate) fn actor_salt(conn: &Connection, path: Option<&Path>) -> Result<Option<[u8; 8]>> {
    let Some(path) = path else {
        return Ok(Some(fresh_salt()));
    };
    let here = identity(path);
    let stored_identity = meta_get(conn, "file_identity")?;
    let stored_salt = meta_get(conn, "actor_salt")?.and_then(|h| parse_salt(&h));
    let has_documents: bool = conn
        .query_row("SELECT EXISTS(SELECT 1 FROM documents)", [], |r| r.get(0))
        .unwrap_or(false);
    let moved = matches!((&stored_identity, &here), (Some(a), Some(b)) if a != b);
    let salt = match stored_salt {
        Some(s) if !moved => Some(s),
        // a copy of another installation's store: a new actor from now on
        Some(_) => {
            tracing::warn!(
                "the store file was copied or restored from a backup: this installation writes under a new actor"
            );
            Some(fresh_salt())
        }
        // a store from before salts: its old actor, until it is moved
        None if has_documents && !moved => None,
        None => Some(fresh_salt()),
    };
    if let Some(s) = &salt {
        meta_set(conn, "actor_salt", &to_hex(s))?;
    }
    if let Some(id) = here {
        meta_set(conn, "file_identity", &id)?;
    }
    Ok(salt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_round_trip_through_hex() {
        let s = [0, 1, 2, 0xab, 0xcd, 0xef, 0x10, 0xff];
        assert_eq!(parse_salt(&to_hex(&s)), Some(s));
        assert_eq!(parse_salt("zz"), None);
    }
}
