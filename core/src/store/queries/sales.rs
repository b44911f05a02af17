//! The reports a sales manager asks for, over the query index: the forecast
//! by expected-close month and product performance here; stalled deals,
//! stage conversion with the win rate and the sales cycle in `funnel`.
//!
//! Computed here once, in core: the server's REST reports, the console and
//! the apps show these results. Money is never summed across currencies:
//! every amount is in a row that names its currency. Archived deals and
//! orders, and the records of archived accounts, are left out.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::params;
use serde::Serialize;

use super::{Day, OPEN_STAGE_SQL};
use crate::error::Result;
use crate::ids::DocumentId;
use crate::store::Store;

/// Milliseconds in a day (reports count whole days of 24 hours).
pub(super) const DAY_MS: i64 = 86_400_000;

/// Which deals a sales report covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SalesFilter {
    /// Only this owner's deals (a user id).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub owner: Option<String>,
    /// Only this pipeline's deals. The conversion report needs one: without
    /// it, the org's default pipeline, else the one with the most deals.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pipeline_id: Option<String>,
}

/// One cell of the forecast: the open deals of one owner, in one currency,
/// expected to close in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ForecastRow {
    /// `YYYY-MM`; `None` for open deals without a (readable) expected close date.
    pub month: Option<String>,
    /// `None` for deals nobody owns; in [`Forecast::totals`], every owner.
    pub owner: Option<String>,
    pub currency: String,
    pub deals: i64,
    pub total_minor: i64,
    /// The sum over the deals of amount × probability (the deal's, else its
    /// stage's), each deal rounded half away from zero to minor units first.
    pub weighted_minor: i64,
    /// The month is before the report day's: these deals should have closed.
    pub past_due: bool,
}

/// Open deals by expected-close month, weighted and unweighted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Forecast {
    /// Per month, owner and currency; months in order (no date last), then
    /// owners, then currencies.
    pub rows: Vec<ForecastRow>,
    /// Per month and currency over every owner (`owner` is `None`).
    pub totals: Vec<ForecastRow>,
}

/// Quantities and revenue of one product in one month and currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProductSales {
    /// `None` for free lines (no catalogue product).
    pub product_id: Option<String>,
    /// The catalogue name, else the description of the first line seen.
    pub name: String,
    /// `YYYY-MM` of the order date (in the report day's time zone).
    pub month: String,
    pub currency: String,
    /// Orders with at least one line of the product.
    pub orders: i64,
    /// In thousandths, like the lines.
    pub quantity_milli: i64,
    /// The lines' totals after discounts (`LineItem::total_minor`).
    pub revenue_minor: i64,
}

/// A deal as the reports read it from the index.
pub(super) struct DealFacts {
    pub(super) doc_id: String,
    pub(super) account_name: String,
    pub(super) id: String,
    pub(super) name: String,
    pub(super) pipeline_id: String,
    pub(super) stage_id: String,
    pub(super) stage_name: String,
    pub(super) meaning: String,
    pub(super) amount_minor: i64,
    pub(super) currency: String,
    pub(super) probability: i64,
    pub(super) expected_close: Option<String>,
    pub(super) owner: Option<String>,
    pub(super) created_at: i64,
    pub(super) stage_changed_at: i64,
}

/// `amount × probability / 100`, rounded half away from zero, in integers.
pub(super) fn weighted(amount_minor: i64, probability: i64) -> i64 {
    let p = i128::from(amount_minor) * i128::from(probability.clamp(0, 100));
    let q = (p.abs() + 50) / 100;
    i64::try_from(if p < 0 { -q } else { q }).unwrap_or(i64::MAX)
}

/// `YYYY-MM` of an expected-close date `YYYY-MM-DD`, if it is one.
fn month_of(date: &str) -> Option<String> {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .map(|d| d.format("%Y-%m").to_string())
}

impl Store {
    /// Open deals by expected-close month, owner and currency.
    pub fn forecast(&self, day: Day, f: &SalesFilter) -> Result<Forecast> {
        self.forecast_within(day, f, None)
    }

    /// [`Store::forecast`] over the given account documents only.
    pub fn forecast_within(
        &self,
        day: Day,
        f: &SalesFilter,
        within: Option<&BTreeSet<DocumentId>>,
    ) -> Result<Forecast> {
        let this_month = day.date.format("%Y-%m").to_string();
        type Key = (Option<String>, Option<String>, String);
        let mut rows: BTreeMap<Key, (i64, i64, i64)> = BTreeMap::new();
        let mut totals: BTreeMap<(Option<String>, String), (i64, i64, i64)> = BTreeMap::new();
        for d in self
            .report_deals(f, within)?
            .into_iter()
            .filter(|d| d.meaning == "open")
        {
            let month = d.expected_close.as_deref().and_then(month_of);
            let w = weighted(d.amount_minor, d.probability);
            for cell in [
                rows.entry((month.clone(), d.owner.clone(), d.currency.clone()))
                    .or_default(),
                totals
                    .entry((month.clone(), d.currency.clone()))
                    .or_default(),
            ] {
                cell.0 += 1;
                cell.1 = cell.1.saturating_add(d.amount_minor);
                cell.2 = cell.2.saturating_add(w);
            }
        }
        // months in order, deals without a date last
        let order = |m: &Option<String>| (m.is_none(), m.clone());
        let row = |month: Option<String>, owner, currency, (deals, total, w): (i64, i64, i64)| {
            ForecastRow {
                past_due: month.as_ref().is_some_and(|m| *m < this_month),
                month,
                owner,
                currency,
                deals,
                total_minor: total,
                weighted_minor: w,
            }
        };
        let mut rows: Vec<_> = rows.into_iter().collect();
        rows.sort_by_key(|((m, o, c), _)| (order(m), o.clone(), c.clone()));
        let mut totals: Vec<_> = totals.into_iter().collect();
        totals.sort_by_key(|((m, c), _)| (order(m), c.clone()));
        Ok(Forecast {
            rows: rows
                .into_iter()
                .map(|((m, o, c), v)| row(m, o, c, v))
                .collect(),
            totals: totals
                .into_iter()
                .map(|((m, c), v)| row(m, None, c, v))
                .collect(),
        })
    }

    /// Quantities and revenue by product, month and currency, from the
    /// lines of the orders placed in `[from, to)` (ms; either bound
    /// optional) that are not cancelled. Months in order, then by revenue.
    pub fn product_sales(
        &self,
        day: Day,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<ProductSales>> {
        self.product_sales_within(day, from, to, None)
    }

    /// [`Store::product_sales`] over the given account documents only.
    pub fn product_sales_within(
        &self,
        day: Day,
        from: Option<i64>,
        to: Option<i64>,
        within: Option<&BTreeSet<DocumentId>>,
    ) -> Result<Vec<ProductSales>> {
        let scoped = i64::from(within.is_some());
        if let Some(docs) = within {
            self.fill_scope(docs)?;
        }
        let names: BTreeMap<String, String> = self
            .conn()
            .prepare_cached("SELECT id, name FROM idx_products")
            .and_then(|mut st| {
                st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()
            })?;
        let mut st = self.conn().prepare_cached(
            "SELECT l.product_id, l.description, o.ordered_at, o.currency, l.doc_id, l.order_id,
                    l.quantity_milli, l.total_minor
             FROM idx_order_lines l
             JOIN idx_orders o ON o.doc_id = l.doc_id AND o.id = l.order_id
             JOIN idx_accounts a ON a.doc_id = l.doc_id
             WHERE a.archived = 0 AND o.archived = 0 AND COALESCE(l.order_status, '') != 'cancelled'
               AND (?1 IS NULL OR o.ordered_at >= ?1) AND (?2 IS NULL OR o.ordered_at < ?2)
               AND (?3 = 0 OR l.doc_id IN (SELECT doc_id FROM temp.outpost_scope))",
        )?;
        // (month, product, currency) → (name, the orders, quantity, revenue)
        type Key = (String, Option<String>, String);
        type Cell = (String, BTreeSet<(String, String)>, i64, i64);
        let mut cells: BTreeMap<Key, Cell> = BTreeMap::new();
        let rows = st.query_map(params![from, to, scoped], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?;
        for row in rows {
            let (product, description, at, currency, doc, order, qty, total) = row?;
            let month = day.date_of(at).format("%Y-%m").to_string();
            let name = product
                .as_ref()
                .and_then(|p| names.get(p))
                .cloned()
                .unwrap_or(description);
            let c = cells
                .entry((month, product, currency))
                .or_insert_with(|| (name, BTreeSet::new(), 0, 0));
            c.1.insert((doc, order));
            c.2 = c.2.saturating_add(qty);
            c.3 = c.3.saturating_add(total);
        }
        let mut out: Vec<ProductSales> = cells
            .into_iter()
            .map(
                |((month, product_id, currency), (name, orders, q, rev))| ProductSales {
                    product_id,
                    name,
                    month,
                    currency,
                    orders: orders.len() as i64,
                    quantity_milli: q,
                    revenue_minor: rev,
                },
            )
            .collect();
        out.sort_by(|a, b| {
            a.month
                .cmp(&b.month)
                .then_with(|| b.revenue_minor.cmp(&a.revenue_minor))
                .then_with(|| a.product_id.cmp(&b.product_id))
                .then_with(|| a.currency.cmp(&b.currency))
        });
        Ok(out)
    }

    /// The deals of the filter (not archived, in accounts not archived).
    pub(super) fn report_deals(
        &self,
        f: &SalesFilter,
        within: Option<&BTreeSet<DocumentId>>,
    ) -> Result<Vec<DealFacts>> {
        let scoped = i64::from(within.is_some());
        if let Some(docs) = within {
            self.fill_scope(docs)?;
        }
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT d.doc_id, a.name, d.id, d.name, d.pipeline_id, d.stage_id, COALESCE(s.name, d.stage_id),
                    {OPEN_STAGE_SQL}, d.amount_minor, d.currency, COALESCE(d.probability, s.probability, 0),
                    d.expected_close, d.owner, d.created_at, d.stage_changed_at
             FROM idx_deals d JOIN idx_accounts a ON a.doc_id = d.doc_id
             LEFT JOIN idx_stages s ON s.pipeline_id = d.pipeline_id AND s.stage_id = d.stage_id
             WHERE a.archived = 0 AND d.archived = 0
               AND (?1 IS NULL OR d.owner = ?1) AND (?2 IS NULL OR d.pipeline_id = ?2)
               AND (?3 = 0 OR d.doc_id IN (SELECT doc_id FROM temp.outpost_scope))
             ORDER BY d.doc_id, d.id"
        ))?;
        let rows = st.query_map(params![f.owner, f.pipeline_id, scoped], |r| {
            Ok(DealFacts {
                doc_id: r.get(0)?,
                account_name: r.get(1)?,
                id: r.get(2)?,
                name: r.get(3)?,
                pipeline_id: r.get(4)?,
                stage_id: r.get(5)?,
                stage_name: r.get(6)?,
                meaning: r.get(7)?,
                amount_minor: r.get(8)?,
                currency: r.get(9)?,
                probability: r.get(10)?,
                expected_close: r.get(11)?,
                owner: r.get(12)?,
                created_at: r.get(13)?,
                stage_changed_at: r.get(14)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
