//! `liboutpost`: the Outpost core for Kotlin, Swift and Python (uniffi 0.32,
//! proc-macros).
//!
//! This crate builds the library the apps load (cdylib for Android, the JVM
//! and Python; staticlib for iOS). The exported API itself is
//! `outpost_core::ffi` (core's `uniffi` feature): uniffi makes one namespace
//! per crate, and the data types derive their uniffi traits in core where
//! they are declared, so the store handle and observers are exported from
//! core too and the apps get one namespace, `outpost`. Nothing here adds to
//! that API; `generate.sh` and the test suites live beside this crate.

pub use outpost_core::ffi::*;
