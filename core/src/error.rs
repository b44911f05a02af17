//! The core's error type. Messages name documents, records and fields by id
//! only: never a person's name, e-mail address or phone number.

use crate::ids::DocumentId;

/// Everything that can go wrong inside the core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The bytes given are not an Automerge document or change set.
    #[error("document {doc}: bytes are not a valid Automerge document: {source}")]
    NotAutomerge {
        doc: DocumentId,
        #[source]
        source: Box<automerge::AutomergeError>,
    },
    /// The document was written by a newer (or unknown) schema than this build supports.
    #[error(
        "document {doc}: schema version {found} is not supported (this build reads up to {supported})"
    )]
    UnsupportedSchemaVersion {
        doc: DocumentId,
        found: i64,
        supported: i64,
    },
    /// The document's structure breaks the Outpost schema (see docs/SCHEMA.md).
    #[error("document {doc}: {reason}")]
    SchemaViolation { doc: DocumentId, reason: String },
    /// No document with this id in the store.
    #[error("document {0} not found")]
    DocumentNotFound(DocumentId),
    /// No record of this kind and id in the document.
    #[error("{kind} {id} not found in document {doc}")]
    RecordNotFound {
        doc: DocumentId,
        kind: &'static str,
        id: String,
    },
    /// A record of this kind and id already exists.
    #[error("{kind} {id} already exists in document {doc}")]
    RecordExists {
        doc: DocumentId,
        kind: &'static str,
        id: String,
    },
    /// The operation does not fit the document (e.g. a contact in a settings document).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// A document id string that is not base58check of 16 bytes.
    #[error("invalid document id")]
    InvalidDocumentId,
    /// A conflict that no longer exists, or a value index out of range.
    #[error("no such conflict on field {field} of {kind} {id}")]
    NoSuchConflict {
        kind: &'static str,
        id: String,
        field: String,
    },
    /// An Automerge operation failed.
    #[error("automerge: {0}")]
    Automerge(Box<automerge::AutomergeError>),
    /// SQLite failed.
    #[error("storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The store on disk was written by a newer version of Outpost.
    #[error("store schema version {found} is newer than this build supports ({supported})")]
    StoreTooNew { found: i64, supported: i64 },
    /// The store file is open in another handle or process (one writer per
    /// store file, see `store::file`). Close the other one, or share it.
    #[error("the store is open elsewhere (another handle or process)")]
    Locked,
    /// The file system failed (the lock file).
    #[error("file system: {0}")]
    Io(String),
    /// A batch of writes stopped by a panic inside it; it was rolled back and
    /// nothing of it was kept, on disk or in memory.
    #[error("a batch of writes was aborted and rolled back")]
    Aborted,
    /// A value breaks a rule of docs/SCHEMA.md (a range, format, enum, a
    /// stage of the deal's pipeline, a custom field's type or options).
    /// Names the record kind and the field, never the value.
    #[error("invalid {record}: {field} {reason}")]
    InvalidField {
        record: &'static str,
        field: String,
        reason: String,
    },
    /// Bytes from another replica inflate (or weigh) more than the limit.
    #[error("too_large: {what} exceeds the limit of {limit} bytes")]
    TooLarge { what: &'static str, limit: u64 },
    /// Serialising a record failed (a bug, not bad input).
    #[error("encoding a record failed: {0}")]
    Encode(#[from] serde_json::Error),
    /// A template does not compile or render within its limits (the
    /// message names the part and line, never a merged value).
    #[error("template: {0}")]
    Template(#[from] crate::templates::TemplateError),
}

impl From<automerge::AutomergeError> for CoreError {
    fn from(e: automerge::AutomergeError) -> Self {
        CoreError::Automerge(Box::new(e))
    }
}

/// Result alias for the core.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
