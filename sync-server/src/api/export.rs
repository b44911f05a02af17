//! CSV export of any list: `GET /api/export/{list}.csv` with the list's
//! filters and sort, every row in the caller's scope (no paging).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::auth::Caller;
use super::errors::{ApiError, ErrorBody};
use super::lists::{LISTS, ListQuery, rows};
use crate::state::Shared;

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Writes items as CSV: a header row of every field seen (in first-seen order).
pub fn to_csv(items: &[Value]) -> Result<Vec<u8>, ApiError> {
    let mut headers: Vec<String> = Vec::new();
    for item in items {
        if let Value::Object(m) = item {
            for k in m.keys() {
                if !headers.contains(k) {
                    headers.push(k.clone());
                }
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |_| ApiError::internal();
    w.write_record(&headers).map_err(fail)?;
    for item in items {
        let row: Vec<String> = headers
            .iter()
            .map(|h| item.get(h).map(cell).unwrap_or_default())
            .collect();
        w.write_record(&row).map_err(fail)?;
    }
    w.into_inner().map_err(|_| ApiError::internal())
}

/// A list as CSV.
#[utoipa::path(get, path = "/api/export/{list}", tag = "export",
    params(("list" = String, Path, description = "accounts.csv | contacts.csv | deals.csv | activities.csv | orders.csv | cases.csv"),
           ("sort" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", description = "header row, then one row per item"),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export(
    State(app): State<Shared>,
    caller: Caller,
    Path(list): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let name = list.strip_suffix(".csv").unwrap_or(&list);
    let list: &'static str = LISTS
        .iter()
        .find(|l| **l == name)
        .copied()
        .ok_or_else(ApiError::not_found)?;
    let lq = ListQuery::parse(&q)?;
    let items = lq.sorted(rows(&app, &caller, list, q).await?)?;
    let body = to_csv(&items)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{list}.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}
