//! A postal address: found by its postal code (Norway 4 digits, Finland 5,
//! Slovenia 4 with an optional "SI-", Russia 6, British postcodes), the
//! city next to it, the street in front of it and the country written
//! after it or told by the code's form, the city or the card's region.

use super::lines::collapse;
use super::words;

/// An address found among the pieces of a card.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    pub(crate) street: Option<String>,
    pub(crate) postal_code: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) country: Option<String>,
    /// The pieces the address was read from (not names or titles then).
    pub(crate) used: Vec<usize>,
    pub(crate) confidence: f32,
}

/// Words in front of a number that make it a post-office box, not a postal
/// code ("Postboks 1234").
const BOX_WORDS: &[&str] = &[
    "postboks", "boks", "box", "pb", "pl", "p.o.", "postbox", "а/я", "p.p.", "pp",
];

/// Parts of street names and street abbreviations: a piece with one (or
/// with a house number) in front of the postal code line is the street.
const STREET_MARKERS: &[&str] = &[
    "gate",
    "gata",
    "veien",
    "vegen",
    "vei",
    "allé",
    "plass",
    "torget",
    "brygge",
    "tie",
    "katu",
    "kuja",
    "polku",
    "cesta",
    "ulica",
    "trg",
    "ул.",
    "улица",
    "пр.",
    "проспект",
    "пер.",
    "наб.",
    "шоссе",
    "street",
    "road",
    "avenue",
    "lane",
    "drive",
    "boulevard",
    "way",
    "st.",
    "rd.",
    "postboks",
    "box",
    "pl",
    "p.p.",
    "а/я",
    "д.",
];

/// The address among `pieces`: the surest postal-code line (a code whose
/// country is told beats one whose country is guessed: "2200 Lakeshore
/// Drive" reads like a Norwegian code and city), the first of equals; else
/// a "City, Country" line. `hint` is the card's region (from its web
/// domain, or the caller's default) for a code whose country is not
/// written.
pub(crate) fn find(pieces: &[String], hint: &str) -> Option<Found> {
    (0..pieces.len())
        .filter_map(|i| at(pieces, i, hint))
        .reduce(|best, f| {
            if f.confidence > best.confidence {
                f
            } else {
                best
            }
        })
        .or_else(|| city_and_country(pieces))
}

/// "Moscow, Russia", "Oslo, Norway": a city and a country without a postal
/// code.
fn city_and_country(pieces: &[String]) -> Option<Found> {
    pieces.iter().enumerate().find_map(|(i, piece)| {
        let (city, country) = piece.rsplit_once(',')?;
        let country = words::country_code(&country.trim().trim_end_matches('.').to_lowercase())?;
        let city = city_words(city).filter(|c| c.split_whitespace().count() <= 2)?;
        Some(Found {
            street: None,
            postal_code: None,
            city: Some(city),
            country: Some(country.to_owned()),
            used: vec![i],
            confidence: 0.5,
        })
    })
}

/// The address whose postal code is in piece `i`.
fn at(pieces: &[String], i: usize, hint: &str) -> Option<Found> {
    let parts: Vec<&str> = pieces[i]
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    for (p, part) in parts.iter().enumerate() {
        let tokens: Vec<&str> = part.split_whitespace().collect();
        if let Some(found) = postcode_gb(pieces, i, &parts, p, &tokens) {
            return Some(found);
        }
        for (k, token) in tokens.iter().enumerate() {
            let Some((code, prefix)) = digits_code(token) else {
                continue;
            };
            let boxed = k > 0 && BOX_WORDS.contains(&tokens[k - 1].to_lowercase().as_str());
            if boxed {
                continue;
            }
            if let Some(found) = with_code(pieces, i, &parts, p, &tokens, k, code, prefix, hint) {
                return Some(found);
            }
        }
    }
    None
}

/// A postal code token: 4 to 6 digits, or a country prefix and the digits
/// ("N-0155", "SI-1000", "FI-00100").
fn digits_code(token: &str) -> Option<(&str, Option<&'static str>)> {
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit()) && (4..=6).contains(&s.len());
    if all_digits(token) {
        return Some((token, None));
    }
    let (prefix, code) = token.split_once('-')?;
    let country = match prefix {
        "N" | "NO" => "NO",
        "FI" | "FIN" | "SF" => "FI",
        "SI" | "SLO" => "SI",
        "S" | "SE" => "SE",
        "DK" => "DK",
        "RU" => "RU",
        _ => return None,
    };
    all_digits(code).then_some((code, Some(country)))
}

#[allow(clippy::too_many_arguments)]
fn with_code(
    pieces: &[String],
    i: usize,
    parts: &[&str],
    p: usize,
    tokens: &[&str],
    k: usize,
    code: &str,
    prefix: Option<&'static str>,
    hint: &str,
) -> Option<Found> {
    let mut used = vec![i];
    let mut other_parts: Vec<usize> = (0..parts.len()).filter(|q| *q != p).collect();
    let after = tokens[k + 1..].join(" ");
    // a Russian region ("Московская обл.", "Республика Татарстан") is
    // neither the city nor the street
    other_parts.retain(|q| {
        let lower = parts[*q].to_lowercase();
        !words::RU_REGION_WORDS
            .iter()
            .any(|w| lower.split_whitespace().any(|x| x == *w))
    });
    let mut city = city_words(&after);
    if city.is_none() && k + 1 == tokens.len() {
        // "125009, Москва, ул. Тверская" or "ул. Тверская, д. 7, Москва,
        // 125009"; "г. Москва" anywhere; never a country ("…, 630004, Russia")
        let marked = other_parts
            .iter()
            .copied()
            .find(|q| parts[*q].starts_with("г.") || parts[*q].starts_with("г "));
        let near = [p + 1, p.wrapping_sub(1)]
            .into_iter()
            .filter(|q| other_parts.contains(q));
        for q in marked.into_iter().chain(near) {
            let is_country = words::country_code(&parts[q].to_lowercase()).is_some();
            if let Some(c) = city_words(parts[q]).filter(|_| !is_country) {
                city = Some(c);
                other_parts.retain(|o| *o != q);
                break;
            }
        }
    }
    let (mut city, mut country) = split_country(&city?);
    for q in other_parts.clone() {
        if let Some(c) = words::country_code(&parts[q].to_lowercase()) {
            country = country.or(Some(c));
            other_parts.retain(|o| *o != q);
        }
    }
    if country.is_none()
        && let Some(next) = pieces.get(i + 1)
        && let Some(c) = words::country_code(next.trim_end_matches('.').to_lowercase().as_str())
    {
        country = Some(c);
        used.push(i + 1);
    }
    let mut before = collapse(&tokens[..k].join(" "));
    // "Chicago, IL 60616": a state in front of a ZIP code is no street
    if code.len() == 5 && before.len() == 2 && before.chars().all(|c| c.is_ascii_uppercase()) {
        before.clear();
    }
    let mut street = None;
    if !before.is_empty() {
        street = Some(before);
    } else if !other_parts.is_empty() {
        let street_parts: Vec<&str> = other_parts.iter().map(|q| parts[*q]).collect();
        street = Some(street_parts.join(", "));
    } else if i > 0 && street_like(&pieces[i - 1]) {
        street = Some(pieces[i - 1].clone());
        used.push(i - 1);
    }
    if city.chars().all(|c| !c.is_lowercase()) {
        city = title_case(&city);
    }
    let told = prefix
        .or(country)
        .or_else(|| words::city_country(&city.to_lowercase()));
    let known = told.is_some();
    let country = told
        .or_else(|| {
            let cyrillic = pieces[i].chars().any(is_cyrillic);
            match code.len() {
                6 if cyrillic || hint == "RU" => Some("RU"),
                n if words::postal_digits(hint) == Some(n) => Some(static_region(hint)),
                _ => None,
            }
        })
        .filter(|c| !c.is_empty());
    let confidence = match (known, country.is_some()) {
        (true, _) => 0.9,
        (false, true) => 0.75,
        (false, false) => 0.5,
    };
    Some(Found {
        street,
        postal_code: Some(code.to_owned()),
        city: Some(city),
        country: country.map(str::to_owned),
        used,
        confidence,
    })
}

/// A British postcode ("EC1A 1BB", "M1 1AE") in `tokens` (part `p` of piece
/// `i`), with the city in front of it.
fn postcode_gb(
    pieces: &[String],
    i: usize,
    parts: &[&str],
    p: usize,
    tokens: &[&str],
) -> Option<Found> {
    let k = (0..tokens.len().saturating_sub(1))
        .find(|k| gb_outward(tokens[*k]) && gb_inward(tokens[*k + 1]))?;
    let code = format!("{} {}", tokens[k], tokens[k + 1]);
    let mut used = vec![i];
    let mut city = city_words(&tokens[..k].join(" "));
    let mut street_parts: Vec<&str> = parts[..p].to_vec();
    if city.is_none() {
        if let Some(last) = street_parts.pop() {
            city = city_words(last);
        } else if i > 0 {
            city = city_words(&pieces[i - 1]).filter(|c| c.split_whitespace().count() <= 3);
            if city.is_some() {
                used.push(i - 1);
            }
        }
    }
    let mut street = (!street_parts.is_empty()).then(|| street_parts.join(", "));
    let city_piece = used.iter().min().copied().unwrap_or(i);
    if street.is_none() && city_piece > 0 && street_like(&pieces[city_piece - 1]) {
        street = Some(pieces[city_piece - 1].clone());
        used.push(city_piece - 1);
    }
    if pieces
        .get(i + 1)
        .is_some_and(|n| words::country_code(&n.to_lowercase()).is_some())
    {
        used.push(i + 1);
    }
    let city = city.map(|c| {
        if c.chars().all(|ch| !ch.is_lowercase()) {
            title_case(&c)
        } else {
            c
        }
    });
    Some(Found {
        street,
        postal_code: Some(code),
        city,
        country: Some("GB".to_owned()),
        used,
        confidence: 0.85,
    })
}

/// The outward half of a British postcode: one or two letters, a digit, an
/// optional letter or digit.
fn gb_outward(t: &str) -> bool {
    let c: Vec<char> = t.chars().collect();
    let letters = c.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) || c.len() < letters + 1 || c.len() > letters + 2 {
        return false;
    }
    c[letters].is_ascii_digit()
        && c.get(letters + 1)
            .is_none_or(|x| x.is_ascii_digit() || x.is_ascii_uppercase())
}

/// The inward half: a digit and two letters.
fn gb_inward(t: &str) -> bool {
    let c: Vec<char> = t.chars().collect();
    c.len() == 3 && c[0].is_ascii_digit() && c[1].is_ascii_uppercase() && c[2].is_ascii_uppercase()
}

/// The city in the words after a postal code: letters first ("Oslo",
/// "Mo i Rana", "г. Москва" without the "г."), no digits.
fn city_words(text: &str) -> Option<String> {
    let text = text.trim();
    let text = ["г. ", "г.", "гор. ", "g. "]
        .iter()
        .find_map(|p| text.strip_prefix(p))
        .unwrap_or(text)
        .trim();
    let first = text.chars().next()?;
    if !first.is_alphabetic() || !first.is_uppercase() || text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let lower = text.to_lowercase();
    if STREET_MARKERS
        .iter()
        .any(|m| lower.split_whitespace().any(|w| w == *m))
    {
        return None;
    }
    if text.split_whitespace().count() > 4 {
        return None;
    }
    Some(text.to_owned())
}

/// A country name at the end of the city words ("Oslo Norway"): the city
/// and the country.
fn split_country(city: &str) -> (String, Option<&'static str>) {
    let words: Vec<&str> = city.split_whitespace().collect();
    for n in [2, 1] {
        if words.len() > n {
            let tail = words[words.len() - n..].join(" ").to_lowercase();
            if let Some(c) = words::country_code(tail.trim_end_matches('.')) {
                return (words[..words.len() - n].join(" "), Some(c));
            }
        }
    }
    (city.to_owned(), None)
}

/// Whether a piece reads as a street line: a house number or a street word,
/// letters, not too long.
pub(crate) fn street_like(piece: &str) -> bool {
    let lower = piece.to_lowercase();
    if piece.contains('@')
        || piece.split_whitespace().count() > 8
        || !piece.chars().any(char::is_alphabetic)
    {
        return false;
    }
    // "Org.nr. 987 654 321" has a number but is no street
    if lower
        .split(|c: char| !c.is_alphabetic())
        .any(|w| words::contains(words::NOT_PHONE_LABELS, w))
    {
        return false;
    }
    piece.chars().any(|c| c.is_ascii_digit())
        || STREET_MARKERS.iter().any(|m| {
            lower
                .split_whitespace()
                .any(|w| w == *m || (m.len() > 3 && w.ends_with(m)))
        })
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04ff}').contains(&c)
}

/// "OSLO" as "Oslo", "NOVO MESTO" as "Novo Mesto"; "MO I RANA" as "Mo I
/// Rana" (good enough for a suggestion the user confirms).
pub(crate) fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphabetic() && c != '\'';
    }
    out
}

/// The region code from the static tables with the same letters.
fn static_region(region: &str) -> &'static str {
    words::TLD_REGIONS
        .iter()
        .map(|(_, r)| *r)
        .chain(["CH", "BE", "FR", "ES"])
        .find(|r| *r == region)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(
        lines: &[&str],
        hint: &str,
    ) -> (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) {
        let pieces: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        let a = find(&pieces, hint).expect("an address");
        (a.street, a.postal_code, a.city, a.country)
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn postal_codes_of_each_country() {
        assert_eq!(
            one(&["Storgata 12", "N-0155 OSLO"], "FI"),
            (s("Storgata 12"), s("0155"), s("Oslo"), s("NO"))
        );
        assert_eq!(
            one(&["Mannerheimintie 12 A 5, 00100 Helsinki, Finland"], "NO"),
            (
                s("Mannerheimintie 12 A 5"),
                s("00100"),
                s("Helsinki"),
                s("FI")
            )
        );
        assert_eq!(
            one(
                &["Dunajska cesta 156", "SI-1000 Ljubljana", "Slovenija"],
                "NO"
            ),
            (s("Dunajska cesta 156"), s("1000"), s("Ljubljana"), s("SI"))
        );
        assert_eq!(
            one(&["125009, г. Москва, ул. Тверская, д. 7, офис 12"], "NO"),
            (
                s("ул. Тверская, д. 7, офис 12"),
                s("125009"),
                s("Москва"),
                s("RU")
            )
        );
        assert_eq!(
            one(
                &["Россия, 190000, Санкт-Петербург, Невский пр., д. 1"],
                "NO"
            ),
            (
                s("Невский пр., д. 1"),
                s("190000"),
                s("Санкт-Петербург"),
                s("RU")
            )
        );
        assert_eq!(
            one(
                &["423800, Республика Татарстан, г. Набережные Челны, пр. Мира, д. 3"],
                "NO"
            ),
            (
                s("пр. Мира, д. 3"),
                s("423800"),
                s("Набережные Челны"),
                s("RU")
            )
        );
        assert_eq!(
            one(&["8, Lenina St., Novosibirsk, 630004, Russia"], "NO"),
            (s("8, Lenina St."), s("630004"), s("Novosibirsk"), s("RU"))
        );
        assert_eq!(
            one(&["1 Fictional Road", "London EC1A 1BB"], "NO"),
            (s("1 Fictional Road"), s("EC1A 1BB"), s("London"), s("GB"))
        );
        assert_eq!(
            one(&["2200 Lakeshore Drive", "Chicago, IL 60616"], "US"),
            (s("2200 Lakeshore Drive"), s("60616"), s("Chicago"), s("US"))
        );
        assert_eq!(
            one(&["Moscow, Russia"], "NO"),
            (None, None, s("Moscow"), s("RU"))
        );
    }

    #[test]
    fn a_four_digit_code_takes_the_country_of_the_city_or_the_hint() {
        assert_eq!(one(&["2000 Maribor"], "NO").3, s("SI"));
        assert_eq!(one(&["Industriveien 3", "1337 Sandvika"], "SI").3, s("NO"));
        assert_eq!(one(&["4321 Smallville"], "NO").3, s("NO"));
        assert_eq!(one(&["4321 Smallville"], "FI").3, None);
    }

    #[test]
    fn a_post_office_box_number_is_not_a_postal_code() {
        assert_eq!(
            one(&["Postboks 1234 Sentrum", "0102 Oslo"], "NO"),
            (s("Postboks 1234 Sentrum"), s("0102"), s("Oslo"), s("NO"))
        );
    }
}
