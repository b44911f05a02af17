//! From a captured card to the CRM: the existing contact it belongs to
//! ("this is Kari Nordmann, already at Fjordline"), or a new contact.

use super::Captured;
use crate::model::{Address, Contact, Email, Phone};

/// What a captured card and an existing contact share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// The same normalised phone number.
    Phone,
    /// The same e-mail address (case-insensitive).
    Email,
    /// Both.
    EmailAndPhone,
}

/// An existing contact a captured card belongs to.
#[derive(Debug, Clone, Copy)]
pub struct ExistingMatch<'a> {
    pub contact: &'a Contact,
    pub matched_by: MatchedBy,
}

/// The existing contact with the same e-mail address (case-insensitive) or
/// the same phone number as the card, so the app can offer the contact
/// instead of creating a duplicate. `phone_region` is the region the
/// contacts' numbers were typed in (the store's phone region), to
/// normalise them as the query index does.
///
/// The best match wins: both e-mail and phone over e-mail alone over phone
/// alone (a switchboard number is shared by a whole company), a live
/// contact over an archived one, then the first in `candidates`.
pub fn match_existing<'a>(
    captured: &Captured,
    candidates: impl IntoIterator<Item = &'a Contact>,
    phone_region: &str,
) -> Option<ExistingMatch<'a>> {
    let emails: Vec<String> = captured.emails.iter().map(|e| e.to_lowercase()).collect();
    // a fax or switchboard number shared by the company is weak evidence,
    // but still evidence: the caller shows who it found and why
    let numbers: Vec<&str> = captured
        .phones
        .iter()
        .map(|p| p.number_e164.as_str())
        .collect();
    if emails.is_empty() && numbers.is_empty() {
        return None;
    }
    let mut best: Option<(MatchedBy, bool, ExistingMatch<'a>)> = None;
    for contact in candidates {
        let email = contact
            .emails
            .iter()
            .any(|e| emails.contains(&e.address.trim().to_lowercase()));
        let phone = contact.phones.iter().any(|p| {
            super::phones::to_e164(&p.number, phone_region)
                .is_some_and(|n| numbers.contains(&n.as_str()))
        });
        let matched_by = match (email, phone) {
            (true, true) => MatchedBy::EmailAndPhone,
            (true, false) => MatchedBy::Email,
            (false, true) => MatchedBy::Phone,
            (false, false) => continue,
        };
        let live = !contact.meta.archived;
        let better = best
            .as_ref()
            .is_none_or(|(m, l, _)| (matched_by, live) > (*m, *l));
        if better {
            best = Some((
                matched_by,
                live,
                ExistingMatch {
                    contact,
                    matched_by,
                },
            ));
        }
    }
    best.map(|(_, _, m)| m)
}

impl Captured {
    /// A new contact with the card's name, title, e-mail addresses, phones
    /// and address (the first of each primary). Ids are empty: the store
    /// gives them when the contact is written. The company and the website
    /// belong to the account, not the contact: the app picks or creates the
    /// account from [`Captured::company`].
    pub fn to_contact(&self) -> Contact {
        let mut contact = Contact {
            first_name: self.first_name.clone().unwrap_or_default(),
            last_name: self.last_name.clone().unwrap_or_default(),
            title: self.title.clone(),
            ..Contact::default()
        };
        contact.emails = self
            .emails
            .iter()
            .enumerate()
            .map(|(i, e)| Email {
                address: e.clone(),
                label: Some("work".to_owned()),
                primary: i == 0,
                ..Email::default()
            })
            .collect();
        contact.phones = self
            .phones
            .iter()
            .enumerate()
            .map(|(i, p)| Phone {
                number: p.number_e164.clone(),
                label: p.label.clone(),
                primary: i == 0,
                ..Phone::default()
            })
            .collect();
        contact.addresses = self
            .address
            .iter()
            .map(|a| Address {
                label: Some("work".to_owned()),
                street: a.street.clone(),
                postal_code: a.postal_code.clone(),
                city: a.city.clone(),
                country: a.country.clone(),
                primary: true,
                ..Address::default()
            })
            .collect();
        contact
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{CapturedPhone, parse_card};

    fn contact(first: &str, email: &str, phone: &str) -> Contact {
        Contact {
            first_name: first.to_owned(),
            emails: vec![Email {
                id: "e1".to_owned(),
                address: email.to_owned(),
                ..Email::default()
            }],
            phones: vec![Phone {
                id: "p1".to_owned(),
                number: phone.to_owned(),
                ..Phone::default()
            }],
            ..Contact::default()
        }
    }

    #[test]
    fn finds_the_contact_by_email_or_phone_preferring_both() {
        let card = parse_card(
            "Kari Nordmann\nFjordline AS\nKari@Fjordline.no\nMob. 912 34 567",
            "NO",
        );
        let ola = contact("Ola", "ola@fjordline.no", "+47 912 34 567");
        let kari = contact("Kari", "KARI@fjordline.NO", "22 33 44 55");
        let both = contact("Kari B", "kari@fjordline.no", "91234567");
        let by_phone = match_existing(&card, [&ola], "NO").expect("phone");
        assert_eq!(by_phone.matched_by, MatchedBy::Phone);
        let by_email = match_existing(&card, [&ola, &kari], "NO").expect("email");
        assert_eq!(by_email.contact.first_name, "Kari");
        assert_eq!(by_email.matched_by, MatchedBy::Email);
        let m = match_existing(&card, [&ola, &kari, &both], "NO").expect("both");
        assert_eq!(m.contact.first_name, "Kari B");
        assert_eq!(m.matched_by, MatchedBy::EmailAndPhone);
        let stranger = contact("Per", "per@example.no", "22 99 88 77");
        assert!(match_existing(&card, [&stranger], "NO").is_none());
        assert!(match_existing(&Captured::default(), [&kari], "NO").is_none());
    }

    #[test]
    fn a_live_contact_wins_over_an_archived_one() {
        let card = Captured {
            emails: vec!["kari@fjordline.no".to_owned()],
            ..Captured::default()
        };
        let mut old = contact("Old", "kari@fjordline.no", "");
        old.meta.archived = true;
        let new = contact("New", "kari@fjordline.no", "");
        let m = match_existing(&card, [&old, &new], "NO").expect("a match");
        assert_eq!(m.contact.first_name, "New");
    }

    #[test]
    fn to_contact_carries_the_fields_with_empty_ids() {
        let card = Captured {
            first_name: Some("Kari".to_owned()),
            last_name: Some("Nordmann".to_owned()),
            title: Some("Salgssjef".to_owned()),
            emails: vec!["kari@fjordline.no".to_owned(), "k@fjordline.no".to_owned()],
            phones: vec![CapturedPhone {
                number_e164: "+4791234567".to_owned(),
                label: Some("mobile".to_owned()),
            }],
            address: Some(super::super::CapturedAddress {
                city: Some("Oslo".to_owned()),
                country: Some("NO".to_owned()),
                ..Default::default()
            }),
            ..Captured::default()
        };
        let c = card.to_contact();
        assert_eq!(c.full_name(), "Kari Nordmann");
        assert_eq!(c.title.as_deref(), Some("Salgssjef"));
        assert_eq!(
            c.primary_email().map(|e| e.address.as_str()),
            Some("kari@fjordline.no")
        );
        assert_eq!(c.phones[0].number, "+4791234567");
        assert_eq!(c.phones[0].label.as_deref(), Some("mobile"));
        assert_eq!(c.addresses[0].country.as_deref(), Some("NO"));
        assert!(c.meta.id.is_empty() && c.emails.iter().all(|e| e.id.is_empty()));
    }
}
