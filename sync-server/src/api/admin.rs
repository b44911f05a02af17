//! Admin additions to `/api/admin` (the user, token, assignment and
//! territory basics are in `http.rs`): set role and team, list a user's
//! tokens, teams, territories, assignments, and goals.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use outpost_core::store::queries::AccountFilter;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::auth::{Caller, blocking};
use super::errors::{ApiError, Body, ErrorBody};
use super::extract::Path;
use super::schemas::{Assignment, Team, Territory, User};
use crate::auth::{Goals, Role};
use crate::state::Shared;

fn admin(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Admin])
}

/// New role and team of a user.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetRole {
    /// rep | manager | admin | viewer
    #[schema(value_type = super::schemas::Role)]
    pub role: Role,
    pub team: Option<String>,
}

/// Changes a user's role and team.
#[utoipa::path(patch, path = "/api/admin/users/{id}", tag = "admin",
    params(("id" = String, Path)), request_body = SetRole,
    responses((status = 200, body = User, description = "the user"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_role(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<SetRole>,
) -> Result<Json<Value>, ApiError> {
    admin(&caller)?;
    let app2 = app.clone();
    let user = blocking(move || {
        let auth = app2.auth();
        auth.set_role(
            &id,
            body.role,
            body.team.as_deref().filter(|t| !t.is_empty()),
        )?;
        auth.user(&id)?.ok_or_else(ApiError::not_found)
    })
    .await?;
    app.hub.auth_changed();
    Ok(Json(
        serde_json::to_value(user).map_err(|_| ApiError::internal())?,
    ))
}

/// A token of a user (never the token itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    /// First 12 hex digits of the token's hash: what `DELETE /api/admin/tokens/{id}` takes.
    pub id: String,
    pub label: Option<String>,
    pub revoked: bool,
}

/// A user's tokens.
#[utoipa::path(get, path = "/api/admin/users/{id}/tokens", tag = "admin",
    params(("id" = String, Path)),
    responses((status = 200, body = [TokenInfo]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "no such user")),
    security(("bearer" = [])))]
pub async fn tokens(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    admin(&caller)?;
    let list = blocking(move || {
        let auth = app.auth();
        auth.user(&id)?.ok_or_else(ApiError::not_found)?;
        Ok(auth.tokens(&id)?)
    })
    .await?;
    Ok(Json(
        list.into_iter()
            .map(|(id, label, revoked)| TokenInfo { id, label, revoked })
            .collect(),
    ))
}

/// Sets a user's goals (team dashboard).
#[utoipa::path(put, path = "/api/admin/users/{id}/goals", tag = "admin",
    params(("id" = String, Path)), request_body = Goals,
    responses((status = 200, body = Goals), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_goals(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    Body(goals): Body<Goals>,
) -> Result<Json<Goals>, ApiError> {
    admin(&caller)?;
    if goals.visits_per_week.is_some_and(|v| v < 0) {
        return Err(ApiError::bad(
            "invalid_field",
            "visits_per_week",
            "must not be negative",
        ));
    }
    if goals.won_per_month_minor.is_some_and(|v| v < 0) {
        return Err(ApiError::bad(
            "invalid_field",
            "won_per_month_minor",
            "must not be negative",
        ));
    }
    blocking(move || Ok(app.auth().set_goals(&id, goals)?)).await?;
    Ok(Json(goals))
}

/// Teams and their members.
#[utoipa::path(get, path = "/api/admin/teams", tag = "admin",
    responses((status = 200, body = [Team]), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn teams(State(app): State<Shared>, caller: Caller) -> Result<Json<Value>, ApiError> {
    admin(&caller)?;
    let users = blocking(move || Ok(app.auth().users()?)).await?;
    let mut teams: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for u in users {
        if let Some(t) = u.team {
            teams.entry(t).or_default().push(u.id);
        }
    }
    Ok(Json(json!(
        teams
            .into_iter()
            .map(|(team, members)| json!({"team": team, "members": members}))
            .collect::<Vec<_>>()
    )))
}

/// Territories: who covers each and how many accounts are in it.
#[utoipa::path(get, path = "/api/admin/territories", tag = "admin",
    responses((status = 200, body = [Territory]), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn territories(
    State(app): State<Shared>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    admin(&caller)?;
    let v = blocking(move || {
        let users = app.auth().users()?;
        let owned = app.store().account_ownership()?;
        let mut map: BTreeMap<String, (Vec<String>, usize)> = BTreeMap::new();
        for u in users {
            for t in u.territories {
                map.entry(t).or_default().0.push(u.id.clone());
            }
        }
        for a in owned {
            if let Some(t) = a.territory {
                map.entry(t).or_default().1 += 1;
            }
        }
        Ok(map
            .into_iter()
            .map(|(t, (users, accounts))| json!({"territory": t, "users": users, "accounts": accounts}))
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(Json(json!(v)))
}

/// Every account assignment, with the account's name.
#[utoipa::path(get, path = "/api/admin/assignments", tag = "admin",
    responses((status = 200, body = [Assignment]), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn assignments(
    State(app): State<Shared>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    admin(&caller)?;
    let v = blocking(move || {
        let users = app.auth().users()?;
        let names: BTreeMap<String, String> = app
            .store()
            .list_accounts(&AccountFilter {
                include_archived: true,
                ..AccountFilter::default()
            })?
            .into_iter()
            .map(|a| (a.doc_id.to_string(), a.name))
            .collect();
        let mut out = Vec::new();
        for u in users {
            for doc in u.assigned {
                out.push(json!({"user_id": u.id, "account_name": names.get(&doc), "account": doc}));
            }
        }
        Ok(out)
    })
    .await?;
    Ok(Json(json!(v)))
}
