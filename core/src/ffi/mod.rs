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

mod batch;
mod capture;
mod dispatch;
mod error;
mod feed;
mod log;
mod messages;
mod observers;
mod queries;
mod quotes;
mod records;
mod reports;
mod rows;
mod runtime;
mod store;
mod sync;

pub use batch::WriteBatch;
pub use error::{ObserverError, OutpostError};
pub use feed::{ChangeFeed, DocumentChange};
pub use log::{LogLevel, LogSink, remove_log_sink, set_log_sink};
pub use observers::{DataObserver, SyncObserver};
pub use queries::{DocumentRef, today};
pub use rows::{AccountFilter, AccountSummary};
pub use store::{OutpostStore, open_store, shutdown};

/// A fresh id for a record or a device installation (UUID v7).
#[uniffi::export]
pub fn new_id() -> String {
    crate::new_record_id()
}

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::ids::DocumentId;
use crate::model::CustomValue;

// ---- custom types: what uniffi cannot carry as it is. A value the app
// passes that does not fit is refused while it is lifted, before any work,
// as `OutpostError::Invalid` naming what was expected. (uniffi gives the
// custom type no argument name; the expected form names the argument in
// practice: methods take at most one document id and one `Day`.)

uniffi::custom_type!(DocumentId, String, {
    lower: |id| id.to_string(),
    try_lift: |s| s.parse::<DocumentId>().map_err(|_| {
        OutpostError::invalid(
            "document id",
            "not a document id of this library (base58check, as returned by create_account or documents)",
        )
        .into()
    }),
});

/// A calendar date, `YYYY-MM-DD` (Kotlin and Swift see a `String` named
/// `LocalDate`; not `Date`, which would shadow Swift's `Foundation.Date`).
pub type LocalDate = NaiveDate;

uniffi::custom_type!(LocalDate, String, {
    remote,
    lower: |d| d.format("%Y-%m-%d").to_string(),
    try_lift: |s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| {
        OutpostError::invalid("date", "not a calendar date YYYY-MM-DD (e.g. 2024-12-31)").into()
    }),
});

/// A field's value as a conflict or the history reports it: typed, not JSON
/// text. (Records read whole through `get_x`; this is for one field of any
/// record, whose type the caller knows by its name.)
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum FieldValue {
    /// No value (the field was unset or removed).
    Null,
    Bool {
        value: bool,
    },
    /// A whole number (money in minor units, timestamps in ms, counts).
    Int {
        value: i64,
    },
    Float {
        value: f64,
    },
    Text {
        value: String,
    },
    /// A list (tags, ids). (Not named `List`, which would shadow Kotlin's
    /// `List` inside the generated class.)
    Array {
        items: Vec<FieldValue>,
    },
    /// A map (a sub-item such as a phone, or a map of custom values).
    Object {
        entries: HashMap<String, FieldValue>,
    },
}

impl From<serde_json::Value> for FieldValue {
    fn from(v: serde_json::Value) -> Self {
        use serde_json::Value;
        match v {
            Value::Null => Self::Null,
            Value::Bool(value) => Self::Bool { value },
            Value::Number(n) => match n.as_i64() {
                Some(value) => Self::Int { value },
                None => Self::Float {
                    value: n.as_f64().unwrap_or(f64::NAN),
                },
            },
            Value::String(value) => Self::Text { value },
            Value::Array(items) => Self::Array {
                items: items.into_iter().map(Self::from).collect(),
            },
            Value::Object(entries) => Self::Object {
                entries: entries.into_iter().map(|(k, v)| (k, v.into())).collect(),
            },
        }
    }
}

impl TryFrom<FieldValue> for serde_json::Value {
    type Error = OutpostError;

    fn try_from(v: FieldValue) -> Result<Self, OutpostError> {
        use serde_json::Value;
        Ok(match v {
            FieldValue::Null => Value::Null,
            FieldValue::Bool { value } => Value::Bool(value),
            FieldValue::Int { value } => Value::from(value),
            FieldValue::Float { value } => {
                serde_json::Number::from_f64(value)
                    .map(Value::Number)
                    .ok_or_else(|| OutpostError::invalid("value", "a float must be finite"))?
            }
            FieldValue::Text { value } => Value::String(value),
            FieldValue::Array { items } => Value::Array(
                items
                    .into_iter()
                    .map(Value::try_from)
                    .collect::<Result<_, _>>()?,
            ),
            FieldValue::Object { entries } => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| Ok((k, Value::try_from(v)?)))
                    .collect::<Result<_, OutpostError>>()?,
            ),
        })
    }
}

/// A JSON value of core (a conflicting value, a value in a field's history),
/// typed for the app as a [`FieldValue`].
pub type JsonValue = serde_json::Value;

uniffi::custom_type!(JsonValue, FieldValue, {
    remote,
    lower: |v| FieldValue::from(v),
    try_lift: |v| Ok(serde_json::Value::try_from(v)?),
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
pub type DocSyncMap = BTreeMap<DocumentId, crate::sync::client::DocSync>;

uniffi::custom_type!(DocSyncMap, HashMap<DocumentId, crate::sync::client::DocSync>, {
    remote,
    lower: |m| m.into_iter().collect(),
    try_lift: |m| Ok(m.into_iter().collect()),
});
