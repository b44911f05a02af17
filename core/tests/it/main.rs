//! The integration-test binary of outpost-core.

// Test helpers outside #[test] fns may unwrap; money literals are written as
// major_minor (100_000_00 is 100 000.00).
#![allow(clippy::unwrap_used, clippy::inconsistent_digit_grouping)]

mod convergence;
mod crash;
mod golden;
mod locking;
mod messages;
mod queries;
mod quotes;
mod sales_reports;
mod store;
mod subitems;
mod support;
mod sync;
mod upgrade;
mod validation;
