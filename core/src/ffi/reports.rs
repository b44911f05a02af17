//! The sales manager's reports and the product catalogue on the device,
//! offline, over what the device holds: one core call each
//! (`store::queries::{sales, funnel, catalogue}`).

use crate::store::queries::{
    ConversionReport, Day, Forecast, ProductHit, ProductSales, SalesFilter, StalledOptions,
    StalledReport,
};

use super::OutpostError;
use super::queries::check_day;
use super::rows::non_negative;
use super::store::OutpostStore;

type Res<T> = Result<T, OutpostError>;

#[uniffi::export]
impl OutpostStore {
    /// Open deals by expected-close month, owner and currency (amounts in
    /// different currencies are never added); months before `day`'s are
    /// past due.
    pub async fn forecast(&self, day: Day, filter: SalesFilter) -> Res<Forecast> {
        check_day(&day)?;
        self.with(move |s| s.forecast(day, &filter)).await
    }

    /// Open deals in their stage for longer than the stage's threshold at
    /// the end of `day`, the most overdue first, with every stage's threshold.
    pub async fn stalled_deals(
        &self,
        day: Day,
        filter: SalesFilter,
        options: StalledOptions,
    ) -> Res<StalledReport> {
        check_day(&day)?;
        if options.default_days < 0 {
            return Err(OutpostError::invalid(
                "options.default_days",
                "must not be negative",
            ));
        }
        if let Some(t) = options.thresholds.iter().find(|t| t.days < 0) {
            return Err(OutpostError::invalid(
                "options.thresholds",
                format!("stage {}: days must not be negative", t.stage_id),
            ));
        }
        self.with(move |s| s.stalled_deals(day, &filter, &options))
            .await
    }

    /// A pipeline's funnel, the win rate and the sales-cycle length of the
    /// deals closed in `[closed_from, closed_to)` (ms; either optional).
    #[uniffi::method(default(closed_from = None, closed_to = None))]
    pub async fn conversion(
        &self,
        filter: SalesFilter,
        closed_from: Option<i64>,
        closed_to: Option<i64>,
    ) -> Res<ConversionReport> {
        self.with(move |s| s.conversion(&filter, closed_from, closed_to))
            .await
    }

    /// Quantities and revenue by product, month (in `day`'s time zone) and
    /// currency, from the orders placed in `[from, to)` (ms; either optional).
    #[uniffi::method(default(from = None, to = None))]
    pub async fn product_sales(
        &self,
        day: Day,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Res<Vec<ProductSales>> {
        check_day(&day)?;
        self.with(move |s| s.product_sales(day, from, to)).await
    }

    /// Products whose name or SKU holds every word of `query` (any case,
    /// any script), with the stock level and when it was read.
    #[uniffi::method(default(offset = 0, include_archived = false))]
    pub async fn search_products(
        &self,
        query: String,
        limit: i32,
        offset: i32,
        include_archived: bool,
    ) -> Res<Vec<ProductHit>> {
        let limit = non_negative("limit", limit)?;
        let offset = non_negative("offset", offset)?;
        self.with(move |s| s.search_products(&query, include_archived, limit, offset))
            .await
    }
}
