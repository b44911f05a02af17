//! Quotes: lines from the product catalogue (or free lines) with
//! quantities, discounts and tax rates, totals in integer minor units, a
//! validity date, a status and versions. An accepted quote becomes an order
//! with the same lines in the same change (`Editor::accept_quote`).
//!
//! ## The rounding rule
//!
//! Every amount is computed exactly in integers and rounded once, half away
//! from zero, to minor units, per line: a line's net is quantity × unit
//! price × (1 − discount), its tax is net × tax rate. The quote's totals are
//! the sums of its lines' rounded figures (so the lines always add up to the
//! total a customer reads). Discounts and tax rates are in basis points
//! (1/100 of a percent: 2500 is 25 %), never floats.

use serde::{Deserialize, Serialize};

use super::serde_helpers::{impl_keyed, keyed};
use super::{RecordKind, record};

/// Where a quote is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    #[default]
    Draft,
    Sent,
    Accepted,
    Declined,
    Expired,
}

impl QuoteStatus {
    /// The stored string.
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteStatus::Draft => "draft",
            QuoteStatus::Sent => "sent",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::Declined => "declined",
            QuoteStatus::Expired => "expired",
        }
    }
}

/// A line of a quote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct QuoteLine {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    /// The catalogue product; `None` for a free line.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub product_id: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub description: String,
    /// Order of the lines on the quote (ascending).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub position: i64,
    /// Thousandths of a unit (1.5 units is 1500).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub quantity_milli: i64,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub unit_price_minor: i64,
    /// Discount in basis points, 0 to 10000 (1250 is 12.5 %).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub discount_bp: i64,
    /// Tax rate in basis points, 0 to 10000 (2500 is 25 % VAT).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub tax_bp: i64,
}

impl_keyed!(QuoteLine);

/// `numerator / denominator` rounded half away from zero (denominator > 0).
fn round_div(numerator: i128, denominator: i128) -> i64 {
    let q = (numerator.abs() * 2 + denominator) / (denominator * 2);
    let q = if numerator < 0 { -q } else { q };
    i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX })
}

/// The product of the factors, `None` past what i128 holds.
fn product(factors: &[i128]) -> Option<i128> {
    factors.iter().try_fold(1i128, |acc, f| acc.checked_mul(*f))
}

/// A product too large for i128 saturates to the i64 bound of its sign.
fn saturated(factors: &[i128]) -> i64 {
    if factors.iter().filter(|f| **f < 0).count() % 2 == 1 {
        i64::MIN
    } else {
        i64::MAX
    }
}

impl QuoteLine {
    /// quantity × unit price × (1 − discount), rounded once (see the module doc).
    pub fn net_minor(&self) -> i64 {
        let discount = i128::from(self.discount_bp.clamp(0, 10_000));
        let f = [
            i128::from(self.quantity_milli),
            i128::from(self.unit_price_minor),
            10_000 - discount,
        ];
        product(&f).map_or_else(|| saturated(&f), |p| round_div(p, 1000 * 10_000))
    }

    /// The line's tax: its rounded net × the tax rate, rounded once.
    pub fn tax_minor(&self) -> i64 {
        round_div(
            i128::from(self.net_minor()) * i128::from(self.tax_bp.clamp(0, 10_000)),
            10_000,
        )
    }
}

/// A quote's totals, each the sum of its lines' rounded figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QuoteTotals {
    /// Before discounts and tax.
    pub gross_minor: i64,
    pub discount_minor: i64,
    /// After discounts, before tax.
    pub net_minor: i64,
    pub tax_minor: i64,
    /// What the customer pays: net + tax.
    pub total_minor: i64,
    pub currency: String,
}

record! {
    /// An offer to the account: lines, prices, validity, status.
    pub struct Quote: RecordKind::Quote {
        required {
            pub status: QuoteStatus,
        }
        /// The number the customer sees ("Q-2026-017").
        pub number: Option<String>,
        pub title: String,
        /// The deal it prices, if any.
        pub deal_id: Option<String>,
        /// The contact it is addressed to.
        pub contact_id: Option<String>,
        pub currency: String,
        #[serde(with = "keyed")]
        pub lines: Vec<QuoteLine>,
        /// `YYYY-MM-DD`: the last day the offer holds.
        pub valid_until: Option<String>,
        /// 1 for a first quote; a revision is a new quote with `supersedes`
        /// naming the one it replaces and the next version.
        pub version: i64,
        pub supersedes: Option<String>,
        /// When it was sent, and when it was accepted or declined (ms).
        pub sent_at: Option<i64>,
        pub decided_at: Option<i64>,
        /// The order made when it was accepted.
        pub order_id: Option<String>,
        /// The campaign that sourced or influenced it.
        pub campaign_id: Option<String>,
        /// Terms and notes shown on the quote (collaborative text).
        pub notes: String,
    }
}

impl Quote {
    /// The lines in the order the quote shows them (position, then id).
    pub fn sorted_lines(&self) -> Vec<&QuoteLine> {
        let mut l: Vec<&QuoteLine> = self.lines.iter().collect();
        l.sort_by(|a, b| a.position.cmp(&b.position).then_with(|| a.id.cmp(&b.id)));
        l
    }

    /// The totals (see the rounding rule in the module doc).
    pub fn totals(&self) -> QuoteTotals {
        let mut t = QuoteTotals {
            currency: self.currency.clone(),
            ..Default::default()
        };
        for l in &self.lines {
            let gross = QuoteLine {
                discount_bp: 0,
                ..l.clone()
            }
            .net_minor();
            let net = l.net_minor();
            let tax = l.tax_minor();
            t.gross_minor = t.gross_minor.saturating_add(gross);
            t.discount_minor = t.discount_minor.saturating_add(gross - net);
            t.net_minor = t.net_minor.saturating_add(net);
            t.tax_minor = t.tax_minor.saturating_add(tax);
        }
        t.total_minor = t.net_minor.saturating_add(t.tax_minor);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(qty_milli: i64, price: i64, discount_bp: i64, tax_bp: i64) -> QuoteLine {
        QuoteLine {
            id: format!("l{qty_milli}-{price}"),
            quantity_milli: qty_milli,
            unit_price_minor: price,
            discount_bp,
            tax_bp,
            ..Default::default()
        }
    }

    #[test]
    fn every_line_is_rounded_once_half_away_from_zero() {
        // 1.5 × 0.99 = 1.485 → 1.49
        assert_eq!(line(1_500, 99, 0, 0).net_minor(), 149);
        // 3 × 3.33 × (1 − 12.5 %) = 8.74125 → 8.74; 25 % tax of 8.74 = 2.185 → 2.19
        let l = line(3_000, 333, 1_250, 2_500);
        assert_eq!((l.net_minor(), l.tax_minor()), (874, 219));
        // a credit line rounds away from zero too
        assert_eq!(line(-1_500, 99, 0, 0).net_minor(), -149);
        // out-of-range rates are clamped, never overflow
        assert_eq!(line(1_000, 100, 20_000, -5).net_minor(), 0);
        assert_eq!(line(i64::MAX, i64::MAX, 0, 0).net_minor(), i64::MAX);
    }

    #[test]
    fn totals_are_the_sums_of_the_rounded_lines() {
        let q = Quote {
            currency: "NOK".into(),
            lines: vec![line(3_000, 333, 1_250, 2_500), line(1_500, 99, 0, 1_500)],
            ..Default::default()
        };
        let t = q.totals();
        assert_eq!(t.gross_minor, 999 + 149);
        assert_eq!(t.net_minor, 874 + 149);
        assert_eq!(t.discount_minor, 999 - 874);
        // 15 % of 1.49 = 0.2235 → 0.22
        assert_eq!(t.tax_minor, 219 + 22);
        assert_eq!(t.total_minor, t.net_minor + t.tax_minor);
        assert_eq!(t.currency, "NOK");
    }
}
