//! How Rust collections map onto the document (see docs/SCHEMA.md):
//! lists of items with an `id` are maps keyed by that id, and lists of
//! strings (tags, hobbies) are sets: maps from the string to `true`.
//! Neither ever uses list positions, so concurrent adds on two devices both
//! survive a merge.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An item that lives in a map keyed by its stable id.
pub trait Keyed {
    /// The item's stable id.
    fn key(&self) -> &str;
    /// Sets the id (used when a foreign client omitted it inside the item).
    fn set_key(&mut self, key: String);
}

/// `#[serde(with = "keyed")]` for `Vec<T: Keyed>`: a map keyed by item id,
/// read back in id order (ids are UUID v7, so that is creation order).
///
/// An item without an id (an app appending `Phone { number, .. }`, a REST
/// client sending a JSON array) gets a fresh UUID v7 when it is written, so
/// two new items never collapse into one map key: this is the one place
/// every write path (bindings, REST, import, core) goes through.
pub mod keyed {
    use super::*;

    pub fn serialize<S: Serializer, T: Keyed + Serialize>(
        items: &[T],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let fresh: Vec<String> = items
            .iter()
            .map(|i| {
                if i.key().is_empty() {
                    crate::ids::new_record_id()
                } else {
                    String::new()
                }
            })
            .collect();
        let map: BTreeMap<&str, &T> = items
            .iter()
            .zip(&fresh)
            .map(|(i, f)| (if f.is_empty() { i.key() } else { f.as_str() }, i))
            .collect();
        map.serialize(s)
    }

    /// Items as a map keyed by id (the document's layout), or as a list
    /// (items carry their `id`, or none yet). A visitor rather than an
    /// untagged enum, so an error keeps its path into the item (lenient
    /// reads drop just the bad field, not the whole map).
    struct ItemsVisitor<T>(std::marker::PhantomData<T>);

    impl<'de, T: Keyed + DeserializeOwned> serde::de::Visitor<'de> for ItemsVisitor<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map of items keyed by id, or a list of items")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Vec<T>, A::Error> {
            let mut items: BTreeMap<String, T> = BTreeMap::new();
            while let Some(key) = m.next_key::<String>()? {
                let mut v: T = m.next_value()?;
                // the map key is the item's id, whatever is written inside
                v.set_key(key.clone());
                items.insert(key, v);
            }
            Ok(items.into_values().collect())
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::new();
            while let Some(v) = s.next_element::<T>()? {
                items.push(v);
            }
            Ok(items)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Keyed + DeserializeOwned>(
        d: D,
    ) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(ItemsVisitor(std::marker::PhantomData))
    }
}

/// `#[serde(with = "set")]` for `Vec<String>`: a map from each member to `true`.
pub mod set {
    use super::*;

    pub fn serialize<S: Serializer>(items: &[String], s: S) -> Result<S::Ok, S::Error> {
        let map: BTreeMap<&str, bool> = items.iter().map(|i| (i.as_str(), true)).collect();
        map.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let map: BTreeMap<String, serde_json::Value> = BTreeMap::deserialize(d)?;
        Ok(map
            .into_iter()
            .filter(|(_, v)| !matches!(v, serde_json::Value::Bool(false) | serde_json::Value::Null))
            .map(|(k, _)| k)
            .collect())
    }
}

/// Implements [`Keyed`] for structs with a `pub id: String` field.
macro_rules! impl_keyed {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::model::serde_helpers::Keyed for $t {
            fn key(&self) -> &str { &self.id }
            fn set_key(&mut self, key: String) { self.id = key; }
        }
    )*};
}
pub(crate) use impl_keyed;
