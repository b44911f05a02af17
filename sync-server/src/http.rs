//! HTTP routes: `/sync` (websocket), `/healthz`, `/metrics`, and the admin API
//! under `/api/admin`. Callers authenticate through the REST API's [`Caller`]
//! (one token check for sync and HTTP); errors are its [`ApiError`]: JSON
//! `{ "code", "message" }` that never carries internal details.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::api::auth::{Caller, blocking};
use crate::api::errors::{ApiError, Body, ErrorBody};
use crate::api::extract::Path;
use crate::api::schemas::{IssuedToken, NewUser as NewUserSchema, UserCreated, UserWithGoals};
use crate::auth::{AuthError, Role};
use crate::state::Shared;

/// The routes.
pub fn router(app: Shared) -> Router {
    Router::new()
        .route("/sync", get(sync))
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/metrics", get(metrics_guarded))
        .route("/api/admin/users", get(list_users).post(add_user))
        .route("/api/admin/users/{id}/tokens", post(issue_token))
        .route("/api/admin/tokens/{id}", delete(revoke_token))
        .route(
            "/api/admin/users/{id}/assignments/{doc}",
            post(assign).delete(unassign),
        )
        .route(
            "/api/admin/users/{id}/territories/{territory}",
            post(add_territory).delete(remove_territory),
        )
        .merge(crate::api::router())
        .fallback(crate::console::serve)
        // a path that exists with another method: a JSON error, not an empty 405
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this path does not take that method",
            )
        })
        // JSON bodies (the import routes set their own, larger limit)
        .layer(axum::extract::DefaultBodyLimit::max(app.cfg.max_body_bytes))
        .with_state(app)
}

/// The routes of the metrics listener (`--metrics-listen`): `/metrics` only,
/// without a token — bind it to an address only the monitoring can reach.
pub fn metrics_router(app: Shared) -> Router {
    Router::new()
        .route("/metrics", get(metrics_text))
        .with_state(app)
}

/// The caller, who must be an admin.
fn admin(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Admin])
}

/// Read and write buffer of one websocket, in bytes.
const SOCKET_BUFFER: usize = 4 * 1024;

async fn sync(
    State(app): State<Shared>,
    caller: Caller,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let max = app.cfg.max_frame_bytes;
    Ok(ws
        .max_message_size(max)
        .max_frame_size(max)
        // tungstenite's default 128 KiB buffers per connection made an idle
        // device cost ~145 KiB of RSS; a sync message rarely needs more
        // than a few KiB, and bigger frames still work (the buffers grow)
        .read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .on_upgrade(move |socket| crate::conn::run(socket, app, caller)))
}

/// `/metrics` on the main listener: with the metrics token
/// (`--metrics-token`) or an admin's token; absent when metrics have a
/// listener of their own (`--metrics-listen`).
async fn metrics_guarded(
    State(app): State<Shared>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    if app.cfg.metrics_listen.is_some() {
        return Err(ApiError::not_found());
    }
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .ok_or_else(ApiError::unauthorized)?;
    let metrics_token = app
        .cfg
        .metrics_token
        .as_deref()
        .is_some_and(|m| crate::auth::hash_token(m) == crate::auth::hash_token(&bearer));
    if !metrics_token {
        let a = app.clone();
        let user = blocking(move || Ok(a.auth().authenticate(&bearer)?)).await?;
        match user {
            Some(u) if u.role == Role::Admin => {}
            Some(_) => {
                return Err(ApiError::forbidden(
                    "metrics are for admins and the metrics token",
                ));
            }
            None => return Err(ApiError::unauthorized()),
        }
    }
    Ok(metrics_text(State(app)).await)
}

/// The Prometheus text (unauthenticated: only on `--metrics-listen`, or
/// behind [`metrics_guarded`]).
pub async fn metrics_text(State(app): State<Shared>) -> Response {
    let loaded = app.store().loaded_documents();
    metrics::gauge!("outpost_documents_loaded").set(loaded as f64);
    match &app.metrics {
        Some(h) => h.render().into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics are not enabled").into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewUser {
    id: String,
    role: Role,
    team: Option<String>,
}

/// Runs `f` on the auth database on the blocking pool.
async fn auth_read<T: Send + 'static>(
    app: &Shared,
    f: impl FnOnce(&crate::auth::AuthDb) -> Result<T, AuthError> + Send + 'static,
) -> Result<T, ApiError> {
    let app = app.clone();
    blocking(move || Ok(f(&app.auth())?)).await
}

/// [`auth_read`] for a change to users, tokens, assignments or territories:
/// then every connection recomputes its scope.
async fn auth_write<T: Send + 'static>(
    app: &Shared,
    f: impl FnOnce(&crate::auth::AuthDb) -> Result<T, AuthError> + Send + 'static,
) -> Result<T, ApiError> {
    let out = auth_read(app, f).await?;
    app.hub.auth_changed();
    Ok(out)
}

fn valid_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty()
        || id.len() > 128
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            "id: 1-128 characters of letters, digits, - _ . @",
        ));
    }
    Ok(())
}

/// Users with their goals (absent goals are `null`).
#[utoipa::path(get, path = "/api/admin/users", tag = "admin",
    responses((status = 200, body = [UserWithGoals]), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub(crate) async fn list_users(
    State(app): State<Shared>,
    caller: Caller,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    admin(&caller)?;
    let users = auth_read(&app, |a| {
        a.users()?
            .into_iter()
            .map(|u| {
                let goals = a.goals(&u.id)?;
                let mut v = serde_json::to_value(&u).unwrap_or_default();
                v["goals"] = serde_json::to_value(goals).unwrap_or_default();
                Ok(v)
            })
            .collect::<Result<Vec<_>, AuthError>>()
    })
    .await?;
    Ok(Json(users))
}

/// Adds a user (no token yet: issue one with `POST /api/admin/users/{id}/tokens`).
#[utoipa::path(post, path = "/api/admin/users", tag = "admin",
    request_body = NewUserSchema,
    responses((status = 201, body = UserCreated), (status = 400, body = ErrorBody, description = "an id that is not 1-128 letters, digits, - _ . @ (`invalid_id`)"),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "the user exists (`user_exists`)")),
    security(("bearer" = [])))]
pub(crate) async fn add_user(
    State(app): State<Shared>,
    caller: Caller,
    Body(u): Body<NewUser>,
) -> Result<Response, ApiError> {
    admin(&caller)?;
    valid_id(&u.id)?;
    let id = u.id.clone();
    auth_write(&app, move |a| a.add_user(&u.id, u.role, u.team.as_deref())).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

/// Removes a user: their tokens stop working at once, open connections
/// and event streams of theirs are closed.
#[utoipa::path(delete, path = "/api/admin/users/{id}", tag = "admin",
    params(("id" = String, Path)),
    responses((status = 204, description = "removed"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "no such user (`no_such_user`)"),
              (status = 409, body = ErrorBody, description = "the last admin (`last_admin`)")),
    security(("bearer" = [])))]
pub async fn remove_user(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin(&caller)?;
    auth_write(&app, move |a| a.remove_user(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issues a token for a user; the answer is the only time it is shown.
#[utoipa::path(post, path = "/api/admin/users/{id}/tokens", tag = "admin",
    params(("id" = String, Path)),
    responses((status = 201, body = IssuedToken), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "no such user (`no_such_user`)")),
    security(("bearer" = [])))]
pub(crate) async fn issue_token(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    admin(&caller)?;
    let token = auth_write(&app, move |a| a.issue_token(&id, Some("api"))).await?;
    Ok((StatusCode::CREATED, Json(json!({"token": token}))).into_response())
}

/// Revokes one token: `id` is exactly the id the token list shows, or the
/// whole token; anything else (`%`, `_`, a prefix) is a 400 that revokes
/// nothing (ids were once matched with `LIKE`, so `________` revoked every
/// token of every user).
#[utoipa::path(delete, path = "/api/admin/tokens/{id}", tag = "admin",
    params(("id" = String, Path, description = "the 12 lowercase hex digits the token list shows, or the whole token")),
    responses((status = 204, description = "revoked"),
              (status = 400, body = ErrorBody, description = "neither a token id nor a token (`invalid_token_id`)"),
              (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "no active token has it (`no_such_token`)")),
    security(("bearer" = [])))]
pub(crate) async fn revoke_token(
    State(app): State<Shared>,
    caller: Caller,
    id: Result<axum::extract::Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<StatusCode, ApiError> {
    admin(&caller)?;
    let id = id
        .ok()
        .and_then(|axum::extract::Path(id)| crate::auth::TokenRef::parse(&id).ok().map(|_| id))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_token_id",
                format!("expected {}", crate::auth::TOKEN_REF_FORM),
            )
        })?;
    auth_write(&app, move |a| a.revoke_token(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Parses a document id (bare or an `automerge:` URL) into its canonical form.
fn check_doc(doc: &str) -> Result<String, ApiError> {
    doc.parse::<outpost_core::DocumentId>()
        .map(|d| d.to_string())
        .map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_document_id",
                "not a document id",
            )
        })
}

/// Assigns an account to a user.
#[utoipa::path(post, path = "/api/admin/users/{id}/assignments/{doc}", tag = "admin",
    params(("id" = String, Path), ("doc" = String, Path, description = "account document id")),
    responses((status = 204, description = "assigned"),
              (status = 400, body = ErrorBody, description = "not a document id (`invalid_document_id`)"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "no such user (`no_such_user`)")),
    security(("bearer" = [])))]
pub(crate) async fn assign(
    State(app): State<Shared>,
    caller: Caller,
    Path((id, doc)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    admin(&caller)?;
    let doc = check_doc(&doc)?;
    auth_write(&app, move |a| a.assign(&id, &doc)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes an account assignment away from a user.
#[utoipa::path(delete, path = "/api/admin/users/{id}/assignments/{doc}", tag = "admin",
    params(("id" = String, Path), ("doc" = String, Path, description = "account document id")),
    responses((status = 204, description = "unassigned"),
              (status = 400, body = ErrorBody, description = "not a document id (`invalid_document_id`)"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "no such user (`no_such_user`)")),
    security(("bearer" = [])))]
pub(crate) async fn unassign(
    State(app): State<Shared>,
    caller: Caller,
    Path((id, doc)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    admin(&caller)?;
    let doc = check_doc(&doc)?;
    auth_write(&app, move |a| a.unassign(&id, &doc)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives a user a territory (every account with that territory).
#[utoipa::path(post, path = "/api/admin/users/{id}/territories/{territory}", tag = "admin",
    params(("id" = String, Path), ("territory" = String, Path)),
    responses((status = 204, description = "added"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "no such user (`no_such_user`)")),
    security(("bearer" = [])))]
pub(crate) async fn add_territory(
    State(app): State<Shared>,
    caller: Caller,
    Path((id, t)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    admin(&caller)?;
    auth_write(&app, move |a| a.add_territory(&id, &t)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a territory away from a user.
#[utoipa::path(delete, path = "/api/admin/users/{id}/territories/{territory}", tag = "admin",
    params(("id" = String, Path), ("territory" = String, Path)),
    responses((status = 204, description = "removed"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "no such user (`no_such_user`)")),
    security(("bearer" = [])))]
pub(crate) async fn remove_territory(
    State(app): State<Shared>,
    caller: Caller,
    Path((id, t)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    admin(&caller)?;
    auth_write(&app, move |a| a.remove_territory(&id, &t)).await?;
    Ok(StatusCode::NO_CONTENT)
}
