//! The account: a customer company or household, the root of its document.

use serde::{Deserialize, Serialize};

use super::serde_helpers::keyed;
use super::{Address, Phone, RecordKind, record};

/// Where the account is in its life with us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    Selection,
    Acquisition,
    Retention,
    Expansion,
    Churned,
}

impl LifecycleStage {
    /// The stored string.
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleStage::Selection => "selection",
            LifecycleStage::Acquisition => "acquisition",
            LifecycleStage::Retention => "retention",
            LifecycleStage::Expansion => "expansion",
            LifecycleStage::Churned => "churned",
        }
    }
}

/// What kind of relationship we have with the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Prospect,
    Customer,
    Partner,
    Competitor,
    Household,
    Other,
}

/// How a customer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Card,
    Cheque,
    Paypal,
    Invoice,
    BankTransfer,
    Other,
}

/// Figures mirrored from accounting: read-only for reps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct Balance {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub currency: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub balance_minor: i64,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub overdue_minor: i64,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub open_invoices: i64,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub last_payment_at: Option<i64>,
    /// When accounting last sent these figures.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub as_of: Option<i64>,
}

record! {
    /// A customer company or household.
    pub struct Account: RecordKind::Account {
        pub name: String,
        pub account_type: Option<AccountType>,
        pub industry: Option<String>,
        pub website: Option<String>,
        #[serde(with = "keyed")]
        pub addresses: Vec<Address>,
        #[serde(with = "keyed")]
        pub phones: Vec<Phone>,
        pub territory: Option<String>,
        pub lifecycle_stage: Option<LifecycleStage>,
        /// ISO date the account became a customer.
        pub customer_since: Option<String>,
        pub churned_at: Option<i64>,
        pub churn_reason: Option<String>,
        /// The competitor the account was lost to, and why.
        pub lost_to_competitor: Option<String>,
        pub lost_to_reason: Option<String>,
        /// e.g. "A", "B", "C" or "gold".
        pub value_tier: Option<String>,
        pub lead_source: Option<String>,
        /// Contact or account id of whoever referred this account.
        pub referred_by: Option<String>,
        pub preferred_payment_method: Option<PaymentMethod>,
        /// e.g. "net 30".
        pub payment_terms: Option<String>,
        pub credit_limit_minor: Option<i64>,
        /// ISO 4217 currency of the account's amounts.
        pub currency: Option<String>,
        /// Mirrored from accounting.
        pub balance: Balance,
        /// Long free text (collaborative).
        pub notes: String,
    }
}
