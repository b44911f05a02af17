//! CSV export of any list: `GET /api/export/{list}.csv` with the list's
//! filters and sort, every row in the caller's scope (no paging). Text
//! cells that a spreadsheet would run as a formula are neutralised.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::auth::Caller;
use super::errors::{ApiError, ErrorBody};
use super::extract::Path;
use super::lists::{LISTS, ListQuery, rows};
use super::schemas::ExportList;
use crate::state::Shared;

/// Neutralises spreadsheet formula injection (the OWASP rule for CSV
/// injection): a text cell that starts with `=`, `+`, `-`, `@`, tab (0x09)
/// or carriage return (0x0D) gets a leading `'`, so a spreadsheet shows it
/// as text instead of running it. The console's client-side CSV export
/// applies the same rule (`csvSafe` in `console/js/ui.js`); change both
/// together.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A JSON value as a CSV cell: text is neutralised, numbers and booleans
/// are written as they are (a balance of -5 stays `-5`), objects and
/// arrays as JSON (which starts with `{` or `[`).
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => neutralise(s).into_owned(),
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
    to_csv_columns(items, &headers)
}

/// Writes items as CSV with these columns, in this order.
pub fn to_csv_columns<H: AsRef<str>>(items: &[Value], headers: &[H]) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |_| ApiError::internal();
    w.write_record(headers.iter().map(|h| neutralise(h.as_ref()).into_owned()))
        .map_err(fail)?;
    for item in items {
        let row: Vec<String> = headers
            .iter()
            .map(|h| item.get(h.as_ref()).map(cell).unwrap_or_default())
            .collect();
        w.write_record(&row).map_err(fail)?;
    }
    w.into_inner().map_err(|_| ApiError::internal())
}

/// A list as CSV.
#[utoipa::path(get, path = "/api/export/{list}", tag = "export",
    params(("list" = ExportList, Path, description = "accounts.csv | contacts.csv | deals.csv | activities.csv | orders.csv | cases.csv"),
           ("sort" = Option<String>, Query, description = "a field of the rows; `-field` sorts descending"),
           ("q" = Option<String>, Query), ("owner" = Option<String>, Query), ("account" = Option<String>, Query),
           ("territory" = Option<String>, Query), ("status" = Option<String>, Query), ("tag" = Option<String>, Query),
           ("pipeline" = Option<String>, Query), ("stage" = Option<String>, Query), ("kind" = Option<String>, Query),
           ("from" = Option<i64>, Query), ("to" = Option<i64>, Query), ("archived" = Option<bool>, Query)),
    responses((status = 200, body = String, content_type = "text/csv", description = "header row, then one row per item"),
              (status = 400, body = ErrorBody, description = "a filter or `sort` the list does not take"),
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// (name, balance_minor) of every row, by header.
    fn parse(bytes: &[u8]) -> Vec<(String, String)> {
        let mut r = csv::Reader::from_reader(bytes);
        let h = r.headers().unwrap().clone();
        let col = |name: &str| h.iter().position(|x| x == name).unwrap();
        let (name, balance) = (col("name"), col("balance_minor"));
        r.records()
            .map(|r| {
                let r = r.unwrap();
                (r[name].to_owned(), r[balance].to_owned())
            })
            .collect()
    }

    #[test]
    fn formula_cells_are_neutralised_and_numbers_stay_numbers() {
        let items = [
            json!({"name": "=HYPERLINK(\"http://x\",\"y\")", "balance_minor": -5}),
            json!({"name": "@SUM(1)", "balance_minor": 12}),
            json!({"name": "+1+1", "balance_minor": -1.5}),
            json!({"name": "-1+1", "balance_minor": "-5"}),
            json!({"name": "\tx", "balance_minor": null}),
            json!({"name": "\rx", "balance_minor": true}),
            json!({"name": "Fjord = Fisk", "balance_minor": ["-a"]}),
            json!({"name": "", "balance_minor": 0}),
        ];
        let rows = parse(&to_csv(&items).unwrap());
        let got: Vec<(&str, &str)> = rows.iter().map(|(n, b)| (n.as_str(), b.as_str())).collect();
        assert_eq!(
            got,
            [
                ("'=HYPERLINK(\"http://x\",\"y\")", "-5"),
                ("'@SUM(1)", "12"),
                ("'+1+1", "-1.5"),
                ("'-1+1", "'-5"),
                ("'\tx", ""),
                ("'\rx", "true"),
                ("Fjord = Fisk", "[\"-a\"]"),
                ("", "0"),
            ]
        );
    }

    #[test]
    fn neutralise_leaves_other_text_alone() {
        for s in ["", "Kari", "'=x", " =x", "a=b", "1-2", "(5)"] {
            assert_eq!(neutralise(s), s);
        }
        for s in ["=", "+", "-", "@", "\t", "\r"] {
            assert_eq!(neutralise(s), format!("'{s}"));
        }
    }
}
