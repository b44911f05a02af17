//! Accounts created on a device: the sync exchange runs against a shadow
//! document until the whole document has arrived, then it is validated,
//! stored and assigned to its creator.

use std::time::Instant;

use outpost_core::doc::CrmDoc;
use outpost_core::model::DocKind;
use outpost_core::sync::wire::WireMessage;
use outpost_core::{CoreError, DocumentId};

use crate::auth::Role;

use super::{ConnError, Session, Shadow};

/// Documents one connection may be creating at once.
const MAX_SHADOWS: usize = 64;

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
        inflated: u64,
    ) -> Result<(), ConnError> {
        use automerge::sync::SyncDoc;
        if !self.shadows.contains_key(&doc) && self.shadows.len() >= MAX_SHADOWS {
            return self.unavailable(doc_str).await;
        }
        // documents in creation are held in memory until complete: their
        // inflated bytes, over all of this connection's shadows, are capped
        let held: u64 = self.shadows.values().map(|s| s.bytes).sum();
        let cap = self.app.cfg.max_connection_inflated_bytes;
        if held.saturating_add(inflated) > cap {
            metrics::counter!("outpost_too_large_total").increment(1);
            return self
                .refuse_new(
                    doc,
                    doc_str,
                    "too_large",
                    format!("too_large: documents being created on one connection may hold {cap} bytes at most"),
                )
                .await;
        }
        let mut shadow = self.shadows.remove(&doc).unwrap_or_default();
        shadow.bytes += inflated;
        if shadow
            .doc
            .receive_sync_message(&mut shadow.state, message)
            .is_err()
        {
            return self.unavailable(doc_str).await;
        }
        let complete = !shadow.doc.get_heads().is_empty()
            && automerge::ReadDoc::get_missing_deps(&shadow.doc, &[]).is_empty();
        if !complete {
            let reply = shadow
                .doc
                .generate_sync_message(&mut shadow.state)
                .map(automerge::sync::Message::encode);
            self.shadows.insert(doc, shadow);
            return self.send_sync(doc, reply).await;
        }
        let Shadow {
            doc: shadow,
            mut state,
            ..
        } = shadow;
        let app = self.app.clone();
        let bytes = shadow.save();
        let role = self.user.role;
        let started = Instant::now();
        let created = tokio::task::spawn_blocking(move || {
            // validated (schema, known type) before anything is stored
            let candidate = CrmDoc::load(doc, &bytes)?;
            let kind = candidate.kind();
            let mut store = app.store();
            if store.contains(doc)? {
                return Ok(Created::Exists); // someone else's account: never written, never revealed
            }
            if let Some(refusal) = creation_refused(kind, role, store.settings_doc()?.is_some()) {
                return Ok(Created::Refused(refusal));
            }
            // a settings document created here is pinned as the org's (there was none)
            store.adopt(candidate)?;
            let reply = store.generate_sync_message(doc, &mut state)?;
            Ok::<_, CoreError>(Created::Stored(state, reply, kind))
        })
        .await
        .map_err(|_| ConnError::Internal)?;
        metrics::histogram!("outpost_merge_seconds").record(started.elapsed().as_secs_f64());
        match created {
            Ok(Created::Stored(state, reply, kind)) => {
                self.states.insert(doc, state);
                self.app.hub.open(self.conn_id, doc);
                self.claim_new_document(doc, kind).await?;
                self.send_sync(doc, reply).await
            }
            Ok(Created::Exists) => self.unavailable(doc_str).await,
            Ok(Created::Refused((code, reason))) => {
                self.refuse_new(doc, doc_str, code, reason.into()).await
            }
            Err(
                e @ (CoreError::SchemaViolation { .. }
                | CoreError::UnsupportedSchemaVersion { .. }
                | CoreError::NotAutomerge { .. }),
            ) => {
                self.refuse_new(doc, doc_str, "invalid_document", e.to_string())
                    .await
            }
            Err(e) => {
                tracing::error!(conn = self.conn_id, doc = %doc, error = %e, "creating a document failed");
                Err(ConnError::Internal)
            }
        }
    }

    /// Refuses a new document with `outpost-rejected`; nothing was stored.
    async fn refuse_new(
        &mut self,
        doc: DocumentId,
        doc_str: &str,
        code: &str,
        reason: String,
    ) -> Result<(), ConnError> {
        metrics::counter!("outpost_rejected_changes_total").increment(1);
        tracing::warn!(conn = self.conn_id, doc = %doc, code, %reason, "new document refused");
        self.shadows.remove(&doc);
        self.send(WireMessage::Rejected {
            sender_id: self.app.peer_id.clone(),
            target_id: self.peer_id.clone(),
            document_id: doc_str.to_owned(),
            reason,
            code: Some(code.to_owned()),
            server_heads: Vec::new(),
        })
        .await
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

/// What assembling a device's new document ended in.
enum Created {
    /// Stored (sync state, reply, kind).
    Stored(automerge::sync::State, Option<Vec<u8>>, DocKind),
    /// The id belongs to an existing document (not revealed to the device).
    Exists,
    /// Refused by policy: (code, reason).
    Refused((&'static str, &'static str)),
}

/// Who may create which kind of document: anyone who writes may create an
/// account; only an admin may create anything else, and the org has exactly
/// one settings document.
fn creation_refused(
    kind: DocKind,
    role: Role,
    settings_exist: bool,
) -> Option<(&'static str, &'static str)> {
    match (kind, role) {
        (DocKind::Account, _) => None,
        (DocKind::Settings, Role::Admin) if !settings_exist => None,
        (DocKind::Settings, Role::Admin) => Some((
            "settings_exists",
            "the org already has a settings document; change that one",
        )),
        _ => Some((
            "forbidden",
            "only an admin may create a document that is not an account",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_create_the_one_settings_document() {
        for role in [Role::Rep, Role::Manager, Role::Viewer, Role::Admin] {
            assert_eq!(creation_refused(DocKind::Account, role, true), None);
        }
        for role in [Role::Rep, Role::Manager, Role::Viewer] {
            for exist in [false, true] {
                assert_eq!(
                    creation_refused(DocKind::Settings, role, exist).map(|r| r.0),
                    Some("forbidden")
                );
            }
        }
        assert_eq!(
            creation_refused(DocKind::Settings, Role::Admin, false),
            None
        );
        assert_eq!(
            creation_refused(DocKind::Settings, Role::Admin, true).map(|r| r.0),
            Some("settings_exists")
        );
    }
}
