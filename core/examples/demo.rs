//! A tour of the core on a real on-disk store: seeds a small territory on
//! first run, then prints what a rep sees in the morning.
//!
//! `cargo run -p outpost-core --example demo -- [DATA_DIR]` (default `./outpost-data`).
//! The one optional positional argument is read from `std::env::args`
//! directly; a parser crate would be more code than the parsing.

use std::error::Error;

use chrono::{Local, Offset};
use outpost_core::model::*;
use outpost_core::store::queries::{AccountFilter, Day, PipelineFilter};
use outpost_core::store::{Store, StoreOptions};
use outpost_core::{Author, new_record_id};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "outpost-data".into());
    std::fs::create_dir_all(&dir)?;
    let device_file = std::path::Path::new(&dir).join("demo-device-id");
    let device_id = match std::fs::read_to_string(&device_file) {
        Ok(id) => id.trim().to_owned(),
        Err(_) => {
            let id = new_record_id();
            std::fs::write(&device_file, &id)?;
            id
        }
    };
    let author = Author {
        user_id: "demo-rep".into(),
        device_id,
    };
    let path = std::path::Path::new(&dir).join("demo.db");
    let mut store = Store::open(
        &path,
        author,
        StoreOptions {
            phone_region: "NO".into(),
            ..Default::default()
        },
    )?;
    if store.document_ids()?.is_empty() {
        seed(&mut store)?;
        println!("Seeded a demo territory in {}", path.display());
    }
    let offset = Local::now().offset().fix().local_minus_utc() / 60;
    let day = Day {
        date: Local::now().date_naive(),
        utc_offset_minutes: offset,
    };

    println!("\n== Accounts");
    for a in store.list_accounts(&AccountFilter::default())? {
        println!(
            "  {:<24} {:<12} {}",
            a.name,
            a.lifecycle_stage.unwrap_or_default(),
            a.doc_id.url()
        );
    }
    println!("\n== Today's agenda");
    let agenda = store.agenda(day, None)?;
    for i in &agenda.today {
        println!(
            "  {:<8} {:<28} {}",
            i.kind.as_str(),
            i.subject,
            i.account_name
        );
    }
    for i in &agenda.overdue {
        println!("  OVERDUE {:<27} {}", i.subject, i.account_name);
    }
    println!("\n== Dashboard\n  {:?}", store.dashboard(day, None, None)?);
    println!("\n== Pipeline");
    let p = store.pipeline(&PipelineFilter::default())?;
    for s in p.stages {
        println!(
            "  {:<12} {:>3} deals  total {:>12}  weighted {:>12}  {:>5.1}%",
            s.name,
            s.count,
            s.total_minor / 100,
            s.weighted_minor / 100,
            s.share * 100.0
        );
    }
    println!("\n== Search \"kar\"");
    for h in store.search_contacts("kar", 5)? {
        println!("  {:<20} {}", h.full_name, h.account_name);
    }
    println!("\n== Who is calling from 912 34 567?");
    for m in store.lookup_phone("912 34 567")? {
        println!(
            "  {} at {}",
            m.contact_name.unwrap_or_default(),
            m.account_name
        );
    }
    println!("\n== Birthdays and anniversaries, next 30 days");
    for u in store.upcoming_dates(day, 30)? {
        println!(
            "  {} {:<20} {} ({})",
            u.date,
            u.kind.as_str(),
            u.contact_name.unwrap_or_default(),
            u.account_name
        );
    }
    println!("\n== Reorder due");
    for r in store.reorder_due(day)? {
        println!("  {:<24} {} days overdue", r.account_name, r.days_overdue);
    }
    Ok(())
}

fn seed(store: &mut Store) -> Result<(), Box<dyn Error>> {
    let now = store.now();
    let settings = store.create_settings(OrgSettings {
        org_name: "Demo".into(),
        default_currency: "NOK".into(),
        default_phone_region: "NO".into(),
        default_pipeline_id: Some("sales".into()),
        ..Default::default()
    })?;
    let stage = |id: &str, name: &str, position, probability, meaning| Stage {
        id: id.into(),
        name: name.into(),
        position,
        probability,
        meaning,
    };
    store.create(
        settings,
        Pipeline {
            meta: RecordMeta {
                id: "sales".into(),
                ..Default::default()
            },
            name: "Sales".into(),
            stages: vec![
                stage("prospecting", "Prospecting", 1, 10, StageMeaning::Open),
                stage("proposal", "Proposal", 2, 50, StageMeaning::Open),
                stage("negotiation", "Negotiation", 3, 80, StageMeaning::Open),
                stage("won", "Won", 4, 100, StageMeaning::Won),
                stage("lost", "Lost", 5, 0, StageMeaning::Lost),
            ],
        },
    )?;
    let today = chrono::Local::now().date_naive();
    let in_days = |d: i64| {
        (today + chrono::Duration::days(d))
            .format("--%m-%d")
            .to_string()
    };
    for (name, first, last, phone, stage) in [
        (
            "Fjord Fisk AS",
            "Kari",
            "Nordmann",
            "+47 912 34 567",
            LifecycleStage::Retention,
        ),
        (
            "Bergen Bakeri",
            "Karl",
            "Berg",
            "+47 934 56 789",
            LifecycleStage::Acquisition,
        ),
        (
            "Tromsø Tech",
            "Åse",
            "Kjærstad",
            "+47 456 78 901",
            LifecycleStage::Expansion,
        ),
    ] {
        let doc = store.create_account(Account {
            name: name.into(),
            lifecycle_stage: Some(stage),
            currency: Some("NOK".into()),
            ..Default::default()
        })?;
        store.edit(doc, |e| {
            let contact = e.create(Contact {
                first_name: first.into(),
                last_name: last.into(),
                emails: vec![Email {
                    id: new_record_id(),
                    address: format!("{}@{}.example", first.to_lowercase(), last.to_lowercase()),
                    primary: true,
                    ..Default::default()
                }],
                phones: vec![Phone {
                    id: new_record_id(),
                    number: phone.into(),
                    primary: true,
                    ..Default::default()
                }],
                birthday: Some(in_days(3)),
                hobbies: vec!["sailing".into()],
                ..Default::default()
            })?;
            e.create(Deal {
                name: format!("{name} renewal"),
                pipeline_id: "sales".into(),
                stage_id: "proposal".into(),
                amount_minor: 25_000_000,
                currency: "NOK".into(),
                ..Default::default()
            })?;
            e.create(Activity {
                kind: ActivityKind::Visit,
                subject: format!("Visit {name}"),
                start_at: Some(now + 2 * HOUR),
                contact_ids: vec![contact.clone()],
                ..Default::default()
            })?;
            e.create(Activity {
                kind: ActivityKind::Task,
                subject: "Send price list".into(),
                due_at: Some(now - 2 * DAY),
                ..Default::default()
            })?;
            for ago in [95, 65, 35] {
                e.create(Order {
                    ordered_at: now - ago * DAY,
                    total_minor: 1_200_000,
                    currency: "NOK".into(),
                    payment_method: Some(PaymentMethod::Invoice),
                    ..Default::default()
                })?;
            }
            Ok(())
        })?;
    }
    Ok(())
}
