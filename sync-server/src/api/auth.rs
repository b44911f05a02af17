//! Who is calling: the `Caller` extractor (bearer token, or `?token=` on
//! `/sync` and `/api/events` only; the same tokens and roles as sync), their scope (`access::scope_for`), and the
//! helpers that run store work for them on the blocking pool: reads check
//! the document is in scope (else 404, as sync's doc-unavailable), writes
//! also check it is writable (else 403) and run as the office user, then
//! offer the change to every connected device.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use outpost_core::model::DocKind;
use outpost_core::store::Store;
use outpost_core::{Author, DocumentId};

use super::errors::ApiError;
use crate::access::{Scope, scope_for};
use crate::auth::{Role, User};
use crate::state::Shared;

/// The only paths that take the token as `?token=`.
pub const QUERY_TOKEN_PATHS: &[&str] = &["/sync", "/api/events"];

/// The device id API edits are attributed to (with the office user's id).
pub const API_DEVICE: &str = "api";

/// An authenticated API caller.
#[derive(Clone)]
pub struct Caller {
    pub user: User,
    /// The token this caller authenticated with, so a long-lived
    /// connection (websocket, event stream) can re-check it after a
    /// revocation.
    token: String,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never the token
        f.debug_struct("Caller")
            .field("user", &self.user.id)
            .finish()
    }
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        // `?token=` only where a browser cannot set a header (WebSocket,
        // EventSource): anywhere else a token in the URL ends up in proxy
        // logs and browser history
        let query_allowed = QUERY_TOKEN_PATHS.contains(&parts.uri.path());
        let token = match header {
            Some(t) => Some(t),
            None if query_allowed => Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
                .ok()
                .and_then(|q| q.0.get("token").cloned()),
            None => None,
        };
        let token = token.ok_or_else(ApiError::unauthorized)?;
        let app = app.clone();
        let t = token.clone();
        let user = blocking(move || Ok(app.auth().authenticate(&t)?)).await?;
        user.map(|user| Caller { user, token })
            .ok_or_else(ApiError::unauthorized)
    }
}

impl Caller {
    /// Authenticates the caller's token again (blocking): the user as they
    /// are now, or `None` when the token was revoked or the user removed.
    pub fn reauthenticate(&self, app: &Shared) -> Result<Option<User>, ApiError> {
        Ok(app.auth().authenticate(&self.token)?)
    }
}

/// Runs `f` on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::internal())?
}

impl Caller {
    /// Who API edits by this caller are attributed to.
    pub fn author(&self) -> Author {
        Author {
            user_id: self.user.id.clone(),
            device_id: API_DEVICE.into(),
        }
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden("your role may not do this"))
        }
    }

    /// 403 for read-only roles.
    pub fn require_writer(&self) -> Result<(), ApiError> {
        self.require(&[Role::Rep, Role::Manager, Role::Admin])
    }

    /// The caller's scope, computed now (auth first, then store: the
    /// server's lock order).
    pub fn scope_now(&self, app: &Shared) -> Result<Scope, ApiError> {
        let auth = app.auth();
        let user = auth
            .user(&self.user.id)?
            .ok_or_else(ApiError::unauthorized)?;
        let store = app.store();
        Ok(scope_for(&user, &auth, &store)?)
    }

    /// The caller's scope (on the blocking pool).
    pub async fn scope(&self, app: &Shared) -> Result<Scope, ApiError> {
        let (me, app) = (self.clone(), app.clone());
        blocking(move || me.scope_now(&app)).await
    }

    /// Runs `f` on an account document the caller may read (404 otherwise).
    pub async fn read<T: Send + 'static>(
        &self,
        app: &Shared,
        doc: DocumentId,
        f: impl FnOnce(&mut Store, bool) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (me, app) = (self.clone(), app.clone());
        blocking(move || {
            let scope = me.scope_now(&app)?;
            let access = scope
                .get(doc)
                .filter(|a| a.kind == DocKind::Account)
                .ok_or_else(ApiError::not_found)?;
            let mut store = app.store();
            f(&mut store, access.writable)
        })
        .await
    }

    /// Runs `f` as this office user on an account document the caller may
    /// write (404 when not in scope, 403 when read-only), then offers the
    /// change to every device that has the document open.
    pub async fn write<T: Send + 'static>(
        &self,
        app: &Shared,
        doc: DocumentId,
        f: impl FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.require_writer()?;
        let (me, app2) = (self.clone(), app.clone());
        let out = blocking(move || {
            let scope = me.scope_now(&app2)?;
            let access = scope
                .get(doc)
                .filter(|a| a.kind == DocKind::Account)
                .ok_or_else(ApiError::not_found)?;
            if !access.writable {
                return Err(ApiError::forbidden("this account is read-only for you"));
            }
            let mut store = app2.store();
            store.with_author(me.author(), f)
        })
        .await?;
        changed(app, doc);
        Ok(out)
    }
}

/// Offers a changed document to every connected device that has it open
/// (connection ids start at 1, so 0 excludes nobody).
pub fn changed(app: &Shared, doc: DocumentId) {
    app.hub.changed(doc, 0);
}

/// Parses an account id (bare or `automerge:` URL). A malformed id is
/// answered like an unknown one: 404.
pub fn parse_doc(s: &str) -> Result<DocumentId, ApiError> {
    s.parse().map_err(|_| ApiError::not_found())
}
