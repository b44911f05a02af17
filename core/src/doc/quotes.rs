//! Accepting a quote: the quote is marked accepted and an order with the
//! same lines is made, in one change.

use chrono::{DateTime, NaiveDate};

use super::Editor;
use crate::error::{CoreError, Result};
use crate::model::{LineItem, Order, Quote, QuoteStatus, RecordKind};

/// The id of the order a quote becomes: the same on every device (a UUID v5
/// of the quote id), so a quote accepted on two phones offline makes one
/// order when they sync, not two (their two writes of the order merge into
/// one record).
pub fn order_id_for_quote(quote_id: &str) -> String {
    let name = format!("outpost/quote-order/{quote_id}");
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, name.as_bytes()).to_string()
}

impl Editor<'_> {
    /// Accepts a draft or sent quote that is still valid (its `valid_until`
    /// is today or later, UTC): marks it accepted and makes the order with
    /// its lines, its total with tax, and `quote_id` pointing back. Accepting
    /// an accepted quote again returns its order and changes nothing; a
    /// declined or expired quote, or one past its date, is refused.
    pub fn accept_quote(&mut self, quote_id: &str) -> Result<String> {
        let quote: Quote = self
            .get::<Quote>(quote_id)
            .ok_or_else(|| CoreError::RecordNotFound {
                doc: self.doc,
                kind: RecordKind::Quote.name(),
                id: quote_id.to_owned(),
            })?
            .record;
        let order_id = order_id_for_quote(quote_id);
        match quote.status {
            QuoteStatus::Accepted => return Ok(quote.order_id.unwrap_or(order_id)),
            QuoteStatus::Declined | QuoteStatus::Expired => {
                return Err(CoreError::Invalid(format!(
                    "a {} quote cannot be accepted",
                    quote.status.as_str()
                )));
            }
            QuoteStatus::Draft | QuoteStatus::Sent => {}
        }
        let today = DateTime::from_timestamp_millis(self.now())
            .map(|t| t.date_naive())
            .unwrap_or_default();
        if let Some(until) = quote.valid_until.as_deref()
            && NaiveDate::parse_from_str(until, "%Y-%m-%d").is_ok_and(|d| d < today)
        {
            return Err(CoreError::Invalid(
                "the quote is past its valid_until date".into(),
            ));
        }
        if quote.lines.is_empty() {
            return Err(CoreError::Invalid(
                "a quote without lines cannot be accepted".into(),
            ));
        }
        let totals = quote.totals();
        let order = Order {
            meta: crate::model::RecordMeta {
                id: order_id.clone(),
                owner: quote.meta.owner.clone(),
                ..Default::default()
            },
            number: quote.number.clone(),
            ordered_at: self.now(),
            status: Some("open".into()),
            lines: quote
                .sorted_lines()
                .into_iter()
                .map(|l| LineItem {
                    id: l.id.clone(),
                    product_id: l.product_id.clone(),
                    description: l.description.clone(),
                    quantity_milli: l.quantity_milli,
                    unit_price_minor: l.unit_price_minor,
                    discount_percent: (l.discount_bp != 0).then(|| l.discount_bp as f64 / 100.0),
                })
                .collect(),
            // the quote's total with tax, rounded by the quote's rule (the
            // order's own line sum has no tax)
            total_minor: totals.total_minor,
            currency: quote.currency.clone(),
            quote_id: Some(quote_id.to_owned()),
            ..Default::default()
        };
        let now = self.now();
        self.create(order)?;
        self.modify::<Quote>(quote_id, |q| {
            q.status = QuoteStatus::Accepted;
            q.decided_at = Some(now);
            q.order_id = Some(order_id.clone());
        })?;
        Ok(order_id)
    }
}
