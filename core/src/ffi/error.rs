//! The one public error type of the bindings. It lives in core (feature
//! `uniffi`) so that a malformed id given by foreign code, rejected while
//! lifting a `DocumentId` argument, reaches the caller as `Invalid` instead of
//! an internal error. Messages carry ids and reasons only, never a person's
//! name, e-mail address or phone number (core's errors follow the same rule,
//! and the sync client's reasons are protocol-level).

use crate::error::CoreError;

/// What can go wrong, for Kotlin (`OutpostException`), Swift (`OutpostError`)
/// and Python (`OutpostError`).
///
/// The variants' field is `detail`, not `message`: a field named `message`
/// clashes with Kotlin's `Throwable.message` and the generated Kotlin does
/// not compile (uniffi-rs issue 1434). Kotlin's `e.message` still gives the
/// whole text.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum OutpostError {
    /// No such document or record.
    #[error("not found: {detail}")]
    NotFound { detail: String },
    /// The request does not fit (bad id, wrong document kind, schema violation).
    #[error("invalid: {detail}")]
    Invalid { detail: String },
    /// The record already exists, or the conflict to resolve no longer does.
    #[error("conflict: {detail}")]
    Conflict { detail: String },
    /// The server refused the token.
    #[error("unauthorized: {detail}")]
    Unauthorized { detail: String },
    /// The server cannot be reached (or sync is not running).
    #[error("offline: {detail}")]
    Offline { detail: String },
    /// The local database failed, or was written by a newer Outpost.
    #[error("storage: {detail}")]
    Storage { detail: String },
}

impl From<CoreError> for OutpostError {
    fn from(e: CoreError) -> Self {
        let detail = e.to_string();
        match e {
            CoreError::DocumentNotFound(_) | CoreError::RecordNotFound { .. } => {
                Self::NotFound { detail }
            }
            CoreError::RecordExists { .. } | CoreError::NoSuchConflict { .. } => {
                Self::Conflict { detail }
            }
            CoreError::Sqlite(_)
            | CoreError::StoreTooNew { .. }
            | CoreError::Encode(_)
            | CoreError::Aborted => Self::Storage { detail },
            _ => Self::Invalid { detail },
        }
    }
}

#[cfg(feature = "client")]
impl From<tokio::task::JoinError> for OutpostError {
    fn from(_: tokio::task::JoinError) -> Self {
        Self::Storage {
            detail: "the store task failed".into(),
        }
    }
}
