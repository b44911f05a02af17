//! Types shared by several record kinds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::serde_helpers::{impl_keyed, set};

/// Metadata every record carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct RecordMeta {
    /// Stable id made on the device (UUID v7).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    /// The user who owns the record.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub owner: Option<String>,
    /// When the record was created (ms since the Unix epoch, UTC).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: i64,
    /// The user who created it.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_by: Option<String>,
    /// When it was last changed through Outpost (bookkeeping; last writer wins).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub updated_at: i64,
    /// Who changed it last (bookkeeping; last writer wins).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub updated_by: Option<String>,
    /// Soft delete: archived records are hidden from lists but restorable.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub archived: bool,
    /// When it was archived.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub archived_at: Option<i64>,
    /// Free tags (a set).
    #[serde(with = "set")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub tags: Vec<String>,
    /// Custom field values, keyed by the custom field's key.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub custom: BTreeMap<String, CustomValue>,
    /// Ids of this record in other systems (ERP, e-mail tool), keyed by system.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub external_ids: BTreeMap<String, String>,
}

/// A custom field value: always a scalar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(untagged)]
pub enum CustomValue {
    Bool(bool),
    Int(i64),
    Number(f64),
    Text(String),
}

/// A postal address with optional coordinates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct Address {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    /// e.g. "billing", "shipping", "home".
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub label: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub street: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub city: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub region: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub country: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub lat: Option<f64>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub lon: Option<f64>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub primary: bool,
}

/// A phone number as typed, with its label.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct Phone {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    /// As entered by the user; normalised to E.164 in the query index.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub number: String,
    /// e.g. "mobile", "work", "home".
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub label: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub primary: bool,
    /// The person asked not to be contacted on this number.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub opted_out: bool,
}

/// An e-mail address with its label.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct Email {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub address: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub label: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub primary: bool,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub opted_out: bool,
}

/// Money: integer minor units (cents, øre) and an ISO 4217 currency code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct Money {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub amount_minor: i64,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub currency: String,
}

impl_keyed!(Address, Phone, Email);
