//! Reading and writing records of a document: each write is one `edit`
//! (one Automerge change, committed with its index before it returns).

use super::Store;
use crate::doc::{Conflict, CrmDoc, FieldChange, Read};
use crate::error::{CoreError, Result};
use crate::ids::DocumentId;
use crate::model::{Record, RecordKind};

impl Store {
    /// Adds a record to a document; returns its id.
    pub fn create<R: Record>(&mut self, doc: DocumentId, record: R) -> Result<String> {
        self.edit(doc, |e| e.create(record))
    }

    /// Saves the fields of `record` that differ from the stored one.
    pub fn update<R: Record>(&mut self, doc: DocumentId, record: R) -> Result<()> {
        self.edit(doc, |e| e.update(record))
    }

    /// Reads a record, lets `f` change it, saves the difference.
    pub fn modify<R: Record>(
        &mut self,
        doc: DocumentId,
        id: &str,
        f: impl FnOnce(&mut R),
    ) -> Result<R> {
        self.edit(doc, |e| e.modify(id, f))
    }

    /// Archives (soft-deletes) a record.
    pub fn archive(&mut self, doc: DocumentId, kind: RecordKind, id: &str) -> Result<()> {
        self.edit(doc, |e| e.set_archived(kind, id, true))
    }

    /// Restores an archived record.
    pub fn restore(&mut self, doc: DocumentId, kind: RecordKind, id: &str) -> Result<()> {
        self.edit(doc, |e| e.set_archived(kind, id, false))
    }

    /// Moves a deal to a stage, recording the move in its stage history.
    pub fn move_deal_stage(
        &mut self,
        doc: DocumentId,
        deal_id: &str,
        stage_id: &str,
    ) -> Result<()> {
        self.edit(doc, |e| e.move_deal_stage(deal_id, stage_id))
    }

    /// Accepts a quote: marked accepted, and its order made, in one change
    /// (see `Editor::accept_quote`). Returns the order's id.
    pub fn accept_quote(&mut self, doc: DocumentId, quote_id: &str) -> Result<String> {
        self.edit(doc, |e| e.accept_quote(quote_id))
    }

    /// One record.
    ///
    /// `None` as well when the document is not on this device (never
    /// synced, or removed when access was revoked).
    pub fn get<R: Record>(&mut self, doc: DocumentId, id: &str) -> Result<Option<Read<R>>> {
        if !self.contains(doc)? {
            return Ok(None);
        }
        Ok(self.doc(doc)?.get::<R>(id))
    }

    /// Every record of a kind in a document.
    pub fn list<R: Record>(&mut self, doc: DocumentId) -> Result<Vec<Read<R>>> {
        Ok(self.doc(doc)?.list::<R>())
    }

    /// Open conflicts in a document.
    pub fn conflicts(&mut self, doc: DocumentId) -> Result<Vec<Conflict>> {
        Ok(self.doc(doc)?.conflicts())
    }

    /// Resolves a conflict by keeping one of its values.
    pub fn resolve_conflict(
        &mut self,
        doc: DocumentId,
        kind: RecordKind,
        record_id: &str,
        field: &str,
        value_id: &str,
    ) -> Result<()> {
        self.load(doc)?;
        let now = self.now();
        let author = self.author.clone();
        let d = self
            .cache
            .get_mut(&doc)
            .ok_or(CoreError::DocumentNotFound(doc))?;
        let before = d.heads();
        d.resolve_conflict(&author, now, kind, record_id, field, value_id)?;
        if let Err(e) = self.persist_changes(doc, &before, true) {
            self.forget(doc);
            return Err(e);
        }
        Ok(())
    }

    /// Field history of a record, oldest first.
    pub fn history(
        &mut self,
        doc: DocumentId,
        kind: RecordKind,
        id: &str,
    ) -> Result<Vec<FieldChange>> {
        Ok(self.doc(doc)?.history(kind, id))
    }

    /// A read-only view of a document as it was at `at` (ms).
    pub fn as_of(&mut self, doc: DocumentId, at: i64) -> Result<CrmDoc> {
        self.doc(doc)?.as_of(at)
    }
}
