//! The business-card capture corpus: every card and signature in
//! `tests/fixtures/cards/*.json` through `capture::parse_card`, compared
//! field by field with what a person reads on it, against accuracy goals
//! (e-mails and phones ≥ 95 %, first and last names and company ≥ 85 %).
//! Prints the per-field, per-language table BENCHMARKS.md quotes:
//!
//! ```sh
//! cargo test -p outpost-core --test capture_corpus -- --nocapture
//! ```
//!
//! The cards are invented (people, companies, numbers; British numbers
//! are from Ofcom's drama ranges, American ones 555-01xx). Each file is a
//! JSON array of `{id, lang, set, region, kind, text, expected}`. `set` is
//! `dev` for the cards the rules were written against, `holdout` for
//! `holdout.json`, written after the rules were frozen and not tuned on:
//! its table is the honest estimate for cards the rules have not seen.
//! `region` is the
//! default region the app passes, `expected` a `Captured` as a person would
//! fill it in — names in their usual case ("KARI NORDMANN" is Kari
//! Nordmann), Russian names without the patronymic, the first title when a
//! card gives it in two languages, the company as printed, phones in E.164
//! labelled `fax` or `mobile` when the card says so, else by the kind of
//! number (`mobile` for a mobile number, `work` for the rest).
//!
//! A field is scored on a card when the card has it or the capture
//! reported it (so a field made up counts as wrong, and a field neither
//! has does not count); text fields compare case-insensitively with
//! whitespace collapsed, e-mails and phones as sets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use outpost_core::capture::{Captured, parse_card};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Card {
    id: String,
    lang: String,
    set: String,
    region: String,
    text: String,
    expected: Captured,
}

/// The fields scored, in table order.
const FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "title",
    "company",
    "emails",
    "phones",
    "phone_labels",
    "website",
    "street",
    "postal_code",
    "city",
    "country",
];

/// Accuracy goals: (field, least share of cards right).
const GOALS: &[(&str, f64)] = &[
    ("emails", 0.95),
    ("phones", 0.95),
    ("first_name", 0.85),
    ("last_name", 0.85),
    ("company", 0.85),
];

/// Fewest cards per language, and in all.
const MIN_PER_LANGUAGE: usize = 12;
const MIN_CARDS: usize = 60;

fn load() -> Vec<Card> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cards");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus directory")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut cards = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a corpus file");
        let some: Vec<Card> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        cards.extend(some);
    }
    cards
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Right, wrong, or not scored (neither has it).
fn text_field(expected: Option<&str>, got: Option<&str>) -> Option<bool> {
    let expected = expected.map(norm).filter(|s| !s.is_empty());
    let got = got.map(norm).filter(|s| !s.is_empty());
    if expected.is_none() && got.is_none() {
        return None;
    }
    Some(expected == got)
}

fn set_field<T: Ord>(expected: BTreeSet<T>, got: BTreeSet<T>) -> Option<bool> {
    if expected.is_empty() && got.is_empty() {
        return None;
    }
    Some(expected == got)
}

fn score(field: &str, e: &Captured, g: &Captured) -> Option<bool> {
    let addr = |c: &Captured, f: fn(&outpost_core::capture::CapturedAddress) -> Option<String>| {
        c.address.as_ref().and_then(f)
    };
    match field {
        "first_name" => text_field(e.first_name.as_deref(), g.first_name.as_deref()),
        "last_name" => text_field(e.last_name.as_deref(), g.last_name.as_deref()),
        "title" => text_field(e.title.as_deref(), g.title.as_deref()),
        "company" => text_field(e.company.as_deref(), g.company.as_deref()),
        "website" => text_field(e.website.as_deref(), g.website.as_deref()),
        "emails" => set_field(
            e.emails.iter().map(|m| m.to_lowercase()).collect(),
            g.emails.iter().map(|m| m.to_lowercase()).collect(),
        ),
        "phones" => set_field(
            e.phones.iter().map(|p| p.number_e164.clone()).collect(),
            g.phones.iter().map(|p| p.number_e164.clone()).collect(),
        ),
        "phone_labels" => set_field(
            e.phones
                .iter()
                .map(|p| (p.number_e164.clone(), p.label.clone()))
                .collect(),
            g.phones
                .iter()
                .map(|p| (p.number_e164.clone(), p.label.clone()))
                .collect(),
        ),
        "street" => text_field(
            addr(e, |a| a.street.clone()).as_deref(),
            addr(g, |a| a.street.clone()).as_deref(),
        ),
        "postal_code" => text_field(
            addr(e, |a| a.postal_code.clone()).as_deref(),
            addr(g, |a| a.postal_code.clone()).as_deref(),
        ),
        "city" => text_field(
            addr(e, |a| a.city.clone()).as_deref(),
            addr(g, |a| a.city.clone()).as_deref(),
        ),
        "country" => text_field(
            addr(e, |a| a.country.clone()).as_deref(),
            addr(g, |a| a.country.clone()).as_deref(),
        ),
        other => panic!("unknown field {other}"),
    }
}

/// One field's value as text, for the list of misses.
fn show(field: &str, c: &Captured) -> String {
    match field {
        "emails" => format!("{:?}", c.emails),
        "phones" => format!(
            "{:?}",
            c.phones.iter().map(|p| &p.number_e164).collect::<Vec<_>>()
        ),
        "phone_labels" => format!(
            "{:?}",
            c.phones
                .iter()
                .map(|p| (&p.number_e164, &p.label))
                .collect::<Vec<_>>()
        ),
        "first_name" => format!("{:?}", c.first_name),
        "last_name" => format!("{:?}", c.last_name),
        "title" => format!("{:?}", c.title),
        "company" => format!("{:?}", c.company),
        "website" => format!("{:?}", c.website),
        _ => format!("{:?}", c.address),
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    right: usize,
    scored: usize,
}

impl Tally {
    fn share(self) -> f64 {
        if self.scored == 0 {
            1.0
        } else {
            self.right as f64 / self.scored as f64
        }
    }

    fn cell(self) -> String {
        if self.scored == 0 {
            "–".to_owned()
        } else {
            format!(
                "{:.0} % ({}/{})",
                self.share() * 100.0,
                self.right,
                self.scored
            )
        }
    }
}

/// (field, language) → tally, language "all" for every card of `cards`;
/// and the misses.
fn measure<'a>(
    cards: impl Iterator<Item = &'a Card>,
) -> (BTreeMap<(&'static str, String), Tally>, Vec<String>) {
    let mut tallies: BTreeMap<(&'static str, String), Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    for card in cards {
        let got = parse_card(&card.text, &card.region);
        for field in FIELDS {
            let Some(right) = score(field, &card.expected, &got) else {
                continue;
            };
            for lang in [card.lang.clone(), "all".to_owned()] {
                let t = tallies.entry((field, lang)).or_default();
                t.scored += 1;
                t.right += usize::from(right);
            }
            if !right {
                misses.push(format!(
                    "{} {field}: expected {}, got {}",
                    card.id,
                    show(field, &card.expected),
                    show(field, &got)
                ));
            }
        }
    }
    (tallies, misses)
}

/// The markdown table of `tallies`, one column per language and "all".
fn print_table(tallies: &BTreeMap<(&'static str, String), Tally>, languages: &[String]) {
    let columns: Vec<String> = languages
        .iter()
        .cloned()
        .chain(["all".to_owned()])
        .collect();
    println!("| field | {} |", columns.join(" | "));
    println!("|---|{}", "---|".repeat(columns.len()));
    for field in FIELDS {
        let cells: Vec<String> = columns
            .iter()
            .map(|lang| {
                tallies
                    .get(&(*field, lang.clone()))
                    .copied()
                    .unwrap_or_default()
                    .cell()
            })
            .collect();
        println!("| {field} | {} |", cells.join(" | "));
    }
}

fn counts<'a>(cards: impl Iterator<Item = &'a Card>) -> String {
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    let mut all = 0;
    for c in cards {
        *per.entry(c.lang.as_str()).or_default() += 1;
        all += 1;
    }
    let langs: Vec<String> = per.iter().map(|(l, n)| format!("{l} {n}")).collect();
    format!("{all} cards ({})", langs.join(", "))
}

#[test]
fn corpus_meets_the_accuracy_goals() {
    let cards = load();
    let mut ids = BTreeSet::new();
    for card in &cards {
        assert!(ids.insert(card.id.clone()), "duplicate card id {}", card.id);
        assert!(
            matches!(card.set.as_str(), "dev" | "holdout"),
            "{}: set {}",
            card.id,
            card.set
        );
    }
    let mut languages: Vec<String> = cards.iter().map(|c| c.lang.clone()).collect();
    languages.sort();
    languages.dedup();

    let (tallies, misses) = measure(cards.iter());
    println!(
        "\nBusiness-card capture, whole corpus: {}\n",
        counts(cards.iter())
    );
    print_table(&tallies, &languages);
    let holdout = || cards.iter().filter(|c| c.set == "holdout");
    let (held, _) = measure(holdout());
    println!("\nHeld-out cards only: {}\n", counts(holdout()));
    print_table(&held, &languages);
    println!("\nMisses ({}):", misses.len());
    for m in &misses {
        println!("  {m}");
    }

    assert!(cards.len() >= MIN_CARDS, "only {} cards", cards.len());
    for lang in &languages {
        let n = cards.iter().filter(|c| &c.lang == lang).count();
        assert!(n >= MIN_PER_LANGUAGE, "only {n} cards in {lang}");
    }
    let mut failed = Vec::new();
    for (field, goal) in GOALS {
        let t = tallies
            .get(&(*field, "all".to_owned()))
            .copied()
            .unwrap_or_default();
        assert!(
            t.scored >= MIN_CARDS / 2,
            "{field} scored on {} cards only",
            t.scored
        );
        if t.share() < *goal {
            failed.push(format!(
                "{field}: {:.1} % < {:.0} %",
                t.share() * 100.0,
                goal * 100.0
            ));
        }
    }
    assert!(failed.is_empty(), "accuracy goals missed: {failed:?}");
}

/// The expected values are themselves well-formed: E.164 phones, known
/// labels, ISO countries (a typo in the corpus would otherwise read as a
/// capture miss).
#[test]
fn corpus_expectations_are_well_formed() {
    for card in load() {
        for p in &card.expected.phones {
            assert!(
                p.number_e164.starts_with('+')
                    && p.number_e164[1..].bytes().all(|b| b.is_ascii_digit()),
                "{}: {}",
                card.id,
                p.number_e164
            );
            assert!(
                matches!(p.label.as_deref(), Some("mobile" | "work" | "fax" | "home")),
                "{}: {:?}",
                card.id,
                p.label
            );
        }
        if let Some(country) = card
            .expected
            .address
            .as_ref()
            .and_then(|a| a.country.as_ref())
        {
            assert!(
                country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()),
                "{}: {country}",
                card.id
            );
        }
        for e in &card.expected.emails {
            let (_, domain) = e.split_once('@').expect("an e-mail address");
            assert_eq!(domain, domain.to_lowercase(), "{}", card.id);
        }
    }
}
