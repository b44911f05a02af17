//! Sub-items written without ids (an app appending a phone, a REST client
//! sending a list) each get their own fresh id: two of them never collapse
//! into one, for every kind of sub-item, on create and on update.

use outpost_core::model::*;

use crate::support::{NOW, memory_store};

fn phone(n: &str) -> Phone {
    Phone {
        number: n.into(),
        ..Default::default()
    }
}

fn line(desc: &str, price: i64) -> LineItem {
    LineItem {
        description: desc.into(),
        quantity_milli: 1000,
        unit_price_minor: price,
        ..Default::default()
    }
}

fn ids_distinct_and_set<T>(items: &[T], id: impl Fn(&T) -> &str) {
    let mut ids: Vec<&str> = items.iter().map(&id).collect();
    assert!(ids.iter().all(|i| !i.is_empty()), "every item has an id");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), items.len(), "ids are distinct");
}

#[test]
fn every_kind_of_sub_item_without_an_id_is_kept() {
    let mut s = memory_store("kari", NOW);
    let doc = s
        .create_account(Account {
            name: "Fjordkraft AS".into(),
            phones: vec![phone("+47 22 00 00 01"), phone("+47 22 00 00 02")],
            addresses: vec![
                Address {
                    city: Some("Oslo".into()),
                    ..Default::default()
                },
                Address {
                    city: Some("Bergen".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        })
        .unwrap();
    let acc = s.get::<Account>(doc, "").unwrap().unwrap().record;
    assert_eq!(acc.phones.len(), 2);
    assert_eq!(acc.addresses.len(), 2);
    ids_distinct_and_set(&acc.phones, |p| &p.id);

    let contact = s
        .create(
            doc,
            Contact {
                first_name: "Kari".into(),
                emails: vec![
                    Email {
                        address: "kari@fjordkraft.example".into(),
                        ..Default::default()
                    },
                    Email {
                        address: "kari.n@fjordkraft.example".into(),
                        ..Default::default()
                    },
                ],
                phones: vec![phone("+47 912 34 567"), phone("+47 412 34 567")],
                addresses: vec![Address::default(), Address::default()],
                social: vec![
                    SocialProfile {
                        network: "linkedin".into(),
                        handle: "kari".into(),
                        ..Default::default()
                    },
                    SocialProfile {
                        network: "x".into(),
                        handle: "kari".into(),
                        ..Default::default()
                    },
                ],
                family: vec![
                    FamilyMember {
                        name: "Ola".into(),
                        ..Default::default()
                    },
                    FamilyMember {
                        name: "Юлия".into(),
                        ..Default::default()
                    },
                ],
                important_dates: vec![
                    ImportantDate {
                        label: "Wedding".into(),
                        date: "2010-06-12".into(),
                        ..Default::default()
                    },
                    ImportantDate {
                        label: "Name day".into(),
                        date: "--03-02".into(),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
        )
        .unwrap();
    let c = s.get::<Contact>(doc, &contact).unwrap().unwrap().record;
    assert_eq!(
        (
            c.emails.len(),
            c.phones.len(),
            c.addresses.len(),
            c.social.len(),
            c.family.len(),
            c.important_dates.len()
        ),
        (2, 2, 2, 2, 2, 2)
    );
    ids_distinct_and_set(&c.family, |f| &f.id);

    // appending to a record that was read, then saving it, adds: the
    // existing phone keeps its id and value
    let mut read = c.clone();
    let first = read.phones[0].clone();
    read.phones.push(phone("+47 999 99 999"));
    s.update(doc, read).unwrap();
    let c2 = s.get::<Contact>(doc, &contact).unwrap().unwrap().record;
    assert_eq!(c2.phones.len(), 3);
    assert!(c2.phones.contains(&first));
    // `modify` returns the record as written, ids included
    let written = s
        .modify::<Contact>(doc, &contact, |c| {
            c.emails.push(Email {
                address: "third@fjordkraft.example".into(),
                ..Default::default()
            })
        })
        .unwrap();
    assert_eq!(written.emails.len(), 3);
    ids_distinct_and_set(&written.emails, |e| &e.id);

    let order = s
        .create(
            doc,
            Order {
                ordered_at: NOW,
                currency: "NOK".into(),
                lines: vec![
                    line("Pellets", 10_000),
                    line("Delivery", 2_500),
                    line("Sack", 500),
                ],
                payments: vec![
                    Payment {
                        at: NOW,
                        amount_minor: 5_000,
                        ..Default::default()
                    },
                    Payment {
                        at: NOW,
                        amount_minor: 1_000,
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
        )
        .unwrap();
    let o = s.get::<Order>(doc, &order).unwrap().unwrap().record;
    assert_eq!((o.lines.len(), o.payments.len()), (3, 2));
    let rows = s.all_orders(false).unwrap();
    assert_eq!(
        rows[0].total_minor, 13_000,
        "the total is the sum of the three lines"
    );

    let deal = s
        .create(
            doc,
            Deal {
                name: "Pellet contract".into(),
                pipeline_id: "sales".into(),
                stage_id: "lead".into(),
                currency: "NOK".into(),
                line_items: vec![line("A", 1), line("B", 2)],
                ..Default::default()
            },
        )
        .unwrap();
    let d = s.get::<Deal>(doc, &deal).unwrap().unwrap().record;
    assert_eq!(d.line_items.len(), 2);

    let visit = s
        .create(
            doc,
            Activity {
                kind: ActivityKind::Visit,
                status: ActivityStatus::Done,
                subject: "Shelf check".into(),
                photos: vec![
                    Photo {
                        uri: "file:///a.jpg".into(),
                        ..Default::default()
                    },
                    Photo {
                        uri: "file:///b.jpg".into(),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
        )
        .unwrap();
    let v = s.get::<Activity>(doc, &visit).unwrap().unwrap().record;
    assert_eq!(v.photos.len(), 2);
}

#[test]
fn sub_items_sent_as_a_json_list_get_ids_too() {
    // the REST API and foreign clients may send a list instead of a map
    let c: Contact = serde_json::from_value(serde_json::json!({
        "first_name": "Špela",
        "phones": [{"number": "+386 1 000 00 01"}, {"number": "+386 1 000 00 02"}],
    }))
    .unwrap();
    let mut s = memory_store("spela", NOW);
    let doc = s
        .create_account(Account {
            name: "Ljubljana d.o.o.".into(),
            ..Default::default()
        })
        .unwrap();
    let id = s.create(doc, c).unwrap();
    let back = s.get::<Contact>(doc, &id).unwrap().unwrap().record;
    assert_eq!(back.phones.len(), 2);
    ids_distinct_and_set(&back.phones, |p| &p.id);
}
