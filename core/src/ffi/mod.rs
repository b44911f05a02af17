//! The foreign-language API (feature `uniffi`, turned on only by the
//! `outpost-bindings` crate, which builds it into `liboutpost`).
//!
//! Everything the Kotlin, Swift and Python bindings see is exported from this
//! one crate, so it lands in one uniffi namespace, `outpost` (Kotlin package
//! `uniffi.outpost`, Swift module `OutpostKit`, Python package `outpost`):
//! uniffi makes one namespace per crate, and the data types must derive their
//! uniffi traits where they are declared (here in core). Two crates meant two
//! Kotlin packages whose generated helpers (`RustBuffer`, `FfiConverter`,
//! `Disposable`, `InternalException`) clashed under star imports.
//!
//! The plain data types derive `uniffi::Record`/`uniffi::Enum` where they are
//! declared; the types uniffi cannot carry as they are cross as custom types
//! declared below. The store handle, observers and sync glue live in the
//! submodules: each exported method is one to three lines calling the store.
//! Work that touches disk or network is `async` and runs on the runtime this
//! module owns, never on the caller's (UI) thread.

mod error;
mod queries;
mod records;
mod runtime;
mod store;
mod sync;

pub use error::OutpostError;
pub use queries::{DocumentRef, today};
pub use store::{DataObserver, OutpostStore, open_store};
pub use sync::SyncObserver;

/// A fresh id for a record or a device installation (UUID v7).
#[uniffi::export]
pub fn new_id() -> String {
    crate::new_record_id()
}

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
