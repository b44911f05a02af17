//! The sync protocol, free of I/O: wire messages, and per-document sync
//! sessions over the store. The websocket client lives in `client` (behind
//! the `client` feature); the server is the `sync-server` crate.

pub mod wire;

#[cfg(feature = "client")]
pub mod client;
