//! Identifiers: automerge-repo document ids, record ids, device identity.

use std::fmt;
use std::str::FromStr;

use crate::error::CoreError;

/// An automerge-repo document id: 16 random bytes, shown as base58check.
///
/// The string form is what follows `automerge:` in an automerge-repo URL, so
/// any automerge-repo client can open an Outpost document by id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

impl DocumentId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(rand::random())
    }

    /// The raw 16 bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Builds an id from its 16 raw bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The `automerge:<id>` URL of this document.
    pub fn url(&self) -> String {
        format!("automerge:{self}")
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl FromStr for DocumentId {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.strip_prefix("automerge:").unwrap_or(s);
        let bytes = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|_| CoreError::InvalidDocumentId)?;
        let arr: [u8; 16] = bytes.try_into().map_err(|_| CoreError::InvalidDocumentId)?;
        Ok(Self(arr))
    }
}

impl serde::Serialize for DocumentId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DocumentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A new record id: a UUID v7 made on the device, so ids sort by creation time
/// and two offline devices never collide.
pub fn new_record_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Who is writing: the user and the device. Every change a device makes is
/// attributed to this pair (see `docs/SCHEMA.md`, "Change attribution").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Author {
    /// The Outpost user id (opaque, never an e-mail address).
    pub user_id: String,
    /// The device id, unique per installation.
    pub device_id: String,
}

impl Author {
    /// The Automerge actor id this device writes with: derived from the device id,
    /// so one installation keeps one actor across all documents.
    pub fn actor(&self) -> automerge::ActorId {
        match uuid::Uuid::parse_str(&self.device_id) {
            Ok(uuid) => automerge::ActorId::from(uuid.as_bytes().as_slice()),
            Err(_) => automerge::ActorId::from(self.device_id.as_bytes()),
        }
    }

    /// The actor id for a document this device had to rebuild `generation`
    /// times (after refused changes): the device actor with the generation
    /// appended, so sequence numbers of discarded changes are never reused.
    pub fn actor_for(&self, generation: u32) -> automerge::ActorId {
        if generation == 0 {
            return self.actor();
        }
        let mut bytes = self.actor().to_bytes().to_vec();
        bytes.extend_from_slice(&generation.to_be_bytes());
        automerge::ActorId::from(bytes.as_slice())
    }

    /// [`Author::actor_for`] for one store installation: `salt` is the
    /// store's own random bytes (see `store::file`), so two installations
    /// that share a device id (one restored from the other's backup) never
    /// write under the same actor. `None` is a store from before salts: the
    /// actor of [`Author::actor_for`].
    pub fn actor_salted(&self, generation: u32, salt: Option<[u8; 8]>) -> automerge::ActorId {
        let Some(salt) = salt else {
            return self.actor_for(generation);
        };
        let mut bytes = self.actor().to_bytes().to_vec();
        bytes.extend_from_slice(&salt);
        bytes.extend_from_slice(&generation.to_be_bytes());
        automerge::ActorId::from(bytes.as_slice())
    }

    /// The commit message that attributes a change to this author.
    pub fn commit_message(&self) -> String {
        serde_json::json!({"outpost": 1, "user": self.user_id, "device": self.device_id})
            .to_string()
    }

    /// Parses a commit message written by [`Author::commit_message`]; `None`
    /// for changes made by other Automerge clients.
    pub fn from_commit_message(message: &str) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_str(message).ok()?;
        v.get("outpost")?;
        Some(Self {
            user_id: v.get("user")?.as_str()?.to_owned(),
            device_id: v.get("device")?.as_str()?.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_id_round_trips_and_checks_its_checksum() {
        let id = DocumentId::random();
        let s = id.to_string();
        assert_eq!(s.parse::<DocumentId>().unwrap(), id);
        assert_eq!(id.url().parse::<DocumentId>().unwrap(), id);
        // flip one character: the checksum must catch it
        let mut chars: Vec<char> = s.chars().collect();
        chars[3] = if chars[3] == '2' { '3' } else { '2' };
        let broken: String = chars.into_iter().collect();
        assert!(broken.parse::<DocumentId>().is_err());
        assert!("not-an-id".parse::<DocumentId>().is_err());
    }

    #[test]
    fn document_id_matches_an_independent_base58check_vector() {
        // bytes 0..16, base58check-encoded by an independent implementation
        // (sha256d checksum, bitcoin alphabet), as automerge-repo's bs58check does
        let bytes: [u8; 16] = core::array::from_fn(|i| i as u8);
        let id = DocumentId::from_bytes(bytes);
        assert_eq!(id.to_string(), "1Bhh3pU9gLXZiNDL6PEa1Gs9fh");
        assert_eq!(
            "1Bhh3pU9gLXZiNDL6PEa1Gs9fh".parse::<DocumentId>().unwrap(),
            id
        );
    }

    #[test]
    fn author_round_trips_through_commit_message() {
        let a = Author {
            user_id: "u1".into(),
            device_id: uuid::Uuid::new_v4().to_string(),
        };
        assert_eq!(
            Author::from_commit_message(&a.commit_message()),
            Some(a.clone())
        );
        assert_eq!(a.actor(), a.actor());
        assert_eq!(Author::from_commit_message("hello"), None);
    }
}
