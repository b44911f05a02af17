//! Edits made here that the server has not acknowledged yet, and what
//! happens to them when access to their account is revoked.
//!
//! Every local edit (an `edit`, a conflict resolution, a new account or
//! settings document) counts one pending edit for its document, in the same
//! transaction as the edit (`meta` key `pending:<doc>`), so the count is
//! right after a crash and readable while sync is stopped. The sync client
//! clears a document's count once the server's heads include everything
//! this device has ([`Store::acknowledge`]).
//!
//! When the server takes a document away (unassigned, moved to another
//! territory), [`Store::remove_revoked`] removes it from the device, but
//! first keeps whatever the server has not acknowledged as a draft holding
//! the whole document, so the records stay readable (`draft_view`) and
//! exportable (`draft_export`) and nothing typed on the phone disappears.

use automerge::ChangeHash;
use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, index};
use crate::error::Result;
use crate::ids::DocumentId;

fn key(doc: DocumentId) -> String {
    format!("pending:{doc}")
}

/// Counts one more pending edit of `doc` (inside the caller's transaction).
pub(crate) fn count_edit(conn: &Connection, doc: DocumentId) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta(key, value) VALUES (?1, '1')
         ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
    )?
    .execute([key(doc)])?;
    Ok(())
}

/// What [`Store::remove_revoked`] kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retained {
    /// The draft holding the document as it was on this device.
    pub draft: i64,
    /// How many edits made here the server had not acknowledged.
    pub kept_edits: u64,
}

impl Store {
    /// Edits made here that the server has not acknowledged, over every
    /// document. Works offline and while sync is stopped.
    pub fn pending_edits(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(SUM(CAST(value AS INTEGER)), 0) FROM meta WHERE key LIKE 'pending:%'",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Pending edits of one document.
    pub fn pending_edits_of(&self, doc: DocumentId) -> Result<u64> {
        let v: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key(doc)], |r| r.get(0))
            .optional()?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// The server has everything this device made in `doc`.
    pub fn acknowledge(&self, doc: DocumentId) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM meta WHERE key = ?1")?
            .execute([key(doc)])?;
        Ok(())
    }

    /// Removes a document the server no longer lets this device have. Edits
    /// made here that the server has not acknowledged — counted, or found
    /// as changes of this device beyond `server_heads` (what the server was
    /// last known to have) — are kept first as a draft holding the whole
    /// document, in the same transaction. Returns what was kept, if anything.
    pub fn remove_revoked(
        &mut self,
        doc: DocumentId,
        server_heads: &[ChangeHash],
    ) -> Result<Option<Retained>> {
        let counted = self.pending_edits_of(doc)?;
        let device = self.author.device_id.clone();
        let (unacked, bytes) = match self.doc(doc) {
            Ok(d) => {
                let known = server_heads
                    .iter()
                    .all(|h| d.automerge().get_change_meta_by_hash(h).is_some());
                let since: &[ChangeHash] = if known { server_heads } else { &[] };
                let mine = d
                    .automerge()
                    .get_changes_meta(since)
                    .iter()
                    .filter(|c| {
                        c.message
                            .as_deref()
                            .and_then(crate::ids::Author::from_commit_message)
                            .is_some_and(|a| a.device_id == device)
                    })
                    .count() as u64;
                (mine, d.save())
            }
            Err(crate::CoreError::DocumentNotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let kept_edits = counted.max(unacked);
        let now = self.now();
        let id = doc.to_string();
        let tx = self.conn.transaction()?;
        let draft = if kept_edits > 0 {
            tx.execute(
                "INSERT INTO drafts(doc_id, created_at, reason, changes) VALUES (?1, ?2, ?3, ?4)",
                params![
                    id,
                    now,
                    "access revoked: the edits made here that the server had not received are kept in this draft",
                    bytes
                ],
            )?;
            Some(tx.last_insert_rowid())
        } else {
            None
        };
        index::remove(&tx, &id)?;
        tx.execute("DELETE FROM documents WHERE doc_id = ?1", [&id])?;
        tx.execute("DELETE FROM sync_states WHERE doc_id = ?1", [&id])?;
        tx.execute("DELETE FROM meta WHERE key = ?1", [key(doc)])?;
        tx.commit()?;
        self.forget(doc);
        if let Some(draft) = draft {
            tracing::info!(doc = %doc, draft, kept_edits, "access revoked: unsynced edits kept as a draft");
        }
        Ok(draft.map(|draft| Retained { draft, kept_edits }))
    }
}
