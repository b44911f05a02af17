//! Records inside an account: contacts, deals, activities, orders, cases.
//! Read, create, patch (only the fields sent change), archive and restore,
//! each one Automerge change by the office user; plus the account's
//! conflicts and field history.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use outpost_core::model::{Activity, Case, Contact, Deal, Order, Record, RecordKind};
use outpost_core::store::Store;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::auth::{Caller, parse_doc};
use super::errors::{ApiError, Body, ErrorBody, from_value};
use super::extract::Path;
use super::lists::{ListQuery, Page};
use super::schemas::{AnyRecord, AnyRecordInput, AnyRecordPage, AnyRecordPatch};
use crate::state::Shared;

/// A record collection inside an account, as named in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Contacts,
    Deals,
    Activities,
    Orders,
    Cases,
    Quotes,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "contacts" => Kind::Contacts,
            "deals" => Kind::Deals,
            "activities" => Kind::Activities,
            "orders" => Kind::Orders,
            "cases" => Kind::Cases,
            "quotes" => Kind::Quotes,
            _ => return None,
        })
    }

    pub fn record_kind(self) -> RecordKind {
        match self {
            Kind::Contacts => RecordKind::Contact,
            Kind::Deals => RecordKind::Deal,
            Kind::Activities => RecordKind::Activity,
            Kind::Orders => RecordKind::Order,
            Kind::Cases => RecordKind::Case,
            Kind::Quotes => RecordKind::Quote,
        }
    }
}

/// Runs `$body` with `$R` bound to the record type of `$kind`.
macro_rules! by_kind {
    ($kind:expr, $R:ident => $body:expr) => {
        match $kind {
            Kind::Contacts => {
                type $R = Contact;
                $body
            }
            Kind::Deals => {
                type $R = Deal;
                $body
            }
            Kind::Activities => {
                type $R = Activity;
                $body
            }
            Kind::Orders => {
                type $R = Order;
                $body
            }
            Kind::Cases => {
                type $R = Case;
                $body
            }
            Kind::Quotes => {
                type $R = outpost_core::model::Quote;
                $body
            }
        }
    };
}

pub(crate) use by_kind;

fn kind_of(s: &str) -> Result<Kind, ApiError> {
    Kind::parse(s).ok_or_else(ApiError::not_found)
}

/// Fields the core maintains; a body may repeat them unchanged but never change them.
const READ_ONLY: &[&str] = &["id", "created_at", "created_by"];
/// Fields the core sets on every write; whatever a body says is ignored.
const IGNORED: &[&str] = &["updated_at", "updated_by", "archived", "archived_at"];

/// The top-level field names of a record kind.
pub fn field_names<R: Record>() -> Vec<String> {
    match serde_json::to_value(R::default()) {
        Ok(Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

fn as_object(v: Value) -> Result<Map<String, Value>, ApiError> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "the body must be a JSON object",
        )),
    }
}

fn check_known<R: Record>(m: &Map<String, Value>) -> Result<(), ApiError> {
    let known = field_names::<R>();
    if let Some(k) = m.keys().find(|k| !known.contains(k)) {
        return Err(ApiError::bad(
            "unknown_field",
            k.clone(),
            format!("{} has no field {k}", R::KIND.name()),
        ));
    }
    Ok(())
}

/// A new record from a request body (id optional; bookkeeping ignored).
pub fn new_record<R: Record>(body: Value) -> Result<R, ApiError> {
    let mut m = as_object(body)?;
    drop_shown::<R>(&mut m);
    check_known::<R>(&m)?;
    for k in IGNORED.iter().chain(&["created_at", "created_by"]) {
        m.remove(*k);
    }
    if let Some(id) = m.get("id") {
        let ok = id.as_str().is_some_and(|s| {
            s.len() <= 64
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
        if !ok {
            return Err(ApiError::bad(
                "invalid_field",
                "id",
                "id: up to 64 letters, digits, - or _",
            ));
        }
    }
    from_value(Value::Object(m))
}

/// `current` with the fields of `patch` applied.
pub fn patched<R: Record>(current: &R, patch: Value) -> Result<R, ApiError> {
    let mut patch = as_object(patch)?;
    drop_shown::<R>(&mut patch);
    check_known::<R>(&patch)?;
    let Value::Object(mut merged) =
        serde_json::to_value(current).map_err(|_| ApiError::internal())?
    else {
        return Err(ApiError::internal());
    };
    for (k, v) in patch {
        if IGNORED.contains(&k.as_str()) {
            continue;
        }
        if READ_ONLY.contains(&k.as_str()) {
            if merged.get(&k) != Some(&v) {
                return Err(ApiError::bad(
                    "read_only",
                    k.clone(),
                    format!("{k} cannot be changed"),
                ));
            }
            continue;
        }
        merged.insert(k, v);
    }
    from_value(Value::Object(merged))
}

/// What the API shows beside a record's fields, which a client that sends
/// a read record back whole repeats (it is ignored): the open conflicts
/// (`_conflicts`) and a quote's `totals`, computed by core.
fn drop_shown<R: Record>(m: &mut Map<String, Value>) {
    m.remove("_conflicts");
    if R::KIND == RecordKind::Quote {
        m.remove("totals");
    }
}

/// The JSON of a record as the API shows it (a quote with its `totals`,
/// computed by core's one rounding rule).
pub fn record_json<R: Record>(r: &R) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    if R::KIND == RecordKind::Quote
        && let Ok(q) = serde_json::from_value::<outpost_core::model::Quote>(v.clone())
    {
        v["totals"] = serde_json::to_value(q.totals()).unwrap_or(Value::Null);
    }
    v
}

/// Conflicts as the API shows them (`record_kind` instead of `kind`).
pub fn conflicts_json(cs: Vec<outpost_core::Conflict>) -> Vec<Value> {
    cs.into_iter()
        .map(|c| {
            json!({
                "record_kind": c.kind,
                "record_id": c.record_id,
                "field": c.field,
                "values": c.values,
            })
        })
        .collect()
}

pub(crate) fn get_json<R: Record>(
    store: &mut Store,
    doc: outpost_core::DocumentId,
    id: &str,
) -> Result<Value, ApiError> {
    let d = store.doc(doc)?;
    let r = d.get::<R>(id).ok_or_else(ApiError::not_found)?;
    let mut v = record_json(&r.record);
    let conflicts = conflicts_json(d.record_conflicts(R::KIND, id));
    if let Value::Object(m) = &mut v {
        m.insert("_conflicts".into(), Value::Array(conflicts));
    }
    Ok(v)
}

/// A record page of one account.
#[utoipa::path(get, path = "/api/accounts/{account}/{kind}", tag = "records",
    params(("account" = String, Path, description = "account document id"),
           ("kind" = String, Path, description = "contacts | deals | activities | orders | cases | quotes"),
           ("archived" = Option<bool>, Query, description = "include archived records"),
           ListQuery),
    responses((status = 200, body = AnyRecordPage), (status = 400, body = ErrorBody, description = "a bad `limit`, `offset` or `sort`"),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_records(
    State(app): State<Shared>,
    caller: Caller,
    Path((account, kind)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Page>, ApiError> {
    let (doc, kind) = (parse_doc(&account)?, kind_of(&kind)?);
    let lq = ListQuery::parse(&q)?;
    let archived = q.get("archived").is_some_and(|v| v == "true");
    let items = caller
        .read(&app, doc, move |store, _| {
            Ok(by_kind!(kind, R => store
                .list::<R>(doc)?
                .into_iter()
                .filter(|r| archived || !r.record.meta().archived)
                .map(|r| record_json(&r.record))
                .collect::<Vec<_>>()))
        })
        .await?;
    Ok(Json(lq.page(items)?))
}

/// Adds a record to an account.
#[utoipa::path(post, path = "/api/accounts/{account}/{kind}", tag = "records",
    params(("account" = String, Path), ("kind" = String, Path)),
    request_body(content = AnyRecordInput, description = "the record (core model JSON, id optional)"),
    responses((status = 201, body = AnyRecord), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "a record with this id exists")),
    security(("bearer" = [])))]
pub async fn create_record(
    State(app): State<Shared>,
    caller: Caller,
    Path((account, kind)): Path<(String, String)>,
    Body(body): Body<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (doc, kind) = (parse_doc(&account)?, kind_of(&kind)?);
    let v = caller
        .write(&app, doc, move |store| {
            let body = default_owner(store, doc, kind, body)?;
            by_kind!(kind, R => {
                let rec = new_record::<R>(body)?;
                let id = store.create(doc, rec)?;
                get_json::<R>(store, doc, &id)
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A deal or order created from the office for an account belongs to the
/// account's owner unless the body names one: the back office enters it, the
/// rep sells it (and the rep's dashboard counts it). Anything else, and an
/// account without an owner, defaults to the caller as on a phone.
fn default_owner(
    store: &mut Store,
    doc: outpost_core::DocumentId,
    kind: Kind,
    mut body: Value,
) -> Result<Value, ApiError> {
    if matches!(kind, Kind::Deals | Kind::Orders)
        && body.get("owner").is_none_or(Value::is_null)
        && let Some(owner) = store
            .get::<outpost_core::model::Account>(doc, "")?
            .and_then(|a| a.record.meta.owner)
        && let Value::Object(m) = &mut body
    {
        m.insert("owner".into(), Value::String(owner));
    }
    Ok(body)
}

/// One record, with its open conflicts in `_conflicts`.
#[utoipa::path(get, path = "/api/accounts/{account}/{kind}/{id}", tag = "records",
    params(("account" = String, Path), ("kind" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = AnyRecord), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_record(
    State(app): State<Shared>,
    caller: Caller,
    Path((account, kind, id)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (doc, kind) = (parse_doc(&account)?, kind_of(&kind)?);
    let v = caller
        .read(
            &app,
            doc,
            move |store, _| by_kind!(kind, R => get_json::<R>(store, doc, &id)),
        )
        .await?;
    Ok(Json(v))
}

/// Applies a partial record to a record of any kind (the account too).
pub fn patch_in<R: Record>(
    store: &mut Store,
    doc: outpost_core::DocumentId,
    id: &str,
    patch: Value,
) -> Result<(), ApiError> {
    let current = store
        .get::<R>(doc, id)?
        .ok_or_else(ApiError::not_found)?
        .record;
    let mut new = patched(&current, patch)?;
    // a deal's stage moves through move_deal_stage, recorded in its stage history
    let mut stage_move = None;
    if R::KIND == RecordKind::Deal {
        let (cur, want) = (
            serde_json::to_value(&current)
                .ok()
                .and_then(|v| v.get("stage_id").cloned()),
            serde_json::to_value(&new)
                .ok()
                .and_then(|v| v.get("stage_id").cloned()),
        );
        if cur != want
            && let Some(Value::String(s)) = want
        {
            stage_move = Some(s);
            let mut v = serde_json::to_value(&new).map_err(|_| ApiError::internal())?;
            v["stage_id"] = cur.unwrap_or(Value::Null);
            new = from_value(v)?;
        }
    }
    store.edit(doc, |e| {
        e.update(new)?;
        if let Some(stage) = &stage_move {
            e.move_deal_stage(id, stage)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Changes the fields sent.
#[utoipa::path(patch, path = "/api/accounts/{account}/{kind}/{id}", tag = "records",
    params(("account" = String, Path), ("kind" = String, Path), ("id" = String, Path)),
    request_body(content = AnyRecordPatch, description = "partial record: only the fields sent change; `stage_id` on a deal moves it"),
    responses((status = 200, body = AnyRecord), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch_record(
    State(app): State<Shared>,
    caller: Caller,
    Path((account, kind, id)): Path<(String, String, String)>,
    Body(body): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    let (doc, kind) = (parse_doc(&account)?, kind_of(&kind)?);
    let v = caller
        .write(&app, doc, move |store| {
            by_kind!(kind, R => {
                patch_in::<R>(store, doc, &id, body)?;
                get_json::<R>(store, doc, &id)
            })
        })
        .await?;
    Ok(Json(v))
}

async fn set_archived(
    app: Shared,
    caller: Caller,
    account: String,
    kind: String,
    id: String,
    archived: bool,
) -> Result<Json<Value>, ApiError> {
    let (doc, kind) = (parse_doc(&account)?, kind_of(&kind)?);
    let v = caller
        .write(&app, doc, move |store| {
            if archived {
                store.archive(doc, kind.record_kind(), &id)?;
            } else {
                store.restore(doc, kind.record_kind(), &id)?;
            }
            by_kind!(kind, R => get_json::<R>(store, doc, &id))
        })
        .await?;
    Ok(Json(v))
}

/// Archives (soft-deletes) a record.
#[utoipa::path(post, path = "/api/accounts/{account}/{kind}/{id}/archive", tag = "records",
    params(("account" = String, Path), ("kind" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = AnyRecord), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn archive_record(
    State(app): State<Shared>,
    caller: Caller,
    Path((account, kind, id)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    set_archived(app, caller, account, kind, id, true).await
}

/// Restores an archived record.
#[utoipa::path(post, path = "/api/accounts/{account}/{kind}/{id}/restore", tag = "records",
    params(("account" = String, Path), ("kind" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = AnyRecord), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn restore_record(
    State(app): State<Shared>,
    caller: Caller,
    Path((account, kind, id)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    set_archived(app, caller, account, kind, id, false).await
}

/// Body of the stage move.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StageMove {
    pub stage_id: String,
}

/// Moves a deal to a stage (recorded in its stage history).
#[utoipa::path(post, path = "/api/accounts/{account}/{kind}/{id}/stage", tag = "records",
    params(("account" = String, Path), ("kind" = String, Path, description = "deals"), ("id" = String, Path)),
    request_body = StageMove,
    responses((status = 200, body = AnyRecord, description = "the deal"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn move_stage(
    State(app): State<Shared>,
    caller: Caller,
    Path((account, kind, id)): Path<(String, String, String)>,
    Body(body): Body<StageMove>,
) -> Result<Json<Value>, ApiError> {
    if kind_of(&kind)? != Kind::Deals {
        return Err(ApiError::not_found());
    }
    if body.stage_id.is_empty() {
        return Err(ApiError::bad(
            "invalid_field",
            "stage_id",
            "stage_id must not be empty",
        ));
    }
    let doc = parse_doc(&account)?;
    let v = caller
        .write(&app, doc, move |store| {
            store
                .get::<Deal>(doc, &id)?
                .ok_or_else(ApiError::not_found)?;
            store.move_deal_stage(doc, &id, &body.stage_id)?;
            get_json::<Deal>(store, doc, &id)
        })
        .await?;
    Ok(Json(v))
}
