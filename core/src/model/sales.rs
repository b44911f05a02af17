//! Sales history (orders and payments) and cases.

use serde::{Deserialize, Serialize};

use super::serde_helpers::{impl_keyed, keyed};
use super::{LineItem, PaymentMethod, RecordKind, record};

/// A payment against an order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct Payment {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub at: i64,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub amount_minor: i64,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub method: Option<PaymentMethod>,
    /// Paid after the due date.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub late: bool,
}

impl_keyed!(Payment);

record! {
    /// A sale: what was bought, when, for how much, and how it was paid.
    pub struct Order: RecordKind::Order {
        pub number: Option<String>,
        pub ordered_at: i64,
        /// e.g. "open", "delivered", "cancelled".
        pub status: Option<String>,
        #[serde(with = "keyed")]
        pub lines: Vec<LineItem>,
        /// Total in minor units; when 0 and lines exist, the sum of the lines is used.
        pub total_minor: i64,
        pub currency: String,
        pub payment_method: Option<PaymentMethod>,
        /// Days of credit granted.
        pub credit_terms_days: Option<i64>,
        /// ISO date the payment is due.
        pub due_date: Option<String>,
        #[serde(with = "keyed")]
        pub payments: Vec<Payment>,
        pub loyalty_card: Option<String>,
        pub description: String,
        /// The quote this order was made from (accepting it).
        pub quote_id: Option<String>,
    }
}

impl Order {
    /// The order total: `total_minor`, or the sum of its lines when that is 0.
    pub fn effective_total_minor(&self) -> i64 {
        if self.total_minor != 0 || self.lines.is_empty() {
            self.total_minor
        } else {
            self.lines.iter().map(LineItem::total_minor).sum()
        }
    }

    /// What is still unpaid.
    pub fn outstanding_minor(&self) -> i64 {
        self.effective_total_minor() - self.payments.iter().map(|p| p.amount_minor).sum::<i64>()
    }
}

/// Kind of case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Complaint,
    Return,
    Review,
    Support,
    Survey,
    Rating,
    Feedback,
}

record! {
    /// A complaint, return, review, support call, survey answer or rating.
    pub struct Case: RecordKind::Case {
        pub kind: Option<CaseKind>,
        pub subject: String,
        /// e.g. "phone", "email", "visit", "web".
        pub channel: Option<String>,
        pub product_id: Option<String>,
        pub contact_id: Option<String>,
        /// "open" or "closed".
        pub status: Option<String>,
        /// e.g. "fixed", "refund", "replacement".
        pub resolution: Option<String>,
        /// 1 to 5.
        pub satisfaction: Option<u8>,
        pub opened_at: i64,
        pub closed_at: Option<i64>,
        pub description: String,
    }
}
