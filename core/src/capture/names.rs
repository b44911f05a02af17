//! A person's name: which piece of a card is one, and how it splits into
//! first and last name ("Kari Nordmann", "NORDMANN, Kari", "Kari
//! NORDMANN", "Петров Иван Сергеевич").

use super::address::title_case;
use super::{org, words};

/// A name split into its parts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Split {
    pub(crate) first: String,
    pub(crate) last: String,
    /// How sure the order is (1.0: told by the layout or a patronymic).
    pub(crate) order_certainty: f32,
}

/// The words of `piece` if it reads as a person's name: two to four
/// capitalised words of letters (hyphens, apostrophes and initials
/// allowed), none of them a title, a legal form, a label or a place.
pub(crate) fn name_words(piece: &str) -> Option<Vec<&str>> {
    let words = without_honorifics(without_post_nominals(piece).split_whitespace().collect());
    if !(1..=4).contains(&words.len()) || !all_name_words(&words) {
        return None;
    }
    Some(words)
}

/// The piece without degrees after a comma ("…, univ. dipl. inž.", "…, PhD").
fn without_post_nominals(piece: &str) -> &str {
    match piece.split_once(',') {
        Some((name, tail))
            if tail.split_whitespace().count() > 0
                && tail
                    .split_whitespace()
                    .all(|t| words::contains(words::POST_NOMINALS, &t.to_lowercase())) =>
        {
            name
        }
        _ => piece,
    }
}

/// The words without the academic or courtesy titles in front ("mag.",
/// "dr.", "Mr").
fn without_honorifics(mut words: Vec<&str>) -> Vec<&str> {
    while words.len() > 1
        && words::contains(
            words::HONORIFICS,
            &words[0].trim_end_matches('.').to_lowercase(),
        )
    {
        words.remove(0);
    }
    words
}

fn all_name_words(words: &[&str]) -> bool {
    words.iter().enumerate().all(|(i, w)| {
        let particle = i > 0 && i + 1 < words.len() && words::contains(words::SURNAME_PARTICLES, w);
        particle || name_word(w)
    }) && !words
        .iter()
        .all(|w| w.trim_end_matches('.').chars().count() <= 1)
}

/// One word of a name: starts with a capital letter, letters after it
/// (and `-`, `'`, a final `.` of an initial).
fn name_word(word: &str) -> bool {
    let Some(first) = word.chars().next() else {
        return false;
    };
    if !first.is_alphabetic() || !first.is_uppercase() {
        return false;
    }
    let bare = word.strip_suffix('.').unwrap_or(word);
    if word.ends_with('.') && bare.chars().count() > 1 {
        return false; // "Ltd.", "Avd."
    }
    if !bare
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'))
    {
        return false;
    }
    let lower = bare.to_lowercase();
    !(words::contains(words::NOT_NAME_WORDS, &lower)
        || (lower.chars().count() > 1 && words::contains(words::CHANNEL_LABELS, &lower))
        || words::LEGAL_FORMS.contains(&bare)
        || words::contains(words::COMPANY_WORDS, &lower)
        || words::country_code(&lower).is_some()
        || org::title_word(&lower))
}

/// "NORDMANN, Kari" and "Петров, Иван Сергеевич": last name, comma, first
/// name(s).
pub(crate) fn comma_name(piece: &str) -> Option<Split> {
    let (last, first) = piece.split_once(',')?;
    let last: Vec<&str> = last.split_whitespace().collect();
    let first = without_honorifics(first.split_whitespace().collect());
    if !(1..=2).contains(&last.len()) || !(1..=3).contains(&first.len()) {
        return None;
    }
    if !all_name_words(&last) || !all_name_words(&first) {
        return None;
    }
    let mut first_words: Vec<&str> = first.clone();
    if first_words.len() > 1 && first_words.last().is_some_and(|w| patronymic(w)) {
        first_words.pop();
    }
    Some(Split {
        first: cased(&first_words),
        last: cased(&last),
        order_certainty: 1.0,
    })
}

/// The first and last name of the words of a name.
pub(crate) fn split(words: &[&str]) -> Split {
    if words.len() == 1 {
        return Split {
            first: cased(words),
            last: String::new(),
            order_certainty: 0.6,
        };
    }
    if words.iter().any(|w| w.chars().any(is_cyrillic)) {
        return split_russian(words);
    }
    // "Kari NORDMANN": the surname in capitals, the given names not
    let caps: Vec<bool> = words.iter().map(|w| all_caps(w)).collect();
    if caps.iter().any(|c| *c) && !caps.iter().all(|c| *c) {
        let last: Vec<&str> = words
            .iter()
            .zip(&caps)
            .filter(|(_, c)| **c)
            .map(|(w, _)| *w)
            .collect();
        let first: Vec<&str> = words
            .iter()
            .zip(&caps)
            .filter(|(_, c)| !**c)
            .map(|(w, _)| *w)
            .collect();
        return Split {
            first: cased(&first),
            last: cased(&last),
            order_certainty: 0.9,
        };
    }
    // the last word is the surname, with the particles in front of it
    let mut cut = words.len() - 1;
    while cut > 1 && words::contains(words::SURNAME_PARTICLES, &words[cut - 1].to_lowercase()) {
        cut -= 1;
    }
    Split {
        first: cased(&words[..cut]),
        last: cased(&words[cut..]),
        order_certainty: 0.9,
    }
}

/// Russian names: "Фамилия Имя Отчество" (the usual order on cards and
/// documents), "Имя Отчество Фамилия", or two words in either order (the
/// list of first names and the surname endings decide). The patronymic is
/// dropped: a contact has a first and a last name.
fn split_russian(words: &[&str]) -> Split {
    let certain = |first: &str, last: &str| Split {
        first: cased(&[first]),
        last: cased(&[last]),
        order_certainty: 1.0,
    };
    match words {
        [a, b, c] if patronymic(c) => certain(b, a),
        [a, b, c] if patronymic(b) => certain(a, c),
        [a, b] => {
            let (fa, fb) = (first_name(a), first_name(b));
            let (sa, sb) = (surname_like(a), surname_like(b));
            // the second word is the first name when the list says so, or,
            // the list knowing neither, when only the first looks like a
            // surname
            let b_first = !fa && (fb || (sa && !sb));
            let order_certainty = if fa != fb || sa != sb { 0.9 } else { 0.6 };
            let (first, last) = if b_first { (b, a) } else { (a, b) };
            Split {
                first: cased(&[first]),
                last: cased(&[last]),
                order_certainty,
            }
        }
        _ => {
            let n = words.len();
            Split {
                first: cased(&words[..n - 1]),
                last: cased(&words[n - 1..]),
                order_certainty: 0.6,
            }
        }
    }
}

fn patronymic(word: &str) -> bool {
    let w = word.to_lowercase();
    ["ович", "евич", "ьич", "ична", "овна", "евна", "инична"]
        .iter()
        .any(|s| w.ends_with(s))
}

fn surname_like(word: &str) -> bool {
    let w = word.to_lowercase();
    [
        "ов", "ев", "ёв", "ин", "ова", "ева", "ина", "ский", "ская", "цкий", "цкая", "ых", "их",
    ]
    .iter()
    .any(|s| w.ends_with(s))
}

/// Whether the word is a common first name.
pub(crate) fn first_name(word: &str) -> bool {
    words::contains(words::FIRST_NAMES, &word.to_lowercase())
}

fn all_caps(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() > 1 && !word.chars().any(char::is_lowercase)
}

/// The words joined, those written in capitals as "Nordmann".
fn cased(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| {
            if all_caps(w) {
                title_case(w)
            } else {
                (*w).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04ff}').contains(&c)
}

/// Lowercase ASCII letters for comparing a name with an e-mail address:
/// diacritics dropped ("Järvinen" as "jarvinen", "Šuštar" as "sustar"),
/// Cyrillic transliterated ("Петров" as "petrov").
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.to_lowercase().chars() {
        let mapped: &str = match c {
            'æ' | 'ä' => "a",
            'ø' | 'ö' | 'ő' | 'ó' | 'ò' | 'ô' | 'õ' => "o",
            'å' | 'á' | 'à' | 'â' | 'ã' => "a",
            'ü' | 'ú' | 'ù' | 'û' => "u",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'š' | 'ś' => "s",
            'č' | 'ć' | 'ç' => "c",
            'ž' | 'ź' | 'ż' => "z",
            'đ' => "d",
            'ñ' | 'ń' => "n",
            'ß' => "ss",
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' | 'ы' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ю' => "yu",
            'я' => "ya",
            'ъ' | 'ь' => "",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => " ",
        };
        out.push_str(mapped);
    }
    out
}

/// Whether the words of a name match the local part of an e-mail address
/// ("kari.nordmann", "knordmann", "kari", "i.petrov" for "Иван Петров").
pub(crate) fn matches_local(words: &[&str], local: &str) -> bool {
    let local = fold(local);
    let local_tokens: Vec<&str> = local.split_whitespace().collect();
    let joined: String = local_tokens.concat();
    let name = fold(&words.join(" "));
    name.split_whitespace().filter(|t| t.len() >= 3).any(|t| {
        joined.contains(t)
            || local_tokens
                .iter()
                .any(|l| l.len() >= 4 && t.len() >= 4 && l[..4] == t[..4])
    })
}

/// A name read from an address like "kari.nordmann@…" when the card shows
/// none: exactly two parts of letters.
pub(crate) fn from_local(local: &str) -> Option<Split> {
    let parts: Vec<&str> = local.split(['.', '_']).collect();
    match parts[..] {
        [first, last]
            if [first, last]
                .iter()
                .all(|p| p.chars().count() >= 2 && p.chars().all(char::is_alphabetic)) =>
        {
            Some(Split {
                first: title_case(first),
                last: title_case(last),
                order_certainty: 0.8,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(piece: &str) -> (String, String) {
        let s = comma_name(piece).unwrap_or_else(|| split(&name_words(piece).expect("a name")));
        (s.first, s.last)
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn orders_of_names() {
        assert_eq!(parts("Kari Nordmann"), pair("Kari", "Nordmann"));
        assert_eq!(parts("NORDMANN, Kari"), pair("Kari", "Nordmann"));
        assert_eq!(parts("Kari NORDMANN"), pair("Kari", "Nordmann"));
        assert_eq!(parts("KARI NORDMANN"), pair("Kari", "Nordmann"));
        assert_eq!(parts("Anna-Liisa Järvinen"), pair("Anna-Liisa", "Järvinen"));
        assert_eq!(parts("Ole Martin Hansen"), pair("Ole Martin", "Hansen"));
        assert_eq!(
            parts("Ludwig van Beethoven"),
            pair("Ludwig", "van Beethoven")
        );
        assert_eq!(parts("Janez Šuštar"), pair("Janez", "Šuštar"));
        assert_eq!(parts("mag. Andreja Horvat"), pair("Andreja", "Horvat"));
        assert_eq!(parts("Dr. Špela Kranjc"), pair("Špela", "Kranjc"));
        assert_eq!(
            parts("Tomaž Vrhovnik, univ. dipl. inž."),
            pair("Tomaž", "Vrhovnik")
        );
    }

    #[test]
    fn russian_orders() {
        assert_eq!(parts("Петров Иван Сергеевич"), pair("Иван", "Петров"));
        assert_eq!(parts("Иван Сергеевич Петров"), pair("Иван", "Петров"));
        assert_eq!(parts("Иван Петров"), pair("Иван", "Петров"));
        assert_eq!(parts("Петров Иван"), pair("Иван", "Петров"));
        assert_eq!(parts("Смирнова Ольга"), pair("Ольга", "Смирнова"));
        assert_eq!(parts("ПЕТРОВ, Иван Сергеевич"), pair("Иван", "Петров"));
    }

    #[test]
    fn not_names() {
        for piece in [
            "Fjordline AS",
            "Daglig leder",
            "Sales Department",
            "Oslo Norway",
            "Tel",
            "E. F.",
        ] {
            assert!(name_words(piece).is_none(), "{piece}");
        }
    }

    #[test]
    fn names_match_their_email_address() {
        assert!(matches_local(&["Kari", "Nordmann"], "knordmann"));
        assert!(matches_local(&["Matti", "Järvinen"], "matti.jarvinen"));
        assert!(matches_local(&["Иван", "Петров"], "i.petrov"));
        assert!(matches_local(&["Jože", "Čeh"], "joze.ceh"));
        assert!(!matches_local(&["Fjord", "Line"], "post"));
        assert_eq!(
            from_local("kari.nordmann").map(|s| s.last).as_deref(),
            Some("Nordmann")
        );
        assert!(from_local("post").is_none());
    }
}
