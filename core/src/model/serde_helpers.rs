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
pub mod keyed {
    use super::*;

    pub fn serialize<S: Serializer, T: Keyed + Serialize>(
        items: &[T],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let map: BTreeMap<&str, &T> = items.iter().map(|i| (i.key(), i)).collect();
        map.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Keyed + DeserializeOwned>(
        d: D,
    ) -> Result<Vec<T>, D::Error> {
        let map: BTreeMap<String, T> = BTreeMap::deserialize(d)?;
        Ok(map
            .into_iter()
            .map(|(k, mut v)| {
                // the map key is the item's id, whatever is written inside
                v.set_key(k);
                v
            })
            .collect())
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
