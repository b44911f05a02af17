//! The errors of the bindings. `OutpostError` lives in core (feature
//! `uniffi`) so that a bad argument rejected while lifting it (a malformed
//! document id, a date that is not `YYYY-MM-DD`, a float that is not finite)
//! reaches the caller as `Invalid` instead of an untyped internal error.
//! Messages carry ids, field names and reasons only, never a person's name,
//! e-mail address or phone number (core's errors follow the same rule, and
//! the sync client's reasons are protocol-level).

use crate::error::CoreError;

/// What can go wrong, for Kotlin (`OutpostException`), Swift (`OutpostError`)
/// and Python (`OutpostError`).
///
/// A flat error: the foreign exception's message is the text below (Kotlin
/// `e.message` is `"invalid: …"`, Python `str(e)`, Swift the associated
/// `message`), the variant says what kind of failure it is.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum OutpostError {
    /// No such document or record.
    #[error("not found: {detail}")]
    NotFound { detail: String },
    /// An argument or a value does not fit: a malformed id or date, a field
    /// that breaks a rule of the schema (the message names the field), a
    /// negative limit, a document of the wrong kind.
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
    /// Waiting (`wait_until_synced`) took longer than allowed; the message
    /// says how far sync got (documents done of total, edits not on the
    /// server). Sync goes on.
    #[error("timeout: {detail}")]
    Timeout { detail: String },
    /// The local database failed, or was written by a newer Outpost.
    #[error("storage: {detail}")]
    Storage { detail: String },
    /// The store was closed (`close()`, or every store at interpreter exit):
    /// open it again to go on.
    #[error("closed: {detail}")]
    Closed { detail: String },
    /// The store file is open in another handle or process (an app
    /// extension, a widget, a background worker): one writer per file. Close
    /// the other one, or share one handle within the process.
    #[error("locked: {detail}")]
    Locked { detail: String },
}

impl OutpostError {
    /// `Invalid` for argument `arg`: "`arg`: `reason`".
    pub(crate) fn invalid(arg: &str, reason: impl std::fmt::Display) -> Self {
        Self::Invalid {
            detail: format!("{arg}: {reason}"),
        }
    }

    pub(crate) fn closed() -> Self {
        Self::Closed {
            detail: "the store is closed".into(),
        }
    }
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
            CoreError::InvalidField {
                record,
                field,
                reason,
            } => Self::Invalid {
                detail: format!("{record}.{field}: {reason}"),
            },
            CoreError::Locked => Self::Locked { detail },
            CoreError::Sqlite(_)
            | CoreError::Io(_)
            | CoreError::StoreTooNew { .. }
            | CoreError::Encode(_)
            | CoreError::Aborted => Self::Storage { detail },
            _ => Self::Invalid { detail },
        }
    }
}

impl From<tokio::task::JoinError> for OutpostError {
    fn from(_: tokio::task::JoinError) -> Self {
        Self::Storage {
            detail: "the store task failed".into(),
        }
    }
}

/// What an observer or log sink implemented in the app may throw. Any
/// exception it throws (this one or another) is caught at the boundary and
/// logged once through the log sink; the other observers still run.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ObserverError {
    /// The callback failed; `detail` is the exception's text.
    #[error("{detail}")]
    Failed { detail: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for ObserverError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed { detail: e.reason }
    }
}

impl ObserverError {
    /// The first line of the failure (a Kotlin stack trace, a Python repr):
    /// what the log says about it.
    pub(crate) fn summary(&self) -> &str {
        let Self::Failed { detail } = self;
        detail.lines().next().unwrap_or_default()
    }
}
