//! The queries a rep needs, on a small hand-made world with a fixed clock.

use chrono::NaiveDate;
use outpost_core::DocumentId;
use outpost_core::model::*;
use outpost_core::store::Store;
use outpost_core::store::queries::*;

use crate::support::*;

/// Monday 2026-11-23, UTC.
fn today() -> Day {
    Day {
        date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        utc_offset_minutes: 0,
    }
}

struct World {
    store: Store,
    fisk: DocumentId,
    bakeri: DocumentId,
    kari: String,
}

fn tagged(tags: &[&str]) -> RecordMeta {
    RecordMeta {
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..Default::default()
    }
}

fn world() -> World {
    let mut store = memory_store("alice", NOW);
    let settings = store
        .create_settings(OrgSettings {
            org_name: "Outpost Demo".into(),
            default_currency: "NOK".into(),
            default_phone_region: "NO".into(),
            default_pipeline_id: Some("sales".into()),
            ..Default::default()
        })
        .unwrap();
    store.create(settings, pipeline()).unwrap();

    let fisk = store
        .create_account(Account {
            meta: tagged(&["key", "fish"]),
            name: "Fjord Fisk AS".into(),
            lifecycle_stage: Some(LifecycleStage::Retention),
            phones: vec![Phone {
                id: "p0".into(),
                number: "55 12 34 56".into(),
                label: Some("switchboard".into()),
                ..Default::default()
            }],
            ..Default::default()
        })
        .unwrap();
    let kari = store
        .create(
            fisk,
            Contact {
                first_name: "Kari".into(),
                last_name: "Nordmann".into(),
                title: Some("Innkjøpssjef".into()),
                emails: vec![Email {
                    id: "e1".into(),
                    address: "kari@fjordfisk.example".into(),
                    primary: true,
                    ..Default::default()
                }],
                phones: vec![Phone {
                    id: "p1".into(),
                    number: "+47 912 34 567".into(),
                    ..Default::default()
                }],
                birthday: Some("1980-11-25".into()),
                family: vec![FamilyMember {
                    id: "f1".into(),
                    name: "Ola".into(),
                    relation: Some("spouse".into()),
                    birthday: Some("--12-24".into()),
                    anniversary: Some("2005-06-18".into()),
                }],
                ..Default::default()
            },
        )
        .unwrap();
    let bakeri = store
        .create_account(Account {
            meta: tagged(&["bakery"]),
            name: "Bergen Bakeri".into(),
            lifecycle_stage: Some(LifecycleStage::Acquisition),
            ..Default::default()
        })
        .unwrap();
    store
        .edit(bakeri, |e| {
            e.create(Contact {
                first_name: "Åse".into(),
                last_name: "Kjærstad".into(),
                emails: vec![Email {
                    id: "e1".into(),
                    address: "ase@bakeri.example".into(),
                    ..Default::default()
                }],
                phones: vec![Phone {
                    id: "p1".into(),
                    number: "0047 91234567".into(), // the same number as Kari, typed differently
                    ..Default::default()
                }],
                ..Default::default()
            })?;
            let deal = |name: &str, stage: &str, amount, prob: Option<u8>, currency: &str| Deal {
                name: name.into(),
                pipeline_id: "sales".into(),
                stage_id: stage.into(),
                amount_minor: amount,
                currency: currency.into(),
                probability: prob,
                ..Default::default()
            };
            e.create(deal("Ovens", "proposal", 100_000_00, None, "NOK"))?;
            e.create(deal("Flour", "proposal", 50_000_00, Some(20), "NOK"))?;
            e.create(deal("Export", "proposal", 9_000_00, None, "EUR"))?;
            let won = e.create(deal("Bread", "negotiation", 30_000_00, None, "NOK"))?;
            e.move_deal_stage(&won, "won")?;
            // a purchase almost a year ago: a thank-you reminder in two days
            e.create(Order {
                number: Some("SO-old".into()),
                ordered_at: NOW - 365 * DAY + 2 * DAY,
                total_minor: 500_00,
                currency: "NOK".into(),
                ..Default::default()
            })?;
            Ok(())
        })
        .unwrap();
    store
        .edit(fisk, |e| {
            e.create(Deal {
                name: "Ice".into(),
                pipeline_id: "sales".into(),
                stage_id: "prospecting".into(),
                amount_minor: 10_000_00,
                currency: "NOK".into(),
                ..Default::default()
            })?;
            let act =
                |kind, status, subject: &str, start: Option<i64>, due: Option<i64>| Activity {
                    kind,
                    status,
                    subject: subject.into(),
                    start_at: start,
                    due_at: due,
                    ..Default::default()
                };
            e.create(act(
                ActivityKind::Visit,
                ActivityStatus::Planned,
                "Quarterly visit",
                Some(NOW + 2 * HOUR),
                None,
            ))?;
            e.create(act(
                ActivityKind::Call,
                ActivityStatus::Done,
                "Follow-up call",
                Some(NOW - HOUR),
                None,
            ))?;
            e.create(act(
                ActivityKind::Task,
                ActivityStatus::Planned,
                "Send price list",
                None,
                Some(NOW - 3 * DAY),
            ))?;
            e.create(act(
                ActivityKind::Task,
                ActivityStatus::Done,
                "Old done task",
                None,
                Some(NOW - 5 * DAY),
            ))?;
            e.create(act(
                ActivityKind::Visit,
                ActivityStatus::Planned,
                "Next week",
                Some(NOW + 7 * DAY),
                None,
            ))?;
            e.create(act(
                ActivityKind::Meeting,
                ActivityStatus::Cancelled,
                "Cancelled",
                Some(NOW + HOUR),
                None,
            ))?;
            // orders every ~30 days, the last 40 days ago: reorder is due
            for (i, ago) in [100, 70, 40].iter().enumerate() {
                e.create(Order {
                    number: Some(format!("SO-{i}")),
                    ordered_at: NOW - ago * DAY,
                    total_minor: 1_000_00,
                    currency: "NOK".into(),
                    ..Default::default()
                })?;
            }
            Ok(())
        })
        .unwrap();
    World {
        store,
        fisk,
        bakeri,
        kari,
    }
}

#[test]
fn account_list_filters_and_sorts() {
    let w = world();
    let all = w.store.list_accounts(&AccountFilter::default()).unwrap();
    let names: Vec<_> = all.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Bergen Bakeri", "Fjord Fisk AS"]);
    let key = w
        .store
        .list_accounts(&AccountFilter {
            tag: Some("key".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(key.len(), 1);
    assert_eq!(key[0].doc_id, w.fisk);
    let acq = w
        .store
        .list_accounts(&AccountFilter {
            lifecycle_stage: Some("acquisition".into()),
            owner: Some("alice".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(acq.len(), 1);
    assert_eq!(acq[0].doc_id, w.bakeri);
    let none = w
        .store
        .list_accounts(&AccountFilter {
            owner: Some("bob".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(none.is_empty());
    let paged = w
        .store
        .list_accounts(&AccountFilter {
            limit: Some(1),
            offset: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(paged[0].name, "Fjord Fisk AS");
}

#[test]
fn contact_search_by_name_email_company_and_diacritics() {
    let w = world();
    let by_name = w.store.search_contacts("kar nord", 10).unwrap();
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name[0].contact_id, w.kari);
    assert_eq!(by_name[0].account_name, "Fjord Fisk AS");
    assert_eq!(w.store.search_contacts("fjordfisk", 10).unwrap().len(), 1);
    // a whole address pasted in, any case
    let by_address = w
        .store
        .search_contacts("KARI@fjordfisk.example", 10)
        .unwrap();
    assert_eq!(
        by_address
            .iter()
            .map(|h| h.contact_id.as_str())
            .collect::<Vec<_>>(),
        [w.kari.as_str()]
    );
    assert_eq!(
        w.store.search_contacts("bergen", 10).unwrap()[0].full_name,
        "Åse Kjærstad"
    );
    // typed without diacritics
    assert_eq!(
        w.store.search_contacts("ase", 10).unwrap()[0].full_name,
        "Åse Kjærstad"
    );
    // FTS syntax in user input is just text
    assert!(
        w.store
            .search_contacts("\"OR NEAR(", 10)
            .unwrap()
            .is_empty()
    );
    assert!(w.store.search_contacts("", 10).unwrap().is_empty());
}

#[test]
fn caller_lookup_matches_numbers_typed_any_way() {
    let w = world();
    let hits = w.store.lookup_phone("91234567").unwrap();
    let names: Vec<_> = hits
        .iter()
        .map(|h| h.contact_name.clone().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{hits:?}");
    assert!(names.contains(&"Kari Nordmann".to_string()));
    assert!(names.contains(&"Åse Kjærstad".to_string()));
    let switchboard = w.store.lookup_phone("+4755123456").unwrap();
    assert_eq!(switchboard.len(), 1);
    assert_eq!(switchboard[0].contact_id, None);
    assert_eq!(switchboard[0].account_name, "Fjord Fisk AS");
    assert!(w.store.lookup_phone("not a number").unwrap().is_empty());
}

#[test]
fn pipeline_by_stage_with_weighted_totals_and_shares() {
    let w = world();
    let view = w.store.pipeline(&PipelineFilter::default()).unwrap();
    assert_eq!(view.pipeline_id.as_deref(), Some("sales"));
    assert_eq!(view.currency.as_deref(), Some("NOK"));
    assert_eq!(view.other_currency_deals, 1);
    let stage = |id: &str| view.stages.iter().find(|s| s.stage_id == id).unwrap();
    assert_eq!(view.stages.len(), 5);
    assert_eq!(view.stages[0].stage_id, "prospecting");
    let proposal = stage("proposal");
    assert_eq!(proposal.count, 2);
    assert_eq!(proposal.total_minor, 150_000_00);
    // 100k × 50% (stage default) + 50k × 20% (deal's own probability)
    assert_eq!(proposal.weighted_minor, 60_000_00);
    assert_eq!(stage("prospecting").weighted_minor, 1_000_00);
    assert_eq!(stage("won").count, 1);
    assert_eq!(stage("negotiation").count, 0);
    assert!((proposal.share - 0.5).abs() < 1e-9);
    let eur = w
        .store
        .pipeline(&PipelineFilter {
            currency: Some("EUR".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(eur.stages.iter().map(|s| s.count).sum::<i64>(), 1);
}

#[test]
fn agenda_shows_today_and_overdue() {
    let w = world();
    let agenda = w.store.agenda(today(), Some("alice")).unwrap();
    let planned: Vec<_> = agenda.today.iter().map(|a| a.subject.as_str()).collect();
    assert_eq!(planned, ["Follow-up call", "Quarterly visit"]);
    let overdue: Vec<_> = agenda.overdue.iter().map(|a| a.subject.as_str()).collect();
    assert_eq!(overdue, ["Send price list"]);
    assert!(
        w.store
            .agenda(today(), Some("bob"))
            .unwrap()
            .today
            .is_empty()
    );
}

#[test]
fn dashboard_counts_the_day() {
    let w = world();
    let d = w.store.dashboard(today(), None, None).unwrap();
    assert_eq!(d.currency.as_deref(), Some("NOK"));
    assert_eq!((d.visits_today, d.calls_today, d.overdue_tasks), (1, 1, 1));
    assert_eq!(d.new_contacts_this_week, 2);
    assert_eq!(d.open_deals, 3); // ovens, flour, ice (NOK)
    assert_eq!(d.open_pipeline_minor, 160_000_00);
    assert_eq!(d.weighted_pipeline_minor, 61_000_00);
    assert_eq!((d.won_this_month, d.won_this_month_minor), (1, 30_000_00));
}

#[test]
fn upcoming_birthdays_anniversaries_and_purchase_anniversaries() {
    let w = world();
    let soon = w.store.upcoming_dates(today(), 31).unwrap();
    let kinds: Vec<(DateKind, i64)> = soon.iter().map(|u| (u.kind, u.days_away)).collect();
    assert_eq!(
        kinds,
        [
            (DateKind::PurchaseAnniversary, 2),
            (DateKind::Birthday, 2),
            (DateKind::FamilyBirthday, 31)
        ]
    );
    assert_eq!(soon[0].account_name, "Bergen Bakeri");
    assert_eq!(soon[0].years, Some(1));
    assert_eq!(soon[1].years, Some(46));
    assert_eq!(soon[1].contact_name.as_deref(), Some("Kari Nordmann"));
    assert_eq!(soon[2].label.as_deref(), Some("Ola"));
    assert_eq!(soon[2].years, None);
    assert_eq!(w.store.upcoming_dates(today(), 1).unwrap().len(), 0);
}

#[test]
fn reorder_due_from_purchase_rhythm() {
    let w = world();
    let due = w.store.reorder_due(today()).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].doc_id, w.fisk);
    assert_eq!(due[0].orders, 3);
    assert_eq!(due[0].days_overdue, 10);
    assert!((due[0].average_interval_days - 30.0).abs() < 1e-9);
    // a year earlier nothing was due (the only orders are later)
    let earlier = Day {
        date: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
        utc_offset_minutes: 0,
    };
    assert!(w.store.reorder_due(earlier).unwrap().is_empty());
}

#[test]
fn contact_insights_are_derived_from_the_timeline() {
    let mut w = world();
    let kari = w.kari.clone();
    w.store
        .edit(w.fisk, |e| {
            let mut exchange = |dir, at| {
                e.create(Activity {
                    kind: ActivityKind::Email,
                    status: ActivityStatus::Done,
                    direction: Some(dir),
                    start_at: Some(at),
                    contact_ids: vec![kari.clone()],
                    ..Default::default()
                })
            };
            exchange(Direction::Outbound, NOW - 10 * DAY)?;
            exchange(Direction::Inbound, NOW - 10 * DAY + 2 * HOUR)?;
            exchange(Direction::Outbound, NOW - 5 * DAY)?;
            exchange(Direction::Inbound, NOW - 5 * DAY + 6 * HOUR)?;
            e.create(Activity {
                kind: ActivityKind::Visit,
                start_at: Some(NOW + DAY),
                contact_ids: vec![kari.clone()],
                ..Default::default()
            })?;
            Ok(())
        })
        .unwrap();
    let i = w.store.contact_insights(w.fisk, &w.kari, NOW).unwrap();
    assert_eq!(i.replies_measured, 2);
    assert_eq!(i.median_response_hours, Some(4.0));
    assert_eq!(i.last_activity_at, Some(NOW - 5 * DAY + 6 * HOUR));
    assert_eq!(i.next_activity_at, Some(NOW + DAY));
}
