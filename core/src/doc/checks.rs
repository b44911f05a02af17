//! The value rules of `model::validate` applied to documents: to the
//! records a merge changed (a server judging what a device sent), and to a
//! whole document arriving for the first time.

use std::collections::BTreeSet;

use automerge::{ChangeHash, ObjType, Prop, ROOT, ReadDoc, Value as AmValue};
use serde_json::{Map, Value};

use super::{CrmDoc, codec, record_obj};
use crate::error::{CoreError, Result};
use crate::model::validate::{FieldError, Rules, check_changed};
use crate::model::{Location, RecordKind};

/// The first rule broken, as the error a refused merge or edit gives.
pub(crate) fn first_error(
    doc: crate::ids::DocumentId,
    kind: RecordKind,
    id: &str,
    errors: Vec<FieldError>,
) -> Result<()> {
    match errors.into_iter().next() {
        None => Ok(()),
        Some(e) => Err(CoreError::SchemaViolation {
            doc,
            reason: format!("{} {id}: {}: {}", kind.name(), e.field, e.reason),
        }),
    }
}

impl CrmDoc {
    /// The record kinds of this document with their root keys.
    fn record_keys(&self) -> Vec<(RecordKind, &'static str)> {
        self.kind
            .collections()
            .iter()
            .copied()
            .chain([self.kind.singleton()])
            .map(|k| {
                (
                    k,
                    match k.location() {
                        Location::Singleton(key) | Location::Collection(key) => key,
                    },
                )
            })
            .collect()
    }

    /// The records (kind, id; "" for the singleton) that the changes since
    /// `before` touch, found from the changes' operations (not a diff of the
    /// whole document).
    pub(crate) fn changed_records(&self, before: &[ChangeHash]) -> BTreeSet<(RecordKind, String)> {
        use automerge::legacy::{Key, ObjectId};
        let keys = self.record_keys();
        let kind_of = |key: &str| keys.iter().find(|(_, k)| *k == key).map(|(k, _)| *k);
        let mut out = BTreeSet::new();
        let mut seen = BTreeSet::new();
        for change in self.am.get_changes(before) {
            for op in change.decode().operations {
                let obj = match op.obj {
                    ObjectId::Root => continue, // the schema checks judge the root
                    ObjectId::Id(id) => id.to_string(),
                };
                let Ok(ex) = self.am.import_obj(&obj) else {
                    continue;
                };
                let Ok(parents) = self.am.parents(&ex) else {
                    continue;
                };
                let chain: Vec<automerge::Parent> = parents.collect();
                match chain.as_slice() {
                    // an op on a collection map: its key is a record id
                    [root] => {
                        if let (Prop::Map(coll), Key::Map(rec)) = (&root.prop, &op.key)
                            && let Some(k) = kind_of(coll)
                            && matches!(k.location(), Location::Collection(_))
                        {
                            out.insert((k, rec.to_string()));
                        }
                    }
                    // inside a record: the last two parents are the
                    // collection's key at the root and the record's key
                    [.., rec, root] if root.obj == ROOT => {
                        if let Prop::Map(coll) = &root.prop
                            && let Some(k) = kind_of(coll)
                        {
                            match k.location() {
                                Location::Singleton(_) => {
                                    out.insert((k, String::new()));
                                }
                                Location::Collection(_) => {
                                    if let Prop::Map(id) = &rec.prop {
                                        out.insert((k, id.clone()));
                                    }
                                }
                            }
                        }
                    }
                    _ => {}
                }
                // the singleton record's own map (its parent is the root)
                if let [root] = chain.as_slice()
                    && let Prop::Map(key) = &root.prop
                    && let Some(k) = kind_of(key)
                    && matches!(k.location(), Location::Singleton(_))
                    && seen.insert(obj)
                {
                    out.insert((k, String::new()));
                }
            }
        }
        out
    }

    /// A record's JSON at `heads` (now with `None`), if it exists then.
    fn record_json_at(
        &self,
        kind: RecordKind,
        id: &str,
        heads: Option<&[ChangeHash]>,
    ) -> Option<Map<String, Value>> {
        let obj = match heads {
            None => record_obj(&self.am, kind, id)?,
            Some(h) => record_obj_at(&self.am, kind, id, h)?,
        };
        match codec::read_json(&self.am, &obj, heads).ok()? {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Judges the records the changes since `before` touched: only the
    /// fields that changed (see `model::validate::check_changed`).
    pub(crate) fn check_changed_values(&self, before: &[ChangeHash], rules: &Rules) -> Result<()> {
        for (kind, id) in self.changed_records(before) {
            let Some(new) = self.record_json_at(kind, &id, None) else {
                continue; // not a record map (the schema checks judge that)
            };
            let old = self.record_json_at(kind, &id, Some(before));
            first_error(
                self.id,
                kind,
                &id,
                check_changed(kind, old.as_ref(), &new, rules),
            )?;
        }
        Ok(())
    }

    /// Judges every record of the document (one arriving whole, e.g. an
    /// account a device created offline).
    pub fn check_all_values(&self, rules: &Rules) -> Result<()> {
        for (kind, key) in self.record_keys() {
            match kind.location() {
                Location::Singleton(_) => {
                    if let Some(new) = self.record_json_at(kind, "", None) {
                        first_error(self.id, kind, "", check_changed(kind, None, &new, rules))?;
                    }
                }
                Location::Collection(_) => {
                    let ids: BTreeSet<String> = super::collection_objs(&self.am, key)
                        .iter()
                        .flat_map(|coll| self.am.keys(coll).collect::<Vec<_>>())
                        .collect();
                    for id in ids {
                        if let Some(new) = self.record_json_at(kind, &id, None) {
                            first_error(
                                self.id,
                                kind,
                                &id,
                                check_changed(kind, None, &new, rules),
                            )?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl CrmDoc {
    /// The records the changes since `before` touched (every record for
    /// empty `before`), in kind and id order.
    pub fn records_changed_since(&self, before: &[ChangeHash]) -> Vec<crate::model::RecordRef> {
        self.changed_records(before)
            .into_iter()
            .map(|(kind, id)| crate::model::RecordRef { kind, id })
            .collect()
    }
}

/// [`record_obj`] at past heads.
fn record_obj_at<R: ReadDoc>(
    doc: &R,
    kind: RecordKind,
    id: &str,
    heads: &[ChangeHash],
) -> Option<automerge::ObjId> {
    let map = |v: Option<(AmValue<'_>, automerge::ObjId)>| match v {
        Some((AmValue::Object(ObjType::Map), obj)) => Some(obj),
        _ => None,
    };
    match kind.location() {
        Location::Singleton(key) => map(doc.get_at(ROOT, key, heads).ok()?),
        // every map at the key then (see `collection_objs`)
        Location::Collection(key) => doc
            .get_all_at(ROOT, key, heads)
            .ok()?
            .into_iter()
            .rev()
            .filter_map(|v| map(Some(v)))
            .find_map(|coll| map(doc.get_at(&coll, id, heads).ok()?)),
    }
}
