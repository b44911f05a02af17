//! Org-wide settings documents: pipelines and stages, custom fields, products.

use serde::{Deserialize, Serialize};

use super::serde_helpers::{impl_keyed, keyed};
use super::{RecordKind, record};

/// What reaching a stage means for a deal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum StageMeaning {
    #[default]
    Open,
    Won,
    Lost,
}

impl StageMeaning {
    /// The stored string.
    pub fn as_str(self) -> &'static str {
        match self {
            StageMeaning::Open => "open",
            StageMeaning::Won => "won",
            StageMeaning::Lost => "lost",
        }
    }
}

/// A pipeline stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct Stage {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: String,
    /// Order on the board, ascending.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub position: i64,
    /// Default win probability, percent.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub probability: u8,
    pub meaning: StageMeaning,
}

impl_keyed!(Stage);

record! {
    /// A sales pipeline with its stages.
    pub struct Pipeline: RecordKind::Pipeline {
        pub name: String,
        #[serde(with = "keyed")]
        pub stages: Vec<Stage>,
    }
}

/// Type of a custom field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldType {
    #[default]
    Text,
    Number,
    Integer,
    Bool,
    Date,
    Choice,
}

record! {
    /// An admin-defined extra field on a record kind.
    pub struct CustomField: RecordKind::CustomField {
        required {
            pub field_type: CustomFieldType,
        }
        /// Which record kind it applies to ("account", "contact", "deal"...).
        pub entity: String,
        /// The key under `custom` in the records.
        pub key: String,
        pub label: String,
        /// Allowed values for `choice` fields.
        pub options: Vec<String>,
    }
}

record! {
    /// A product in the catalogue, with a stock snapshot.
    pub struct Product: RecordKind::Product {
        pub sku: String,
        pub name: String,
        pub unit_price_minor: i64,
        pub currency: String,
        pub stock: Option<i64>,
        pub stock_at: Option<i64>,
        pub description: String,
    }
}

record! {
    /// Org-wide defaults (the singleton record of the settings document).
    pub struct OrgSettings: RecordKind::OrgSettings {
        pub org_name: String,
        pub default_currency: String,
        /// ISO 3166-1 alpha-2 region used to normalise phone numbers typed without a country code.
        pub default_phone_region: String,
        pub default_pipeline_id: Option<String>,
    }
}

impl Pipeline {
    /// Stages sorted by position.
    pub fn sorted_stages(&self) -> Vec<&Stage> {
        let mut s: Vec<&Stage> = self.stages.iter().collect();
        s.sort_by_key(|s| s.position);
        s
    }
}
