//! Types shared by several record kinds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::serde_helpers::{impl_keyed, set};

/// Metadata every record carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordMeta {
    /// Stable id made on the device (UUID v7).
    pub id: String,
    /// The user who owns the record.
    pub owner: Option<String>,
    /// When the record was created (ms since the Unix epoch, UTC).
    pub created_at: i64,
    /// The user who created it.
    pub created_by: Option<String>,
    /// When it was last changed through Outpost (bookkeeping; last writer wins).
    pub updated_at: i64,
    /// Who changed it last (bookkeeping; last writer wins).
    pub updated_by: Option<String>,
    /// Soft delete: archived records are hidden from lists but restorable.
    pub archived: bool,
    /// When it was archived.
    pub archived_at: Option<i64>,
    /// Free tags (a set).
    #[serde(with = "set")]
    pub tags: Vec<String>,
    /// Custom field values, keyed by the custom field's key.
    pub custom: BTreeMap<String, CustomValue>,
    /// Ids of this record in other systems (ERP, e-mail tool), keyed by system.
    pub external_ids: BTreeMap<String, String>,
}

/// A custom field value: always a scalar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CustomValue {
    Bool(bool),
    Int(i64),
    Number(f64),
    Text(String),
}

/// A postal address with optional coordinates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    pub id: String,
    /// e.g. "billing", "shipping", "home".
    pub label: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub primary: bool,
}

/// A phone number as typed, with its label.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Phone {
    pub id: String,
    /// As entered by the user; normalised to E.164 in the query index.
    pub number: String,
    /// e.g. "mobile", "work", "home".
    pub label: Option<String>,
    pub primary: bool,
    /// The person asked not to be contacted on this number.
    pub opted_out: bool,
}

/// An e-mail address with its label.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Email {
    pub id: String,
    pub address: String,
    pub label: Option<String>,
    pub primary: bool,
    pub opted_out: bool,
}

/// Money: integer minor units (cents, øre) and an ISO 4217 currency code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: String,
}

impl_keyed!(Address, Phone, Email);
