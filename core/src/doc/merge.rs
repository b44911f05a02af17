//! Merging from other replicas into a `CrmDoc`: in place, checked against
//! the schema afterwards, and rewound when refused.

use automerge::{ChangeHash, ROOT, ReadDoc};

use super::{CrmDoc, parse_strict, schema};
use crate::error::{CoreError, Result};
use crate::model::Location;
use crate::model::validate::Rules;

impl CrmDoc {
    /// Merges bytes from another replica (a saved document or change chunks).
    /// If the bytes are not Automerge or the result breaks the schema, this
    /// document is put back as it was (see [`CrmDoc::rewind`]).
    /// Returns the hashes of the changes that were new.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<Vec<ChangeHash>> {
        self.merge_bytes_checked(bytes, None)
    }

    /// [`CrmDoc::merge_bytes`] that also judges the values the new changes
    /// wrote by `rules` (`model::validate`), when given: a server refuses
    /// what breaks them like a schema violation.
    pub fn merge_bytes_checked(
        &mut self,
        bytes: &[u8],
        rules: Option<&Rules>,
    ) -> Result<Vec<ChangeHash>> {
        let before = self.am.get_heads();
        let merged = match parse_strict(self.id, bytes)? {
            Some(mut other) => self.am.merge(&mut other).map(drop).map_err(CoreError::from),
            // change chunks that build on history this side has
            None => self.am.load_incremental(bytes).map(drop).map_err(|source| {
                CoreError::NotAutomerge {
                    doc: self.id,
                    source: Box::new(source),
                }
            }),
        }
        .and_then(|()| self.check_merge(&before, rules));
        if merged.is_err() {
            self.rewind(&before)?;
        }
        merged
    }

    /// Applies an Automerge sync message from a peer. If it carries changes
    /// and the result breaks the schema, it is refused with an error and
    /// neither the document nor `state` changes.
    /// Returns the hashes of the changes that were new.
    pub fn receive_sync_message(
        &mut self,
        state: &mut automerge::sync::State,
        message: automerge::sync::Message,
    ) -> Result<Vec<ChangeHash>> {
        self.receive_sync_message_checked(state, message, None)
    }

    /// [`CrmDoc::receive_sync_message`] that also judges the values the new
    /// changes wrote by `rules`, when given.
    pub fn receive_sync_message_checked(
        &mut self,
        state: &mut automerge::sync::State,
        message: automerge::sync::Message,
        rules: Option<&Rules>,
    ) -> Result<Vec<ChangeHash>> {
        use automerge::sync::SyncDoc;
        let before = self.am.get_heads();
        if message.changes.is_empty() {
            self.am.receive_sync_message(state, message)?;
            return Ok(Vec::new());
        }
        let mut st = state.clone();
        let merged = self
            .am
            .receive_sync_message(&mut st, message)
            .map_err(CoreError::from)
            .and_then(|()| self.check_merge(&before, rules));
        match merged {
            Ok(_) => *state = st,
            Err(_) => self.rewind(&before)?,
        }
        merged
    }

    /// The schema checks of a merge applied on top of `before`. They only
    /// look at the root and at the collections' keys, so they run only when a
    /// new change has an operation on the root or on a collection map: an
    /// ordinary field edit (inside a record, or on the account itself) skips
    /// them, and the cost no longer grows with the number of records.
    /// Returns the hashes of the changes that were new.
    fn check_merge(&self, before: &[ChangeHash], rules: Option<&Rules>) -> Result<Vec<ChangeHash>> {
        let changes = self.am.get_changes(before);
        if self.touches_schema(&changes) {
            // what the root held at `before`, read from history
            let kept = schema::present_roots_at(&self.am, self.kind, before)?;
            schema::validate_continuity(&kept, &self.am, self.id, self.kind)?;
        }
        if let Some(rules) = rules {
            self.check_changed_values(before, rules)?;
        }
        Ok(changes.iter().map(|c| c.hash()).collect())
    }

    /// Whether one of `changes` has an operation on the root or on a
    /// collection map (anything the schema checks could object to).
    fn touches_schema(&self, changes: &[automerge::Change]) -> bool {
        use automerge::legacy::ObjectId;
        let mut seen = std::collections::HashSet::new();
        for change in changes {
            for op in change.decode().operations {
                let obj = match op.obj {
                    ObjectId::Root => return true,
                    ObjectId::Id(id) => id.to_string(),
                };
                if !seen.insert(obj.clone()) {
                    continue;
                }
                // an object this document cannot place: check everything
                let Ok(ex) = self.am.import_obj(&obj) else {
                    return true;
                };
                match self.am.parents(&ex).map(|mut p| p.next()) {
                    // inside a record
                    Ok(Some(parent)) if parent.obj != ROOT => {}
                    // a root map: only a collection's keys are checked (each
                    // must be a record map); a singleton record's fields are
                    // not (an account field edit lands here)
                    Ok(Some(parent)) => {
                        if !matches!(&parent.prop, automerge::Prop::Map(key) if self.is_singleton_key(key))
                        {
                            return true;
                        }
                    }
                    _ => return true,
                }
            }
        }
        false
    }

    /// Whether `key` is where this kind of document keeps its singleton
    /// record (`account`, `settings`).
    fn is_singleton_key(&self, key: &str) -> bool {
        matches!(self.kind.singleton().location(), Location::Singleton(k) if k == key)
    }

    /// Puts the document back at `heads` after a refused merge. Merges are
    /// applied in place and checked afterwards (copying the document first
    /// to try them cost a fork of the whole document on every merge, see
    /// BENCHMARKS.md); only a refused merge pays for the rebuild, which
    /// replays the history up to `heads`.
    fn rewind(&mut self, heads: &[ChangeHash]) -> Result<()> {
        let actor = self.am.get_actor().clone();
        self.am = self.am.fork_at(heads)?.with_actor(actor);
        Ok(())
    }
}
