//! Outpost core: CRM account documents on Automerge, a durable local SQLite
//! store with a query index, and the queries a field rep needs.
//!
//! The core never opens a socket; time is passed in by the caller.

pub mod capture;
pub mod doc;
pub mod error;
#[cfg(feature = "uniffi")]
pub mod ffi;
pub mod ids;
pub mod model;
pub mod phone;
pub mod sqlite_migrations;
pub mod store;
pub mod sync;
pub mod templates;

pub use doc::{Conflict, ConflictValue, CrmDoc, Editor, FieldChange, Read, order_id_for_quote};
pub use error::{CoreError, Result};
pub use ids::{Author, DocumentId, new_record_id};

// The one uniffi namespace of the bindings: the data types declared here and
// the store handle of `ffi` (Kotlin package `uniffi.outpost`, Python
// `outpost`, Swift `outpost.swift`); see `ffi`.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("outpost");
