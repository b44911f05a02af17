//! `outpost-server` as a library: the binary (`main.rs`) is its command
//! line; the fuzz targets and tests drive the same code in process.

pub mod access;
pub mod api;
pub mod auth;
pub mod conn;
pub mod console;
pub mod http;
pub mod hub;
pub mod listener;
pub mod org;
pub mod serve;
pub mod state;
pub mod writer;
