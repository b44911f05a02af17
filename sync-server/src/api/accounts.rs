//! Accounts: create, the account card (fields plus derived values), patch,
//! archive, restore. The list is in `lists.rs`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use outpost_core::DocumentId;
use outpost_core::model::{Account, Activity, Case, Contact, Deal, Order, Record, RecordKind};
use outpost_core::store::Store;
use serde_json::{Value, json};

use super::auth::{Caller, blocking, changed, parse_doc};
use super::errors::{ApiError, Body, ErrorBody};
use super::extract::Path;
use super::records::{new_record, patch_in, record_json};
use super::schemas::{AccountCard, AccountInput, AccountPatch};
use super::settings::stage_meanings;
use crate::state::Shared;

fn live<R: Record>(d: &outpost_core::CrmDoc) -> Vec<R> {
    d.list::<R>()
        .into_iter()
        .map(|r| r.record)
        .filter(|r| !r.meta().archived)
        .collect()
}

/// The account card: the account record plus derived values.
pub fn card(store: &mut Store, doc: DocumentId, writable: bool) -> Result<Value, ApiError> {
    let meanings = stage_meanings(store)?;
    let now = store.now();
    let d = store.doc(doc)?;
    let account = d.account().ok_or_else(ApiError::not_found)?.record;
    let deals = live::<Deal>(d);
    let activities = live::<Activity>(d);
    let open: Vec<&Deal> = deals
        .iter()
        .filter(|x| {
            meanings
                .get(&(x.pipeline_id.clone(), x.stage_id.clone()))
                .is_none_or(|m| m == "open")
        })
        .collect();
    let at = |a: &Activity| a.start_at.or(a.due_at).or(a.completed_at);
    let last = activities
        .iter()
        .filter_map(|a| at(a).filter(|t| *t <= now))
        .max();
    let next = activities
        .iter()
        .filter(|a| a.status == outpost_core::model::ActivityStatus::Planned)
        .filter_map(|a| at(a).filter(|t| *t > now))
        .min();
    Ok(json!({
        "id": doc.to_string(),
        "writable": writable,
        "account": record_json(&account),
        "counts": {
            "contacts": live::<Contact>(d).len(),
            "deals": deals.len(),
            "activities": activities.len(),
            "orders": live::<Order>(d).len(),
            "cases": live::<Case>(d).len(),
            "quotes": live::<outpost_core::model::Quote>(d).len(),
        },
        "open_deals": open.len(),
        "open_pipeline_minor": open.iter().map(|x| x.amount_minor).sum::<i64>(),
        "last_activity_at": last,
        "next_activity_at": next,
        "conflicts": d.conflicts().len(),
    }))
}

/// Creates an account (a new account document).
#[utoipa::path(post, path = "/api/accounts", tag = "accounts",
    request_body(content = AccountInput, description = "Account (core model JSON); `name` is required"),
    responses((status = 201, body = AccountCard, description = "the account card"), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "a viewer")),
    security(("bearer" = [])))]
pub async fn create_account(
    State(app): State<Shared>,
    caller: Caller,
    Body(body): Body<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require_writer()?;
    let account: Account = new_record(body)?;
    if account.name.trim().is_empty() {
        return Err(ApiError::bad(
            "invalid_field",
            "name",
            "name must not be empty",
        ));
    }
    let (me, app2) = (caller.clone(), app.clone());
    let (doc, v) = blocking(move || {
        let mut store = app2.store();
        let doc = store.with_author(me.author(), |s| s.create_account(account))?;
        Ok((doc, card(&mut store, doc, true)?))
    })
    .await?;
    // devices whose scope now includes it learn about it from their new scope
    app.hub.scope_changed();
    changed(&app, doc);
    Ok((StatusCode::CREATED, Json(v)))
}

/// The account card.
#[utoipa::path(get, path = "/api/accounts/{account}", tag = "accounts",
    params(("account" = String, Path, description = "account document id")),
    responses((status = 200, body = AccountCard),
              (status = 404, body = ErrorBody, description = "no such account in the caller's scope")),
    security(("bearer" = [])))]
pub async fn get_account(
    State(app): State<Shared>,
    caller: Caller,
    Path(account): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let doc = parse_doc(&account)?;
    let v = caller
        .read(&app, doc, move |store, w| card(store, doc, w))
        .await?;
    Ok(Json(v))
}

/// Changes the account fields sent.
#[utoipa::path(patch, path = "/api/accounts/{account}", tag = "accounts",
    params(("account" = String, Path)),
    request_body(content = AccountPatch, description = "partial Account"),
    responses((status = 200, body = AccountCard), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch_account(
    State(app): State<Shared>,
    caller: Caller,
    Path(account): Path<String>,
    Body(body): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    let doc = parse_doc(&account)?;
    let moves_scope = body.get("owner").is_some() || body.get("territory").is_some();
    let v = caller
        .write(&app, doc, move |store| {
            patch_in::<Account>(store, doc, "", body)?;
            card(store, doc, true)
        })
        .await?;
    if moves_scope {
        app.hub.scope_changed();
    }
    Ok(Json(v))
}

async fn set_archived(
    app: Shared,
    caller: Caller,
    account: String,
    archived: bool,
) -> Result<Json<Value>, ApiError> {
    let doc = parse_doc(&account)?;
    let v = caller
        .write(&app, doc, move |store| {
            if archived {
                store.archive(doc, RecordKind::Account, "")?;
            } else {
                store.restore(doc, RecordKind::Account, "")?;
            }
            card(store, doc, true)
        })
        .await?;
    Ok(Json(v))
}

/// Archives an account (hidden from lists, restorable).
#[utoipa::path(post, path = "/api/accounts/{account}/archive", tag = "accounts",
    params(("account" = String, Path)),
    responses((status = 200, body = AccountCard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn archive_account(
    State(app): State<Shared>,
    caller: Caller,
    Path(account): Path<String>,
) -> Result<Json<Value>, ApiError> {
    set_archived(app, caller, account, true).await
}

/// Restores an archived account.
#[utoipa::path(post, path = "/api/accounts/{account}/restore", tag = "accounts",
    params(("account" = String, Path)),
    responses((status = 200, body = AccountCard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn restore_account(
    State(app): State<Shared>,
    caller: Caller,
    Path(account): Path<String>,
) -> Result<Json<Value>, ApiError> {
    set_archived(app, caller, account, false).await
}
