//! Who and where: the person's name, the job title and the company among
//! the pieces of a card that are not a number, an address or a link.

use super::names::{self, Split};
use super::org::{self, CompanyEvidence};

/// The name, title and company of a card, with how sure each is.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct People {
    pub(crate) first_name: Option<String>,
    pub(crate) last_name: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) company: Option<String>,
    pub(crate) name_confidence: f32,
    pub(crate) title_confidence: f32,
    pub(crate) company_confidence: f32,
}

/// Local parts that name a role or a mailbox, not a person.
const ROLE_MAILBOXES: &[&str] = &[
    "post",
    "postmottak",
    "info",
    "sales",
    "salg",
    "kontakt",
    "contact",
    "office",
    "mail",
    "myynti",
    "asiakaspalvelu",
    "prodaja",
    "info-si",
    "noreply",
    "support",
    "admin",
];

/// Separators between a name, a title and a company on one line:
/// "Kari Nordmann, salgssjef", "Sales Manager at Acme Ltd", "Daglig leder i
/// Fjordline AS".
const SEPARATORS: &[&str] = &[",", " at ", " hos ", " i ", " v ", " в ", " of "];

struct Candidate {
    split: Split,
    score: f32,
    words: usize,
}

/// The person, title and company among `pieces`. `emails` and `domains`
/// (the card's company domains) tell a name or a company line.
pub(crate) fn find(pieces: &[String], emails: &[String], domains: &[String]) -> People {
    let locals: Vec<&str> = emails
        .iter()
        .filter_map(|e| e.split_once('@').map(|(l, _)| l))
        .filter(|l| !ROLE_MAILBOXES.contains(&l.to_lowercase().as_str()))
        .collect();
    let parts: Vec<String> = pieces
        .iter()
        .flat_map(|p| split_mixed(p, domains, 0))
        .collect();
    let mut out = People::default();
    let mut company: Option<(CompanyEvidence, String)> = None;
    let mut titles = 0;
    let mut candidates: Vec<Candidate> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let part = org::strip_field_label(part);
        let matches_email = |words: &[&str]| locals.iter().any(|l| names::matches_local(words, l));
        if let Some(evidence) = org::company(part, domains) {
            let is_person = evidence == CompanyEvidence::Domain
                && names::name_words(part).is_some_and(|w| w.len() >= 2 && matches_email(&w));
            if !is_person {
                if company.as_ref().is_none_or(|(e, _)| evidence < *e) {
                    company = Some((evidence, clean(part)));
                }
                if let Some(owner) = sole_proprietor(part) {
                    candidates.push(Candidate {
                        split: names::split(&owner),
                        score: 0.4,
                        words: owner.len(),
                    });
                }
                continue;
            }
        }
        if org::is_title(part) {
            titles += 1;
            if out.title.is_none() {
                out.title = Some(clean(part));
            }
            continue;
        }
        let position = 0.02 * i.min(10) as f32;
        if let Some(split) = names::comma_name(part) {
            let words: Vec<&str> = part.split([',', ' ']).filter(|w| !w.is_empty()).collect();
            let bonus = if matches_email(&words) { 0.3 } else { 0.0 };
            candidates.push(Candidate {
                split,
                score: 0.6 + bonus - position,
                words: 2,
            });
            continue;
        }
        if let Some(words) = names::name_words(part) {
            let mut score = if words.len() >= 2 { 0.55 } else { 0.3 };
            // the list of first names is the weaker evidence: it only counts
            // when the e-mail address does not tell
            if matches_email(&words) {
                score += 0.3;
            } else if words.iter().any(|w| names::first_name(w)) {
                score += 0.1;
            }
            if words.len() == 1 && score < 0.4 {
                continue; // a lone capitalised word is no name without evidence
            }
            candidates.push(Candidate {
                split: names::split(&words),
                score: score - position,
                words: words.len(),
            });
        }
    }

    let best = candidates
        .into_iter()
        .reduce(|best, c| if c.score > best.score { c } else { best });
    let from_email = locals.iter().find_map(|l| names::from_local(l));
    let chosen = match (best, from_email) {
        // "Best regards, Kari" and kari.nordmann@…: the address has the surname
        (Some(b), Some(e))
            if b.words == 1 && names::fold(&b.split.first) == names::fold(&e.first) =>
        {
            Some((e, 0.7))
        }
        (Some(b), _) => {
            let score = b.score.clamp(0.3, 0.95);
            Some((b.split, score))
        }
        (None, Some(e)) => Some((e, 0.4)),
        (None, None) => None,
    };
    if let Some((split, score)) = chosen {
        out.name_confidence = (score * split.order_certainty.max(0.6) / 0.9).clamp(0.0, 0.95);
        out.first_name = Some(split.first).filter(|s| !s.is_empty());
        out.last_name = Some(split.last).filter(|s| !s.is_empty());
    }
    if let Some((evidence, name)) = company {
        out.company_confidence = evidence.confidence();
        out.company = Some(name);
    }
    out.title_confidence = if titles > 1 { 0.7 } else { 0.8 };
    out
}

/// A line holding a name and a title, or a title and a company, split
/// apart (one separator at a time, each kind tried once).
fn split_mixed(piece: &str, domains: &[String], from: usize) -> Vec<String> {
    if names::comma_name(piece).is_some() {
        return vec![piece.to_owned()];
    }
    for (n, sep) in SEPARATORS.iter().enumerate().skip(from) {
        if !piece.contains(sep) {
            continue;
        }
        let mut parts: Vec<String> = Vec::new();
        for part in piece.split(sep).map(str::trim).filter(|p| !p.is_empty()) {
            // "Brightwater Analytics, Inc.": a legal form alone belongs to the
            // name before it
            match parts.last_mut() {
                Some(last) if org::legal_form(part) && part.split_whitespace().count() == 1 => {
                    last.push_str(sep);
                    last.push_str(part);
                }
                _ => parts.push(part.to_owned()),
            }
        }
        if parts.len() < 2 {
            continue;
        }
        let company = parts.iter().any(|p| org::company(p, domains).is_some());
        let title = parts.iter().any(|p| org::is_title(p));
        let name = parts
            .iter()
            .any(|p| names::name_words(p).is_some_and(|w| w.len() >= 2));
        // "Head of Sales" stays one title: "of" splits a title from a company only
        let apart = if *sep == " of " || *sep == " i " || *sep == " v " || *sep == " в " {
            company && title
        } else {
            company || (title && name)
        };
        if apart {
            return parts
                .iter()
                .flat_map(|p| split_mixed(p, domains, n + 1))
                .collect();
        }
    }
    vec![piece.to_owned()]
}

/// The owner's name in a sole proprietor's company ("ИП Петров Иван
/// Сергеевич", "Janez Novak s.p.").
fn sole_proprietor(piece: &str) -> Option<Vec<&str>> {
    let words: Vec<&str> = piece.split_whitespace().collect();
    if !words
        .iter()
        .any(|w| matches!(*w, "ИП" | "s.p." | "S.P." | "Tmi"))
    {
        return None;
    }
    let rest: Vec<&str> = words
        .into_iter()
        .filter(|w| !matches!(*w, "ИП" | "s.p." | "S.P." | "Tmi"))
        .collect();
    let joined = rest.join(" ");
    names::name_words(&joined).filter(|w| w.len() >= 2)?;
    Some(rest)
}

/// A title or company as shown: trailing punctuation trimmed.
fn clean(piece: &str) -> String {
    piece
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '/'))
        .to_owned()
}
