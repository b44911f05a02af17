//! Store benchmark: builds an on-disk store of N accounts (each with 20
//! contacts, 10 deals and 100 activities), then measures build time, size on
//! disk, cold open + first account list, contact search, caller lookup, the
//! pipeline, agenda and dashboard queries, the sales reports (forecast,
//! stalled deals, conversion), and peak memory.
//!
//! Full run (release):  `cargo bench -p outpost-core --bench store`
//! CI smoke run:        `cargo bench --profile dev -p outpost-core --bench store -- --accounts 5`
//!
//! Flags: `--accounts N` (default 500), `--dir PATH` (default: a temporary
//! directory, removed at the end). The data comes from a fixed RNG seed so
//! runs are comparable; document and record ids are still random/time based.
//! Results go to stdout (ending in a markdown table), progress to stderr.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use outpost_core::model::{
    Account, AccountType, Activity, ActivityKind, ActivityStatus, Address, Balance, Contact, Deal,
    DealType, Direction, DocKind, Email, GeoStamp, LifecycleStage, OrgSettings, Phone, Pipeline,
    RecordMeta, Stage, StageChange, StageMeaning,
};
use outpost_core::store::queries::{
    AccountFilter, Day, PipelineFilter, SalesFilter, StalledOptions,
};
use outpost_core::store::{Store, StoreOptions};
use outpost_core::{Author, new_record_id};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

type BenchResult<T> = Result<T, Box<dyn Error>>;

const SEED: u64 = 20_261_123;
const CONTACTS_PER_ACCOUNT: usize = 20;
const DEALS_PER_ACCOUNT: usize = 10;
const ACTIVITIES_PER_ACCOUNT: usize = 100;
const SEARCHES: usize = 1_000;
const SEARCH_LIMIT: u32 = 20;
const PHONE_LOOKUPS: usize = 500;
const DOC_LOADS: usize = 100;
const REPEATS: usize = 20;
const PROGRESS_EVERY: usize = 50;
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
// Targets; MB = 10^6 bytes.
const TARGET_OPEN_MS: f64 = 200.0;
const TARGET_SEARCH_P99_MS: f64 = 5.0;
const TARGET_RSS_MB: f64 = 100.0;

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "Ola", "Kari", "Per", "Anne", "Lars", "Ingrid", "Nils", "Marit", "Jon", "Silje", "Øyvind",
    "Åse", "Bjørn", "Hilde", "Knut", "Liv", "Emma", "Noah", "Olivia", "Liam", "Sofia", "Lucas",
    "Maja", "Jakob", "Nora", "Emil", "Sara", "Henrik", "Ida", "Magnus", "Thea", "Sander", "Hanna",
    "Mathias", "Linnea", "Tobias", "Frida", "Elias", "Astrid", "Sigurd", "James", "Mary", "Robert",
    "Patricia", "Michael", "Jennifer", "David", "Linda", "Ahmed", "Fatima", "Mohammed", "Aisha",
    "Piotr", "Agnieszka", "Tomasz", "Chen", "Wei", "Yuki", "Hiroshi", "Carlos",
];
#[rustfmt::skip]
const LAST_NAMES: &[&str] = &[
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund",
    "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen", "Eide",
    "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen", "Lie", "Amundsen",
    "Nguyen", "Rasmussen", "Ali", "Lunde", "Solheim", "Berge", "Moe", "Nygård", "Bakke", "Smith",
    "Brown", "Wilson", "Kowalski", "Nowak", "Khan", "Garcia", "Müller", "Schmidt", "Øverland",
];
#[rustfmt::skip]
const COMPANY_FIRST: &[&str] = &[
    "Nordlys", "Fjell", "Havbris", "Solsikke", "Granitt", "Bjørke", "Lofoten", "Vestland",
    "Midnatt", "Polar", "Furu", "Tind", "Elve", "Fyr", "Skog", "Brygge", "Kyst", "Viking", "Aurora",
    "Sjø", "Stein", "Lyng", "Breen", "Trollheim", "Hav", "Vind", "Eik", "Ravn", "Ørn", "Glitre",
];
#[rustfmt::skip]
const COMPANY_SECOND: &[&str] = &[
    "Bakeri", "Rør", "Elektro", "Bygg", "Transport", "Regnskap", "Maskin", "Frisør", "Blomster",
    "Kafé", "Sport", "Marina", "Verksted", "Tannlegene", "Dyreklinikk", "Gartneri", "Trykkeri",
    "Snekkeri", "Catering", "Optikk",
];
const COMPANY_SUFFIX: &[&str] = &["AS", "AS", "AS", "ANS", "DA", "Enk"];
#[rustfmt::skip]
const CITIES: &[(&str, &str, f64, f64)] = &[
    ("Oslo", "0150", 59.91, 10.75), ("Bergen", "5003", 60.39, 5.32),
    ("Trondheim", "7011", 63.43, 10.39), ("Stavanger", "4006", 58.97, 5.73),
    ("Tromsø", "9008", 69.65, 18.96), ("Kristiansand", "4612", 58.15, 8.00),
    ("Bodø", "8006", 67.28, 14.40), ("Ålesund", "6002", 62.47, 6.15),
];
const TERRITORIES: &[&str] = &["Øst", "Vest", "Midt", "Nord", "Sør"];
#[rustfmt::skip]
const TITLES: &[&str] = &[
    "Daglig leder", "Innkjøpssjef", "Økonomisjef", "Butikksjef", "Salgssjef", "Driftsleder",
    "Prosjektleder", "Kontorleder", "CEO", "CFO", "Buyer", "Office manager", "Owner",
];
const ROLES: &[&str] = &[
    "decision_maker",
    "buyer",
    "user",
    "influencer",
    "gatekeeper",
];
#[rustfmt::skip]
const HOBBIES: &[&str] = &["fishing", "skiing", "golf", "football", "sailing", "hunting", "running"];
#[rustfmt::skip]
const SUBJECTS: &[&str] = &[
    "Follow up on offer", "Quarterly review", "Delivery problem", "New price list",
    "Demo of new range", "Contract renewal", "Check stock levels", "Intro meeting",
    "Invoice question", "Spring campaign", "Service visit", "Complaint follow-up",
    "Order for next season", "Training on site",
];
const OUTCOMES: &[&str] = &["connected", "voicemail", "no_answer", "busy"];
#[rustfmt::skip]
const NOTE_WORDS: &[&str] = &[
    "customer", "wants", "new", "offer", "before", "christmas", "asked", "about", "delivery",
    "times", "price", "discount", "happy", "with", "last", "order", "call", "back", "next", "week",
    "stock", "low", "on", "the", "shelf", "display", "moved", "to", "front", "manager", "away",
    "until", "monday", "send", "brochure", "and", "samples",
];

// Hand-parsed: a bench binary with two flags; clap would add a dev-dependency only for this.
struct Args {
    accounts: usize,
    dir: Option<PathBuf>,
}

fn parse_args() -> BenchResult<Args> {
    let mut args = Args {
        accounts: 500,
        dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--accounts" => {
                args.accounts = it.next().ok_or("--accounts needs a number")?.parse()?
            }
            "--dir" => args.dir = Some(it.next().ok_or("--dir needs a path")?.into()),
            // cargo passes `--bench` (and any filter); nothing else is ours
            _ => {}
        }
    }
    if args.accounts == 0 {
        return Err("--accounts must be at least 1".into());
    }
    Ok(args)
}

/// A phone number, so the same number can be typed in different formats.
#[derive(Clone, Copy)]
enum PhoneNumber {
    /// Norwegian, 8 digits (mobile 4xx/9xx, or landline).
    No(u32),
    /// North American: area code, then exchange and line as 7 digits.
    Us(u16, u32),
    /// UK mobile, the 10 digits after the trunk 0 (7xxx xxxxxx).
    Uk(u64),
    /// Swedish mobile, the 9 digits after the trunk 0 (70x xxx xx xx).
    Se(u32),
}

impl PhoneNumber {
    fn random(rng: &mut StdRng) -> Self {
        match rng.random_range(0..100) {
            0..70 => PhoneNumber::No(if rng.random_bool(0.8) {
                rng.random_range(90_000_000..=99_999_999)
            } else {
                rng.random_range(40_000_000..=48_999_999)
            }),
            70..80 => PhoneNumber::landline(rng),
            80..90 => PhoneNumber::Us(
                *pick(rng, &[212, 312, 415, 617, 646, 206]),
                rng.random_range(201..=989) * 10_000 + rng.random_range(0..10_000),
            ),
            90..95 => PhoneNumber::Uk(7_700_000_000 + rng.random_range(0..1_000_000)),
            _ => PhoneNumber::Se(700_000_000 + rng.random_range(0..10_000_000)),
        }
    }

    fn landline(rng: &mut StdRng) -> Self {
        PhoneNumber::No(*pick(rng, &[2, 3, 5, 6, 7]) * 10_000_000 + rng.random_range(0..10_000_000))
    }

    /// The number as someone might type it; `variant` picks the format.
    fn format(self, variant: usize) -> String {
        match self {
            PhoneNumber::No(n) => {
                let s = n.to_string();
                match variant % 4 {
                    0 => format!("+47 {} {} {}", &s[..3], &s[3..5], &s[5..]),
                    1 => format!("+47{s}"),
                    2 => format!("+47 {} {} {} {}", &s[..2], &s[2..4], &s[4..6], &s[6..]),
                    _ => format!("+47-{}-{}-{}", &s[..3], &s[3..5], &s[5..]),
                }
            }
            PhoneNumber::Us(area, n) => {
                let (exchange, line) = (n / 10_000, n % 10_000);
                match variant % 3 {
                    0 => format!("({area}) {exchange}-{line:04}"),
                    1 => format!("+1 {area} {exchange} {line:04}"),
                    _ => format!("{area}-{exchange}-{line:04}"),
                }
            }
            PhoneNumber::Uk(n) => {
                let s = n.to_string();
                match variant % 2 {
                    0 => format!("+44 {} {}", &s[..4], &s[4..]),
                    _ => format!("+44{s}"),
                }
            }
            PhoneNumber::Se(n) => {
                let s = n.to_string();
                match variant % 2 {
                    0 => format!("+46 {} {} {} {}", &s[..2], &s[2..5], &s[5..7], &s[7..]),
                    _ => format!("+46{s}"),
                }
            }
        }
    }
}

/// What the build wrote that the queries later look for.
#[derive(Default)]
struct Corpus {
    /// Words in contact names, e-mail addresses and company names, as often as they occur.
    words: Vec<String>,
    /// Every contact phone number.
    phones: Vec<PhoneNumber>,
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Lower-case ASCII for e-mail addresses and domains.
fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'ø' | 'ö' => out.push('o'),
            'å' => out.push('a'),
            'æ' => out.push_str("ae"),
            'é' => out.push('e'),
            'ü' => out.push('u'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

fn sentence(rng: &mut StdRng, min: usize, max: usize) -> String {
    let n = rng.random_range(min..=max);
    let words: Vec<&str> = (0..n).map(|_| *pick(rng, NOTE_WORDS)).collect();
    let mut s = words.join(" ");
    s.push('.');
    s
}

fn iso_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.date_naive().format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn meta_with_tags(rng: &mut StdRng, pool: &[&str], p: f64) -> RecordMeta {
    let tags = pool
        .iter()
        .filter(|_| rng.random_bool(p))
        .map(|t| (*t).to_owned())
        .collect();
    RecordMeta {
        tags,
        ..Default::default()
    }
}

/// An account and its e-mail domain.
fn make_account(rng: &mut StdRng, corpus: &mut Corpus) -> (Account, String) {
    let (first, second) = (*pick(rng, COMPANY_FIRST), *pick(rng, COMPANY_SECOND));
    let name = format!("{first} {second} {}", pick(rng, COMPANY_SUFFIX));
    corpus.words.push(first.to_owned());
    corpus.words.push(second.to_owned());
    let domain = format!("{}{}.no", slug(first), slug(second));
    let (city, postal, lat, lon) = *pick(rng, CITIES);
    let lifecycle = *pick(
        rng,
        &[
            LifecycleStage::Selection,
            LifecycleStage::Acquisition,
            LifecycleStage::Retention,
            LifecycleStage::Retention,
            LifecycleStage::Expansion,
            LifecycleStage::Churned,
        ],
    );
    let account = Account {
        meta: meta_with_tags(rng, &["key-account", "chain", "franchise", "seasonal"], 0.2),
        name,
        account_type: Some(if lifecycle == LifecycleStage::Selection {
            AccountType::Prospect
        } else {
            AccountType::Customer
        }),
        industry: Some(second.to_owned()),
        website: Some(format!("https://www.{domain}")),
        addresses: vec![Address {
            id: new_record_id(),
            label: Some("billing".into()),
            street: Some(format!(
                "{}gata {}",
                pick(rng, COMPANY_FIRST),
                rng.random_range(1..120)
            )),
            city: Some(city.into()),
            postal_code: Some(postal.into()),
            country: Some("NO".into()),
            lat: Some(lat + rng.random_range(-0.05..0.05)),
            lon: Some(lon + rng.random_range(-0.05..0.05)),
            primary: true,
            ..Default::default()
        }],
        phones: vec![Phone {
            id: new_record_id(),
            number: PhoneNumber::landline(rng).format(rng.random_range(0..4)),
            label: Some("switchboard".into()),
            primary: true,
            opted_out: false,
        }],
        territory: Some((*pick(rng, TERRITORIES)).into()),
        lifecycle_stage: Some(lifecycle),
        customer_since: Some(format!(
            "20{:02}-{:02}-01",
            rng.random_range(10..26),
            rng.random_range(1..=12)
        )),
        value_tier: Some((*pick(rng, &["A", "B", "B", "C", "C", "C"])).into()),
        lead_source: Some((*pick(rng, &["referral", "fair", "web", "cold_call"])).into()),
        payment_terms: Some("net 30".into()),
        credit_limit_minor: Some(rng.random_range(1..50) * 1_000_000),
        currency: Some("NOK".into()),
        balance: Balance {
            currency: Some("NOK".into()),
            balance_minor: rng.random_range(0..5_000_000),
            overdue_minor: if rng.random_bool(0.2) {
                rng.random_range(0..1_000_000)
            } else {
                0
            },
            open_invoices: rng.random_range(0..5),
            ..Default::default()
        },
        notes: sentence(rng, 5, 25),
        ..Default::default()
    };
    (account, domain)
}

fn make_contact(rng: &mut StdRng, corpus: &mut Corpus, domain: &str) -> Contact {
    let (first, last) = (*pick(rng, FIRST_NAMES), *pick(rng, LAST_NAMES));
    corpus.words.push(first.to_owned());
    corpus.words.push(last.to_owned());
    corpus.words.push(slug(first));
    let mobile = PhoneNumber::random(rng);
    corpus.phones.push(mobile);
    let mut phones = vec![Phone {
        id: new_record_id(),
        number: mobile.format(rng.random_range(0..4)),
        label: Some("mobile".into()),
        primary: true,
        opted_out: false,
    }];
    if rng.random_bool(0.3) {
        let work = PhoneNumber::random(rng);
        corpus.phones.push(work);
        phones.push(Phone {
            id: new_record_id(),
            number: work.format(rng.random_range(0..4)),
            label: Some("work".into()),
            primary: false,
            opted_out: rng.random_bool(0.05),
        });
    }
    // a birthday on 40% of contacts, half of them without the year
    let birthday = match rng.random_range(0..10) {
        0..2 => Some(format!(
            "{}-{:02}-{:02}",
            rng.random_range(1950..2004),
            rng.random_range(1..=12),
            rng.random_range(1..=28)
        )),
        2..4 => Some(format!(
            "--{:02}-{:02}",
            rng.random_range(1..=12),
            rng.random_range(1..=28)
        )),
        _ => None,
    };
    Contact {
        meta: meta_with_tags(rng, &["vip", "newsletter", "christmas-card"], 0.15),
        first_name: first.into(),
        last_name: last.into(),
        title: Some((*pick(rng, TITLES)).into()),
        role: Some((*pick(rng, ROLES)).into()),
        emails: vec![Email {
            id: new_record_id(),
            address: format!("{}.{}@{domain}", slug(first), slug(last)),
            label: Some("work".into()),
            primary: true,
            opted_out: false,
        }],
        phones,
        language: Some((*pick(rng, &["nb", "nb", "nn", "en"])).into()),
        birthday,
        hobbies: if rng.random_bool(0.3) {
            vec![(*pick(rng, HOBBIES)).into()]
        } else {
            Vec::new()
        },
        notes: if rng.random_bool(0.3) {
            sentence(rng, 4, 16)
        } else {
            String::new()
        },
        ..Default::default()
    }
}

fn make_pipeline(id: &str) -> Pipeline {
    let stages = [
        ("Lead", 10, StageMeaning::Open),
        ("Qualified", 30, StageMeaning::Open),
        ("Proposal", 60, StageMeaning::Open),
        ("Won", 100, StageMeaning::Won),
        ("Lost", 0, StageMeaning::Lost),
    ];
    Pipeline {
        meta: RecordMeta {
            id: id.to_owned(),
            ..Default::default()
        },
        name: "Sales".into(),
        stages: stages
            .iter()
            .enumerate()
            .map(|(i, (name, probability, meaning))| Stage {
                id: format!("stage-{}", i + 1),
                name: (*name).into(),
                position: i as i64,
                probability: *probability,
                meaning: *meaning,
            })
            .collect(),
    }
}

fn make_deal(rng: &mut StdRng, pipeline: &Pipeline, contacts: &[String], now: i64) -> Deal {
    let stage = pick(rng, &pipeline.stages);
    let moved_at = now - rng.random_range(0..120) * DAY_MS - rng.random_range(0..DAY_MS);
    let contact_roles =
        BTreeMap::from([(pick(rng, contacts).clone(), (*pick(rng, ROLES)).to_owned())]);
    let kind = *pick(rng, &["Renewal", "Upgrade", "New range", "Service deal"]);
    Deal {
        name: format!("{kind} {}", rng.random_range(2026..2028)),
        contact_roles,
        pipeline_id: pipeline.meta.id.clone(),
        stage_id: stage.id.clone(),
        amount_minor: rng.random_range(10..5_000) * 10_000,
        currency: "NOK".into(),
        probability: rng.random_bool(0.3).then(|| rng.random_range(5..95)),
        expected_close: Some(iso_date(now + rng.random_range(-30..180) * DAY_MS)),
        deal_type: Some(*pick(
            rng,
            &[
                DealType::New,
                DealType::Upsell,
                DealType::CrossSell,
                DealType::Renewal,
            ],
        )),
        stage_history: vec![StageChange {
            id: new_record_id(),
            from_stage: None,
            to_stage: stage.id.clone(),
            at: moved_at,
            by: None,
        }],
        description: if rng.random_bool(0.5) {
            sentence(rng, 5, 20)
        } else {
            String::new()
        },
        ..Default::default()
    }
}

fn make_activity(
    rng: &mut StdRng,
    contacts: &[String],
    deals: &[String],
    day: Day,
    now: i64,
) -> Activity {
    let kind = match rng.random_range(0..100) {
        0..30 => ActivityKind::Call,
        30..50 => ActivityKind::Email,
        50..60 => ActivityKind::Meeting,
        60..75 => ActivityKind::Visit,
        75..80 => ActivityKind::Sms,
        80..90 => ActivityKind::Note,
        _ => ActivityKind::Task,
    };
    // from half a year ago to a month ahead, in working hours
    let at =
        day.start_ms() + rng.random_range(-180..=30) * DAY_MS + rng.random_range(8..17) * HOUR_MS;
    let status = if at >= now {
        ActivityStatus::Planned
    } else {
        match rng.random_range(0..100) {
            0..88 => ActivityStatus::Done,
            88..97 => ActivityStatus::Planned, // overdue
            _ => ActivityStatus::Cancelled,
        }
    };
    let done = status == ActivityStatus::Done;
    let n_contacts = rng.random_range(0..=2);
    let contact_ids: BTreeSet<String> = (0..n_contacts)
        .map(|_| pick(rng, contacts).clone())
        .collect();
    let mut a = Activity {
        kind,
        subject: (*pick(rng, SUBJECTS)).into(),
        status,
        contact_ids: contact_ids.into_iter().collect(),
        deal_id: rng.random_bool(0.1).then(|| pick(rng, deals).clone()),
        completed_at: done.then_some(at + HOUR_MS / 2),
        ..Default::default()
    };
    match kind {
        ActivityKind::Task => a.due_at = Some(at),
        ActivityKind::Note => a.body = sentence(rng, 8, 30),
        ActivityKind::Call | ActivityKind::Email | ActivityKind::Sms => {
            a.start_at = Some(at);
            a.direction = Some(if rng.random_bool(0.6) {
                Direction::Outbound
            } else {
                Direction::Inbound
            });
            if kind == ActivityKind::Call {
                a.end_at = Some(at + rng.random_range(1..30) * 60_000);
                a.outcome = done.then(|| (*pick(rng, OUTCOMES)).into());
            } else {
                a.body = sentence(rng, 5, 25);
            }
        }
        ActivityKind::Meeting | ActivityKind::Visit => {
            a.start_at = Some(at);
            a.end_at = Some(at + rng.random_range(1..4) * HOUR_MS / 2);
            if kind == ActivityKind::Visit && done {
                let (lat, lon) = (
                    59.0 + rng.random_range(0.0..10.0),
                    5.0 + rng.random_range(0.0..13.0),
                );
                a.check_in = GeoStamp {
                    at: Some(at + rng.random_range(-10..10) * 60_000),
                    lat: Some(lat),
                    lon: Some(lon),
                    accuracy_m: Some(rng.random_range(3.0..40.0)),
                };
                a.check_out = GeoStamp {
                    at: Some(at + rng.random_range(20..90) * 60_000),
                    lat: Some(lat),
                    lon: Some(lon),
                    accuracy_m: Some(rng.random_range(3.0..40.0)),
                };
                a.report = sentence(rng, 10, 40);
            }
        }
    }
    a
}

/// Builds one account: `create_account`, then everything else in one `edit`
/// (two durable SQLite transactions per account).
fn build_account(
    store: &mut Store,
    rng: &mut StdRng,
    corpus: &mut Corpus,
    pipeline: &Pipeline,
    day: Day,
    now: i64,
) -> BenchResult<()> {
    let (account, domain) = make_account(rng, corpus);
    let doc = store.create_account(account)?;
    store.edit(doc, |e| {
        let mut contacts = Vec::with_capacity(CONTACTS_PER_ACCOUNT);
        for _ in 0..CONTACTS_PER_ACCOUNT {
            contacts.push(e.create(make_contact(rng, corpus, &domain))?);
        }
        let mut deals = Vec::with_capacity(DEALS_PER_ACCOUNT);
        for _ in 0..DEALS_PER_ACCOUNT {
            deals.push(e.create(make_deal(rng, pipeline, &contacts, now))?);
        }
        for _ in 0..ACTIVITIES_PER_ACCOUNT {
            e.create(make_activity(rng, &contacts, &deals, day, now))?;
        }
        Ok(())
    })?;
    Ok(())
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The SQLite file plus its -wal and -shm files.
fn store_size(db: &Path) -> u64 {
    let with_suffix = |suffix: &str| {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    file_size(db) + file_size(&with_suffix("-wal")) + file_size(&with_suffix("-shm"))
}

/// A `kB` line of /proc/self/status (e.g. `VmHWM`, `VmRSS`), in bytes.
fn proc_status_bytes(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs `f` once (the first call also prepares its statements), then
/// `REPEATS` more times; returns the first time, the median and the result.
fn time_query<T>(mut f: impl FnMut() -> BenchResult<T>) -> BenchResult<(Duration, Duration, T)> {
    let t = Instant::now();
    let out = f()?;
    let first = t.elapsed();
    let mut runs = Vec::with_capacity(REPEATS);
    for _ in 0..REPEATS {
        let t = Instant::now();
        f()?;
        runs.push(t.elapsed());
    }
    runs.sort();
    Ok((first, percentile(&runs, 50.0), out))
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "MISS" }
}

fn main() -> BenchResult<()> {
    let args = parse_args()?;
    let n = args.accounts;
    let tmp;
    let dir = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => {
            tmp = tempfile::TempDir::new()?;
            tmp.path().to_owned()
        }
    };
    let db = dir.join("outpost-bench.sqlite");
    if db.exists() {
        return Err(format!(
            "{} already exists; remove it or pick another --dir",
            db.display()
        )
        .into());
    }
    let author = Author {
        user_id: "rep-bench".into(),
        device_id: "0190a3c2-7b1e-7c4d-8e5f-1a2b3c4d5e6f".into(),
    };
    let day = Day {
        date: NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("bad date")?,
        utc_offset_minutes: 60,
    };
    let now = day.start_ms() + 9 * HOUR_MS;
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut corpus = Corpus::default();

    // ---- build ----
    eprintln!(
        "building {n} accounts ({CONTACTS_PER_ACCOUNT} contacts, {DEALS_PER_ACCOUNT} deals, \
         {ACTIVITIES_PER_ACCOUNT} activities each) in {}",
        db.display()
    );
    let build_start = Instant::now();
    let mut store = Store::open(&db, author.clone(), StoreOptions::default())?;
    // The accounts are created over the last two years, oldest first.
    let clock = Arc::new(AtomicI64::new(now - 730 * DAY_MS));
    let store_clock = Arc::clone(&clock);
    store.set_clock(move || store_clock.load(Ordering::Relaxed));
    let pipeline_id = new_record_id();
    let settings = store.create_settings(OrgSettings {
        org_name: "Outpost bench".into(),
        default_currency: "NOK".into(),
        default_phone_region: "NO".into(),
        default_pipeline_id: Some(pipeline_id.clone()),
        ..Default::default()
    })?;
    let pipeline = make_pipeline(&pipeline_id);
    store.create::<Pipeline>(settings, pipeline.clone())?;
    let mut batch_start = Instant::now();
    for i in 0..n {
        clock.store(
            now - 730 * DAY_MS * (n - i) as i64 / n as i64,
            Ordering::Relaxed,
        );
        build_account(&mut store, &mut rng, &mut corpus, &pipeline, day, now)?;
        let done = i + 1;
        if done % PROGRESS_EVERY == 0 || done == n {
            let batch = (done - 1) % PROGRESS_EVERY + 1;
            eprintln!(
                "  {done}/{n} accounts, {:.1} s, last {batch} at {:.1} ms/account, RSS {:.1} MB",
                build_start.elapsed().as_secs_f64(),
                ms(batch_start.elapsed()) / batch as f64,
                mb(proc_status_bytes("VmRSS").unwrap_or(0)),
            );
            batch_start = Instant::now();
        }
    }
    let build = build_start.elapsed();
    let size = store_size(&db);
    drop(store);

    // ---- cold open: a new connection and an empty document cache (the OS
    // page cache still holds the files just written) ----
    eprintln!("measuring queries");
    let t = Instant::now();
    let mut store = Store::open(&db, author.clone(), StoreOptions::default())?;
    let opened = t.elapsed();
    let first_page = store.list_accounts(&AccountFilter {
        limit: Some(50),
        ..Default::default()
    })?;
    let open_list = t.elapsed();
    if first_page.len() != n.min(50) {
        return Err(format!(
            "first page has {} accounts, expected {}",
            first_page.len(),
            n.min(50)
        )
        .into());
    }

    // ---- contact search: 2-4 letter prefixes of words that are in the store ----
    let queries: Vec<String> = (0..SEARCHES)
        .map(|_| {
            let word = pick(&mut rng, &corpus.words);
            let len = rng.random_range(2..=4);
            word.chars().take(len).collect()
        })
        .collect();
    let mut search = Vec::with_capacity(SEARCHES);
    let (mut with_hits, mut total_hits) = (0, 0);
    for q in &queries {
        let t = Instant::now();
        let hits = store.search_contacts(q, SEARCH_LIMIT)?;
        search.push(t.elapsed());
        with_hits += usize::from(!hits.is_empty());
        total_hits += hits.len();
    }
    search.sort();

    // ---- caller lookup: 90% numbers in the store typed another way, 10% unknown ----
    let lookups: Vec<(String, bool)> = (0..PHONE_LOOKUPS)
        .map(|_| {
            if rng.random_bool(0.9) {
                (
                    pick(&mut rng, &corpus.phones).format(rng.random_range(0..4)),
                    true,
                )
            } else {
                (
                    PhoneNumber::No(rng.random_range(30_000_000..=39_999_999)).format(0),
                    false,
                )
            }
        })
        .collect();
    let mut phone = Vec::with_capacity(PHONE_LOOKUPS);
    let (mut known, mut found) = (0, 0);
    for (number, is_known) in &lookups {
        let t = Instant::now();
        let matches = store.lookup_phone(number)?;
        phone.push(t.elapsed());
        known += usize::from(*is_known);
        found += usize::from(*is_known && !matches.is_empty());
    }
    phone.sort();

    // ---- pipeline, agenda, dashboard of the rep who owns everything ----
    let (pipe_first, pipe_median, pipe) =
        time_query(|| Ok(store.pipeline(&PipelineFilter::default())?))?;
    let (agenda_first, agenda_median, agenda) =
        time_query(|| Ok(store.agenda(day, Some(&author.user_id))?))?;
    let (dash_first, dash_median, dash) =
        time_query(|| Ok(store.dashboard(day, Some(&author.user_id), None)?))?;

    // ---- the sales manager's reports over every deal ----
    let all = SalesFilter::default();
    let (fc_first, fc_median, fc) = time_query(|| Ok(store.forecast(day, &all)?))?;
    let (st_first, st_median, st) =
        time_query(|| Ok(store.stalled_deals(day, &all, &StalledOptions::default())?))?;
    let (cv_first, cv_median, cv) = time_query(|| Ok(store.conversion(&all, None, None)?))?;

    // ---- opening an account (a document cache miss) ----
    let docs: Vec<_> = store
        .document_ids()?
        .into_iter()
        .filter(|(_, kind)| *kind == DocKind::Account)
        .take(DOC_LOADS)
        .collect();
    let mut doc_load = Vec::with_capacity(docs.len());
    for (id, _) in &docs {
        let t = Instant::now();
        store.doc(*id)?;
        doc_load.push(t.elapsed());
    }
    doc_load.sort();
    let peak = proc_status_bytes("VmHWM").unwrap_or(0);
    drop(store);

    // ---- report ----
    let (search_p50, search_p99) = (percentile(&search, 50.0), percentile(&search, 99.0));
    let (phone_p50, phone_p99) = (percentile(&phone, 50.0), percentile(&phone, 99.0));
    let (load_p50, load_p99) = (percentile(&doc_load, 50.0), percentile(&doc_load, 99.0));
    let per_account = ms(build) / n as f64;
    println!("accounts:           {n}");
    println!(
        "build:              {:.1} s total, {per_account:.1} ms/account",
        build.as_secs_f64()
    );
    println!(
        "store size:         {:.1} MB (sqlite + -wal + -shm, before close)",
        mb(size)
    );
    println!(
        "open + first list:  {:.1} ms (open {:.1} ms, list of {} {:.1} ms)",
        ms(open_list),
        ms(opened),
        first_page.len(),
        ms(open_list - opened)
    );
    println!(
        "contact search:     p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms over {SEARCHES} queries \
         (limit {SEARCH_LIMIT}; {with_hits} with hits, {total_hits} hits)",
        ms(search_p50),
        ms(search_p99),
        ms(percentile(&search, 100.0))
    );
    println!(
        "phone lookup:       p50 {:.3} ms, p99 {:.3} ms over {PHONE_LOOKUPS} lookups \
         ({found} of {known} known numbers found)",
        ms(phone_p50),
        ms(phone_p99)
    );
    let deals: i64 = pipe.stages.iter().map(|s| s.count).sum();
    println!(
        "pipeline:           first {:.2} ms, median {:.2} ms ({} stages, {deals} deals)",
        ms(pipe_first),
        ms(pipe_median),
        pipe.stages.len()
    );
    println!(
        "agenda:             first {:.2} ms, median {:.2} ms ({} today, {} overdue)",
        ms(agenda_first),
        ms(agenda_median),
        agenda.today.len(),
        agenda.overdue.len()
    );
    println!(
        "dashboard:          first {:.2} ms, median {:.2} ms ({} visits and {} calls today, {} open deals)",
        ms(dash_first),
        ms(dash_median),
        dash.visits_today,
        dash.calls_today,
        dash.open_deals
    );
    println!(
        "forecast:           first {:.2} ms, median {:.2} ms ({} rows)",
        ms(fc_first),
        ms(fc_median),
        fc.rows.len()
    );
    println!(
        "stalled deals:      first {:.2} ms, median {:.2} ms ({} stalled, {} stages)",
        ms(st_first),
        ms(st_median),
        st.deals.len(),
        st.thresholds.len()
    );
    println!(
        "conversion:         first {:.2} ms, median {:.2} ms ({} won, {} lost)",
        ms(cv_first),
        ms(cv_median),
        cv.won,
        cv.lost
    );
    println!(
        "account doc load:   p50 {:.2} ms, p99 {:.2} ms over {} cache misses",
        ms(load_p50),
        ms(load_p99),
        doc_load.len()
    );
    println!("peak RSS:           {:.1} MB (VmHWM, whole run)", mb(peak));

    let mut table = String::new();
    writeln!(
        table,
        "\n| Figure ({n} accounts) | Measured | Target | Result |"
    )?;
    writeln!(table, "|---|---|---|---|")?;
    let mut row = |name: &str, value: String, target: Option<(f64, &str, bool)>| match target {
        Some((limit, unit, ok)) => {
            writeln!(
                table,
                "| {name} | {value} | ≤ {limit} {unit} | {} |",
                verdict(ok)
            )
        }
        None => writeln!(table, "| {name} | {value} | — | |"),
    };
    row(
        "Build, total",
        format!("{:.1} s", build.as_secs_f64()),
        None,
    )?;
    row("Build, per account", format!("{per_account:.1} ms"), None)?;
    row(
        "Store size on disk (db + -wal + -shm)",
        format!("{:.1} MB", mb(size)),
        None,
    )?;
    row(
        "Cold open + first list of 50",
        format!("{:.1} ms", ms(open_list)),
        Some((TARGET_OPEN_MS, "ms", ms(open_list) <= TARGET_OPEN_MS)),
    )?;
    row(
        "Contact search p50",
        format!("{:.3} ms", ms(search_p50)),
        None,
    )?;
    row(
        "Contact search p99",
        format!("{:.3} ms", ms(search_p99)),
        Some((
            TARGET_SEARCH_P99_MS,
            "ms",
            ms(search_p99) <= TARGET_SEARCH_P99_MS,
        )),
    )?;
    row("Phone lookup p50", format!("{:.3} ms", ms(phone_p50)), None)?;
    row("Phone lookup p99", format!("{:.3} ms", ms(phone_p99)), None)?;
    row(
        "Pipeline (median of 20)",
        format!("{:.2} ms", ms(pipe_median)),
        None,
    )?;
    row(
        "Agenda (median of 20)",
        format!("{:.2} ms", ms(agenda_median)),
        None,
    )?;
    row(
        "Dashboard (median of 20)",
        format!("{:.2} ms", ms(dash_median)),
        None,
    )?;
    row(
        "Account document load p50 / p99",
        format!("{:.2} / {:.2} ms", ms(load_p50), ms(load_p99)),
        None,
    )?;
    row(
        "Peak RSS (VmHWM, whole run)",
        format!("{:.1} MB", mb(peak)),
        Some((TARGET_RSS_MB, "MB", mb(peak) <= TARGET_RSS_MB)),
    )?;
    print!("{table}");
    println!("\nMB = 10^6 bytes.");
    Ok(())
}
