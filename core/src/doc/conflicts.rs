//! Concurrent writes to the same field: list them with who wrote each value
//! and when, and resolve them by picking one.

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ReadDoc, Value as AmValue};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{CrmDoc, codec, history, record_obj};
use crate::error::{CoreError, Result};
use crate::ids::Author;
use crate::model::{BOOKKEEPING_FIELDS, Location, RecordKind};

/// One field that two or more devices set concurrently.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Conflict {
    pub kind: RecordKind,
    pub record_id: String,
    /// Dotted path of the field inside the record, e.g. `title` or `emails.<id>.address`.
    pub field: String,
    /// Every concurrent value; the first is the one reads show now.
    pub values: Vec<ConflictValue>,
}

/// One of the values of a conflicted field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ConflictValue {
    pub value: Value,
    /// Who wrote it (`None` for changes by non-Outpost Automerge clients).
    pub author: Option<Author>,
    /// When, in ms since the epoch.
    pub at: i64,
    /// Opaque token naming this value, to pass to [`CrmDoc::resolve_conflict`].
    pub value_id: String,
}

impl CrmDoc {
    /// Every open conflict in the document.
    pub fn conflicts(&self) -> Vec<Conflict> {
        let mut out = Vec::new();
        for &kind in self.kind.collections() {
            if let Location::Collection(key) = kind.location()
                && let Ok(Some((AmValue::Object(ObjType::Map), coll))) =
                    self.am.get(automerge::ROOT, key)
            {
                for id in self.am.keys(&coll) {
                    out.extend(self.record_conflicts(kind, &id));
                }
            }
        }
        let singleton = self.kind.singleton();
        let mut head = self.record_conflicts(singleton, "");
        head.extend(out);
        head
    }

    /// Open conflicts in one record.
    pub fn record_conflicts(&self, kind: RecordKind, id: &str) -> Vec<Conflict> {
        let Some(obj) = record_obj(&self.am, kind, id) else {
            return Vec::new();
        };
        let record_id = if id.is_empty() {
            self.am
                .get(&obj, "id")
                .ok()
                .flatten()
                .and_then(|(v, _)| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        } else {
            id.to_owned()
        };
        let mut out = Vec::new();
        walk(&self.am, &obj, &mut Vec::new(), &mut |path, values| {
            out.push(Conflict {
                kind,
                record_id: record_id.clone(),
                field: path.join("."),
                values,
            })
        });
        out
    }

    /// Resolves a conflict by keeping the value named `value_id`. The choice
    /// is an ordinary change, so it resolves the conflict on every replica
    /// that receives it.
    pub fn resolve_conflict(
        &mut self,
        author: &Author,
        now: i64,
        kind: RecordKind,
        record_id: &str,
        field: &str,
        value_id: &str,
    ) -> Result<()> {
        let no_such = || CoreError::NoSuchConflict {
            kind: kind.name(),
            id: record_id.to_owned(),
            field: field.to_owned(),
        };
        let record = record_obj(&self.am, kind, record_id).ok_or_else(no_such)?;
        let path: Vec<&str> = field.split('.').collect();
        let (last, parents) = path.split_last().ok_or_else(no_such)?;
        let mut parent = record.clone();
        for seg in parents {
            parent = match self.am.get(&parent, *seg)? {
                Some((AmValue::Object(ObjType::Map), id)) => id,
                _ => return Err(no_such()),
            };
        }
        let values = self.am.get_all(&parent, *last)?;
        if values.len() < 2 {
            return Err(no_such());
        }
        let (chosen, chosen_id) = values
            .into_iter()
            .find(|(_, id)| id.to_string() == value_id)
            .ok_or_else(no_such)?;
        let chosen = match chosen {
            AmValue::Scalar(s) => Chosen::Scalar(s.into_owned()),
            AmValue::Object(ObjType::Text) => Chosen::Text(self.am.text(&chosen_id)?),
            AmValue::Object(_) => Chosen::Map(codec::read_json(&self.am, &chosen_id, None)?),
        };
        let last = (*last).to_owned();
        self.edit(author, now, move |e| {
            let tx = &mut e.tx;
            match chosen {
                Chosen::Scalar(s) => tx.put(&parent, last.as_str(), s)?,
                Chosen::Text(t) => {
                    let id = tx.put_object(&parent, last.as_str(), ObjType::Text)?;
                    tx.update_text(&id, t)?;
                }
                Chosen::Map(v) => {
                    let id = tx.put_object(&parent, last.as_str(), ObjType::Map)?;
                    if let Value::Object(m) = v {
                        codec::apply_diff(tx, &id, &Map::new(), &m, 1)?;
                    }
                }
            }
            tx.put(&record, "updated_at", e.now)?;
            tx.put(&record, "updated_by", e.author.user_id.as_str())?;
            Ok(())
        })
    }
}

enum Chosen {
    Scalar(automerge::ScalarValue),
    Text(String),
    Map(Value),
}

fn walk(
    am: &Automerge,
    obj: &ObjId,
    path: &mut Vec<String>,
    found: &mut dyn FnMut(&[String], Vec<ConflictValue>),
) {
    let keys: Vec<String> = am.keys(obj).collect();
    for key in keys {
        let Ok(values) = am.get_all(obj, key.as_str()) else {
            continue;
        };
        path.push(key.clone());
        if values.len() > 1 && !(path.len() == 1 && BOOKKEEPING_FIELDS.contains(&key.as_str())) {
            let mut vals: Vec<ConflictValue> = values
                .iter()
                .map(|(v, id)| {
                    let value = match v {
                        AmValue::Scalar(s) => codec::scalar_to_json(s),
                        AmValue::Object(_) => codec::read_json(am, id, None).unwrap_or(Value::Null),
                    };
                    let (author, at) = history::written_by(am, id);
                    ConflictValue {
                        value,
                        author,
                        at,
                        value_id: id.to_string(),
                    }
                })
                .collect();
            // get_all lists the winner last; show it first, the rest newest first.
            vals.rotate_right(1);
            vals[1..].sort_by(|a, b| b.at.cmp(&a.at).then(a.value_id.cmp(&b.value_id)));
            found(path, vals);
        } else if let Some((AmValue::Object(ObjType::Map), child)) = values.last() {
            walk(am, child, path, found);
        }
        path.pop();
    }
}
