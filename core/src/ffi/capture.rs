//! Capture from a business card or an e-mail signature on the device: the
//! text an OCR engine (or the mail app) gives, turned into a contact, and
//! the existing contact it belongs to.

use crate::capture::Captured;
use crate::model::Contact;
use crate::store::CapturedMatch;

use super::OutpostError;
use super::store::OutpostStore;

/// The fields of a business card's or signature's text: names, title,
/// company, e-mails, phones (E.164; numbers without a country code read in
/// `default_region`, ISO 3166 alpha-2), website, address, with a confidence
/// per field. Never fails: text with nothing recognisable gives an empty
/// result. Reads at most 8 KiB and 200 lines.
#[uniffi::export]
pub fn parse_card(text: String, default_region: String) -> Captured {
    crate::capture::parse_card(&text, &default_region)
}

/// A new contact from a captured card (the company and website belong to
/// the account: pick or create it from `captured.company`).
#[uniffi::export]
pub fn captured_contact(captured: Captured) -> Contact {
    captured.to_contact()
}

#[uniffi::export]
impl OutpostStore {
    /// The contact on this device with the card's e-mail address or phone
    /// number, if any, before the app creates a duplicate.
    pub async fn match_captured(
        &self,
        captured: Captured,
    ) -> Result<Option<CapturedMatch>, OutpostError> {
        self.with(move |s| s.match_captured(&captured)).await
    }
}
