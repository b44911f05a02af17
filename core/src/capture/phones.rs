//! Phone numbers in a piece of a card: runs of digits with their label
//! ("Tel:", "Mob.", "Faks", "Puh.", "Тел.", a lone "M"), normalised to
//! E.164 with [`crate::phone::normalize`].

use super::words;

/// Fewest digits of a number written without a label: fewer is a postal
/// code, a street number, a year.
const MIN_DIGITS_UNLABELLED: usize = 7;
/// Fewest digits of a labelled number.
const MIN_DIGITS: usize = 5;
/// Most digits of one number (E.164 has at most 15, plus a trunk or
/// international prefix); a longer run is split at gaps or dropped.
const MAX_DIGITS: usize = 17;
/// Most numbers kept from one card: bounds the time spent normalising.
pub(crate) const MAX_PHONES: usize = 10;

/// A run of digits that may be a phone number, before normalising.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawPhone {
    /// The digits and punctuation as written (OCR look-alikes fixed).
    pub(crate) raw: String,
    /// "mobile", "work", "fax" or "home" from the label in front of it.
    pub(crate) label: Option<&'static str>,
}

/// The phone-number runs in `piece`, and `piece` with them taken out.
/// A run is taken out only if it may be a number (labelled, or long enough);
/// whether it really is one is decided when it is normalised.
pub(crate) fn take_phones(piece: &str) -> (Vec<RawPhone>, String) {
    let chars: Vec<char> = piece.chars().collect();
    let mut found = Vec::new();
    let mut residual = String::new();
    let mut label_from = 0;
    let mut last_label: Option<&'static str> = None;
    let mut i = 0;
    while i < chars.len() {
        if !starts_run(&chars, i) {
            i += 1;
            continue;
        }
        let end = run_end(&chars, i);
        let between: String = chars[label_from..i].iter().collect();
        let label = match label_of(&between) {
            Label::Phone(l) => Some(l),
            Label::NotPhone => {
                residual.push_str(&between);
                residual.extend(&chars[i..end]);
                label_from = end;
                last_label = None;
                i = end;
                continue;
            }
            // "Tel: 22 33 44 55, 22 33 44 56": the second has the first's label
            Label::None if has_words(&between) => None,
            Label::None => last_label,
        };
        let run: String = chars[i..end].iter().map(|c| ocr_digit(*c)).collect();
        let parts = split_run(&run);
        let mut taken = false;
        for part in parts {
            let digits = part.chars().filter(char::is_ascii_digit).count();
            let min = if label.is_some() || part.starts_with('+') {
                MIN_DIGITS
            } else {
                MIN_DIGITS_UNLABELLED
            };
            if (min..=MAX_DIGITS).contains(&digits) && found.len() < MAX_PHONES {
                found.push(RawPhone {
                    raw: clean_run(&part),
                    label,
                });
                taken = true;
            }
        }
        if taken {
            residual.push_str(&strip_labels(&between));
            residual.push(' ');
            last_label = label;
        } else {
            residual.push_str(&between);
            residual.extend(&chars[i..end]);
        }
        label_from = end;
        i = end;
    }
    residual.extend(&chars[label_from..]);
    (found, residual)
}

/// Whether a number starts at `i`: a digit, or "+" / "(" before a digit,
/// not glued to the end of a word ("A4", "EC1A").
fn starts_run(chars: &[char], i: usize) -> bool {
    let next_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
    // "Tel22334455": glued to a label is fine, glued to another word is not
    // (looked at only in front of a digit: the look back is a word long)
    let glued = || i > 0 && chars[i - 1].is_alphanumeric() && !after_label(chars, i);
    match chars[i] {
        '0'..='9' => !glued(),
        '+' => {
            next_digit
                || (chars.get(i + 1) == Some(&' ')
                    && chars.get(i + 2).is_some_and(char::is_ascii_digit))
        }
        '(' => next_digit && !glued(),
        _ => false,
    }
}

/// Whether the letters right before `i` are a phone label.
fn after_label(chars: &[char], i: usize) -> bool {
    let mut start = i;
    while start > 0 && chars[start - 1].is_alphabetic() {
        start -= 1;
    }
    let word: String = chars[start..i].iter().collect::<String>().to_lowercase();
    !word.is_empty() && phone_label(&word).is_some()
}

/// Where the run starting at `start` ends (exclusive), trailing spaces and
/// punctuation not included.
fn run_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    let mut last_digit = start;
    while end < chars.len() {
        let c = chars[end];
        // "5O7", "44 5O", "40 O12": a look-alike after a digit, or starting a
        // group after one when a digit follows
        let after_digit = end > start && chars[end - 1].is_ascii_digit();
        let starts_group = end > start + 1
            && chars[end - 1] == ' '
            && chars[end - 2].is_ascii_digit()
            && chars.get(end + 1).is_some_and(char::is_ascii_digit);
        let digitish = c.is_ascii_digit()
            || (is_ocr_digit(c)
                && (starts_group
                    || (after_digit
                        && chars
                            .get(end + 1)
                            .is_none_or(|n| n.is_ascii_digit() || *n == ' '))));
        if digitish {
            last_digit = end;
        } else if !matches!(c, ' ' | '-' | '.' | '/' | '(' | ')' | '+' | '–') {
            break;
        }
        end += 1;
    }
    let mut end = last_digit + 1;
    // a closing parenthesis right after the last digit belongs to the run
    if chars.get(end) == Some(&')') {
        end += 1;
    }
    end
}

/// OCR reads "0" as "O" and "1" as "l" or "I" inside numbers.
fn is_ocr_digit(c: char) -> bool {
    matches!(c, 'O' | 'o' | 'l' | 'I')
}

fn ocr_digit(c: char) -> char {
    match c {
        'O' | 'o' => '0',
        'l' | 'I' => '1',
        c => c,
    }
}

/// A run that holds two numbers ("22 33 44 55 / 22 33 44 56") split at the
/// slash; a short part after a slash ("22 33 44 55/56", an alternative
/// ending) is dropped. A slash after an area code ("04/532 11 00",
/// "041/345 678": Slovenia, Austria, Germany) is part of the number. A run
/// without a slash is kept whole (and dropped by the digit count if too
/// long).
fn split_run(run: &str) -> Vec<String> {
    let digits = |p: &str| p.chars().filter(char::is_ascii_digit).collect::<String>();
    if let Some((area, rest)) = run.split_once('/') {
        let area_digits = digits(area);
        if (2..=5).contains(&area_digits.len())
            && area_digits.starts_with('0')
            && !rest.contains('/')
            && digits(rest).len() >= MIN_DIGITS
        {
            return vec![format!("{} {}", area.trim(), rest.trim())];
        }
    }
    if run.contains('/') {
        let long = |p: &&str| p.chars().filter(char::is_ascii_digit).count() >= MIN_DIGITS;
        return run.split('/').filter(long).map(str::to_owned).collect();
    }
    vec![run.to_owned()]
}

/// The number as `phone::normalize` reads it: "+47 (0)22 33 44 55" without
/// the "(0)" (the trunk prefix written next to the country code).
fn clean_run(part: &str) -> String {
    let part = part.trim();
    if part.starts_with('+') || part.starts_with("00") {
        part.replace("(0)", " ")
    } else {
        part.to_owned()
    }
}

enum Label {
    /// A phone label: the kind of number.
    Phone(&'static str),
    /// A label of a number that is not a phone (org. number, VAT, account).
    NotPhone,
    /// No label.
    None,
}

/// The label the text in front of a number gives it: the known word nearest
/// to the number decides ("Org.nr/Tel 22 33 44 55" is a phone).
fn label_of(between: &str) -> Label {
    let lower = between.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in tokens.iter().enumerate().rev() {
        if let Some(label) = phone_label(word) {
            // "Tel./Faks": a phone line that also takes faxes
            let before = i.checked_sub(1).and_then(|b| phone_label(tokens[b]));
            if label == "fax" && before.is_some_and(|b| b != "fax") {
                return Label::Phone("work");
            }
            return Label::Phone(label);
        }
        if words::contains(words::NOT_PHONE_LABELS, word) {
            return Label::NotPhone;
        }
    }
    Label::None
}

/// The kind of number a label word names.
pub(crate) fn phone_label(word: &str) -> Option<&'static str> {
    if ["fax", "faks", "факс"].iter().any(|f| word.contains(f)) || word == "f" {
        return Some("fax");
    }
    if ["mob", "matkap", "gsm", "cell", "handy", "моб", "сотов"]
        .iter()
        .any(|m| word.starts_with(m))
        || matches!(word, "m" | "c" | "м" | "сот")
    {
        return Some("mobile");
    }
    if ["home", "privat", "koti", "домашн"]
        .iter()
        .any(|h| word.starts_with(h))
        || word == "h"
    {
        return Some("home");
    }
    // exact words where a prefix would take titles ("direktor", "officer")
    if [
        "tel",
        "тел",
        "puh",
        "phone",
        "sentralbord",
        "vaihde",
        "switch",
        "раб",
    ]
    .iter()
    .any(|w| word.starts_with(w))
        || matches!(
            word,
            "t" | "p"
                | "d"
                | "o"
                | "ph"
                | "dir"
                | "direct"
                | "direkte"
                | "office"
                | "tlf"
                | "main"
                | "work"
                | "т"
        )
    {
        return Some("work");
    }
    None
}

/// Whether the text holds a word (letters), not only punctuation.
fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphabetic)
}

/// The text in front of a number without its phone label words (kept:
/// anything else, e.g. a name before "Tel").
fn strip_labels(between: &str) -> String {
    between
        .split_whitespace()
        .filter(|w| {
            let bare: String = w
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphabetic())
                .collect();
            !(bare.is_empty()
                || phone_label(&bare).is_some()
                || words::contains(words::CHANNEL_LABELS, &bare))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The region [`crate::phone::normalize`] is given for a number once it
/// carries its country code: one without a national (trunk) prefix.
/// `phonenumber` 0.3.9 strips the *default region's* trunk prefix even
/// after "+CC" — with RU, "+7 812 123-45-67" loses the 8 of St Petersburg's
/// area code (and every 8xx area code with it) — and `normalize` re-parses
/// its result with the same region until it is stable, so a national
/// "8 (812) …" loses both 8s. Norway has no trunk prefix.
const INTERNATIONAL_REGION: &str = "NO";

/// A number in E.164 through [`crate::phone::normalize`]. A number written
/// with its country code is normalised without a trunk prefix to strip
/// (see [`INTERNATIONAL_REGION`]). A national number is first put in its
/// international form in `region` as a person reads it — the region's
/// trunk prefix dropped once ("8 (812) …" in RU, "040 …" in FI), the
/// country code put in front — when the numbering plan knows that number;
/// else as `phonenumber` reads it (which also knows international dialling
/// prefixes such as the US "011", but strips RU's 8 twice).
pub(crate) fn to_e164(raw: &str, region: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.starts_with('+') || raw.starts_with("00") {
        return crate::phone::normalize(raw, INTERNATIONAL_REGION);
    }
    let (Ok(id), Some(meta)) = (
        region.parse::<phonenumber::country::Id>(),
        phonenumber::metadata::DATABASE.by_id(region),
    ) else {
        return crate::phone::normalize(raw, region);
    };
    let parsed = phonenumber::parse(Some(id), raw).ok()?;
    if parsed.code().value() == meta.country_code() {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        // with the trunk prefix dropped, else as written ("(812) …" has none)
        let stripped = meta.national_prefix().and_then(|p| digits.strip_prefix(p));
        for national in stripped.into_iter().chain([digits.as_str()]) {
            let read = format!("+{}{national}", meta.country_code());
            if international(&read).is_some_and(|p| phonenumber::is_valid(&p)) {
                return crate::phone::normalize(&read, INTERNATIONAL_REGION);
            }
        }
    }
    let theirs = parsed.format().mode(phonenumber::Mode::E164).to_string();
    crate::phone::normalize(&theirs, INTERNATIONAL_REGION)
}

/// A number written with its country code, parsed without a trunk prefix
/// to strip (`parse(None, …)` strips the number's own country's).
fn international(e164: &str) -> Option<phonenumber::PhoneNumber> {
    let region = INTERNATIONAL_REGION
        .parse::<phonenumber::country::Id>()
        .ok();
    phonenumber::parse(region, e164).ok()
}

/// A number in E.164 with its label and whether the numbering plan knows
/// it, or `None` when it is not a plausible number. Unlabelled numbers must
/// be valid by the numbering plan (or written with "+"). A number labelled
/// only as a phone ("Tel", "Puh.", or no label) is `mobile` when the plan
/// says it is a mobile number, else `work`; "Mob" and "Faks" are kept.
pub(crate) fn normalise(phone: &RawPhone, region: &str) -> Option<(String, Option<String>, bool)> {
    let e164 = to_e164(&phone.raw, region)?;
    let parsed = international(&e164)?;
    let valid = phonenumber::is_valid(&parsed);
    let kind = parsed.number_type(&phonenumber::metadata::DATABASE);
    if phone.label.is_none() && !valid && !phone.raw.starts_with('+') {
        return None;
    }
    let label = match (phone.label, kind) {
        (Some("work") | None, phonenumber::Type::Mobile) => "mobile",
        (Some(l), _) => l,
        (None, _) => "work",
    };
    let label = Some(label.to_owned());
    Some((e164, label, valid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_area_codes_starting_with_8_keep_their_8() {
        for (raw, region) in [
            ("+7 (812) 400-50-60", "RU"),
            ("8 (812) 400-50-60", "RU"),
            ("(812) 400-50-60", "RU"),
            ("+7 812 400 50 60", "FI"),
        ] {
            assert_eq!(
                to_e164(raw, region).as_deref(),
                Some("+78124005060"),
                "{raw} in {region}"
            );
        }
        assert_eq!(
            to_e164("040 123 4567", "FI").as_deref(),
            Some("+358401234567")
        );
        assert_eq!(
            to_e164("0047 22 33 44 55", "SI").as_deref(),
            Some("+4722334455")
        );
        assert_eq!(to_e164("22 33 44 55", "not a region"), None);
    }

    fn raws(piece: &str) -> Vec<(String, Option<&'static str>)> {
        take_phones(piece)
            .0
            .into_iter()
            .map(|p| (p.raw, p.label))
            .collect()
    }

    #[test]
    fn labels_glued_to_numbers_and_two_numbers_on_a_line() {
        assert_eq!(
            raws("Tel.:+47 22 33 44 55 Mob. 912 34 567 Faks 22 33 44 56"),
            [
                ("+47 22 33 44 55".to_owned(), Some("work")),
                ("912 34 567".to_owned(), Some("mobile")),
                ("22 33 44 56".to_owned(), Some("fax")),
            ]
        );
        assert_eq!(
            raws("Matkapuhelin 040 123 4567"),
            [("040 123 4567".to_owned(), Some("mobile"))]
        );
        assert_eq!(
            raws("Тел./факс: 8 (495) 123-45-67"),
            [("8 (495) 123-45-67".to_owned(), Some("work"))]
        );
    }

    #[test]
    fn registration_numbers_postal_codes_and_street_numbers_are_not_phones() {
        assert!(raws("Org.nr. 987 654 321 MVA").is_empty());
        assert!(raws("ИНН 7701234567").is_empty());
        assert!(raws("Storgata 12, 0155 Oslo").is_empty());
        assert!(raws("125009, Москва").is_empty());
        let (_, rest) = take_phones("Org.nr. 987 654 321");
        assert_eq!(rest, "Org.nr. 987 654 321");
    }

    #[test]
    fn area_code_slash_is_part_of_the_number() {
        assert_eq!(
            raws("Tel.:04/532 11 00 GSM:041/345 678"),
            [
                ("04 532 11 00".to_owned(), Some("work")),
                ("041 345 678".to_owned(), Some("mobile")),
            ]
        );
        assert_eq!(
            raws("Tlf 22 33 44 55/56"),
            [("22 33 44 55".to_owned(), Some("work"))]
        );
    }

    #[test]
    fn ocr_look_alikes_and_the_trunk_zero_are_fixed() {
        assert_eq!(
            raws("M: 9l2 34 5O7"),
            [("912 34 507".to_owned(), Some("mobile"))]
        );
        assert_eq!(
            raws("Gsm:+358 40 O12 3456"),
            [("+358 40 012 3456".to_owned(), Some("mobile"))]
        );
        assert_eq!(
            raws("Tel 22 33 44 55 Oslo"),
            [("22 33 44 55".to_owned(), Some("work"))]
        );
        let phone = &take_phones("+47 (0)22 33 44 55").0[0];
        assert_eq!(
            normalise(phone, "NO").map(|n| n.0).as_deref(),
            Some("+4722334455")
        );
    }

    #[test]
    fn unlabelled_numbers_take_their_label_from_the_numbering_plan() {
        let phone = &take_phones("912 34 567").0[0];
        let (e164, label, valid) = normalise(phone, "NO").expect("a number");
        assert_eq!(
            (e164.as_str(), label.as_deref(), valid),
            ("+4791234567", Some("mobile"), true)
        );
        // "Tel" on a mobile number: the plan knows better
        let phone = &take_phones("Tel 912 34 567").0[0];
        assert_eq!(
            normalise(phone, "NO").and_then(|n| n.1).as_deref(),
            Some("mobile")
        );
        // a date is long enough but not a valid number
        let phone = &take_phones("12.03.2024").0[0];
        assert_eq!(normalise(phone, "NO"), None);
    }
}
