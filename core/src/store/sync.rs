//! Automerge sync sessions on top of the store: receiving a peer's sync
//! message validates and persists before anything acknowledges it, and the
//! shared heads of every (peer, document) pair are kept on disk so a peer
//! that reconnects resumes instead of starting over.

use automerge::sync::{Message, State};
use automerge::{ChangeHash, ReadDoc};
use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::doc::CrmDoc;
use crate::doc::bounded::SyncDecodeError;
use crate::error::{CoreError, Result};
use crate::ids::DocumentId;

/// What receiving a sync message did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncReceived {
    /// Changes that were new here, now on disk.
    pub new_changes: Vec<ChangeHash>,
    /// The document did not exist here before this message.
    pub created: bool,
    /// The records the new changes touched (every record of a new document).
    pub records: Vec<crate::model::RecordRef>,
}

fn bad_message(doc: DocumentId, e: impl std::fmt::Display) -> CoreError {
    CoreError::SchemaViolation {
        doc,
        reason: format!("invalid sync message: {e}"),
    }
}

impl Store {
    /// The sync state of `peer` for `doc` (fresh if none was saved).
    pub fn sync_state(&self, peer: &str, doc: DocumentId) -> Result<State> {
        let bytes: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT state FROM sync_states WHERE peer = ?1 AND doc_id = ?2",
                params![peer, doc.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(bytes
            .and_then(|b| State::decode(&b).ok())
            .unwrap_or_default())
    }

    /// Saves the shared heads of `peer` for `doc`.
    pub fn save_sync_state(&self, peer: &str, doc: DocumentId, state: &State) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sync_states(peer, doc_id, state) VALUES (?1, ?2, ?3)
             ON CONFLICT(peer, doc_id) DO UPDATE SET state = excluded.state",
            params![peer, doc.to_string(), state.encode()],
        )?;
        Ok(())
    }

    /// Forgets every saved sync state of a document (e.g. after a rebuild).
    pub fn forget_sync_states(&self, doc: DocumentId) -> Result<()> {
        self.conn.execute(
            "DELETE FROM sync_states WHERE doc_id = ?1",
            [doc.to_string()],
        )?;
        Ok(())
    }

    /// The next sync message for a peer about `doc`, encoded. For a document
    /// this store does not have yet, this is the request for it.
    pub fn generate_sync_message(
        &mut self,
        doc: DocumentId,
        state: &mut State,
    ) -> Result<Option<Vec<u8>>> {
        use automerge::sync::SyncDoc;
        if self.contains(doc)? {
            return Ok(self
                .doc(doc)?
                .generate_sync_message(state)
                .map(Message::encode));
        }
        let pending = self.pending.entry(doc).or_default();
        Ok(pending.generate_sync_message(state).map(Message::encode))
    }

    /// Applies a peer's sync message about `doc`. New changes are validated,
    /// written to disk and indexed before this returns, so whatever the
    /// caller sends afterwards (its heads) acknowledges durable data. A
    /// message that would break the schema is refused with an error and
    /// changes nothing.
    ///
    /// The message's changes may inflate to `max_inflated_bytes` at most
    /// (`CoreError::TooLarge` otherwise, nothing inflated past the limit).
    pub fn receive_sync_message(
        &mut self,
        doc: DocumentId,
        state: &mut State,
        bytes: &[u8],
    ) -> Result<SyncReceived> {
        let limit = self.opts.max_inflated_bytes;
        let (message, _) =
            crate::doc::bounded::decode_sync_message(bytes, limit).map_err(|e| match e {
                SyncDecodeError::Invalid => bad_message(doc, "not a sync message"),
                SyncDecodeError::Bound(b) => super::bound_error(doc, b, limit),
            })?;
        let before = if self.contains(doc)? {
            self.heads(doc)?
        } else {
            Vec::new()
        };
        let mut received = self.receive_decoded(doc, state, message)?;
        if !received.new_changes.is_empty() {
            // which records changed, for the app's observers
            received.records = self.doc(doc)?.records_changed_since(&before);
        }
        Ok(received)
    }

    /// [`Store::receive_sync_message`] for a message already decoded with
    /// [`crate::doc::bounded::decode_sync_message`] (its compressed changes
    /// inflated within a limit): the server bounds messages before they
    /// reach its writer thread. `records` is left empty here (the server
    /// does not need it).
    pub fn receive_decoded(
        &mut self,
        doc: DocumentId,
        state: &mut State,
        message: Message,
    ) -> Result<SyncReceived> {
        use automerge::sync::SyncDoc;
        let rules = self.merge_rules()?;
        if self.contains(doc)? {
            self.load(doc)?;
            let d = self
                .cache
                .get_mut(&doc)
                .ok_or(CoreError::DocumentNotFound(doc))?;
            let before = d.heads();
            let new_changes = d.receive_sync_message_checked(state, message, rules.as_ref())?;
            if !new_changes.is_empty()
                && let Err(e) = self.persist_changes(doc, &before, false)
            {
                self.forget(doc);
                return Err(e);
            }
            return Ok(SyncReceived {
                new_changes,
                created: false,
                records: Vec::new(),
            });
        }
        // A document new to this store: assemble it, and keep it once it is a
        // valid Outpost document.
        let mut candidate = self.pending.remove(&doc).unwrap_or_default();
        let mut st = state.clone();
        candidate.receive_sync_message(&mut st, message)?;
        if candidate.get_heads().is_empty() || !candidate.get_missing_deps(&[]).is_empty() {
            self.pending.insert(doc, candidate);
            *state = st;
            return Ok(SyncReceived::default());
        }
        let crm = CrmDoc::from_automerge(doc, candidate.with_actor(self.author.actor()))?;
        if let Some(r) = &rules {
            crm.check_all_values(r)?;
        }
        let new_changes = crm
            .automerge()
            .get_changes_meta(&[])
            .iter()
            .map(|c| c.hash)
            .collect();
        self.insert_new(crm, false)?;
        *state = st;
        Ok(SyncReceived {
            new_changes,
            created: true,
            records: Vec::new(),
        })
    }
}
