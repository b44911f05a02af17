//! A connection's scope: what the user may sync, recomputed after auth or
//! assignment changes (re-checking the token itself) and told to the device.

use outpost_core::sync::wire::{ScopeEntry, WireMessage};

use super::{ConnError, Session};
use crate::access::scope_for;

impl Session {
    /// Recomputes what this user may sync and tells the device: always when
    /// `force` (the first scope of a connection), otherwise only if it
    /// differs from what the device was last told, so connections whose
    /// scope a change did not touch are not sent their whole scope again.
    pub(super) async fn refresh_scope(&mut self, force: bool) -> Result<(), ConnError> {
        let app = self.app.clone();
        let caller = self.caller.clone();
        let current = (!force).then(|| self.told.clone());
        let epoch = self.app.hub.auth_epoch();
        let computed = tokio::task::spawn_blocking(move || {
            // the token again, not only the user: a revoked token, a removed
            // user or a changed role takes effect on open connections
            let user = caller.reauthenticate(&app).ok().flatten()?;
            let auth = app.auth();
            let store = app.store();
            let scope = scope_for(&user, &auth, &store).ok()?;
            if current.as_ref() == Some(&scope) {
                return Some((user, scope, None));
            }
            let sizes = store.document_sizes().unwrap_or_default();
            Some((user, scope, Some(sizes)))
        })
        .await
        .map_err(|_| ConnError::Internal)?;
        let Some((user, scope, sizes)) = computed else {
            return Err(ConnError::Revoked);
        };
        self.auth_seen = epoch;
        for doc in self.scope.docs.keys() {
            if !scope.docs.contains_key(doc) {
                self.states.remove(doc);
                self.app.hub.close(self.conn_id, *doc);
            }
        }
        self.user = user;
        self.scope = scope;
        let Some(sizes) = sizes else {
            return Ok(()); // the device already knows this scope
        };
        self.told = self.scope.clone();
        let documents = self
            .scope
            .docs
            .iter()
            .map(|(d, a)| ScopeEntry {
                document_id: d.to_string(),
                kind: match a.kind {
                    outpost_core::model::DocKind::Account => "account".into(),
                    outpost_core::model::DocKind::Settings => "settings".into(),
                },
                writable: a.writable,
                size: sizes.get(d).copied(),
            })
            .collect();
        self.send(WireMessage::Scope {
            sender_id: self.app.peer_id.clone(),
            target_id: self.peer_id.clone(),
            documents,
        })
        .await
    }
}
