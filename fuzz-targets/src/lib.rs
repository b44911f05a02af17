//! The bodies of Outpost's fuzz targets, as plain functions that build on
//! stable: `fuzz/` (cargo-fuzz, nightly, libFuzzer) wraps each in a
//! `fuzz_target!`, and `tests/replay.rs` runs every committed corpus file
//! and every regression input through them in the normal test suite.
//!
//! Each function takes the fuzzer's bytes and panics only on a finding: a
//! panic in product code, a 500 from the server, or a broken property
//! (a decoded frame that does not encode back to itself). Errors the
//! product is meant to return for bad input are not findings.
//!
//! | function | what it drives |
//! |---|---|
//! | [`wire_decode`] | `sync::wire::WireMessage::decode` (websocket frames) |
//! | [`sync_message`] | `Store::receive_sync_message` on a store holding the account, or not (pending / new document) |
//! | [`doc_load`] | `CrmDoc::load`, `Store::apply` into a fresh store and into one holding the document |
//! | [`import_csv`] | `POST /api/import/preview` and a dry run of `POST /api/import` through the real router |
//! | [`rest_body`] | every POST/PATCH/PUT route of the REST API with a fuzzed body |
//! | [`phone`] | `phone::normalize` |
//! | [`date`] | `store::queries::parse_crm_date` |

mod docs;
mod parsers;
mod rest;
pub mod seeds;
mod server;
mod wire;

pub use docs::{doc_load, sync_message};
pub use parsers::{date, phone};
pub use rest::{import_csv, rest_body};
pub use wire::wire_decode;

/// A target: the fuzzer's bytes in, a panic on a finding.
pub type Target = fn(&[u8]);

/// Every target by name, in the order of the fuzzing record.
pub const TARGETS: &[(&str, Target)] = &[
    ("wire_decode", wire_decode),
    ("sync_message", sync_message),
    ("doc_load", doc_load),
    ("import_csv", import_csv),
    ("rest_body", rest_body),
    ("phone", phone),
    ("date", date),
];
