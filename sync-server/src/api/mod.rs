//! The REST API under `/api` for office staff (docs/API.md): same tokens and
//! permission model as sync; every edit is an Automerge change attributed to
//! the office user, stored durably and offered to devices like a phone's.
//!
//! One file per concern: `errors` (error type, JSON body extractor), `auth`
//! (caller extractor, scope checks, store access), `accounts`, `records`,
//! `lists` (paging, cross-account lists), `settings` (pipelines, custom
//! fields), `reports`, `admin`, `import` (+ `import_map`), `export`,
//! `events` (SSE), `openapi`.

mod accounts;
mod admin;
pub mod auth;
mod conflicts;
pub mod errors;
mod events;
mod export;
pub mod extract;
mod import;
mod import_limits;
mod import_map;
mod import_rows;
mod import_write;
mod lists;
mod messages;
mod openapi;
mod quotes;
mod records;
mod reports;
mod sales;
pub mod schemas;
mod settings;

use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use outpost_core::DocumentId;
use serde::Serialize;
use tokio::sync::broadcast;
use utoipa::ToSchema;

use crate::state::Shared;
use auth::Caller;
use errors::{ApiError, ErrorBody};

/// State of the API kept in the server's `AppState`.
#[derive(Debug)]
pub struct ApiState {
    /// Every document change that reached disk (fed by the store's change listener).
    pub events: broadcast::Sender<DocumentId>,
    /// Import jobs, polled at `/api/import/{job}`.
    pub imports: import::Jobs,
}

impl Default for ApiState {
    fn default() -> Self {
        Self {
            events: broadcast::channel(events::EVENT_BUFFER).0,
            imports: import::Jobs::default(),
        }
    }
}

impl ApiState {
    /// What the store's change listener calls (must be quick).
    pub fn notifier(&self) -> impl Fn(DocumentId) + Send + 'static {
        let tx = self.events.clone();
        move |doc| {
            // no listener is not an error
            let _ = tx.send(doc);
        }
    }
}

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user_id: String,
    /// The user id (Outpost keeps no names for users).
    pub display_name: String,
    /// rep | manager | admin | viewer
    pub role: String,
    pub team: Option<String>,
    pub territories: Vec<String>,
}

/// Who am I.
#[utoipa::path(get, path = "/api/me", tag = "me",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(caller: Caller) -> Json<Me> {
    let u = caller.user;
    let role = serde_json::to_value(u.role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    Json(Me {
        display_name: u.id.clone(),
        user_id: u.id,
        role,
        team: u.team,
        territories: u.territories,
    })
}

async fn no_such_endpoint() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint",
    )
}

/// The `/api` routes (the existing `/api/admin` routes live in `http.rs`).
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/me", get(me))
        .route("/api/openapi.json", get(openapi::openapi_json))
        .route("/api/events", get(events::events))
        .route(
            "/api/accounts",
            get(lists::accounts).post(accounts::create_account),
        )
        .route(
            "/api/accounts/{account}",
            get(accounts::get_account).patch(accounts::patch_account),
        )
        .route(
            "/api/accounts/{account}/archive",
            post(accounts::archive_account),
        )
        .route(
            "/api/accounts/{account}/restore",
            post(accounts::restore_account),
        )
        .route(
            "/api/accounts/{account}/conflicts",
            get(conflicts::conflicts),
        )
        .route(
            "/api/accounts/{account}/conflicts/resolve",
            post(conflicts::resolve),
        )
        .route("/api/accounts/{account}/history", get(conflicts::history))
        .route(
            "/api/accounts/{account}/{kind}",
            get(records::list_records).post(records::create_record),
        )
        .route(
            "/api/accounts/{account}/{kind}/{id}",
            get(records::get_record).patch(records::patch_record),
        )
        .route(
            "/api/accounts/{account}/{kind}/{id}/archive",
            post(records::archive_record),
        )
        .route(
            "/api/accounts/{account}/{kind}/{id}/restore",
            post(records::restore_record),
        )
        .route(
            "/api/accounts/{account}/{kind}/{id}/stage",
            post(records::move_stage),
        )
        .route(
            "/api/accounts/{account}/quotes/{id}/accept",
            post(quotes::accept),
        )
        .route(
            "/api/accounts/{account}/quotes/{id}/document",
            get(quotes::document),
        )
        .route("/api/contacts", get(lists::contacts))
        .route("/api/deals", get(lists::deals))
        .route("/api/activities", get(lists::activities))
        .route("/api/orders", get(lists::orders))
        .route("/api/cases", get(lists::cases))
        .route(
            "/api/pipelines",
            get(settings::list_pipelines).post(settings::create_pipeline),
        )
        .route("/api/pipelines/{id}", patch(settings::patch_pipeline))
        .route(
            "/api/custom-fields",
            get(settings::list_custom_fields).post(settings::create_custom_field),
        )
        .route(
            "/api/custom-fields/{id}",
            patch(settings::patch_custom_field),
        )
        .route("/api/reports/pipeline", get(reports::pipeline))
        .route("/api/reports/team", get(reports::team))
        .route("/api/reports/forecast", get(sales::forecast))
        .route("/api/reports/stalled", get(sales::stalled))
        .route("/api/reports/conversion", get(sales::conversion))
        .route("/api/reports/products", get(sales::product_sales))
        .route(
            "/api/products",
            get(sales::list_products).post(sales::create_product),
        )
        .route("/api/products/{id}", patch(sales::patch_product))
        .route(
            "/api/templates",
            get(messages::list_templates).post(messages::create_template),
        )
        .route("/api/templates/{id}", patch(messages::patch_template))
        .route(
            "/api/accounts/{account}/messages/preview",
            post(messages::preview),
        )
        .route("/api/accounts/{account}/messages", post(messages::send))
        .route("/api/capture", post(messages::capture))
        // the import handlers read their bodies up to `--import-max-bytes`
        .route("/api/import/preview", post(import::preview))
        .route("/api/import", post(import::start))
        .route("/api/import/{job}", get(import::status))
        .route("/api/export/{list}", get(export::export))
        .route(
            "/api/admin/users/{id}",
            patch(admin::set_role).delete(crate::http::remove_user),
        )
        .route("/api/admin/users/{id}/tokens", get(admin::tokens))
        .route("/api/admin/users/{id}/goals", put(admin::set_goals))
        .route("/api/admin/teams", get(admin::teams))
        .route("/api/admin/territories", get(admin::territories))
        .route("/api/admin/assignments", get(admin::assignments))
        .route("/api/{*rest}", axum::routing::any(no_such_endpoint))
}
