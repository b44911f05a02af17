//! Accepting a quote: `Store::accept_quote` marks it accepted and makes the
//! order with its lines in one change (the order's id comes from the
//! quote's, so two offices or phones accepting it make one order).

use axum::Json;
use axum::extract::State;
use outpost_core::model::{Order, Quote};
use serde_json::{Value, json};

use super::auth::{Caller, parse_doc};
use super::errors::{ApiError, ErrorBody};
use super::extract::Path;
use super::records::get_json;
use super::schemas::QuoteAccepted;
use crate::state::Shared;

/// Accepts a draft or sent quote still within its `valid_until`: the quote
/// is marked accepted and the order with its lines and its total with tax
/// is made, in one change. Accepting it again answers the same order.
#[utoipa::path(post, path = "/api/accounts/{account}/quotes/{id}/accept", tag = "records",
    params(("account" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = QuoteAccepted),
              (status = 400, body = ErrorBody, description = "declined, expired, past its valid_until date, or without lines (`invalid_request`)"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn accept(
    State(app): State<Shared>,
    caller: Caller,
    Path((account, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let doc = parse_doc(&account)?;
    let v = caller
        .write(&app, doc, move |store| {
            store
                .get::<Quote>(doc, &id)?
                .ok_or_else(ApiError::not_found)?;
            let order = store.accept_quote(doc, &id)?;
            Ok(json!({
                "quote": get_json::<Quote>(store, doc, &id)?,
                "order": get_json::<Order>(store, doc, &order)?,
            }))
        })
        .await?;
    Ok(Json(v))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// The proposal (or any) template to render the quote with.
    template_id: String,
    /// BCP 47 (default `en-GB`); the template's own locale wins.
    locale: Option<String>,
    /// `YYYY-MM-DD`: `today` in the document (default today, UTC).
    day: Option<String>,
}

/// The quote as a document the customer reads: the template filled in with
/// the quote (lines, totals by core's rounding rule), its contact and deal,
/// and the account; `text/html` for an HTML template (served with a
/// Content-Security-Policy that runs no script), else `text/plain`.
#[utoipa::path(get, path = "/api/accounts/{account}/quotes/{id}/document", tag = "records",
    params(("account" = String, Path), ("id" = String, Path), DocumentQuery),
    responses((status = 200, description = "the rendered document: HTML for an HTML template, else text", content((String = "text/html"), (String = "text/plain"))),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody, description = "no such account in scope, quote or template")),
    security(("bearer" = [])))]
pub async fn document(
    State(app): State<Shared>,
    caller: Caller,
    Path((account, id)): Path<(String, String)>,
    super::extract::Query(q): super::extract::Query<DocumentQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    use outpost_core::model::TemplateFormat;
    use outpost_core::store::MergeRecords;

    let doc = parse_doc(&account)?;
    let opts =
        super::messages::render_options("invalid_query", q.locale.as_deref(), q.day.as_deref())?;
    let rep = super::messages::rep(&caller);
    let (html, body) = caller
        .read(&app, doc, move |store, _| {
            let quote = store
                .get::<Quote>(doc, &id)?
                .ok_or_else(ApiError::not_found)?
                .record;
            let records = MergeRecords {
                contact_id: quote.contact_id.clone(),
                deal_id: quote.deal_id.clone(),
                quote_id: Some(id),
            };
            let template = store.template(&q.template_id)?;
            let m = store.render_template(&q.template_id, doc, &records, Some(rep), &opts)?;
            Ok((template.format == TemplateFormat::Html, m.body))
        })
        .await?;
    let kind = if html {
        "text/html; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            // the template's markup is the org's; no script runs whatever it holds
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            ),
        ],
        body,
    )
        .into_response())
}
