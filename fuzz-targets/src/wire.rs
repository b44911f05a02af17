//! The websocket frame decoder.

use outpost_core::sync::wire::WireMessage;

/// Decodes one websocket frame as the server and the device client do. A
/// frame that decodes must encode again, and decode to the same message.
pub fn wire_decode(data: &[u8]) {
    let Ok(msg) = WireMessage::decode(data) else {
        return;
    };
    let _ = (msg.sender_id(), msg.document_id());
    let again = msg.encode().expect("a decoded message encodes");
    let back = WireMessage::decode(&again).expect("an encoded message decodes");
    assert_eq!(back, msg, "frame does not round-trip");
}
