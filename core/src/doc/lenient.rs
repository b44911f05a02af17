//! Reading records that other clients may have written badly.
//!
//! A field of the wrong type (a foreign client wrote `"archived": "yes"`)
//! must not make the whole record, let alone the account, unreadable. The
//! offending field is dropped from the read (it stays untouched in the
//! document) and reported in [`Read::invalid_fields`].

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A record as read, with the fields that could not be understood.
#[derive(Debug, Clone, PartialEq)]
pub struct Read<R> {
    pub record: R,
    /// Dotted paths of fields that had the wrong type and were ignored.
    pub invalid_fields: Vec<String>,
}

/// Deserialises `value` into `R`, dropping fields that do not fit.
pub(crate) fn read_lenient<R: DeserializeOwned + Default>(mut value: Value) -> Read<R> {
    let mut invalid = Vec::new();
    // Each round removes one bad field, so this ends after at most as many
    // rounds as the value has leaves; the bound is a safety net.
    for _ in 0..256 {
        let err = match serde_path_to_error::deserialize::<_, R>(&value) {
            Ok(record) => {
                return Read {
                    record,
                    invalid_fields: invalid,
                };
            }
            Err(e) => e,
        };
        let path: Vec<String> = err
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                _ => None,
            })
            .collect();
        if path.is_empty() || !remove_path(&mut value, &path) {
            break;
        }
        invalid.push(path.join("."));
    }
    // The error could not be pinned to a path (e.g. inside a flattened
    // struct): drop whole top-level fields that fail on their own.
    if let Value::Object(map) = &mut value {
        let keys: Vec<String> = map.keys().cloned().collect();
        for key in keys {
            let Some(v) = map.get(&key) else { continue };
            let single = Value::Object([(key.clone(), v.clone())].into_iter().collect());
            if serde_json::from_value::<R>(single).is_err() {
                map.remove(&key);
                invalid.push(key);
            }
        }
    }
    let record = serde_json::from_value(value).unwrap_or_default();
    Read {
        record,
        invalid_fields: invalid,
    }
}

fn remove_path(value: &mut Value, path: &[String]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut cur = value;
    for seg in parents {
        cur = match cur {
            Value::Object(m) => match m.get_mut(seg) {
                Some(v) => v,
                None => return false,
            },
            Value::Array(a) => match seg.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    match cur {
        Value::Object(m) => m.remove(last).is_some(),
        Value::Array(a) => match last.parse::<usize>() {
            Ok(i) if i < a.len() => {
                a.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Account, Contact};
    use serde_json::json;

    #[test]
    fn wrongly_typed_fields_are_dropped_not_fatal() {
        let v = json!({
            "id": "c1", "first_name": "Ada", "last_name": 42,
            "archived": "yes",
            "emails": {"e1": {"id": "e1", "address": "a@example.com", "primary": "sure"}},
            "hobbies": {"chess": true},
        });
        let read: Read<Contact> = read_lenient(v);
        assert_eq!(read.record.first_name, "Ada");
        assert_eq!(read.record.last_name, "");
        assert!(!read.record.meta.archived);
        assert_eq!(read.record.emails.len(), 1);
        assert_eq!(read.record.emails[0].address, "a@example.com");
        assert_eq!(read.record.hobbies, vec!["chess".to_string()]);
        let mut fields = read.invalid_fields.clone();
        fields.sort();
        assert_eq!(fields, vec!["archived", "emails.e1.primary", "last_name"]);
    }

    #[test]
    fn a_clean_record_reports_nothing() {
        let read: Read<Account> = read_lenient(json!({"id": "a", "name": "Acme"}));
        assert_eq!(read.record.name, "Acme");
        assert!(read.invalid_fields.is_empty());
    }
}
