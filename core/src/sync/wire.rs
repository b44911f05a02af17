//! automerge-repo's websocket protocol, version 1: CBOR-encoded maps with a
//! `type` field. This is the wire format stock `@automerge/automerge-repo`
//! clients speak, so they interoperate with Outpost's server and client.
//!
//! Outpost adds one message type of its own, `outpost-rejected`, which
//! stock clients ignore (see docs/SYNC.md).

use serde::{Deserialize, Serialize};

/// The only protocol version spoken.
pub const PROTOCOL_VERSION: &str = "1";

/// Metadata a peer presents when it joins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerMetadata {
    #[serde(rename = "storageId", default, skip_serializing_if = "Option::is_none")]
    pub storage_id: Option<String>,
    #[serde(rename = "isEphemeral", default)]
    pub is_ephemeral: bool,
}

/// One websocket frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum WireMessage {
    /// Client → server: who I am and which versions I speak.
    #[serde(rename = "join")]
    Join {
        #[serde(rename = "senderId")]
        sender_id: String,
        #[serde(rename = "supportedProtocolVersions")]
        supported_protocol_versions: Vec<String>,
        #[serde(rename = "peerMetadata", default)]
        peer_metadata: Option<PeerMetadata>,
    },
    /// Server → client: the handshake answer.
    #[serde(rename = "peer")]
    Peer {
        #[serde(rename = "senderId")]
        sender_id: String,
        #[serde(rename = "selectedProtocolVersion")]
        selected_protocol_version: String,
        #[serde(rename = "targetId")]
        target_id: String,
        #[serde(rename = "peerMetadata", default)]
        peer_metadata: Option<PeerMetadata>,
    },
    /// Either way: something is wrong; the sender closes the connection.
    #[serde(rename = "error")]
    Error {
        #[serde(rename = "senderId")]
        sender_id: String,
        message: String,
        #[serde(rename = "targetId")]
        target_id: String,
    },
    /// Asks for a document, carrying the first sync message.
    #[serde(rename = "request")]
    Request {
        #[serde(rename = "senderId")]
        sender_id: String,
        #[serde(rename = "targetId")]
        target_id: String,
        #[serde(rename = "documentId")]
        document_id: String,
        #[serde(with = "serde_bytes")]
        data: Vec<u8>,
    },
    /// An Automerge sync message for one document.
    #[serde(rename = "sync")]
    Sync {
        #[serde(rename = "senderId")]
        sender_id: String,
        #[serde(rename = "targetId")]
        target_id: String,
        #[serde(rename = "documentId")]
        document_id: String,
        #[serde(with = "serde_bytes")]
        data: Vec<u8>,
    },
    /// The document does not exist or the peer may not have it (the two are
    /// indistinguishable on purpose).
    #[serde(rename = "doc-unavailable")]
    DocUnavailable {
        #[serde(rename = "senderId")]
        sender_id: String,
        #[serde(rename = "targetId")]
        target_id: String,
        #[serde(rename = "documentId")]
        document_id: String,
    },
    /// Presence and other transient data, never stored.
    #[serde(rename = "ephemeral")]
    Ephemeral {
        #[serde(rename = "senderId")]
        sender_id: String,
        #[serde(rename = "targetId")]
        target_id: String,
        count: u64,
        #[serde(rename = "sessionId")]
        session_id: String,
        #[serde(rename = "documentId")]
        document_id: String,
        #[serde(with = "serde_bytes")]
        data: Vec<u8>,
    },
    /// Subscribe to or unsubscribe from remote heads of storage ids.
    #[serde(rename = "remote-subscription-change")]
    RemoteSubscriptionChange {
        #[serde(rename = "senderId")]
        sender_id: String,
        #[serde(rename = "targetId")]
        target_id: String,
        #[serde(default)]
        add: Option<Vec<String>>,
        #[serde(default)]
        remove: Option<Vec<String>>,
    },
    /// Heads of a document as some storage has them.
    #[serde(rename = "remote-heads-changed")]
    RemoteHeadsChanged {
        #[serde(rename = "senderId")]
        sender_id: String,
        #[serde(rename = "targetId")]
        target_id: String,
        #[serde(rename = "documentId")]
        document_id: String,
        #[serde(rename = "newHeads")]
        new_heads: std::collections::BTreeMap<String, RemoteHeads>,
    },
    /// Outpost extension, server → device: a change to this document was
    /// refused (schema or permission) and not stored. Stock clients ignore it.
    #[serde(rename = "outpost-rejected")]
    Rejected {
        #[serde(rename = "senderId")]
        sender_id: String,
        #[serde(rename = "targetId")]
        target_id: String,
        #[serde(rename = "documentId")]
        document_id: String,
        /// Why, in words for the user (never contains personal data).
        reason: String,
        /// Why, for programs: `read_only`, `schema` or `invalid_document`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        /// The heads the server holds for this document: the device rebuilds
        /// from them.
        #[serde(rename = "serverHeads")]
        server_heads: Vec<String>,
    },
    /// Outpost extension, server → device: every document this device may
    /// sync. Sent after the handshake and whenever it changes; a document
    /// that disappears from the list was revoked. Stock clients ignore it.
    #[serde(rename = "outpost-scope")]
    Scope {
        #[serde(rename = "senderId")]
        sender_id: String,
        #[serde(rename = "targetId")]
        target_id: String,
        documents: Vec<ScopeEntry>,
    },
}

/// One document a device may sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeEntry {
    #[serde(rename = "documentId")]
    pub document_id: String,
    /// "account" or "settings".
    pub kind: String,
    /// Whether this device may change it.
    pub writable: bool,
    /// About how many bytes the document is on the server (for progress).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// Heads of one storage for one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteHeads {
    pub heads: Vec<String>,
    pub timestamp: i64,
}

/// Why a frame could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("frame is not a valid protocol message: {0}")]
    Decode(String),
    #[error("frame could not be encoded: {0}")]
    Encode(String),
}

impl WireMessage {
    /// A sync message for `document_id`, as a `request` (asking for a
    /// document the sender does not have yet) or a plain `sync`.
    pub fn sync_message(
        request: bool,
        sender_id: String,
        target_id: String,
        document_id: String,
        data: Vec<u8>,
    ) -> Self {
        if request {
            WireMessage::Request {
                sender_id,
                target_id,
                document_id,
                data,
            }
        } else {
            WireMessage::Sync {
                sender_id,
                target_id,
                document_id,
                data,
            }
        }
    }

    /// Decodes one binary frame.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        ciborium::de::from_reader(bytes).map_err(|e| WireError::Decode(e.to_string()))
    }

    /// Encodes one binary frame.
    pub fn encode(&self) -> Result<Vec<u8>, WireError> {
        let mut out = Vec::new();
        ciborium::ser::into_writer(self, &mut out).map_err(|e| WireError::Encode(e.to_string()))?;
        Ok(out)
    }

    /// The sender peer id.
    pub fn sender_id(&self) -> &str {
        match self {
            WireMessage::Join { sender_id, .. }
            | WireMessage::Peer { sender_id, .. }
            | WireMessage::Error { sender_id, .. }
            | WireMessage::Request { sender_id, .. }
            | WireMessage::Sync { sender_id, .. }
            | WireMessage::DocUnavailable { sender_id, .. }
            | WireMessage::Ephemeral { sender_id, .. }
            | WireMessage::RemoteSubscriptionChange { sender_id, .. }
            | WireMessage::RemoteHeadsChanged { sender_id, .. }
            | WireMessage::Rejected { sender_id, .. }
            | WireMessage::Scope { sender_id, .. } => sender_id,
        }
    }

    /// The document the message is about, if any.
    pub fn document_id(&self) -> Option<&str> {
        match self {
            WireMessage::Request { document_id, .. }
            | WireMessage::Sync { document_id, .. }
            | WireMessage::DocUnavailable { document_id, .. }
            | WireMessage::Ephemeral { document_id, .. }
            | WireMessage::RemoteHeadsChanged { document_id, .. }
            | WireMessage::Rejected { document_id, .. } => Some(document_id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_message() {
        let msgs = vec![
            WireMessage::Join {
                sender_id: "client".into(),
                supported_protocol_versions: vec!["1".into()],
                peer_metadata: Some(PeerMetadata {
                    storage_id: Some("s1".into()),
                    is_ephemeral: false,
                }),
            },
            WireMessage::Sync {
                sender_id: "a".into(),
                target_id: "b".into(),
                document_id: "1Bhh3pU9gLXZiNDL6PEa1Gs9fh".into(),
                data: vec![0x42, 1, 2, 3],
            },
            WireMessage::DocUnavailable {
                sender_id: "a".into(),
                target_id: "b".into(),
                document_id: "x".into(),
            },
        ];
        for m in msgs {
            assert_eq!(WireMessage::decode(&m.encode().unwrap()).unwrap(), m);
        }
    }

    /// A join frame as `cbor-x` (automerge-repo 2.5.6's encoder) writes it:
    /// a map of text keys, protocol versions as an array of text.
    #[test]
    fn decodes_a_frame_from_a_stock_client() {
        // {"type":"join","senderId":"p1","peerMetadata":{"isEphemeral":true},"supportedProtocolVersions":["1"]}
        let mut frame = vec![0xa4];
        let text = |s: &str, out: &mut Vec<u8>| {
            out.push(0x60 + s.len() as u8);
            out.extend_from_slice(s.as_bytes());
        };
        text("type", &mut frame);
        text("join", &mut frame);
        text("senderId", &mut frame);
        text("p1", &mut frame);
        text("peerMetadata", &mut frame);
        frame.push(0xa1);
        text("isEphemeral", &mut frame);
        frame.push(0xf5);
        frame.push(0x78);
        frame.push(25);
        frame.extend_from_slice(b"supportedProtocolVersions");
        frame.push(0x81);
        text("1", &mut frame);
        let m = WireMessage::decode(&frame).unwrap();
        assert_eq!(
            m,
            WireMessage::Join {
                sender_id: "p1".into(),
                supported_protocol_versions: vec!["1".into()],
                peer_metadata: Some(PeerMetadata {
                    storage_id: None,
                    is_ephemeral: true
                }),
            }
        );
    }

    #[test]
    fn rejects_what_is_not_a_message() {
        for bad in [
            &[0xf6][..],
            &[0xa1, 0x64, b't', b'y', b'p', b'e', 0x63, b'f', b'o', b'o'][..],
            b"\xff\x00",
            &[],
        ] {
            assert!(WireMessage::decode(bad).is_err(), "{bad:?}");
        }
    }
}
