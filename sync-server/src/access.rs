//! Which documents a user may read and write.
//!
//! - admin: every account and the org's settings document; the only role
//!   that writes settings or creates a document that is not an account.
//! - rep: the org's settings document (read), and the accounts assigned to them, owned by them,
//!   or in one of their territories (read and write).
//! - manager: what any member of their team may see (read and write).
//! - viewer: like a rep, read-only.

use std::collections::BTreeMap;

use outpost_core::DocumentId;
use outpost_core::model::DocKind;
use outpost_core::store::Store;

use crate::auth::{AuthDb, Role, User};

/// The documents one user may sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub docs: BTreeMap<DocumentId, Access>,
}

/// Access to one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub kind: DocKind,
    pub writable: bool,
}

/// Failure to compute a scope.
#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
    #[error(transparent)]
    Store(#[from] outpost_core::CoreError),
}

impl Scope {
    /// Access to a document, if any.
    pub fn get(&self, doc: DocumentId) -> Option<Access> {
        self.docs.get(&doc).copied()
    }
}

fn sees_account(
    user: &User,
    doc: DocumentId,
    owner: Option<&str>,
    territory: Option<&str>,
) -> bool {
    let id = doc.to_string();
    user.assigned.contains(&id)
        || owner == Some(user.id.as_str())
        || territory.is_some_and(|t| user.territories.iter().any(|u| u == t))
}

/// Computes the scope of `user` from the auth database and the accounts' owners and territories.
pub fn scope_for(user: &User, auth: &AuthDb, store: &Store) -> Result<Scope, ScopeError> {
    let mut scope = Scope::default();
    let admin = user.role == Role::Admin;
    // the org's one settings document (pinned in the store), never another
    // document that claims to be settings
    if let Some(doc) = store.settings_doc()? {
        scope.docs.insert(
            doc,
            Access {
                kind: DocKind::Settings,
                writable: admin,
            },
        );
    }
    let people: Vec<User> = match (user.role, &user.team) {
        (Role::Manager, Some(team)) => {
            let mut members = auth.team_members(team)?;
            if !members.iter().any(|m| m.id == user.id) {
                members.push(user.clone());
            }
            members
        }
        _ => vec![user.clone()],
    };
    let writable = matches!(user.role, Role::Rep | Role::Manager | Role::Admin);
    for acc in store.account_ownership()? {
        let visible = admin
            || people.iter().any(|p| {
                sees_account(
                    p,
                    acc.doc_id,
                    acc.owner.as_deref(),
                    acc.territory.as_deref(),
                )
            });
        if visible {
            scope.docs.insert(
                acc.doc_id,
                Access {
                    kind: DocKind::Account,
                    writable,
                },
            );
        }
    }
    Ok(scope)
}
