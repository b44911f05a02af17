//! Accounts created on a device: the sync exchange runs against a shadow
//! document until the whole document has arrived, then it is validated,
//! stored and assigned to its creator.

use std::time::Instant;

use outpost_core::sync::wire::WireMessage;
use outpost_core::{CoreError, DocumentId};

use super::{ConnError, Session};

impl Session {
    /// A sync message about a document outside this user's scope. The device
    /// may be creating a new account: the exchange runs against an empty
    /// shadow document until changes arrive. Whether the id belongs to an
    /// existing account of someone else is never revealed: such a device sees
    /// the same replies as for a new id, and `doc-unavailable` when it writes.
    pub(super) async fn on_new_document(
        &mut self,
        doc: DocumentId,
        doc_str: &str,
        message: automerge::sync::Message,
    ) -> Result<(), ConnError> {
        use automerge::sync::SyncDoc;
        const MAX_SHADOWS: usize = 64;
        if !self.shadows.contains_key(&doc) && self.shadows.len() >= MAX_SHADOWS {
            return self.unavailable(doc_str).await;
        }
        let (mut shadow, mut state) = self.shadows.remove(&doc).unwrap_or_default();
        if shadow.receive_sync_message(&mut state, message).is_err() {
            return self.unavailable(doc_str).await;
        }
        let complete = !shadow.get_heads().is_empty()
            && automerge::ReadDoc::get_missing_deps(&shadow, &[]).is_empty();
        if !complete {
            let reply = shadow
                .generate_sync_message(&mut state)
                .map(automerge::sync::Message::encode);
            self.shadows.insert(doc, (shadow, state));
            return self.send_sync(doc, reply).await;
        }
        let app = self.app.clone();
        let bytes = shadow.save();
        let started = Instant::now();
        let created = tokio::task::spawn_blocking(move || {
            let mut store = app.store();
            if store.contains(doc)? {
                return Ok(None); // someone else's account: never written, never revealed
            }
            store.apply(doc, &bytes)?;
            let kind = store.doc(doc)?.kind();
            let reply = store.generate_sync_message(doc, &mut state)?;
            Ok::<_, CoreError>(Some((state, reply, kind)))
        })
        .await
        .map_err(|_| ConnError::Internal)?;
        metrics::histogram!("outpost_merge_seconds").record(started.elapsed().as_secs_f64());
        match created {
            Ok(Some((state, reply, kind))) => {
                self.states.insert(doc, state);
                self.app.hub.open(self.conn_id, doc);
                self.claim_new_document(doc, kind).await?;
                self.send_sync(doc, reply).await
            }
            Ok(None) => self.unavailable(doc_str).await,
            Err(
                e @ (CoreError::SchemaViolation { .. }
                | CoreError::UnsupportedSchemaVersion { .. }
                | CoreError::NotAutomerge { .. }),
            ) => {
                metrics::counter!("outpost_rejected_changes_total").increment(1);
                tracing::warn!(conn = self.conn_id, doc = %doc, reason = %e, "new document refused");
                self.send(WireMessage::Rejected {
                    sender_id: self.app.peer_id.clone(),
                    target_id: self.peer_id.clone(),
                    document_id: doc_str.to_owned(),
                    reason: e.to_string(),
                    code: Some("invalid_document".into()),
                    server_heads: Vec::new(),
                })
                .await
            }
            Err(e) => {
                tracing::error!(conn = self.conn_id, doc = %doc, error = %e, "creating a document failed");
                Err(ConnError::Internal)
            }
        }
    }

    /// A device created a new document (an account, or an admin's settings
    /// document): it is assigned to its creator.
    async fn claim_new_document(
        &mut self,
        doc: DocumentId,
        kind: outpost_core::model::DocKind,
    ) -> Result<(), ConnError> {
        let app = self.app.clone();
        let user = self.user.id.clone();
        tokio::task::spawn_blocking(move || app.auth().assign(&user, &doc.to_string()))
            .await
            .map_err(|_| ConnError::Internal)?
            .map_err(|_| ConnError::Internal)?;
        tracing::info!(conn = self.conn_id, doc = %doc, kind = ?kind, "new document created by a device");
        // writable here at once; the full scope (and other connections')
        // follows with the next coalesced refresh
        self.scope.docs.insert(
            doc,
            crate::access::Access {
                kind,
                writable: self.user.role != crate::auth::Role::Viewer,
            },
        );
        self.app.hub.scope_changed();
        Ok(())
    }
}
