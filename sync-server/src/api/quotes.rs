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
