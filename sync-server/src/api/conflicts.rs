//! An account document's conflicts (concurrent values of one field, with
//! who wrote each) and their resolution, and per-field history.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use outpost_core::model::{Account, Activity, Case, Contact, Deal, Order, RecordKind};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::auth::{Caller, parse_doc};
use super::errors::{ApiError, Body, ErrorBody, from_value};
use super::extract::Path;
use super::records::{Kind, by_kind, conflicts_json, patch_in};
use super::schemas::{Conflicts, History, RecordKindName, Resolved};
use crate::state::Shared;

/// Open conflicts of an account document.
#[utoipa::path(get, path = "/api/accounts/{account}/conflicts", tag = "records",
    params(("account" = String, Path)),
    responses((status = 200, body = Conflicts), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn conflicts(
    State(app): State<Shared>,
    caller: Caller,
    Path(account): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let doc = parse_doc(&account)?;
    let items = caller
        .read(&app, doc, move |store, _| {
            Ok(conflicts_json(store.conflicts(doc)?))
        })
        .await?;
    Ok(Json(json!({ "items": items })))
}

/// How to settle a conflict: keep `value_id`, or write `value`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Resolve {
    /// account | contact | deal | activity | order | case
    #[schema(value_type = RecordKindName)]
    pub record_kind: String,
    #[serde(default)]
    pub record_id: String,
    pub field: String,
    /// One of the conflict's values to keep.
    pub value_id: Option<String>,
    /// A new value to write instead (top-level fields only).
    #[schema(value_type = Option<Object>)]
    pub value: Option<Value>,
}

fn record_kind(s: &str) -> Result<RecordKind, ApiError> {
    Ok(match s {
        "account" => RecordKind::Account,
        "contact" => RecordKind::Contact,
        "deal" => RecordKind::Deal,
        "activity" => RecordKind::Activity,
        "order" => RecordKind::Order,
        "case" => RecordKind::Case,
        "quote" => RecordKind::Quote,
        _ => {
            return Err(ApiError::bad(
                "invalid_field",
                "record_kind",
                "record_kind: account, contact, deal, activity, order, case or quote",
            ));
        }
    })
}

fn kind_for(rk: RecordKind) -> Option<Kind> {
    Some(match rk {
        RecordKind::Contact => Kind::Contacts,
        RecordKind::Deal => Kind::Deals,
        RecordKind::Activity => Kind::Activities,
        RecordKind::Order => Kind::Orders,
        RecordKind::Case => Kind::Cases,
        RecordKind::Quote => Kind::Quotes,
        _ => return None,
    })
}

/// Settles a conflict.
#[utoipa::path(post, path = "/api/accounts/{account}/conflicts/resolve", tag = "records",
    params(("account" = String, Path)),
    request_body = Resolve,
    responses((status = 200, body = Resolved), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "no such account in scope, record or open conflict (`no_such_conflict`)")),
    security(("bearer" = [])))]
pub async fn resolve(
    State(app): State<Shared>,
    caller: Caller,
    Path(account): Path<String>,
    Body(body): Body<Resolve>,
) -> Result<Json<Value>, ApiError> {
    let doc = parse_doc(&account)?;
    let rk = record_kind(&body.record_kind)?;
    caller
        .write(&app, doc, move |store| {
            match (&body.value_id, body.value) {
                (Some(vid), _) => {
                    store.resolve_conflict(doc, rk, &body.record_id, &body.field, vid)?;
                }
                (None, Some(value)) => {
                    // one of the conflicting values: keep it (writing the value
                    // shown now would change nothing and leave the conflict open)
                    let same = store.conflicts(doc)?.into_iter().find_map(|c| {
                        (c.kind == rk
                            && (rk == RecordKind::Account || c.record_id == body.record_id)
                            && c.field == body.field)
                            .then(|| c.values.into_iter().find(|v| v.value == value))
                            .flatten()
                    });
                    if let Some(v) = same {
                        store.resolve_conflict(
                            doc,
                            rk,
                            &body.record_id,
                            &body.field,
                            &v.value_id,
                        )?;
                        return Ok(());
                    }
                    if body.field.contains('.') {
                        return Err(ApiError::bad(
                            "invalid_field",
                            "value",
                            "nested fields are resolved with value_id",
                        ));
                    }
                    let patch = json!({ body.field.clone(): value });
                    match kind_for(rk) {
                        Some(kind) => {
                            by_kind!(kind, R => patch_in::<R>(store, doc, &body.record_id, patch)?)
                        }
                        None => patch_in::<Account>(store, doc, "", patch)?,
                    }
                }
                (None, None) => {
                    return Err(ApiError::bad(
                        "invalid_field",
                        "value_id",
                        "give value_id or value",
                    ));
                }
            }
            Ok(())
        })
        .await?;
    Ok(Json(json!({ "resolved": true })))
}

/// Query of the history endpoint.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct HistoryQuery {
    #[param(value_type = RecordKindName)]
    pub record_kind: String,
    #[serde(default)]
    pub record_id: String,
    pub field: Option<String>,
}

/// Who changed which field of a record when, oldest first.
#[utoipa::path(get, path = "/api/accounts/{account}/history", tag = "records",
    params(("account" = String, Path), HistoryQuery),
    responses((status = 200, body = History), (status = 400, body = ErrorBody, description = "a missing or unknown `record_kind`"),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn history(
    State(app): State<Shared>,
    caller: Caller,
    Path(account): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let doc = parse_doc(&account)?;
    let q: HistoryQuery = from_value(json!(q)).map_err(|mut e| {
        e.code = "invalid_query";
        e
    })?;
    let rk = record_kind(&q.record_kind)?;
    let items = caller
        .read(&app, doc, move |store, _| {
            Ok(store
                .history(doc, rk, &q.record_id)?
                .into_iter()
                .filter(|c| {
                    q.field
                        .as_ref()
                        .is_none_or(|f| &c.field == f || c.field.starts_with(&format!("{f}.")))
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(json!({ "items": items })))
}
