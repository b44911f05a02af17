//! The sales manager's reports (forecast, stalled deals, conversion, product
//! sales, product search) on hand-made worlds whose clock the test moves.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::NaiveDate;
use outpost_core::DocumentId;
use outpost_core::model::*;
use outpost_core::store::queries::*;
use outpost_core::store::{Store, StoreOptions};

use crate::support::*;

/// Friday 2026-12-04, UTC.
fn day() -> Day {
    Day {
        date: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
        utc_offset_minutes: 0,
    }
}

/// A store with the standard pipeline and a clock the test sets.
struct World {
    store: Store,
    clock: Arc<AtomicI64>,
    settings: DocumentId,
    fisk: DocumentId,
}

impl World {
    fn new() -> Self {
        let mut store = memory_store("kari", NOW);
        let clock = Arc::new(AtomicI64::new(day().end_ms()));
        let c = clock.clone();
        store.set_clock(move || c.load(Ordering::SeqCst));
        let settings = store
            .create_settings(OrgSettings {
                default_currency: "NOK".into(),
                default_phone_region: "NO".into(),
                default_pipeline_id: Some("sales".into()),
                ..Default::default()
            })
            .unwrap();
        store.create(settings, pipeline()).unwrap();
        let fisk = store
            .create_account(Account {
                name: "Fjord Fisk AS".into(),
                ..Default::default()
            })
            .unwrap();
        World {
            store,
            clock,
            settings,
            fisk,
        }
    }

    /// Sets the clock to `days` days before the end of the report day.
    fn at(&self, days: f64) {
        self.clock.store(
            day().end_ms() - (days * DAY as f64) as i64,
            Ordering::SeqCst,
        );
    }

    /// A deal created `created` days ago in `stage`, then moved as
    /// `moves` says (stage, days ago), owned by `owner`.
    fn deal(&mut self, created: f64, stage: &str, moves: &[(&str, f64)], deal: Deal) -> String {
        self.at(created);
        let id = self
            .store
            .create(
                self.fisk,
                Deal {
                    pipeline_id: if deal.pipeline_id.is_empty() {
                        "sales".into()
                    } else {
                        deal.pipeline_id.clone()
                    },
                    stage_id: stage.into(),
                    currency: if deal.currency.is_empty() {
                        "NOK".into()
                    } else {
                        deal.currency.clone()
                    },
                    ..deal
                },
            )
            .unwrap();
        for (to, when) in moves {
            self.at(*when);
            self.store.move_deal_stage(self.fisk, &id, to).unwrap();
        }
        self.at(0.0);
        id
    }
}

fn named(name: &str, owner: &str, amount_minor: i64, close: Option<&str>) -> Deal {
    Deal {
        meta: RecordMeta {
            owner: Some(owner.into()),
            ..Default::default()
        },
        name: name.into(),
        amount_minor,
        expected_close: close.map(str::to_owned),
        ..Default::default()
    }
}

#[test]
fn forecast_by_month_owner_and_currency_never_sums_currencies() {
    let mut w = World::new();
    w.deal(
        1.0,
        "proposal",
        &[],
        named("Laks", "kari", 100_000_00, Some("2026-12-15")),
    );
    w.deal(
        1.0,
        "prospecting",
        &[],
        Deal {
            probability: Some(20),
            ..named("Sild", "ola", 50_000_00, Some("2026-12-01"))
        },
    );
    w.deal(
        1.0,
        "negotiation",
        &[],
        Deal {
            currency: "EUR".into(),
            ..named("Export", "kari", 10_000_00, Some("2026-12-20"))
        },
    );
    w.deal(
        1.0,
        "proposal",
        &[],
        named("Late", "kari", 30_000_00, Some("2026-10-10")),
    );
    w.deal(
        1.0,
        "prospecting",
        &[],
        named("Someday", "kari", 7_000_00, None),
    );
    // half a minor unit rounds away from zero, per deal
    w.deal(
        1.0,
        "proposal",
        &[],
        named("Odd", "ola", 3, Some("2026-12-31")),
    );
    // closed and archived deals are not forecast
    w.deal(
        2.0,
        "proposal",
        &[("won", 1.0)],
        named("Done", "kari", 99_00, Some("2026-12-02")),
    );
    let gone = w.deal(
        1.0,
        "proposal",
        &[],
        named("Gone", "kari", 99_00, Some("2026-12-02")),
    );
    w.store.archive(w.fisk, RecordKind::Deal, &gone).unwrap();

    let f = w.store.forecast(day(), &SalesFilter::default()).unwrap();
    let total = |m: Option<&str>, c: &str| {
        f.totals
            .iter()
            .find(|r| r.month.as_deref() == m && r.currency == c)
            .cloned()
            .unwrap_or_else(|| panic!("no total for {m:?} {c}: {:?}", f.totals))
    };
    let dec = total(Some("2026-12"), "NOK");
    assert_eq!((dec.deals, dec.total_minor), (3, 150_000_03));
    // 100k × 50 % + 50k × 20 % (the deal's own) + 0.03 × 50 % rounded up
    assert_eq!(dec.weighted_minor, 60_000_02);
    assert!(!dec.past_due);
    let eur = total(Some("2026-12"), "EUR");
    assert_eq!(
        (eur.deals, eur.total_minor, eur.weighted_minor),
        (1, 10_000_00, 8_000_00)
    );
    let oct = total(Some("2026-10"), "NOK");
    assert!(oct.past_due, "an open deal whose close month has passed");
    assert_eq!(
        f.totals.last().unwrap().month,
        None,
        "deals without a date come last"
    );
    assert_eq!(f.totals.last().unwrap().total_minor, 7_000_00);
    // months in order
    let months: Vec<_> = f.totals.iter().map(|r| r.month.clone()).collect();
    assert_eq!(
        months,
        [
            Some("2026-10".to_owned()),
            Some("2026-12".to_owned()),
            Some("2026-12".to_owned()),
            None
        ]
    );
    // per owner
    let ola: Vec<_> = f
        .rows
        .iter()
        .filter(|r| r.owner.as_deref() == Some("ola"))
        .collect();
    assert_eq!(ola.len(), 1);
    assert_eq!((ola[0].deals, ola[0].weighted_minor), (2, 10_000_02));
    let only_ola = w
        .store
        .forecast(
            day(),
            &SalesFilter {
                owner: Some("ola".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(only_ola.totals.len(), 1);
    assert_eq!(only_ola.totals[0].total_minor, 50_000_03);
}

#[test]
fn stalled_deals_against_thresholds_from_history_the_default_or_set() {
    let mut w = World::new();
    // six deals left prospecting after 2, 3, 4, 5, 6 and 10 days
    for (i, stay) in [2.0, 3.0, 4.0, 5.0, 6.0, 10.0].iter().enumerate() {
        w.deal(
            20.0,
            "prospecting",
            &[("proposal", 20.0 - stay)],
            named(&format!("h{i}"), "kari", 1_00, None),
        );
    }
    // entered proposal 40 days ago (a seventh prospecting stay: 10 days)
    let slow = w.deal(
        50.0,
        "prospecting",
        &[("proposal", 40.0)],
        named("Slow", "kari", 5_00, None),
    );
    // 75th percentile (nearest rank) of [2 3 4 5 6 10 10] days: 10
    let stuck = w.deal(11.5, "prospecting", &[], named("Stuck", "ola", 7_00, None));
    w.deal(7.0, "prospecting", &[], named("Fresh", "ola", 7_00, None));
    let haggling = w.deal(
        3.0,
        "negotiation",
        &[],
        named("Haggling", "kari", 9_00, None),
    );
    w.deal(
        60.0,
        "proposal",
        &[("won", 55.0)],
        named("Won long ago", "kari", 9_00, None),
    );

    let opts = StalledOptions {
        thresholds: vec![StageDays {
            stage_id: "negotiation".into(),
            days: 2,
        }],
        ..Default::default()
    };
    let r = w
        .store
        .stalled_deals(day(), &SalesFilter::default(), &opts)
        .unwrap();
    let threshold = |id: &str| r.thresholds.iter().find(|t| t.stage_id == id).unwrap();
    assert_eq!(threshold("prospecting").days, 10);
    assert_eq!(threshold("prospecting").source, ThresholdSource::History);
    assert_eq!(threshold("prospecting").samples, 7);
    assert_eq!(
        threshold("proposal").source,
        ThresholdSource::Default,
        "no deal has left proposal yet"
    );
    assert_eq!(threshold("proposal").days, 30);
    assert_eq!(threshold("negotiation").source, ThresholdSource::Set);
    assert!(
        r.thresholds
            .iter()
            .all(|t| t.stage_id != "won" && t.stage_id != "lost")
    );

    let stalled: Vec<_> = r
        .deals
        .iter()
        .map(|d| (d.deal_id.clone(), d.days_in_stage, d.threshold_days))
        .collect();
    // the most overdue first: 40 − 30, then 11 − 10, then 3 − 2 (both 1 day over: by id)
    assert_eq!(stalled[0], (slow, 40, 30));
    let mut rest = vec![(stuck.clone(), 11, 10), (haggling.clone(), 3, 2)];
    rest.sort();
    assert_eq!(stalled[1..].to_vec(), rest);
    assert_eq!(
        r.deals
            .iter()
            .find(|d| d.deal_id == stuck)
            .unwrap()
            .stage_name,
        "PROSPECTING"
    );

    // one owner's stalled deals, against the thresholds of everyone's history
    let ola = w
        .store
        .stalled_deals(
            day(),
            &SalesFilter {
                owner: Some("ola".into()),
                ..Default::default()
            },
            &StalledOptions::default(),
        )
        .unwrap();
    assert_eq!(
        ola.deals
            .iter()
            .map(|d| d.deal_id.clone())
            .collect::<Vec<_>>(),
        [stuck]
    );
}

#[test]
fn conversion_funnel_win_rate_and_sales_cycle() {
    let mut w = World::new();
    w.deal(
        30.0,
        "prospecting",
        &[("proposal", 25.0), ("negotiation", 20.0), ("won", 10.0)],
        named("w1", "kari", 1, None),
    );
    w.deal(
        15.0,
        "proposal",
        &[("won", 5.0)],
        named("w2", "kari", 1, None),
    );
    w.deal(
        9.0,
        "prospecting",
        &[("lost", 3.0)],
        named("l1", "ola", 1, None),
    );
    w.deal(
        9.0,
        "prospecting",
        &[("proposal", 8.0), ("lost", 6.0)],
        named("l2", "ola", 1, None),
    );
    w.deal(
        9.0,
        "prospecting",
        &[("negotiation", 8.0)],
        named("o1", "kari", 1, None),
    );
    w.deal(2.0, "prospecting", &[], named("o2", "kari", 1, None));

    let r = w
        .store
        .conversion(&SalesFilter::default(), None, None)
        .unwrap();
    assert_eq!(
        r.pipeline_id.as_deref(),
        Some("sales"),
        "the org's default pipeline"
    );
    let funnel: Vec<_> = r
        .stages
        .iter()
        .map(|s| (s.stage_id.as_str(), s.reached, s.advanced))
        .collect();
    assert_eq!(
        funnel,
        [
            ("prospecting", 6, 4),
            ("proposal", 4, 3),
            ("negotiation", 3, 2)
        ],
        "a deal that skipped a stage passed through it"
    );
    assert!((r.stages[0].rate.unwrap() - 4.0 / 6.0).abs() < 1e-9);
    assert_eq!((r.won, r.lost), (2, 2));
    assert_eq!(r.win_rate, Some(0.5));
    assert!(
        (r.avg_cycle_days.unwrap() - 15.0).abs() < 1e-9,
        "20 and 10 days"
    );
    assert!((r.median_cycle_days.unwrap() - 15.0).abs() < 1e-9);

    // closed in the last four days: only l1
    let recent = w
        .store
        .conversion(
            &SalesFilter::default(),
            Some(day().end_ms() - 4 * DAY),
            None,
        )
        .unwrap();
    assert_eq!(
        (recent.won, recent.lost, recent.win_rate),
        (0, 1, Some(0.0))
    );
    assert_eq!(recent.avg_cycle_days, None);
    // one owner's
    let ola = w
        .store
        .conversion(
            &SalesFilter {
                owner: Some("ola".into()),
                ..Default::default()
            },
            None,
            None,
        )
        .unwrap();
    assert_eq!((ola.won, ola.lost), (0, 2));
    assert_eq!(ola.stages[0].reached, 2);
}

fn product(id: &str, sku: &str, name: &str, price: i64) -> Product {
    Product {
        meta: RecordMeta {
            id: id.into(),
            ..Default::default()
        },
        sku: sku.into(),
        name: name.into(),
        unit_price_minor: price,
        currency: "NOK".into(),
        stock: Some(12),
        stock_at: Some(NOW),
        ..Default::default()
    }
}

fn line(product_id: Option<&str>, description: &str, qty_milli: i64, price: i64) -> LineItem {
    LineItem {
        product_id: product_id.map(str::to_owned),
        description: description.into(),
        quantity_milli: qty_milli,
        unit_price_minor: price,
        ..Default::default()
    }
}

fn order(at: NaiveDate, currency: &str, status: Option<&str>, lines: Vec<LineItem>) -> Order {
    Order {
        ordered_at: at
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis(),
        currency: currency.into(),
        status: status.map(str::to_owned),
        lines,
        ..Default::default()
    }
}

#[test]
fn product_sales_by_month_and_currency_and_product_search_in_any_script() {
    let mut w = World::new();
    w.store
        .create(w.settings, product("laks", "LAKS-5", "Laks 5 kg", 100_00))
        .unwrap();
    w.store
        .create(w.settings, product("sild", "SLD-1", "Сельдь пряная", 40_00))
        .unwrap();
    let old = w
        .store
        .create(w.settings, product("torsk", "TRS-1", "Tørrfisk", 10_00))
        .unwrap();
    w.store
        .archive(w.settings, RecordKind::Product, &old)
        .unwrap();
    let nov = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let dec = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    for o in [
        order(
            nov,
            "NOK",
            None,
            vec![
                line(Some("laks"), "Laks", 2_500, 100_00),
                line(Some("sild"), "Sild", 1_000, 40_00),
            ],
        ),
        order(
            dec,
            "NOK",
            Some("delivered"),
            vec![line(Some("laks"), "Laks", 1_000, 100_00)],
        ),
        order(
            dec,
            "NOK",
            None,
            vec![
                line(Some("laks"), "Laks", 3_000, 100_00),
                line(None, "Frakt", 1_000, 250_00),
            ],
        ),
        order(
            dec,
            "EUR",
            None,
            vec![line(Some("laks"), "Laks", 1_000, 9_00)],
        ),
        order(
            dec,
            "NOK",
            Some("cancelled"),
            vec![line(Some("laks"), "Laks", 50_000, 100_00)],
        ),
    ] {
        w.store.create(w.fisk, o).unwrap();
    }
    let sales = w.store.product_sales(day(), None, None).unwrap();
    let got: Vec<_> = sales
        .iter()
        .map(|s| {
            (
                s.month.as_str(),
                s.product_id.as_deref(),
                s.name.as_str(),
                s.currency.as_str(),
                s.orders,
                s.quantity_milli,
                s.revenue_minor,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "2026-11",
                Some("laks"),
                "Laks 5 kg",
                "NOK",
                1,
                2_500,
                250_00
            ),
            (
                "2026-11",
                Some("sild"),
                "Сельдь пряная",
                "NOK",
                1,
                1_000,
                40_00
            ),
            (
                "2026-12",
                Some("laks"),
                "Laks 5 kg",
                "NOK",
                2,
                4_000,
                400_00
            ),
            ("2026-12", None, "Frakt", "NOK", 1, 1_000, 250_00),
            ("2026-12", Some("laks"), "Laks 5 kg", "EUR", 1, 1_000, 9_00),
        ]
    );
    let december = w
        .store
        .product_sales(
            day(),
            Some(
                Day {
                    date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                    utc_offset_minutes: 0,
                }
                .start_ms(),
            ),
            None,
        )
        .unwrap();
    assert!(december.iter().all(|s| s.month == "2026-12"));

    let names = |q: &str, archived: bool| -> Vec<String> {
        w.store
            .search_products(q, archived, 50, 0)
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    assert_eq!(
        names("СЕЛЬДЬ", false),
        ["Сельдь пряная"],
        "Cyrillic, any case"
    );
    assert_eq!(names("laks 5", false), ["Laks 5 kg"], "every word");
    assert_eq!(names("sld-1", false), ["Сельдь пряная"], "by SKU");
    assert_eq!(
        names("tørr", false),
        Vec::<String>::new(),
        "archived ones only when asked"
    );
    assert_eq!(names("TØRR", true), ["Tørrfisk"]);
    assert_eq!(names("", false).len(), 2);
    let hit = &w.store.search_products("laks", false, 50, 0).unwrap()[0];
    assert_eq!(
        (hit.stock, hit.stock_at),
        (Some(12), Some(NOW)),
        "stock with the time it was read"
    );
    assert_eq!(
        w.store.search_products("", false, 1, 1).unwrap().len(),
        1,
        "paged"
    );
}

#[test]
fn a_store_from_before_the_sales_index_gets_it_on_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    {
        let mut w = World::new();
        let mut s = Store::open(&path, author("kari"), StoreOptions::default()).unwrap();
        let clock = w.clock.clone();
        s.set_clock(move || clock.load(Ordering::SeqCst));
        w.at(10.0);
        let settings = s
            .create_settings(OrgSettings {
                default_pipeline_id: Some("sales".into()),
                ..Default::default()
            })
            .unwrap();
        s.create(settings, pipeline()).unwrap();
        w.fisk = s
            .create_account(Account {
                name: "Fjord Fisk AS".into(),
                ..Default::default()
            })
            .unwrap();
        w.store = s;
        w.deal(
            10.0,
            "prospecting",
            &[("won", 4.0)],
            named("Laks", "kari", 1_00, None),
        );
    }
    // what a version-8 store holds: the same, without migration 9's tables
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE idx_stage_moves; DROP TABLE idx_order_lines; DROP TABLE idx_products;
             DELETE FROM meta WHERE key = 'reindex'; PRAGMA user_version = 8;",
        )
        .unwrap();
    }
    let s = Store::open(&path, author("kari"), StoreOptions::default()).unwrap();
    let r = s.conversion(&SalesFilter::default(), None, None).unwrap();
    assert_eq!(r.won, 1);
    assert!(
        (r.avg_cycle_days.unwrap() - 6.0).abs() < 1e-9,
        "the move made before the upgrade is indexed"
    );
}
