//! Outpost core: CRM account documents on Automerge, a durable local SQLite
//! store with a query index, and the queries a field rep needs.
//!
//! The core never opens a socket; time is passed in by the caller.

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

pub use doc::{Conflict, ConflictValue, CrmDoc, Editor, FieldChange, Read};
pub use error::{CoreError, Result};
pub use ids::{Author, DocumentId, new_record_id};

// The crate is its own uniffi namespace: generated code for the data types
// lands in `outpost_core` (Kotlin package `uniffi.outpost_core`).
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("outpost_core");
