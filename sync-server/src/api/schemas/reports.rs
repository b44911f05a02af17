//! The sales reports' answers (core's `store::queries::{sales, funnel,
//! catalogue}` as the API shows them: a deal's document is `account`).

use serde::Deserialize;
use utoipa::ToSchema;

/// One cell of the forecast: the open deals of one owner, in one currency,
/// expected to close in one month.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastRow {
    /// `YYYY-MM`; `null` for open deals without an expected close date.
    pub month: Option<String>,
    /// `null` for deals nobody owns; in `totals`, every owner.
    pub owner: Option<String>,
    pub currency: String,
    pub deals: i64,
    pub total_minor: i64,
    /// Σ per deal of amount × probability, each rounded half away from zero.
    pub weighted_minor: i64,
    /// The month is before the report day's month.
    pub past_due: bool,
}

/// Open deals by expected-close month: per owner (`rows`) and over every
/// owner (`totals`), one row per currency (amounts in different currencies
/// are never added).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Forecast {
    pub rows: Vec<ForecastRow>,
    pub totals: Vec<ForecastRow>,
}

/// Where a stage's threshold comes from: `set` by the caller, the stage's
/// `history` (75th percentile of past stays), or the `default`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdSource {
    Set,
    History,
    Default,
}

/// The threshold one open stage got.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageThreshold {
    pub pipeline_id: String,
    pub stage_id: String,
    pub stage_name: String,
    pub days: i64,
    pub source: ThresholdSource,
    /// Completed stays in the stage the history had.
    pub samples: i64,
}

/// An open deal in its stage for longer than the stage's threshold.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StalledDeal {
    pub account: String,
    pub account_name: String,
    pub deal_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub pipeline_id: String,
    pub stage_id: String,
    pub stage_name: String,
    pub days_in_stage: i64,
    pub threshold_days: i64,
    pub amount_minor: i64,
    pub currency: String,
}

/// Stalled deals, the most overdue first, with every stage's threshold.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StalledReport {
    pub thresholds: Vec<StageThreshold>,
    pub deals: Vec<StalledDeal>,
}

/// One open stage of the funnel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageConversion {
    pub stage_id: String,
    pub name: String,
    /// Deals that got at least this far.
    pub reached: i64,
    /// Of those, deals that got past it.
    pub advanced: i64,
    /// `advanced / reached`; `null` when no deal reached the stage.
    pub rate: Option<f64>,
}

/// A pipeline's funnel, win rate and sales cycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversionReport {
    pub pipeline_id: Option<String>,
    pub stages: Vec<StageConversion>,
    pub won: i64,
    pub lost: i64,
    pub win_rate: Option<f64>,
    pub avg_cycle_days: Option<f64>,
    pub median_cycle_days: Option<f64>,
}

/// Quantities and revenue of one product in one month and currency.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductSales {
    /// `null` for free lines (no catalogue product).
    pub product_id: Option<String>,
    pub name: String,
    /// `YYYY-MM`.
    pub month: String,
    pub currency: String,
    pub orders: i64,
    /// Thousandths of a unit.
    pub quantity_milli: i64,
    pub revenue_minor: i64,
}

/// Product sales by month.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductSalesList {
    pub items: Vec<ProductSales>,
}

/// A product of the catalogue, with its stock level and when it was read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductHit {
    pub id: String,
    pub sku: String,
    pub name: String,
    pub unit_price_minor: i64,
    pub currency: String,
    pub stock: Option<i64>,
    /// ms since the epoch.
    pub stock_at: Option<i64>,
    pub archived: bool,
}

/// Products matching a search.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductList {
    pub items: Vec<ProductHit>,
}
