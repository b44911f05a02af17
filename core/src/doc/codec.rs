//! Between Automerge objects and JSON trees.
//!
//! Reading hydrates an object into `serde_json::Value`. Writing is a
//! three-way diff: given the JSON the caller started from (`old`) and the
//! JSON it wants (`new`), only keys that differ are written. Keys the caller
//! never saw (fields of a newer schema, fields a foreign client wrote with a
//! wrong type) are left alone, and concurrent edits to other fields survive.

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjType, ReadDoc, ScalarValue, Value as AmValue, hydrate};
use serde_json::{Map, Value};

use crate::model::TEXT_FIELDS;

/// An Automerge scalar as JSON. Timestamps become milliseconds; bytes and
/// values from unknown future types become `null`.
pub(crate) fn scalar_to_json(s: &ScalarValue) -> Value {
    match s {
        ScalarValue::Str(s) => Value::String(s.to_string()),
        ScalarValue::Int(i) | ScalarValue::Timestamp(i) => Value::from(*i),
        ScalarValue::Uint(u) => Value::from(*u),
        ScalarValue::F64(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        ScalarValue::Counter(c) => Value::from(i64::from(c)),
        ScalarValue::Boolean(b) => Value::Bool(*b),
        ScalarValue::Bytes(_) | ScalarValue::Unknown { .. } | ScalarValue::Null => Value::Null,
    }
}

/// A hydrated Automerge value as JSON.
pub(crate) fn hydrated_to_json(v: &hydrate::Value) -> Value {
    match v {
        hydrate::Value::Scalar(s) => scalar_to_json(s),
        hydrate::Value::Map(m) => Value::Object(
            m.iter()
                .map(|(k, mv)| (k.clone(), hydrated_to_json(&mv.value)))
                .collect(),
        ),
        hydrate::Value::List(l) => {
            Value::Array(l.iter().map(|lv| hydrated_to_json(&lv.value)).collect())
        }
        hydrate::Value::Text(t) => Value::String(t.to_string()),
    }
}

/// Reads an object (at `heads`, or now) as JSON.
pub(crate) fn read_json<R: ReadDoc>(
    doc: &R,
    obj: &automerge::ObjId,
    heads: Option<&[ChangeHash]>,
) -> Result<Value, automerge::AutomergeError> {
    Ok(hydrated_to_json(&doc.hydrate(obj, heads)?))
}

/// A JSON scalar as an Automerge scalar.
fn json_to_scalar(v: &Value) -> ScalarValue {
    match v {
        Value::Null => ScalarValue::Null,
        Value::Bool(b) => ScalarValue::Boolean(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                ScalarValue::Int(i)
            } else if let Some(u) = n.as_u64() {
                ScalarValue::Uint(u)
            } else {
                ScalarValue::F64(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::String(s) => ScalarValue::Str(s.as_str().into()),
        Value::Array(_) | Value::Object(_) => ScalarValue::Null,
    }
}

/// Writes the difference between `old` and `new` into the map `obj`.
/// `depth` is 0 for a record's own map: only there do [`TEXT_FIELDS`]
/// become collaborative text.
pub(crate) fn apply_diff<T: Transactable>(
    tx: &mut T,
    obj: &automerge::ObjId,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    depth: usize,
) -> Result<(), automerge::AutomergeError> {
    for (key, nv) in new {
        let ov = old.get(key);
        if ov == Some(nv) {
            continue;
        }
        write_value(tx, obj, key, ov, nv, depth)?;
    }
    for key in old.keys() {
        if !new.contains_key(key) && tx.get(obj, key.as_str())?.is_some() {
            tx.delete(obj, key.as_str())?;
        }
    }
    Ok(())
}

fn write_value<T: Transactable>(
    tx: &mut T,
    obj: &automerge::ObjId,
    key: &str,
    old: Option<&Value>,
    new: &Value,
    depth: usize,
) -> Result<(), automerge::AutomergeError> {
    let current = tx.get(obj, key)?;
    match new {
        Value::Null => {
            if current.is_some() {
                tx.delete(obj, key)?;
            }
        }
        Value::String(s) if depth == 0 && TEXT_FIELDS.contains(&key) => {
            let text = match current {
                Some((AmValue::Object(ObjType::Text), id)) => id,
                _ => tx.put_object(obj, key, ObjType::Text)?,
            };
            tx.update_text(&text, s)?;
        }
        Value::Object(new_map) => {
            let empty = Map::new();
            match current {
                Some((AmValue::Object(ObjType::Map), id)) => {
                    let old_map = old.and_then(Value::as_object).unwrap_or(&empty);
                    apply_diff(tx, &id, old_map, new_map, depth + 1)?;
                }
                _ => {
                    let id = tx.put_object(obj, key, ObjType::Map)?;
                    apply_diff(tx, &id, &empty, new_map, depth + 1)?;
                }
            }
        }
        Value::Array(items) => {
            let list = tx.put_object(obj, key, ObjType::List)?;
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Object(m) => {
                        let id = tx.insert_object(&list, i, ObjType::Map)?;
                        apply_diff(tx, &id, &Map::new(), m, depth + 1)?;
                    }
                    other => tx.insert(&list, i, json_to_scalar(other))?,
                }
            }
        }
        scalar => tx.put(obj, key, json_to_scalar(scalar))?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{AutoCommit, ROOT};
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn diff_writes_only_what_changed_and_keeps_unknown_keys() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "foreign", "kept").unwrap();
        let first = obj(json!({"a": 1, "b": "x", "m": {"k": true}, "notes": "hello"}));
        apply_diff(&mut doc, &ROOT, &Map::new(), &first, 0).unwrap();
        let mut second = first.clone();
        second.insert("b".into(), json!("y"));
        second.remove("a");
        second.insert("notes".into(), json!("hello world"));
        apply_diff(&mut doc, &ROOT, &first, &second, 0).unwrap();
        let got = read_json(&doc, &ROOT, None).unwrap();
        assert_eq!(
            got,
            json!({"foreign": "kept", "b": "y", "m": {"k": true}, "notes": "hello world"})
        );
        // notes is collaborative text at the record level
        let (v, _) = doc.get(ROOT, "notes").unwrap().unwrap();
        assert_eq!(v, AmValue::Object(ObjType::Text));
    }

    #[test]
    fn scalars_round_trip() {
        let mut doc = AutoCommit::new();
        let v =
            obj(json!({"i": -5, "u": u64::MAX, "f": 1.5, "t": true, "s": "str", "l": ["a", "b"]}));
        apply_diff(&mut doc, &ROOT, &Map::new(), &v, 1).unwrap();
        assert_eq!(read_json(&doc, &ROOT, None).unwrap(), Value::Object(v));
    }
}
