//! The document schema's version, validation of documents from elsewhere,
//! and forward migrations.

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc, Value as AmValue};

use crate::error::{CoreError, Result};
use crate::ids::DocumentId;
use crate::model::{DocKind, Location};

/// The schema version this build writes. Documents with a higher version are
/// refused rather than half-understood.
pub const SCHEMA_VERSION: i64 = 1;

/// A forward migration from `from` to `from + 1`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub from: i64,
    pub apply: fn(&mut automerge::transaction::Transaction<'_>) -> Result<()>,
}

/// The migrations of this build, oldest first. Version 1 is the first
/// released schema, so there is none yet; a future schema appends one here
/// (and a golden file of the old version, see `tests/golden/`).
///
/// Rule for authors: a migration must be safe to run on several devices at
/// once. It may only put scalars (same value everywhere) and must never
/// create a container that another device could create concurrently.
pub const MIGRATIONS: &[Migration] = &[];

/// Reads the root `type` and `schema_version` and checks the shape of the
/// root: known type, supported version, collections and records are maps.
pub fn validate<R: ReadDoc>(doc: &R, id: DocumentId) -> Result<(DocKind, i64)> {
    let violation = |reason: &str| CoreError::SchemaViolation {
        doc: id,
        reason: reason.to_owned(),
    };
    let tag = match doc.get(ROOT, "type")? {
        Some((AmValue::Scalar(s), _)) => s.as_str().map(str::to_owned),
        // JavaScript clients write strings as Text by default
        Some((AmValue::Object(ObjType::Text), text)) => doc.text(&text).ok(),
        Some(_) => None,
        None => return Err(violation("root `type` is missing: not an Outpost document")),
    };
    let kind = tag
        .as_deref()
        .and_then(DocKind::from_type_tag)
        .ok_or_else(|| violation("root `type` is not an Outpost document type"))?;
    let version = match doc.get(ROOT, "schema_version")? {
        Some((AmValue::Scalar(s), _)) => match s.as_ref() {
            automerge::ScalarValue::Int(i) => *i,
            automerge::ScalarValue::Uint(u) => i64::try_from(*u).unwrap_or(i64::MAX),
            _ => return Err(violation("root `schema_version` is not an integer")),
        },
        _ => return Err(violation("root `schema_version` is missing")),
    };
    if version > SCHEMA_VERSION {
        return Err(CoreError::UnsupportedSchemaVersion {
            doc: id,
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version < 1 {
        return Err(violation("root `schema_version` is below 1"));
    }
    for kind in kind.collections().iter().copied().chain([kind.singleton()]) {
        match kind.location() {
            Location::Singleton(key) => match doc.get(ROOT, key)? {
                None | Some((AmValue::Object(ObjType::Map), _)) => {}
                Some(_) => return Err(violation(&format!("root `{key}` must be a map"))),
            },
            // every value at the key: two devices may each have made the
            // collection's map (see `doc::collection_objs`)
            Location::Collection(key) => {
                for (value, coll) in doc.get_all(ROOT, key)? {
                    if !matches!(value, AmValue::Object(ObjType::Map)) {
                        return Err(violation(&format!("root `{key}` must be a map")));
                    }
                    for rid in doc.keys(&coll) {
                        match doc.get(&coll, rid.as_str())? {
                            Some((AmValue::Object(ObjType::Map), _)) => {}
                            _ => {
                                return Err(violation(&format!(
                                    "record {rid} in `{key}` must be a map"
                                )));
                            }
                        }
                    }
                }
            }
        }
    }
    Ok((kind, version))
}

/// The root keys (collections and singleton records) of a document of
/// `kind` that were present at `heads`: what a merge must keep (see
/// [`validate_continuity`]).
pub fn present_roots_at<R: ReadDoc>(
    doc: &R,
    kind: DocKind,
    heads: &[automerge::ChangeHash],
) -> Result<Vec<&'static str>> {
    let mut present = Vec::new();
    for k in kind.collections().iter().copied().chain([kind.singleton()]) {
        let key = match k.location() {
            Location::Singleton(key) | Location::Collection(key) => key,
        };
        if doc.get_at(ROOT, key, heads)?.is_some() {
            present.push(key);
        }
    }
    Ok(present)
}

/// Checks that a merge keeps what the document had: the same document type,
/// and every collection and singleton record it held (`before`, from
/// [`present_roots_at`]; a foreign client must not be able to delete a whole
/// collection on every replica).
pub fn validate_continuity<S: ReadDoc>(
    before: &[&'static str],
    after: &S,
    id: DocumentId,
    kind: DocKind,
) -> Result<()> {
    let (after_kind, _) = validate(after, id)?;
    if after_kind != kind {
        return Err(CoreError::SchemaViolation {
            doc: id,
            reason: "the document type may not change".into(),
        });
    }
    for key in before {
        if after.get(ROOT, *key)?.is_none() {
            return Err(CoreError::SchemaViolation {
                doc: id,
                reason: format!("root `{key}` may not be deleted"),
            });
        }
    }
    Ok(())
}

/// Runs `steps` on a document at `version` until it reaches `target`,
/// inside the caller's transaction. Returns whether anything ran.
pub(crate) fn run_migrations(
    tx: &mut automerge::transaction::Transaction<'_>,
    version: i64,
    target: i64,
    steps: &[Migration],
) -> Result<bool> {
    let mut v = version;
    while v < target {
        let step = steps
            .iter()
            .find(|m| m.from == v)
            .ok_or_else(|| CoreError::Invalid(format!("no migration from schema version {v}")))?;
        (step.apply)(tx)?;
        v += 1;
        tx.put(ROOT, "schema_version", v)?;
    }
    Ok(v != version)
}
