//! A captured business card or signature against the contacts the store
//! holds: the one it belongs to, before the app creates a duplicate.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::capture::{Captured, MatchedBy, match_existing};
use crate::error::Result;
use crate::ids::DocumentId;
use crate::model::Contact;
use crate::store::Store;

/// The existing contact a captured card belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CapturedMatch {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub contact_id: String,
    pub full_name: String,
    pub matched_by: MatchedBy,
}

/// How many contacts one e-mail address or number may bring as candidates.
const CANDIDATES_PER_KEY: u32 = 50;

impl Store {
    /// The contact with the card's e-mail address (any case) or phone number
    /// (any format), if this store has one: both over e-mail alone over
    /// phone alone, a live contact over an archived one.
    pub fn match_captured(&mut self, captured: &Captured) -> Result<Option<CapturedMatch>> {
        self.match_captured_within(captured, None)
    }

    /// [`Store::match_captured`] among the contacts of the given account
    /// documents only (a server answers over what the caller may see).
    pub fn match_captured_within(
        &mut self,
        captured: &Captured,
        within: Option<&BTreeSet<DocumentId>>,
    ) -> Result<Option<CapturedMatch>> {
        // candidates from the index: the caller lookup for numbers, the
        // contact search for addresses; `match_existing` then judges them
        let mut keys: BTreeSet<(DocumentId, String)> = BTreeSet::new();
        for p in &captured.phones {
            for m in self.lookup_phone(&p.number_e164)? {
                if let Some(c) = m.contact_id {
                    keys.insert((m.doc_id, c));
                }
            }
        }
        for e in &captured.emails {
            for hit in self.search_contacts_page(e, CANDIDATES_PER_KEY, 0)? {
                keys.insert((hit.doc_id, hit.contact_id));
            }
        }
        let mut found: Vec<(DocumentId, Contact)> = Vec::new();
        for (doc, id) in keys {
            if within.is_some_and(|w| !w.contains(&doc)) {
                continue;
            }
            if let Some(r) = self.get::<Contact>(doc, &id)? {
                found.push((doc, r.record));
            }
        }
        let region = self.options().phone_region.clone();
        let Some(m) = match_existing(captured, found.iter().map(|(_, c)| c), &region) else {
            return Ok(None);
        };
        // `m.contact` is one of `found`'s contacts: its document is beside it
        let Some((doc, contact)) = found.iter().find(|(_, c)| std::ptr::eq(c, m.contact)) else {
            return Ok(None);
        };
        let doc = *doc;
        let account_name = self
            .get::<crate::model::Account>(doc, "")?
            .map(|a| a.record.name)
            .unwrap_or_default();
        Ok(Some(CapturedMatch {
            doc_id: doc,
            account_name,
            contact_id: contact.meta.id.clone(),
            full_name: contact.full_name(),
            matched_by: m.matched_by,
        }))
    }
}
