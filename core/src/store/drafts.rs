//! Changes the server refused. Automerge history cannot drop a change, so a
//! device whose change was refused rebuilds the document from the last heads
//! the server accepted (under a new actor id, so sequence numbers are never
//! reused) and keeps what it had made since as a draft: visible, viewable,
//! never silently lost, until the user discards it.

use automerge::ChangeHash;
use rusqlite::params;
use serde::Serialize;

use super::{Store, index, write_snapshot};
use crate::doc::CrmDoc;
use crate::error::{CoreError, Result};
use crate::ids::DocumentId;

/// A refused set of changes kept for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Draft {
    pub id: i64,
    pub doc_id: DocumentId,
    pub created_at: i64,
    /// Why the server refused it (no personal data).
    pub reason: String,
}

/// The records of an account as a draft holds them.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DraftContents {
    pub account: Option<crate::model::Account>,
    pub contacts: Vec<crate::model::Contact>,
    pub deals: Vec<crate::model::Deal>,
    pub activities: Vec<crate::model::Activity>,
    pub orders: Vec<crate::model::Order>,
    pub cases: Vec<crate::model::Case>,
    pub quotes: Vec<crate::model::Quote>,
}

impl Store {
    /// Rebuilds `doc` from `server_heads` after the server refused the changes
    /// made since, keeping those changes as a draft. Returns the draft id, or
    /// `None` when nothing here was beyond the server's heads. Fails (and
    /// changes nothing) when this store does not know all of `server_heads`.
    pub fn set_aside_refused(
        &mut self,
        doc: DocumentId,
        server_heads: &[ChangeHash],
        reason: &str,
    ) -> Result<Option<i64>> {
        self.load(doc)?;
        let now = self.now();
        let current = self
            .cache
            .get(&doc)
            .ok_or(CoreError::DocumentNotFound(doc))?;
        if server_heads.is_empty()
            || server_heads
                .iter()
                .any(|h| current.automerge().get_change_meta_by_hash(h).is_none())
        {
            return Err(CoreError::Invalid(
                "the server's heads are not known here".into(),
            ));
        }
        let pending = current.save_after(server_heads);
        if current.automerge().get_changes(server_heads).is_empty() {
            return Ok(None);
        }
        let rebuilt: CrmDoc = current.rebuilt_at(server_heads)?;
        let key = doc.to_string();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO drafts(doc_id, created_at, reason, changes) VALUES (?1, ?2, ?3, ?4)",
            params![key, now, reason, pending],
        )?;
        let draft = tx.last_insert_rowid();
        write_snapshot(&tx, &rebuilt, now)?;
        tx.execute(
            "UPDATE documents SET generation = ?2 WHERE doc_id = ?1",
            params![key, rebuilt.generation()],
        )?;
        tx.execute("DELETE FROM sync_states WHERE doc_id = ?1", [&key])?;
        // the document is back at what the server has: nothing pending (the
        // refused edits are in the draft; re-applying them counts anew)
        tx.execute(
            "DELETE FROM meta WHERE key = ?1",
            [format!("pending:{doc}")],
        )?;
        index::reindex(&tx, &rebuilt, &self.opts.phone_region)?;
        tx.commit()?;
        tracing::info!(doc = %doc, draft, "refused changes set aside as a draft");
        self.cache_insert(doc, rebuilt);
        self.changed(doc);
        Ok(Some(draft))
    }

    /// Drafts of a document (all documents with `None`), oldest first.
    pub fn drafts(&self, doc: Option<DocumentId>) -> Result<Vec<Draft>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, doc_id, created_at, reason FROM drafts WHERE ?1 IS NULL OR doc_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([doc.map(|d| d.to_string())], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, doc_id, created_at, reason) = row?;
            out.push(Draft {
                id,
                doc_id: doc_id.parse()?,
                created_at,
                reason,
            });
        }
        Ok(out)
    }

    /// The document a draft belongs to (without building the draft's view).
    pub fn draft_doc(&self, draft: i64) -> Result<DocumentId> {
        let doc: String =
            self.conn
                .query_row("SELECT doc_id FROM drafts WHERE id = ?1", [draft], |r| {
                    r.get(0)
                })?;
        doc.parse()
    }

    /// The document as it would be with the draft's changes: read-only, for
    /// the user to see what was refused (and redo what is still wanted).
    pub fn draft_view(&mut self, draft: i64) -> Result<CrmDoc> {
        let (doc, changes): (String, Vec<u8>) = self.conn.query_row(
            "SELECT doc_id, changes FROM drafts WHERE id = ?1",
            [draft],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let doc: DocumentId = doc.parse()?;
        if !self.contains(doc)? {
            // kept when access was revoked: the draft holds the whole document
            return CrmDoc::load(doc, &changes);
        }
        let mut view = self.doc(doc)?.clone();
        view.merge_bytes(&changes)?;
        Ok(view)
    }

    /// The records a draft holds, as the user had them (for a draft kept
    /// after a revocation, the only copy left): archived ones included.
    pub fn draft_contents(&mut self, draft: i64) -> Result<DraftContents> {
        let view = self.draft_view(draft)?;
        Ok(DraftContents {
            account: view.account().map(|r| r.record),
            contacts: view.list().into_iter().map(|r| r.record).collect(),
            deals: view.list().into_iter().map(|r| r.record).collect(),
            activities: view.list().into_iter().map(|r| r.record).collect(),
            orders: view.list().into_iter().map(|r| r.record).collect(),
            cases: view.list().into_iter().map(|r| r.record).collect(),
            quotes: view.list().into_iter().map(|r| r.record).collect(),
        })
    }

    /// A draft's document as JSON (the records as the user had them), for
    /// export: a draft kept after a revocation is the only copy left.
    pub fn draft_export(&mut self, draft: i64) -> Result<serde_json::Value> {
        Ok(self.draft_view(draft)?.to_json())
    }

    /// Re-applies what a draft holds as new changes on the rebuilt document,
    /// record by record through the typed diff writer: every record the draft
    /// view shows differently is written again, and whatever does not fit the
    /// schema (the reason a change was refused) drops out on the typed read.
    /// Returns how many records were written. The draft is kept (marked
    /// re-applied) so the user can still see the original.
    pub fn reapply_draft(&mut self, draft: i64) -> Result<usize> {
        let view = self.draft_view(draft)?;
        let doc = view.id();
        let written = self.edit(doc, |e| {
            let mut n = 0;
            n += reapply::<crate::model::Account>(e, &view)?;
            n += reapply::<crate::model::Contact>(e, &view)?;
            n += reapply::<crate::model::Deal>(e, &view)?;
            n += reapply::<crate::model::Activity>(e, &view)?;
            n += reapply::<crate::model::Order>(e, &view)?;
            n += reapply::<crate::model::Case>(e, &view)?;
            n += reapply::<crate::model::Quote>(e, &view)?;
            n += reapply::<crate::model::OrgSettings>(e, &view)?;
            n += reapply::<crate::model::Pipeline>(e, &view)?;
            n += reapply::<crate::model::CustomField>(e, &view)?;
            n += reapply::<crate::model::Product>(e, &view)?;
            Ok(n)
        })?;
        let now = self.now();
        self.conn.execute(
            "UPDATE drafts SET reapplied_at = ?2 WHERE id = ?1",
            params![draft, now],
        )?;
        Ok(written)
    }

    /// Whether a draft of `doc` was re-applied at or after `since` (ms): a
    /// refusal right after a re-application must not re-apply again.
    pub fn reapplied_since(&self, doc: DocumentId, since: i64) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM drafts WHERE doc_id = ?1 AND reapplied_at >= ?2)",
            params![doc.to_string(), since],
            |r| r.get(0),
        )?)
    }

    /// Re-applies `draft` (see [`Store::reapply_draft`]) unless a draft of
    /// the same document was re-applied within the last `window_ms`, so a
    /// refusal of the re-application itself cannot loop. `Ok(None)`: it was,
    /// nothing done. An error (e.g. the store cannot tell) is returned as
    /// such, never taken for "re-applied lately": the caller must not keep
    /// the user's edits back silently.
    pub fn reapply_draft_unless_recent(
        &mut self,
        draft: i64,
        window_ms: i64,
    ) -> Result<Option<usize>> {
        let doc: String =
            self.conn
                .query_row("SELECT doc_id FROM drafts WHERE id = ?1", [draft], |r| {
                    r.get(0)
                })?;
        let since = self.now() - window_ms;
        if self.reapplied_since(doc.parse()?, since)? {
            return Ok(None);
        }
        self.reapply_draft(draft).map(Some)
    }

    /// Throws a draft away.
    pub fn discard_draft(&mut self, draft: i64) -> Result<()> {
        let doc: Option<String> = self
            .conn
            .query_row("SELECT doc_id FROM drafts WHERE id = ?1", [draft], |r| {
                r.get(0)
            })
            .ok();
        self.conn
            .execute("DELETE FROM drafts WHERE id = ?1", [draft])?;
        if let Some(d) = doc.and_then(|d| d.parse().ok()) {
            self.changed(d);
        }
        Ok(())
    }
}

/// Writes every record of kind `R` that `view` shows differently from the
/// editor's document (creating those that are missing).
fn reapply<R: crate::model::Record>(
    e: &mut crate::doc::Editor<'_>,
    view: &CrmDoc,
) -> Result<usize> {
    if R::KIND.doc_kind() != view.kind() {
        return Ok(0);
    }
    let mut n = 0;
    for wanted in view.list::<R>() {
        let id = wanted.record.meta().id.clone();
        match e.get::<R>(&id) {
            Some(current) if same_content(&current.record, &wanted.record) => {}
            Some(_) => {
                e.update(wanted.record)?;
                n += 1;
            }
            None => {
                e.create(wanted.record)?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Equal but for the bookkeeping fields (`updated_at`, `updated_by`).
fn same_content<R: crate::model::Record>(a: &R, b: &R) -> bool {
    let mut b = b.clone();
    b.meta_mut().updated_at = a.meta().updated_at;
    b.meta_mut().updated_by = a.meta().updated_by.clone();
    *a == b
}
