//! Field history from the Automerge change graph: who changed which field of
//! a record, when, and what it was before. Also the heads of the document as
//! it was at a past time.

use std::collections::HashSet;

use automerge::{Automerge, ChangeHash, ObjId, ObjType, PatchAction, ReadDoc, Value as AmValue};
use serde::Serialize;
use serde_json::Value;

use super::{CrmDoc, codec, record_obj};
use crate::ids::Author;
use crate::model::RecordKind;

/// What a change did to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    /// The record was created (field is empty).
    Created,
    /// A value was set.
    Set,
    /// A value was removed.
    Removed,
    /// Collaborative text was edited; old and new hold the whole text.
    TextEdited,
}

/// One entry of a record's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FieldChange {
    /// Dotted path inside the record (empty for `Created`).
    pub field: String,
    pub action: ChangeAction,
    pub old_value: Value,
    pub new_value: Value,
    pub author: Option<Author>,
    /// ms since the epoch.
    pub at: i64,
    /// Hex hash of the Automerge change.
    pub change: String,
}

/// Change timestamps from Outpost are milliseconds; some Automerge clients
/// write seconds. Anything below 10^11 (1973 in ms) is taken as seconds.
pub(crate) fn change_time_ms(ts: i64) -> i64 {
    if ts.abs() < 100_000_000_000 {
        ts * 1000
    } else {
        ts
    }
}

/// Who wrote the op `id`, and when.
pub(crate) fn written_by(am: &Automerge, id: &ObjId) -> (Option<Author>, i64) {
    let Some(meta) = am
        .hash_for_opid(id)
        .and_then(|h| am.get_change_meta_by_hash(&h))
    else {
        return (None, 0);
    };
    (
        meta.message
            .as_deref()
            .and_then(Author::from_commit_message),
        change_time_ms(meta.timestamp),
    )
}

/// The heads of the document made of every change at or before `at` (ms)
/// whose dependencies are also at or before it.
pub(crate) fn heads_at_time(am: &Automerge, at: i64) -> Vec<ChangeHash> {
    let mut included: HashSet<ChangeHash> = HashSet::new();
    let mut is_dep: HashSet<ChangeHash> = HashSet::new();
    for meta in topo_changes(am) {
        if change_time_ms(meta.timestamp) <= at && meta.deps.iter().all(|d| included.contains(d)) {
            included.insert(meta.hash);
            is_dep.extend(meta.deps.iter().copied());
        }
    }
    let mut heads: Vec<ChangeHash> = included.difference(&is_dep).copied().collect();
    heads.sort();
    heads
}

/// Change metadata in an order where every change follows its dependencies.
fn topo_changes(am: &Automerge) -> Vec<automerge::ChangeMetadata<'_>> {
    let mut metas = am.get_changes_meta(&[]);
    let mut seen: HashSet<ChangeHash> = HashSet::new();
    let mut out = Vec::with_capacity(metas.len());
    // Usually already sorted; this loop only reorders stragglers.
    while !metas.is_empty() {
        let before = metas.len();
        let mut rest = Vec::new();
        for m in metas {
            if m.deps.iter().all(|d| seen.contains(d)) {
                seen.insert(m.hash);
                out.push(m);
            } else {
                rest.push(m);
            }
        }
        if rest.len() == before {
            out.extend(rest);
            break;
        }
        metas = rest;
    }
    out
}

impl CrmDoc {
    /// The history of one record, oldest first.
    pub fn history(&self, kind: RecordKind, id: &str) -> Vec<FieldChange> {
        let am = &self.am;
        let Some(record) = record_obj(am, kind, id) else {
            return Vec::new();
        };
        let mut subtree: HashSet<String> = HashSet::new();
        collect_subtree(am, &record, &mut subtree);
        let record_key = record_key(am, &record);
        let mut out = Vec::new();
        for meta in topo_changes(am) {
            let Some(change) = am.get_change_by_hash(&meta.hash) else {
                continue;
            };
            let touches = change.decode().operations.iter().any(|op| {
                subtree.contains(&op.obj.to_string())
                    || matches!(&op.key, automerge::legacy::Key::Map(k) if record_key.as_deref() == Some(k.as_str()))
            });
            if !touches {
                continue;
            }
            let author = meta
                .message
                .as_deref()
                .and_then(Author::from_commit_message);
            let at = change_time_ms(meta.timestamp);
            let before = meta.deps.clone();
            let after = [meta.hash];
            let entry = |field: String, action, old_value, new_value| FieldChange {
                field,
                action,
                old_value,
                new_value,
                author: author.clone(),
                at,
                change: meta.hash.to_string(),
            };
            let mut text_done: HashSet<String> = HashSet::new();
            for patch in am.diff(&before, &after) {
                if let PatchAction::PutMap {
                    key,
                    value: (AmValue::Object(_), obj),
                    ..
                } = &patch.action
                    && *obj == record
                {
                    let _ = key;
                    out.push(entry(
                        String::new(),
                        ChangeAction::Created,
                        Value::Null,
                        Value::Null,
                    ));
                    continue;
                }
                let Some(prefix) = relative_path(&patch, &record) else {
                    continue;
                };
                match &patch.action {
                    PatchAction::PutMap { key, value, .. } => {
                        if matches!(value.0, AmValue::Object(ObjType::Map | ObjType::List)) {
                            continue; // its contents follow as their own patches
                        }
                        let field = join(&prefix, key);
                        let old = value_at(am, &patch.obj, key, &before);
                        let new = match &value.0 {
                            AmValue::Scalar(s) => codec::scalar_to_json(s),
                            AmValue::Object(_) => am
                                .text_at(&value.1, &after)
                                .map(Value::String)
                                .unwrap_or(Value::Null),
                        };
                        out.push(entry(field, ChangeAction::Set, old, new));
                    }
                    PatchAction::DeleteMap { key } => {
                        let old = value_at(am, &patch.obj, key, &before);
                        out.push(entry(
                            join(&prefix, key),
                            ChangeAction::Removed,
                            old,
                            Value::Null,
                        ));
                    }
                    PatchAction::SpliceText { .. } | PatchAction::DeleteSeq { .. } => {
                        let field = prefix.join(".");
                        if am.object_type(&patch.obj).ok() == Some(ObjType::Text)
                            && text_done.insert(field.clone())
                        {
                            let old = am.text_at(&patch.obj, &before).unwrap_or_default();
                            let new = am.text_at(&patch.obj, &after).unwrap_or_default();
                            if old != new {
                                out.push(entry(
                                    field,
                                    ChangeAction::TextEdited,
                                    Value::String(old),
                                    Value::String(new),
                                ));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        // A text field created with its content shows as a Set and a TextEdited
        // from the same change: keep the one with the content.
        out.dedup_by(|b, a| {
            a.change == b.change
                && a.field == b.field
                && b.action == ChangeAction::Set
                && a.action == ChangeAction::TextEdited
        });
        out
    }
}

fn join(prefix: &[String], key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{}.{key}", prefix.join("."))
    }
}

fn value_at(am: &Automerge, obj: &ObjId, key: &str, heads: &[ChangeHash]) -> Value {
    match am.get_at(obj, key, heads) {
        Ok(Some((AmValue::Scalar(s), _))) => codec::scalar_to_json(&s),
        Ok(Some((AmValue::Object(ObjType::Text), id))) => am
            .text_at(&id, heads)
            .map(Value::String)
            .unwrap_or(Value::Null),
        Ok(Some((AmValue::Object(_), id))) => {
            codec::read_json(am, &id, Some(heads)).unwrap_or(Value::Null)
        }
        _ => Value::Null,
    }
}

/// The props from the record down to the patched object, or `None` when the
/// patch is outside the record.
fn relative_path(patch: &automerge::Patch, record: &ObjId) -> Option<Vec<String>> {
    if patch.obj == *record {
        return Some(Vec::new());
    }
    let pos = patch.path.iter().position(|(obj, _)| obj == record)?;
    Some(
        patch.path[pos..]
            .iter()
            .map(|(_, prop)| match prop {
                automerge::Prop::Map(k) => k.clone(),
                automerge::Prop::Seq(i) => i.to_string(),
            })
            .collect(),
    )
}

fn record_key(am: &Automerge, record: &ObjId) -> Option<String> {
    am.parents(record).ok()?.next().and_then(|p| match p.prop {
        automerge::Prop::Map(k) => Some(k),
        automerge::Prop::Seq(_) => None,
    })
}

fn collect_subtree(am: &Automerge, obj: &ObjId, out: &mut HashSet<String>) {
    out.insert(obj.to_string());
    let keys: Vec<String> = am.keys(obj).collect();
    for key in keys {
        if let Ok(values) = am.get_all(obj, key.as_str()) {
            for (v, id) in values {
                match v {
                    AmValue::Object(ObjType::Map) => collect_subtree(am, &id, out),
                    AmValue::Object(_) => {
                        out.insert(id.to_string());
                    }
                    AmValue::Scalar(_) => {}
                }
            }
        }
    }
}
