//! Deals (opportunities) and their stage history.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::serde_helpers::{impl_keyed, keyed};
use super::{RecordKind, record};

/// What kind of business the deal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum DealType {
    New,
    Upsell,
    CrossSell,
    Renewal,
}

/// A product line on a deal, quote or order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct LineItem {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub product_id: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub description: String,
    /// Quantity in thousandths (so 1.5 units is 1500), never a float.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub quantity_milli: i64,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub unit_price_minor: i64,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub discount_percent: Option<f64>,
}

impl LineItem {
    /// quantity × unit price, minus the discount, rounded to minor units.
    pub fn total_minor(&self) -> i64 {
        let gross = self.quantity_milli as i128 * self.unit_price_minor as i128 / 1000;
        let discount = self.discount_percent.unwrap_or(0.0).clamp(0.0, 100.0);
        (gross as f64 * (1.0 - discount / 100.0)).round() as i64
    }
}

/// One move of a deal from a stage to another.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct StageChange {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub from_stage: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub to_stage: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub at: i64,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub by: Option<String>,
}

impl_keyed!(LineItem, StageChange);

record! {
    /// A sales opportunity.
    pub struct Deal: RecordKind::Deal {
        pub name: String,
        /// Contact id → role on this deal ("decision maker", "champion"...).
        pub contact_roles: BTreeMap<String, String>,
        pub pipeline_id: String,
        pub stage_id: String,
        pub amount_minor: i64,
        pub currency: String,
        /// Percent, 0-100. `None` means "use the stage's default probability".
        pub probability: Option<u8>,
        /// ISO date.
        pub expected_close: Option<String>,
        pub deal_type: Option<DealType>,
        pub lost_reason: Option<String>,
        pub competitor: Option<String>,
        #[serde(with = "keyed")]
        pub line_items: Vec<LineItem>,
        /// Appended to on every stage move (never rewritten).
        #[serde(with = "keyed")]
        pub stage_history: Vec<StageChange>,
        pub description: String,
    }
}
