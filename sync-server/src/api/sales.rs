//! The sales reports (forecast, stalled deals, conversion, product sales)
//! and the product catalogue. The figures are core's (`store::queries::
//! {sales, funnel, catalogue}`), over the caller's scope; every report is
//! JSON or, with `format=csv`, a spreadsheet of its rows.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate};
use outpost_core::DocumentId;
use outpost_core::model::{DocKind, Product};
use outpost_core::store::queries::{Day, SalesFilter, StageDays, StalledOptions};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use super::auth::{Caller, blocking};
use super::errors::{ApiError, Body, ErrorBody};
use super::export::to_csv_columns;
use super::extract::{Path, Query};
use super::lists::row_json;
use super::records::new_record;
use super::schemas::{
    ConversionReport, Forecast, Product as ProductSchema, ProductInput, ProductList, ProductPatch,
    ProductSalesList, StalledReport,
};
use super::settings::{create_setting, patch_setting};
use crate::state::Shared;

/// JSON (the default) or CSV.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    #[default]
    Json,
    Csv,
}

/// The report day: `raw` (`YYYY-MM-DD`, named `field` in a refusal), else
/// today in the caller's time zone (`tz_offset_minutes` east of UTC).
pub fn report_day(
    field: &'static str,
    raw: Option<&str>,
    tz_offset_minutes: Option<i32>,
) -> Result<Day, ApiError> {
    let offset = match tz_offset_minutes {
        None => 0,
        // unsigned_abs: i32::MIN has no i32 absolute value (abs() panicked)
        Some(m) if m.unsigned_abs() <= 14 * 60 => m,
        Some(_) => {
            return Err(ApiError::bad(
                "invalid_query",
                "tz_offset_minutes",
                "minutes east of UTC, -840 to 840",
            ));
        }
    };
    let date = match raw {
        None => (chrono::Utc::now() + Duration::minutes(i64::from(offset))).date_naive(),
        // four-digit years only: chrono reads years to ±262143, where week
        // and month arithmetic overflowed (a panic, then a 500)
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|d| (1..=9999).contains(&d.year()))
            .ok_or_else(|| {
                ApiError::bad(
                    "invalid_query",
                    field,
                    format!("{field}: a date YYYY-MM-DD"),
                )
            })?,
    };
    Ok(Day {
        date,
        utc_offset_minutes: offset,
    })
}

fn filter(owner: &Option<String>, pipeline: &Option<String>) -> SalesFilter {
    SalesFilter {
        owner: owner.clone(),
        pipeline_id: pipeline.clone(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ForecastQuery {
    /// Only this owner's deals (a user id).
    owner: Option<String>,
    /// Only this pipeline's deals.
    pipeline: Option<String>,
    /// `YYYY-MM-DD`: months before this day's are past due (default today).
    day: Option<String>,
    /// Minutes east of UTC, -840 to 840 (default 0).
    #[param(minimum = -840, maximum = 840)]
    tz_offset_minutes: Option<i32>,
    format: Option<ReportFormat>,
}

// the CSV columns of each report, in reading order
const FORECAST_COLUMNS: &[&str] = &[
    "month",
    "owner",
    "currency",
    "deals",
    "total_minor",
    "weighted_minor",
    "past_due",
];
const STALLED_COLUMNS: &[&str] = &[
    "account_name",
    "name",
    "owner",
    "stage_name",
    "days_in_stage",
    "threshold_days",
    "amount_minor",
    "currency",
    "account",
    "deal_id",
    "pipeline_id",
    "stage_id",
];
const CONVERSION_COLUMNS: &[&str] = &["stage_id", "name", "reached", "advanced", "rate"];
const PRODUCT_SALES_COLUMNS: &[&str] = &[
    "month",
    "product_id",
    "name",
    "currency",
    "orders",
    "quantity_milli",
    "revenue_minor",
];

/// The account documents the caller may read.
fn readable(app: &Shared, caller: &Caller) -> Result<BTreeSet<DocumentId>, ApiError> {
    Ok(caller
        .scope_now(app)?
        .docs
        .iter()
        .filter(|(_, a)| a.kind == DocKind::Account)
        .map(|(d, _)| *d)
        .collect())
}

/// `value` as JSON, or its list `rows` as CSV named `name`.csv with these `columns`.
fn answer(
    format: Option<ReportFormat>,
    name: &str,
    value: Value,
    rows: &str,
    columns: &[&str],
) -> Result<Response, ApiError> {
    if format.unwrap_or_default() == ReportFormat::Json {
        return Ok(Json(value).into_response());
    }
    let items = value
        .get(rows)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        to_csv_columns(&items, columns)?,
    )
        .into_response())
}

/// Open deals by expected-close month, per owner and currency, weighted and
/// unweighted (CSV: the per-owner rows).
#[utoipa::path(get, path = "/api/reports/forecast", tag = "reports",
    params(ForecastQuery),
    responses((status = 200, description = "JSON, or CSV of `rows` with format=csv", content((Forecast = "application/json"), (String = "text/csv"))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn forecast(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<ForecastQuery>,
) -> Result<Response, ApiError> {
    let day = report_day("day", q.day.as_deref(), q.tz_offset_minutes)?;
    let f = filter(&q.owner, &q.pipeline);
    let v = blocking(move || {
        let within = readable(&app, &caller)?;
        let f = app.store().forecast_within(day, &f, Some(&within))?;
        Ok(serde_json::to_value(f).unwrap_or_default())
    })
    .await?;
    answer(q.format, "forecast", v, "rows", FORECAST_COLUMNS)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StalledQuery {
    /// Only this owner's deals (a user id).
    owner: Option<String>,
    /// Only this pipeline's deals.
    pipeline: Option<String>,
    /// `YYYY-MM-DD`: days in stage are counted to the end of it (default today).
    day: Option<String>,
    /// Minutes east of UTC, -840 to 840 (default 0).
    #[param(minimum = -840, maximum = 840)]
    tz_offset_minutes: Option<i32>,
    /// Per-stage thresholds in days, `stage:days,stage:days`; other stages
    /// take theirs from history (75th percentile of past stays), else the default.
    thresholds: Option<String>,
    /// Days for a stage with too little history (default 30).
    #[param(minimum = 0, maximum = 36500)]
    default_days: Option<u16>,
    /// Completed stays a stage needs for its history to count (default 5).
    #[param(minimum = 1, maximum = 10000)]
    min_samples: Option<u16>,
    format: Option<ReportFormat>,
}

/// `stage:days,stage:days`.
fn thresholds(raw: Option<&str>) -> Result<Vec<StageDays>, ApiError> {
    let bad = || {
        ApiError::bad(
            "invalid_query",
            "thresholds",
            "stage:days pairs separated by commas, days 0 to 36500",
        )
    };
    raw.unwrap_or_default()
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (stage, days) = pair.rsplit_once(':').ok_or_else(bad)?;
            let days: i64 = days.trim().parse().map_err(|_| bad())?;
            if stage.trim().is_empty() || !(0..=36_500).contains(&days) {
                return Err(bad());
            }
            Ok(StageDays {
                stage_id: stage.trim().to_owned(),
                days,
            })
        })
        .collect()
}

/// Open deals in their stage for longer than the stage's threshold, the
/// most overdue first (CSV: the deals).
#[utoipa::path(get, path = "/api/reports/stalled", tag = "reports",
    params(StalledQuery),
    responses((status = 200, description = "JSON, or CSV of `deals` with format=csv", content((StalledReport = "application/json"), (String = "text/csv"))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn stalled(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<StalledQuery>,
) -> Result<Response, ApiError> {
    let day = report_day("day", q.day.as_deref(), q.tz_offset_minutes)?;
    let defaults = StalledOptions::default();
    let opts = StalledOptions {
        thresholds: thresholds(q.thresholds.as_deref())?,
        default_days: q.default_days.map_or(defaults.default_days, i64::from),
        min_samples: q
            .min_samples
            .map_or(defaults.min_samples, |n| i64::from(n.max(1))),
    };
    let filter = filter(&q.owner, &q.pipeline);
    let v = blocking(move || {
        let within = readable(&app, &caller)?;
        let r = app
            .store()
            .stalled_deals_within(day, &filter, &opts, Some(&within))?;
        let deals: Vec<Value> = r.deals.iter().map(|d| row_json(d, "account")).collect();
        Ok(json!({ "thresholds": r.thresholds, "deals": deals }))
    })
    .await?;
    answer(q.format, "stalled-deals", v, "deals", STALLED_COLUMNS)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConversionQuery {
    /// Only this owner's deals (a user id).
    owner: Option<String>,
    /// The pipeline (default: the org's default pipeline).
    pipeline: Option<String>,
    /// Deals closed from this instant on (ms since the epoch) count for the
    /// win rate and the cycle.
    closed_from: Option<i64>,
    /// … and before this one.
    closed_to: Option<i64>,
    format: Option<ReportFormat>,
}

/// A pipeline's funnel stage by stage, the win rate and the length of the
/// sales cycle (CSV: the stages).
#[utoipa::path(get, path = "/api/reports/conversion", tag = "reports",
    params(ConversionQuery),
    responses((status = 200, description = "JSON, or CSV of `stages` with format=csv", content((ConversionReport = "application/json"), (String = "text/csv"))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn conversion(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<ConversionQuery>,
) -> Result<Response, ApiError> {
    let filter = filter(&q.owner, &q.pipeline);
    let (from, to) = (q.closed_from, q.closed_to);
    let v = blocking(move || {
        let within = readable(&app, &caller)?;
        let r = app
            .store()
            .conversion_within(&filter, from, to, Some(&within))?;
        Ok(serde_json::to_value(r).unwrap_or_default())
    })
    .await?;
    answer(q.format, "conversion", v, "stages", CONVERSION_COLUMNS)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProductSalesQuery {
    /// `YYYY-MM-DD` (default today): with the offset, the time zone of the months.
    day: Option<String>,
    /// Minutes east of UTC, -840 to 840 (default 0).
    #[param(minimum = -840, maximum = 840)]
    tz_offset_minutes: Option<i32>,
    /// Orders placed from this instant on (ms since the epoch).
    from: Option<i64>,
    /// … and before this one.
    to: Option<i64>,
    format: Option<ReportFormat>,
}

/// Quantities and revenue by product, month (in the caller's time zone)
/// and currency, from the orders' lines (cancelled orders left out).
#[utoipa::path(get, path = "/api/reports/products", tag = "reports",
    params(ProductSalesQuery),
    responses((status = 200, description = "JSON, or CSV of `items` with format=csv", content((ProductSalesList = "application/json"), (String = "text/csv"))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn product_sales(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<ProductSalesQuery>,
) -> Result<Response, ApiError> {
    let day = report_day("day", q.day.as_deref(), q.tz_offset_minutes)?;
    let (from, to) = (q.from, q.to);
    let v = blocking(move || {
        let within = readable(&app, &caller)?;
        let items = app
            .store()
            .product_sales_within(day, from, to, Some(&within))?;
        Ok(json!({ "items": items }))
    })
    .await?;
    answer(q.format, "product-sales", v, "items", PRODUCT_SALES_COLUMNS)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// Words the name or SKU contains (any case, any script).
    q: Option<String>,
    /// Archived products too.
    archived: Option<bool>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    offset: Option<u32>,
}

/// The product catalogue: search by name or SKU, with stock levels.
#[utoipa::path(get, path = "/api/products", tag = "products",
    params(ProductQuery),
    responses((status = 200, body = ProductList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_products(
    State(app): State<Shared>,
    _caller: Caller,
    Query(q): Query<ProductQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let v = blocking(move || {
        let items = app.store().search_products(
            q.q.as_deref().unwrap_or_default(),
            q.archived.unwrap_or(false),
            limit,
            q.offset.unwrap_or(0),
        )?;
        Ok(json!({ "items": items }))
    })
    .await?;
    Ok(Json(v))
}

/// Adds a product to the catalogue (admin).
#[utoipa::path(post, path = "/api/products", tag = "products",
    request_body(content = ProductInput, description = "Product: {sku, name, unit_price_minor, currency, stock, stock_at, description}"),
    responses((status = 201, body = ProductSchema), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody, description = "not an admin"),
              (status = 409, body = ErrorBody, description = "a product with this id exists")),
    security(("bearer" = [])))]
pub async fn create_product(
    State(app): State<Shared>,
    caller: Caller,
    Body(body): Body<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // sku and name must not be empty: core's rule, on every path
    let product: Product = new_record(body)?;
    let v = create_setting(&app, &caller, product).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Changes a product: price, stock level, name… (admin).
#[utoipa::path(patch, path = "/api/products/{id}", tag = "products",
    params(("id" = String, Path)),
    request_body(content = ProductPatch, description = "partial Product"),
    responses((status = 200, body = ProductSchema), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch_product(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        patch_setting::<Product>(&app, &caller, id, body).await?,
    ))
}
