//! The integration-test binary of outpost-core.

mod convergence;
mod crash;
mod golden;
mod queries;
mod store;
mod support;
mod upgrade;
