//! When the server says no: a change refused (rebuild from what the server
//! accepted, keep the refused edits as a draft, re-apply what still fits),
//! or a document taken away (keep what it had not received as a draft, then
//! remove it).

use super::runner::{Runner, SERVER_PEER, Session, SessionError, Ws};
use super::{SyncEvent, lock, to_i64};
use crate::ids::DocumentId;

impl Runner {
    /// The server's heads of `doc` as last known (this session, or saved).
    fn server_heads(&self, session: &Session, doc: DocumentId) -> Vec<automerge::ChangeHash> {
        match session.states.get(&doc) {
            Some(st) => st
                .their_heads
                .clone()
                .unwrap_or_else(|| st.shared_heads.clone()),
            None => lock(&self.store)
                .sync_state(SERVER_PEER, doc)
                .map(|s| s.shared_heads)
                .unwrap_or_default(),
        }
    }

    /// The server no longer lets this device have `doc`: it is removed, and
    /// what the server had not received of it is kept as a draft first.
    pub(super) fn revoke(
        &self,
        session: &mut Session,
        doc: DocumentId,
    ) -> Result<(), SessionError> {
        let heads = self.server_heads(session, doc);
        let kept = {
            let mut store = lock(&self.store);
            let kept = store.remove_revoked(doc, &heads)?;
            store.forget_sync_states(doc)?;
            kept
        };
        session.states.remove(&doc);
        let pending = lock(&self.store).pending_edits().map_or(0, to_i64);
        self.shared.update(&[], |t| {
            t.status.documents.remove(&doc);
            t.in_flight.remove(&doc);
            t.status.pending_edits = pending;
        });
        if let Some(r) = kept {
            self.send_event(SyncEvent::DocumentRetained {
                document: doc,
                kept_edits: to_i64(r.kept_edits),
                draft: r.draft,
            });
        }
        self.send_event(SyncEvent::DocumentRemoved(doc));
        Ok(())
    }

    /// The server refused a change: rebuild from what it accepted and keep
    /// the refused edits as a draft; then sync on from there.
    pub(super) async fn on_rejected(
        &self,
        ws: &mut Ws,
        session: &mut Session,
        doc: DocumentId,
        reason: String,
        code: Option<String>,
        server_heads: Vec<String>,
    ) -> Result<(), SessionError> {
        let heads: Vec<automerge::ChangeHash> =
            server_heads.iter().filter_map(|h| h.parse().ok()).collect();
        let set_aside = lock(&self.store).set_aside_refused(doc, &heads, &reason);
        match set_aside {
            Ok(draft) => {
                session.states.remove(&doc);
                // Not a permission refusal: write the edits again as new
                // changes; what broke the schema drops out. Once per 10
                // minutes per account, so a refusal of the re-application
                // itself cannot loop. If the store cannot tell whether it
                // re-applied lately, that is said, never taken for "yes".
                let mut reason = reason;
                if let Some(draft) = draft
                    && code.as_deref() != Some("read_only")
                {
                    let outcome = lock(&self.store).reapply_draft_unless_recent(draft, 600_000);
                    match outcome {
                        Ok(Some(n)) => {
                            tracing::info!(doc = %doc, draft, records = n, "re-applied edits after a refusal")
                        }
                        Ok(None) => {}
                        Err(e) => {
                            tracing::warn!(doc = %doc, draft, error = %e, "could not re-apply a draft");
                            reason = format!(
                                "{reason} (the refused edits are kept in draft {draft}; re-applying them failed: {e})"
                            );
                        }
                    }
                }
                self.needs_attention(doc, reason, code);
                self.offer(ws, session, doc, false).await?;
            }
            Err(e) => {
                // e.g. a new account the server refused: keep it as it is
                tracing::info!(doc = %doc, error = %e, "refused document kept as is");
                session.attention.insert(doc);
                self.needs_attention(doc, reason, code);
            }
        }
        Ok(())
    }
}
