//! Capture a contact from the text of a business card (as a phone's OCR
//! engine returns it) or of an e-mail signature, offline: [`parse_card`]
//! reads the fields, [`match_existing`] finds the contact the card
//! belongs to if it is already in the CRM, [`Captured::to_contact`] makes a
//! new one.
//!
//! # Capture
//!
//! **What it recognises.** E-mail addresses (also "kari @ fjordline.no",
//! "<kari@…>", "mailto:"; the domain lowercased). Phone numbers with their
//! label ("Tel", "Tlf", "Mob", "M", "GSM", "Faks", "Puh.", "Matkapuhelin",
//! "Mobitel", "Тел.", "Моб.", "Факс"; "Tel./Faks" is a work number; OCR's
//! "O" and "l" inside digits read as 0 and 1; "+47 (0)22…" and the
//! Slovenian "04/532 11 00" understood), in E.164 through
//! [`crate::phone::normalize`] and labelled `fax`, `mobile` or `home` when
//! the card says so, else `mobile` or `work` by the numbering plan;
//! registration, VAT and bank numbers ("Org.nr.", "Y-tunnus", "ИНН", "ID
//! za DDV") are skipped. The website, without the scheme and the trailing
//! slash. The postal address by its postal code — Norway 4 digits ("N-"
//! optional), Finland 5 ("FI-"), Slovenia 4 ("SI-"), Russia 6 in either
//! order of the Russian layout (the region part such as "Республика
//! Татарстан" dropped), British postcodes, US ZIP codes after the state —
//! with the street in front of it and the country written after it or told
//! by the code's prefix, a known city, or the card's region; else a "City,
//! Country" line. The person's name ("Kari Nordmann", "NORDMANN, Kari",
//! "Kari NORDMANN", "mag. Andreja Horvat", "Tomaž Vrhovnik, univ. dipl.
//! inž.", "Петров Иван Сергеевич" — surname first with a patronymic, which
//! is dropped; "Петров Иван" ordered by a list of first names), the best
//! line by its likeness to the e-mail address, or read from an address like
//! "kari.nordmann@…" when no line is a name. The job title (English;
//! Norwegian and Finnish compounds such as "salgssjef" and
//! "myyntipäällikkö" by their endings; Slovenian; Russian by word stems).
//! The company, by its legal form (AS, ASA, Oy, Oyj, Ab, d.o.o., d.d.,
//! s.p., ООО, АО, ПАО, ИП, Ltd, LLC, Inc, GmbH, …), because it spells the
//! e-mail or web domain, or by a word such as "kommune". A line holding
//! two of these ("Kari Nordmann, salgssjef", "Sales Manager at Acme Ltd")
//! is split.
//!
//! E-mail signatures lose what is not the signature: the body before "--"
//! or the closing greeting ("Best regards", "Med vennlig hilsen",
//! "Ystävällisin terveisin", "Lep pozdrav", "С уважением"; a name on the
//! greeting's line is kept), quoted lines and everything from a reply
//! header on, disclaimers and what follows them, "Sent from my iPhone",
//! and prose (a piece of more than 12 words). Lines are split at `|`, `·`,
//! `•`, ` / `, ` - ` and wide gaps.
//!
//! Numbers without a country code are read in the card's region: the
//! country of its address, else of its e-mail or web domain (`.fi`, `.si`,
//! …), else `default_region`. (`phonenumber` 0.3.9 strips the default
//! region's trunk prefix even after "+CC", so with region RU "+7 812 …"
//! loses the 8 of its area code; capture works around it, see
//! `phones::to_e164`, and [`match_existing`] compares numbers the same way.)
//!
//! **Languages.** Norwegian, Finnish, Slovenian, Russian (Cyrillic) and
//! English, and cards that mix them. The rules and the short word lists
//! (`words/`, each with its reason) are all there is: no network, no
//! model. Accuracy on the test corpus (`core/tests/fixtures/cards`, 114
//! invented cards, 36 of them held out while the rules were written):
//! BENCHMARKS.md, "Business-card capture accuracy".
//!
//! **Limits.** At most [`MAX_BYTES`] (8 KiB) of the text and [`MAX_LINES`]
//! (200) lines are read (the rest is ignored), at most 400 pieces of
//! lines, [`MAX_EMAILS`] (10) e-mail addresses and 10 phone numbers are
//! kept, so any input takes bounded time; no input panics (a property test
//! feeds arbitrary strings). One person per card: the best name line wins.
//! Not found: a company without a legal form or company word that does not
//! spell the domain; a name that is not capitalised; a title outside the
//! lists ("Enolog"); a street without a postal code; a place name with " -
//! " in it ("Rateče - Planica" is cut at the dash); the US state, the
//! patronymic and a second person. Every field carries a confidence
//! (0.0–1.0) for the app to decide what to pre-fill and what to ask.
//! Nothing is logged.

mod address;
mod lines;
mod matching;
mod names;
mod online;
mod org;
mod people;
mod phones;
mod words;

#[cfg(test)]
mod tests;

pub use lines::{MAX_BYTES, MAX_LINES};

/// The most e-mail addresses kept from one card.
pub const MAX_EMAILS: usize = 10;
pub use matching::{ExistingMatch, MatchedBy, match_existing};

use serde::{Deserialize, Serialize};

/// What a card or signature says about a person. Fields the text does not
/// show are `None` or empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct Captured {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub first_name: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub last_name: Option<String>,
    /// Job title as written ("Salgssjef", "Генеральный директор").
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub title: Option<String>,
    /// Company as written, with its legal form ("Fjordline AS").
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub company: Option<String>,
    /// E-mail addresses, domain lowercased, in the order written.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub emails: Vec<String>,
    /// Phone numbers in E.164, in the order written.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub phones: Vec<CapturedPhone>,
    /// Host and path, no scheme, no trailing slash ("www.fjordline.no").
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub website: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub address: Option<CapturedAddress>,
    /// How sure each found field is, keyed by field name (`first_name`,
    /// `last_name`, `title`, `company`, `emails`, `phones`, `website`,
    /// `address`); fields not found are absent.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub confidence: Vec<FieldConfidence>,
}

/// A phone number from a card.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct CapturedPhone {
    /// E.164, e.g. `+4722334455`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub number_e164: String,
    /// "mobile", "work", "fax" or "home"; `None` when neither the card nor
    /// the numbering plan tells.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub label: Option<String>,
}

/// A postal address from a card: the fields of
/// [`crate::model::Address`] a card shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct CapturedAddress {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub street: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub postal_code: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, when known.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub country: Option<String>,
}

/// How sure the capture is of one field (0.0–1.0).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct FieldConfidence {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub field: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub confidence: f32,
}

impl Captured {
    /// The confidence of `field` (0.0 when it was not found).
    pub fn confidence_of(&self, field: &str) -> f32 {
        self.confidence
            .iter()
            .find(|c| c.field == field)
            .map_or(0.0, |c| c.confidence)
    }

    /// Whether nothing was recognised.
    pub fn is_empty(&self) -> bool {
        self.first_name.is_none()
            && self.last_name.is_none()
            && self.title.is_none()
            && self.company.is_none()
            && self.emails.is_empty()
            && self.phones.is_empty()
            && self.website.is_none()
            && self.address.is_none()
    }

    fn set_confidence(&mut self, field: &str, confidence: f32) {
        self.confidence.push(FieldConfidence {
            field: field.to_owned(),
            confidence: confidence.clamp(0.0, 1.0),
        });
    }
}

/// Reads a business card's or an e-mail signature's text. `default_region`
/// (ISO 3166-1 alpha-2) is the region for numbers written without a
/// country code when the card's address and domain do not tell.
///
/// Reads at most [`MAX_BYTES`] (8 KiB) and [`MAX_LINES`] (200) lines of
/// `text` (the rest is ignored) and keeps at most [`MAX_EMAILS`] addresses
/// and 10 numbers, so it takes bounded time on any input; never panics,
/// never logs. Text with nothing recognisable gives an empty
/// [`Captured`].
pub fn parse_card(text: &str, default_region: &str) -> Captured {
    let pieces = lines::pieces(text);
    let mut out = Captured::default();
    let mut website: Option<online::Website> = None;
    let mut raw_phones = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    for piece in &pieces {
        let (emails, r) = online::take_emails(piece);
        for e in emails {
            if out.emails.len() < MAX_EMAILS
                && !out.emails.iter().any(|o| o.eq_ignore_ascii_case(&e))
            {
                out.emails.push(e);
            }
        }
        let (site, r) = online::take_website(&r);
        website = website.or(site);
        let (found, r) = phones::take_phones(&r);
        raw_phones.extend(found);
        let r = strip_labels(&r);
        if !r.is_empty() {
            rest.push(r);
        }
    }

    // the card's own domains: its region, and the company's name
    let domains: Vec<String> = out
        .emails
        .iter()
        .filter_map(|e| e.rsplit_once('@').map(|(_, d)| d.to_owned()))
        .filter(|d| !online::is_free_mail(d))
        .chain(website.iter().map(|w| {
            let host = w.address.split('/').next().unwrap_or_default();
            host.strip_prefix("www.").unwrap_or(host).to_owned()
        }))
        .collect();
    let tld_region = domains.iter().find_map(|d| online::tld_region(d));
    let hint = tld_region.unwrap_or(default_region);

    let address = address::find(&rest, hint);
    let region = address
        .as_ref()
        .and_then(|a| a.country.clone())
        .filter(|c| c.parse::<phonenumber::country::Id>().is_ok())
        .unwrap_or_else(|| hint.to_owned());

    let mut phone_confidence: f32 = 1.0;
    for raw in &raw_phones {
        let Some((e164, label, valid)) = phones::normalise(raw, &region) else {
            continue;
        };
        if out.phones.iter().any(|p| p.number_e164 == e164) {
            continue;
        }
        phone_confidence = phone_confidence.min(if valid { 0.9 } else { 0.6 });
        out.phones.push(CapturedPhone {
            number_e164: e164,
            label,
        });
    }

    let used: Vec<usize> = address.as_ref().map(|a| a.used.clone()).unwrap_or_default();
    let remaining: Vec<String> = rest
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, p)| p.clone())
        .collect();
    let people = people::find(&remaining, &out.emails, &domains);

    out.first_name = people.first_name;
    out.last_name = people.last_name;
    out.title = people.title;
    out.company = people.company;
    out.website = website.as_ref().map(|w| w.address.clone());
    out.address = address.as_ref().map(|a| CapturedAddress {
        street: a.street.clone(),
        postal_code: a.postal_code.clone(),
        city: a.city.clone(),
        country: a.country.clone(),
    });

    if out.first_name.is_some() {
        out.set_confidence("first_name", people.name_confidence);
    }
    if out.last_name.is_some() {
        out.set_confidence("last_name", people.name_confidence);
    }
    if out.title.is_some() {
        out.set_confidence("title", people.title_confidence);
    }
    if out.company.is_some() {
        out.set_confidence("company", people.company_confidence);
    }
    if !out.emails.is_empty() {
        out.set_confidence("emails", 0.95);
    }
    if !out.phones.is_empty() {
        out.set_confidence("phones", phone_confidence);
    }
    if let Some(w) = &website {
        out.set_confidence("website", if w.explicit { 0.9 } else { 0.7 });
    }
    if let Some(a) = &address {
        out.set_confidence("address", a.confidence);
    }
    out
}

/// A piece without the channel labels left when its number or address was
/// taken out ("Tel: / Mob:"), trimmed of stray punctuation; empty when
/// nothing else is left.
fn strip_labels(piece: &str) -> String {
    let piece = lines::collapse(piece);
    let lower = piece.to_lowercase();
    let only_labels = lower
        .split(|c: char| !c.is_alphabetic() && c != '-')
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
        .all(|w| words::contains(words::CHANNEL_LABELS, w) || phones::phone_label(w).is_some());
    if only_labels {
        return String::new();
    }
    piece
        .trim_matches(|c: char| {
            c.is_whitespace()
                || matches!(c, ':' | ',' | ';' | '-' | '/' | '(' | ')' | '<' | '>' | '|')
        })
        .to_owned()
}
