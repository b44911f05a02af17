//! uniffi support (feature `uniffi`, used only by the `outpost-bindings`
//! crate): the plain data types derive `uniffi::Record`/`uniffi::Enum` where
//! they are declared, and the types uniffi cannot carry as they are cross
//! the boundary as strings or hash maps, declared here as custom types.

mod error;

pub use error::OutpostError;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::ids::DocumentId;
use crate::model::CustomValue;

uniffi::custom_type!(DocumentId, String, {
    lower: |id| id.to_string(),
    try_lift: |s| s.parse::<DocumentId>().map_err(|_| {
        OutpostError::Invalid {
            detail: "invalid document id".into(),
        }
        .into()
    }),
});

/// A calendar date, `YYYY-MM-DD`.
pub type Date = NaiveDate;

uniffi::custom_type!(Date, String, {
    remote,
    lower: |d| d.format("%Y-%m-%d").to_string(),
    try_lift: |s| Ok(NaiveDate::parse_from_str(&s, "%Y-%m-%d")?),
});

/// A JSON value (a conflicting value or a field's value in the history), as JSON text.
pub type JsonValue = serde_json::Value;

uniffi::custom_type!(JsonValue, String, {
    remote,
    lower: |v| v.to_string(),
    try_lift: |s| Ok(serde_json::from_str(&s)?),
});

/// String-to-string map (external ids, a deal's contact roles).
pub type StringMap = BTreeMap<String, String>;

uniffi::custom_type!(StringMap, HashMap<String, String>, {
    remote,
    lower: |m| m.into_iter().collect(),
    try_lift: |m| Ok(m.into_iter().collect()),
});

/// Custom field values by key.
pub type CustomValues = BTreeMap<String, CustomValue>;

uniffi::custom_type!(CustomValues, HashMap<String, CustomValue>, {
    remote,
    lower: |m| m.into_iter().collect(),
    try_lift: |m| Ok(m.into_iter().collect()),
});

/// Sync state per account document.
#[cfg(feature = "client")]
pub type DocSyncMap = BTreeMap<DocumentId, crate::sync::client::DocSync>;

#[cfg(feature = "client")]
uniffi::custom_type!(DocSyncMap, HashMap<DocumentId, crate::sync::client::DocSync>, {
    remote,
    lower: |m| m.into_iter().collect(),
    try_lift: |m| Ok(m.into_iter().collect()),
});
