//! Outpost for Kotlin, Swift and Python (uniffi 0.32, proc-macros).
//!
//! This crate only wraps `outpost-core`: every exported method is one to
//! three lines. The data types (records, query rows, sync status) are core's
//! own, exported through core's optional `uniffi` feature; what is declared
//! here is the store handle, the observer callback traits and the one public
//! error enum. Work that touches disk or network is `async` and runs on the
//! runtime this crate owns, never on the caller's (UI) thread.

mod queries;
mod records;
mod runtime;
mod store;
mod sync;

pub use outpost_core::ffi::OutpostError;
pub use store::{DataObserver, OutpostStore, open_store};
pub use sync::SyncObserver;

uniffi::setup_scaffolding!("outpost");

/// A fresh id for a record or a device installation (UUID v7).
#[uniffi::export]
pub fn new_id() -> String {
    outpost_core::new_record_id()
}
