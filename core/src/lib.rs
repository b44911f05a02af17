//! Outpost core: CRM account documents on Automerge, a durable local SQLite
//! store with a query index, and the queries a field rep needs.
//!
//! The core never opens a socket; time is passed in by the caller.

pub mod doc;
pub mod error;
pub mod ids;
pub mod model;
pub mod phone;
pub mod store;
pub mod sync;

pub use doc::{Conflict, ConflictValue, CrmDoc, Editor, FieldChange, Read};
pub use error::{CoreError, Result};
pub use ids::{Author, DocumentId, new_record_id};
