//! Paging and sorting, and the cross-account lists of the office: accounts,
//! contacts (search), deals (pipeline board), activities, orders, cases —
//! each limited to the caller's scope. The CSV export reuses [`rows`].

use std::cmp::Ordering;
use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use outpost_core::store::queries::{AccountFilter, AccountSort};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::auth::{Caller, blocking};
use super::errors::{ApiError, ErrorBody};
use super::schemas::{
    AccountPage, ActivityRowPage, CaseRowPage, ContactRowPage, DealRowPage, OrderRowPage,
};
use crate::state::Shared;

/// Paging and sorting of a list: `?limit=&offset=&sort=`.
#[derive(Debug, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<usize>,
    /// A field of the items; `-field` sorts descending.
    pub sort: Option<String>,
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    /// Every match in scope, before paging.
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
}

fn num(q: &HashMap<String, String>, key: &str) -> Result<Option<usize>, ApiError> {
    match q.get(key) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ApiError::bad(
                "invalid_query",
                key,
                format!("{key} must be a whole number"),
            )
        }),
    }
}

/// An optional integer (ms) query parameter.
pub fn ms(q: &HashMap<String, String>, key: &str) -> Result<Option<i64>, ApiError> {
    match q.get(key).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ApiError::bad(
                "invalid_query",
                key,
                format!("{key}: milliseconds since the epoch"),
            )
        }),
    }
}

/// A non-empty string query parameter.
pub fn text(q: &HashMap<String, String>, key: &str) -> Option<String> {
    q.get(key).filter(|v| !v.trim().is_empty()).cloned()
}

fn flag(q: &HashMap<String, String>, key: &str) -> bool {
    q.get(key).is_some_and(|v| v == "true" || v == "1")
}

impl ListQuery {
    pub fn parse(q: &HashMap<String, String>) -> Result<Self, ApiError> {
        let limit = num(q, "limit")?;
        if limit.is_some_and(|l| l == 0 || l > 500) {
            return Err(ApiError::bad(
                "invalid_query",
                "limit",
                "limit must be 1-500",
            ));
        }
        Ok(Self {
            limit,
            offset: num(q, "offset")?,
            sort: text(q, "sort"),
        })
    }

    /// Sorts `items` (stable) and cuts the page.
    pub fn page(&self, items: Vec<Value>) -> Result<Page, ApiError> {
        let items = self.sorted(items)?;
        let (limit, offset) = (self.limit.unwrap_or(50), self.offset.unwrap_or(0));
        let total = items.len();
        let items = items.into_iter().skip(offset).take(limit).collect();
        Ok(Page {
            items,
            total,
            limit,
            offset,
        })
    }

    /// Sorts `items` by `sort` (unchanged without one).
    pub fn sorted(&self, mut items: Vec<Value>) -> Result<Vec<Value>, ApiError> {
        let Some(sort) = &self.sort else {
            return Ok(items);
        };
        let (field, desc) = match sort.strip_prefix('-') {
            Some(f) => (f, true),
            None => (sort.as_str(), false),
        };
        if !items.is_empty() && !items.iter().any(|i| i.get(field).is_some()) {
            return Err(ApiError::bad(
                "invalid_query",
                "sort",
                format!("cannot sort by {field}"),
            ));
        }
        items.sort_by(|a, b| {
            let o = compare(a.get(field), b.get(field));
            if desc { o.reverse() } else { o }
        });
        Ok(items)
    }
}

/// Orders JSON values: numbers numerically, strings case-insensitively, missing/null last.
fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
    }
}

/// A row struct as JSON with `doc_id` renamed to `account` (or `id` for accounts).
pub(crate) fn row_json<T: Serialize>(row: &T, doc_key: &str) -> Value {
    let mut v = serde_json::to_value(row).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v
        && let Some(d) = m.remove("doc_id")
    {
        m.insert(doc_key.into(), d);
    }
    v
}

fn eq_opt(filter: &Option<String>, value: Option<&str>) -> bool {
    filter.as_deref().is_none_or(|f| value == Some(f))
}

/// The lists [`rows`] knows.
pub const LISTS: &[&str] = &[
    "accounts",
    "contacts",
    "deals",
    "activities",
    "orders",
    "cases",
];

/// Every row of a list in the caller's scope, filtered (not paged; unsorted
/// beyond the list's natural order).
pub async fn rows(
    app: &Shared,
    caller: &Caller,
    list: &'static str,
    q: HashMap<String, String>,
) -> Result<Vec<Value>, ApiError> {
    let (me, app) = (caller.clone(), app.clone());
    blocking(move || {
        let scope = me.scope_now(&app)?;
        let store = app.store();
        let mine = |d: &outpost_core::DocumentId| scope.docs.contains_key(d);
        let account = text(&q, "account");
        let in_account =
            |d: &outpost_core::DocumentId| account.as_deref().is_none_or(|a| a == d.to_string());
        let owner = text(&q, "owner");
        let archived = flag(&q, "archived");
        let out: Vec<Value> = match list {
            "accounts" => {
                let status = text(&q, "status");
                const STAGES: &[&str] = &[
                    "selection",
                    "acquisition",
                    "retention",
                    "expansion",
                    "churned",
                ];
                if status.as_deref().is_some_and(|s| !STAGES.contains(&s)) {
                    return Err(ApiError::bad(
                        "invalid_query",
                        "status",
                        "status: selection, acquisition, retention, expansion or churned",
                    ));
                }
                let f = AccountFilter {
                    owner,
                    lifecycle_stage: status,
                    tag: text(&q, "tag"),
                    territory: text(&q, "territory"),
                    name_contains: text(&q, "q"),
                    include_archived: archived,
                    sort: AccountSort::Name,
                    limit: None,
                    offset: 0,
                };
                store
                    .list_accounts(&f)?
                    .iter()
                    .filter(|a| mine(&a.doc_id))
                    .map(|a| row_json(a, "id"))
                    .collect()
            }
            "contacts" => {
                let all = store.all_contacts(archived)?;
                let keep = |c: &&outpost_core::store::queries::ContactRow| {
                    mine(&c.doc_id) && in_account(&c.doc_id) && eq_opt(&owner, c.owner.as_deref())
                };
                match text(&q, "q") {
                    Some(query) => {
                        // search ranks; the rows carry the rest
                        let hits = store.search_contacts(&query, 10_000)?;
                        let by_key: HashMap<
                            (String, String),
                            &outpost_core::store::queries::ContactRow,
                        > = all
                            .iter()
                            .filter(keep)
                            .map(|c| ((c.doc_id.to_string(), c.id.clone()), c))
                            .collect();
                        hits.iter()
                            .filter_map(|h| {
                                by_key.get(&(h.doc_id.to_string(), h.contact_id.clone()))
                            })
                            .map(|c| row_json(*c, "account"))
                            .collect()
                    }
                    None => all
                        .iter()
                        .filter(keep)
                        .map(|c| row_json(c, "account"))
                        .collect(),
                }
            }
            "deals" => {
                let (pipeline, stage) = (text(&q, "pipeline"), text(&q, "stage"));
                store
                    .all_deals(archived)?
                    .iter()
                    .filter(|d| mine(&d.doc_id) && in_account(&d.doc_id))
                    .filter(|d| eq_opt(&owner, d.owner.as_deref()))
                    .filter(|d| {
                        eq_opt(&pipeline, Some(&d.pipeline_id)) && eq_opt(&stage, Some(&d.stage_id))
                    })
                    .map(|d| row_json(d, "account"))
                    .collect()
            }
            "activities" => {
                let (kind, status) = (text(&q, "kind"), text(&q, "status"));
                store
                    .all_activities(ms(&q, "from")?, ms(&q, "to")?, archived)?
                    .iter()
                    .filter(|a| mine(&a.doc_id) && in_account(&a.doc_id))
                    .filter(|a| eq_opt(&owner, a.owner.as_deref()))
                    .filter(|a| eq_opt(&kind, Some(&a.kind)) && eq_opt(&status, Some(&a.status)))
                    .map(|a| row_json(a, "account"))
                    .collect()
            }
            "orders" => {
                let (from, to) = (ms(&q, "from")?, ms(&q, "to")?);
                store
                    .all_orders(archived)?
                    .iter()
                    .filter(|o| mine(&o.doc_id) && in_account(&o.doc_id))
                    .filter(|o| {
                        from.is_none_or(|f| o.ordered_at >= f)
                            && to.is_none_or(|t| o.ordered_at < t)
                    })
                    .map(|o| row_json(o, "account"))
                    .collect()
            }
            "cases" => {
                let status = text(&q, "status");
                store
                    .all_cases(archived)?
                    .iter()
                    .filter(|c| mine(&c.doc_id) && in_account(&c.doc_id))
                    .filter(|c| eq_opt(&status, c.status.as_deref()))
                    .map(|c| row_json(c, "account"))
                    .collect()
            }
            _ => return Err(ApiError::not_found()),
        };
        Ok(out)
    })
    .await
}

async fn list(
    app: Shared,
    caller: Caller,
    name: &'static str,
    q: HashMap<String, String>,
) -> Result<Json<Page>, ApiError> {
    let lq = ListQuery::parse(&q)?;
    let items = rows(&app, &caller, name, q).await?;
    Ok(Json(lq.page(items)?))
}

/// Contacts across accounts; `q` searches name, e-mail and company (best match first).
#[utoipa::path(get, path = "/api/contacts", tag = "lists",
    params(("q" = Option<String>, Query), ("owner" = Option<String>, Query), ("account" = Option<String>, Query), ListQuery),
    responses((status = 200, body = ContactRowPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn contacts(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Page>, ApiError> {
    list(app, caller, "contacts", q).await
}

/// Deals across accounts (the pipeline board), with weighted amounts.
#[utoipa::path(get, path = "/api/deals", tag = "lists",
    params(("pipeline" = Option<String>, Query), ("stage" = Option<String>, Query), ("owner" = Option<String>, Query), ("account" = Option<String>, Query), ListQuery),
    responses((status = 200, body = DealRowPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn deals(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Page>, ApiError> {
    list(app, caller, "deals", q).await
}

/// Activities across accounts, newest first.
#[utoipa::path(get, path = "/api/activities", tag = "lists",
    params(("from" = Option<i64>, Query), ("to" = Option<i64>, Query), ("owner" = Option<String>, Query), ("kind" = Option<String>, Query), ("status" = Option<String>, Query), ("account" = Option<String>, Query), ListQuery),
    responses((status = 200, body = ActivityRowPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn activities(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Page>, ApiError> {
    list(app, caller, "activities", q).await
}

/// Orders across accounts, newest first.
#[utoipa::path(get, path = "/api/orders", tag = "lists",
    params(("from" = Option<i64>, Query), ("to" = Option<i64>, Query), ("account" = Option<String>, Query), ListQuery),
    responses((status = 200, body = OrderRowPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn orders(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Page>, ApiError> {
    list(app, caller, "orders", q).await
}

/// Cases across accounts, newest first.
#[utoipa::path(get, path = "/api/cases", tag = "lists",
    params(("status" = Option<String>, Query), ("account" = Option<String>, Query), ListQuery),
    responses((status = 200, body = CaseRowPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cases(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Page>, ApiError> {
    list(app, caller, "cases", q).await
}

/// The account list.
#[utoipa::path(get, path = "/api/accounts", tag = "accounts",
    params(("q" = Option<String>, Query, description = "substring of the name"), ("owner" = Option<String>, Query), ("territory" = Option<String>, Query),
           ("status" = Option<String>, Query, description = "lifecycle stage"), ("tag" = Option<String>, Query), ("archived" = Option<bool>, Query), ListQuery),
    responses((status = 200, body = AccountPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn accounts(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Page>, ApiError> {
    list(app, caller, "accounts", q).await
}
