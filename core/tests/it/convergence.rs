//! Property: three replicas doing random domain operations, exchanging
//! changes in a random order, end with identical documents and identical
//! query results once everyone has everything.

use chrono::NaiveDate;
use outpost_core::DocumentId;
use outpost_core::model::*;
use outpost_core::store::Store;
use outpost_core::store::queries::{AccountFilter, Day, PipelineFilter};
use proptest::prelude::*;

use crate::support::*;

const REPLICAS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    AddContact {
        r: usize,
        name: String,
    },
    EditContact {
        r: usize,
        pick: usize,
        field: u8,
        value: String,
    },
    ArchiveContact {
        r: usize,
        pick: usize,
        archived: bool,
    },
    AddActivity {
        r: usize,
        pick: usize,
        kind: u8,
        hours: i64,
    },
    AddDeal {
        r: usize,
        amount: i64,
        stage: u8,
    },
    MoveDeal {
        r: usize,
        pick: usize,
        stage: u8,
    },
    RenameAccount {
        r: usize,
        name: String,
    },
    EditNotes {
        r: usize,
        text: String,
    },
    Sync {
        from: usize,
        to: usize,
    },
}

const STAGES: [&str; 5] = ["prospecting", "proposal", "negotiation", "won", "lost"];

fn op() -> impl Strategy<Value = Op> {
    let r = 0..REPLICAS;
    let name = "[A-Z][a-z]{1,6}";
    prop_oneof![
        (r.clone(), name).prop_map(|(r, name)| Op::AddContact { r, name }),
        (r.clone(), any::<usize>(), 0u8..4, name).prop_map(|(r, pick, field, value)| {
            Op::EditContact {
                r,
                pick,
                field,
                value,
            }
        }),
        (r.clone(), any::<usize>(), any::<bool>())
            .prop_map(|(r, pick, archived)| Op::ArchiveContact { r, pick, archived }),
        (r.clone(), any::<usize>(), 0u8..7, -48i64..48).prop_map(|(r, pick, kind, hours)| {
            Op::AddActivity {
                r,
                pick,
                kind,
                hours,
            }
        }),
        (r.clone(), 1i64..1_000_000, 0u8..5).prop_map(|(r, amount, stage)| Op::AddDeal {
            r,
            amount,
            stage
        }),
        (r.clone(), any::<usize>(), 0u8..5).prop_map(|(r, pick, stage)| Op::MoveDeal {
            r,
            pick,
            stage
        }),
        (r.clone(), name).prop_map(|(r, name)| Op::RenameAccount { r, name }),
        (r.clone(), "[a-z ]{0,12}").prop_map(|(r, text)| Op::EditNotes { r, text }),
        (0..REPLICAS, 0..REPLICAS).prop_map(|(from, to)| Op::Sync { from, to }),
    ]
}

fn sync(stores: &mut [Store], docs: &[DocumentId], from: usize, to: usize) {
    if from == to {
        return;
    }
    for d in docs {
        let bytes = stores[from].export(*d).unwrap();
        stores[to].apply(*d, &bytes).unwrap();
    }
}

fn pick<T: Clone>(items: &[T], n: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[n % items.len()].clone())
}

fn run(ops: &[Op]) {
    let mut stores: Vec<Store> = (0..REPLICAS)
        .map(|i| memory_store(&format!("user{i}"), NOW + i as i64))
        .collect();
    let settings = stores[0]
        .create_settings(OrgSettings {
            default_currency: "EUR".into(),
            default_pipeline_id: Some("sales".into()),
            ..Default::default()
        })
        .unwrap();
    stores[0].create(settings, pipeline()).unwrap();
    let account = stores[0]
        .create_account(Account {
            name: "Start".into(),
            ..Default::default()
        })
        .unwrap();
    let docs = [settings, account];
    for to in 1..REPLICAS {
        sync(&mut stores, &docs, 0, to);
    }
    for op in ops {
        match op.clone() {
            Op::AddContact { r, name } => {
                stores[r]
                    .create(
                        account,
                        Contact {
                            first_name: name,
                            ..Default::default()
                        },
                    )
                    .unwrap();
            }
            Op::EditContact {
                r,
                pick: p,
                field,
                value,
            } => {
                let ids: Vec<String> = stores[r]
                    .list::<Contact>(account)
                    .unwrap()
                    .into_iter()
                    .map(|c| c.record.meta.id)
                    .collect();
                if let Some(id) = pick(&ids, p) {
                    stores[r]
                        .modify::<Contact>(account, &id, |c| match field {
                            0 => c.first_name = value,
                            1 => c.last_name = value,
                            2 => c.title = Some(value),
                            _ => c.hobbies.push(value),
                        })
                        .unwrap();
                }
            }
            Op::ArchiveContact {
                r,
                pick: p,
                archived,
            } => {
                let ids: Vec<String> = stores[r]
                    .list::<Contact>(account)
                    .unwrap()
                    .into_iter()
                    .map(|c| c.record.meta.id)
                    .collect();
                if let Some(id) = pick(&ids, p) {
                    if archived {
                        stores[r]
                            .archive(account, RecordKind::Contact, &id)
                            .unwrap();
                    } else {
                        stores[r]
                            .restore(account, RecordKind::Contact, &id)
                            .unwrap();
                    }
                }
            }
            Op::AddActivity {
                r,
                pick: p,
                kind,
                hours,
            } => {
                let ids: Vec<String> = stores[r]
                    .list::<Contact>(account)
                    .unwrap()
                    .into_iter()
                    .map(|c| c.record.meta.id)
                    .collect();
                let kinds = [
                    ActivityKind::Call,
                    ActivityKind::Meeting,
                    ActivityKind::Visit,
                    ActivityKind::Email,
                    ActivityKind::Sms,
                    ActivityKind::Note,
                    ActivityKind::Task,
                ];
                stores[r]
                    .create(
                        account,
                        Activity {
                            kind: kinds[kind as usize],
                            subject: format!("act {hours}"),
                            start_at: Some(NOW + hours * HOUR),
                            contact_ids: pick(&ids, p).into_iter().collect(),
                            ..Default::default()
                        },
                    )
                    .unwrap();
            }
            Op::AddDeal { r, amount, stage } => {
                stores[r]
                    .create(
                        account,
                        Deal {
                            name: format!("deal {amount}"),
                            pipeline_id: "sales".into(),
                            stage_id: STAGES[stage as usize].into(),
                            amount_minor: amount,
                            currency: "EUR".into(),
                            ..Default::default()
                        },
                    )
                    .unwrap();
            }
            Op::MoveDeal { r, pick: p, stage } => {
                let ids: Vec<String> = stores[r]
                    .list::<Deal>(account)
                    .unwrap()
                    .into_iter()
                    .map(|c| c.record.meta.id)
                    .collect();
                if let Some(id) = pick(&ids, p) {
                    stores[r]
                        .move_deal_stage(account, &id, STAGES[stage as usize])
                        .unwrap();
                }
            }
            Op::RenameAccount { r, name } => {
                stores[r]
                    .modify::<Account>(account, "", |a| a.name = name)
                    .unwrap();
            }
            Op::EditNotes { r, text } => {
                stores[r]
                    .modify::<Account>(account, "", |a| a.notes = text)
                    .unwrap();
            }
            Op::Sync { from, to } => sync(&mut stores, &docs, from, to),
        }
    }
    // everyone gets everything
    for _ in 0..2 {
        for from in 0..REPLICAS {
            for to in 0..REPLICAS {
                sync(&mut stores, &docs, from, to);
            }
        }
    }
    let day = Day {
        date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        utc_offset_minutes: 60,
    };
    let snapshot = |s: &mut Store| {
        (
            s.heads(account).unwrap(),
            s.doc(account).unwrap().to_json(),
            s.conflicts(account).unwrap(),
            s.list_accounts(&AccountFilter::default()).unwrap(),
            s.search_contacts("a", 1000).unwrap(),
            format!("{:?}", s.pipeline(&PipelineFilter::default()).unwrap()),
            s.agenda(day, None).unwrap(),
            s.dashboard(day, None, None).unwrap(),
        )
    };
    let first = snapshot(&mut stores[0]);
    for s in stores.iter_mut().skip(1) {
        let other = snapshot(s);
        assert_eq!(first.0, other.0, "heads differ");
        assert_eq!(first.1, other.1, "documents differ");
        assert_eq!(first.2, other.2, "conflicts differ");
        assert_eq!(first.3, other.3, "account list differs");
        let mut a = first.4.clone();
        let mut b = other.4.clone();
        a.sort_by(|x, y| x.contact_id.cmp(&y.contact_id));
        b.sort_by(|x, y| x.contact_id.cmp(&y.contact_id));
        assert_eq!(a, b, "search differs");
        assert_eq!(first.5, other.5, "pipeline differs");
        assert_eq!(first.6, other.6, "agenda differs");
        assert_eq!(first.7, other.7, "dashboard differs");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge(ops in proptest::collection::vec(op(), 1..40)) {
        run(&ops);
    }
}

#[test]
fn concurrent_edits_of_every_kind_converge() {
    // a fixed scenario that always has concurrency: each replica edits before any sync
    let mut ops = Vec::new();
    for r in 0..REPLICAS {
        ops.push(Op::AddContact {
            r,
            name: format!("Anna{r}"),
        });
        ops.push(Op::RenameAccount {
            r,
            name: format!("Name{r}"),
        });
        ops.push(Op::EditNotes {
            r,
            text: format!("note from {r}"),
        });
        ops.push(Op::AddDeal {
            r,
            amount: 100 * (r as i64 + 1),
            stage: r as u8,
        });
    }
    ops.push(Op::Sync { from: 0, to: 1 });
    for r in 0..REPLICAS {
        ops.push(Op::EditContact {
            r,
            pick: 0,
            field: 2,
            value: format!("T{r}"),
        });
        ops.push(Op::MoveDeal {
            r,
            pick: 0,
            stage: 3,
        });
    }
    run(&ops);
}
