//! Job titles and company names: a title by its words (whole words,
//! Norwegian and Finnish compound endings, Russian stems), a company by its
//! legal form, a company word, or its likeness to the e-mail domain.

use super::names::fold;
use super::words;

/// How a piece names a company, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub(crate) enum CompanyEvidence {
    /// "Fjordline AS", "ООО «Ромашка»", "Acme Ltd".
    LegalForm,
    /// The piece spells the e-mail or web domain ("Fjord Line" for
    /// fjordline.no).
    Domain,
    /// "… Group", "… kommune".
    Word,
}

impl CompanyEvidence {
    pub(crate) fn confidence(self) -> f32 {
        match self {
            CompanyEvidence::LegalForm => 0.9,
            CompanyEvidence::Domain => 0.75,
            CompanyEvidence::Word => 0.6,
        }
    }
}

/// The words of a piece with the quotes and punctuation around them
/// trimmed (kept inside: "d.o.o.", "A/S").
fn bare_words(piece: &str) -> impl Iterator<Item = &str> {
    piece.split_whitespace().map(|w| {
        w.trim_matches(|c: char| {
            matches!(
                c,
                ',' | ';' | ':' | '"' | '«' | '»' | '“' | '”' | '„' | '(' | ')' | '\''
            )
        })
    })
}

/// Whether the piece has a legal form ("AS", "Oy", "d.o.o.", "ООО").
pub(crate) fn legal_form(piece: &str) -> bool {
    bare_words(piece).any(|w| {
        words::LEGAL_FORMS.contains(&w)
            || (w.ends_with('.') && words::LEGAL_FORMS.contains(&w.trim_end_matches('.')))
    })
}

/// How the piece names a company, if it does. `domains` are the card's
/// company domains (e-mail and web, free-mail providers left out).
pub(crate) fn company(piece: &str, domains: &[String]) -> Option<CompanyEvidence> {
    if legal_form(piece) {
        return Some(CompanyEvidence::LegalForm);
    }
    if piece.chars().any(|c| c.is_ascii_digit()) || piece.contains('@') {
        return None;
    }
    if domains.iter().any(|d| spells_domain(piece, d)) {
        return Some(CompanyEvidence::Domain);
    }
    let lower = piece.to_lowercase();
    if bare_words(&lower).any(|w| words::contains(words::COMPANY_WORDS, w)) {
        return Some(CompanyEvidence::Word);
    }
    None
}

/// Whether the letters of `piece` spell the domain's name ("Fjord Line AS"
/// and "fjordline.no"; "Nordic Steel" and "nordicsteel.fi").
pub(crate) fn spells_domain(piece: &str, domain: &str) -> bool {
    let name = domain_name(domain);
    let letters: String = fold(piece)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if name.len() < 3 || letters.len() < 3 || piece.split_whitespace().count() > 5 {
        return false;
    }
    letters == name
        || (name.len() >= 4 && letters.starts_with(&name))
        || (letters.len() >= 4 && name.starts_with(&letters))
}

/// The registrable name of a domain without hyphens ("fjord-line" of
/// "mail.fjord-line.co.uk").
fn domain_name(domain: &str) -> String {
    let labels: Vec<&str> = domain.split('.').collect();
    let n = labels.len();
    let second_level = n >= 3 && matches!(labels[n - 2], "co" | "com" | "org" | "ac" | "net");
    let idx = if second_level {
        n.saturating_sub(3)
    } else {
        n.saturating_sub(2)
    };
    labels
        .get(idx)
        .map(|l| l.replace('-', ""))
        .unwrap_or_default()
}

/// Whether the piece is a job title.
pub(crate) fn is_title(piece: &str) -> bool {
    let lower = piece.to_lowercase();
    lower
        .split(|c: char| !(c.is_alphabetic() || c == '-'))
        .filter(|w| !w.is_empty())
        .any(|w| title_word(w) || w.split('-').any(|part| part != w && title_word(part)))
}

/// Whether one lowercase word is a title word.
pub(crate) fn title_word(word: &str) -> bool {
    words::contains(words::TITLE_WORDS, word)
        || words::TITLE_SUFFIXES.iter().any(|s| word.ends_with(s))
        || words::TITLE_STEMS.iter().any(|s| word.starts_with(s))
}

/// The piece without a "Title:"/"Company:"-like label in front.
pub(crate) fn strip_field_label(piece: &str) -> &str {
    let lower = piece.to_lowercase();
    for label in [
        "title:",
        "company:",
        "firma:",
        "stilling:",
        "yritys:",
        "podjetje:",
        "компания:",
        "должность:",
    ] {
        if lower.starts_with(label) {
            return piece.get(label.len()..).unwrap_or(piece).trim();
        }
    }
    piece
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_in_each_language() {
        for t in [
            "Daglig leder",
            "Salgssjef",
            "Toimitusjohtaja",
            "Myyntipäällikkö",
            "Direktor",
            "Vodja prodaje",
            "Генеральный директор",
            "Менеджер по продажам",
            "Sales Manager",
            "CEO",
            "Key Account Manager",
            "Co-Founder",
        ] {
            assert!(is_title(t), "{t}");
        }
        for t in ["Kari Nordmann", "Fjordline AS", "Oslo", "Иван Петров"] {
            assert!(!is_title(t), "{t}");
        }
    }

    #[test]
    fn companies_by_legal_form_and_domain() {
        let domains = ["fjordline.no".to_owned()];
        for c in [
            "Fjordline AS",
            "Nordic Steel Oy",
            "Podjetje d.o.o.",
            "ООО «Северный ветер»",
            "Acme Widgets Ltd.",
            "Brightwater Analytics Inc.",
        ] {
            assert_eq!(
                company(c, &domains),
                Some(CompanyEvidence::LegalForm),
                "{c}"
            );
        }
        assert_eq!(
            company("Fjord Line", &domains),
            Some(CompanyEvidence::Domain)
        );
        assert_eq!(company("as soon as possible", &domains), None);
        assert_eq!(company("Kari Nordmann", &domains), None);
        assert!(spells_domain("Harbour Freight", "harbour-freight.co.uk"));
    }
}
