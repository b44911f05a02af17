//! One set of value rules, on every path: an edit on the device is refused
//! with a typed error naming the field; a store that judges merges (the
//! server) refuses a change carrying a bad value like a schema violation and
//! keeps nothing of it; a device takes what its server accepted.

use automerge::sync::State;
use outpost_core::CoreError;
use outpost_core::model::*;
use outpost_core::store::{Store, StoreOptions};

use crate::support::{NOW, author, memory_store, pipeline};

fn judging_store() -> Store {
    let mut s = Store::open_in_memory(
        author("server"),
        StoreOptions {
            validate_merges: true,
            ..StoreOptions::default()
        },
    )
    .unwrap();
    s.set_clock(|| NOW);
    s
}

fn field_of(e: CoreError) -> String {
    match e {
        CoreError::InvalidField { field, .. } => field,
        other => panic!("expected InvalidField, got {other:?}"),
    }
}

#[test]
fn a_device_refuses_bad_values_naming_the_field() {
    let mut s = memory_store("kari", NOW);
    s.create_settings(OrgSettings {
        default_currency: "NOK".into(),
        ..Default::default()
    })
    .unwrap();
    let settings = s.settings_doc().unwrap().unwrap();
    s.create(settings, pipeline()).unwrap();
    let doc = s
        .create_account(Account {
            name: "Fjordkraft AS".into(),
            ..Default::default()
        })
        .unwrap();
    let deal = |f: fn(&mut Deal)| {
        let mut d = Deal {
            name: "Pellets".into(),
            pipeline_id: "sales".into(),
            stage_id: "prospecting".into(),
            currency: "NOK".into(),
            amount_minor: 1000,
            ..Default::default()
        };
        f(&mut d);
        d
    };
    for (bad, field) in [
        (deal(|d| d.probability = Some(200)), "probability"),
        (deal(|d| d.currency = "EURO".into()), "currency"),
        (deal(|d| d.amount_minor = -5), "amount_minor"),
        (deal(|d| d.stage_id = "nowhere".into()), "stage_id"),
        (
            deal(|d| d.expected_close = Some("31/12/2026".into())),
            "expected_close",
        ),
    ] {
        assert_eq!(field_of(s.create(doc, bad).unwrap_err()), field);
    }
    let id = s.create(doc, deal(|_| {})).unwrap();
    assert_eq!(
        field_of(s.move_deal_stage(doc, &id, "nowhere").unwrap_err()),
        "stage_id"
    );
    s.move_deal_stage(doc, &id, "won").unwrap();
    // contacts: an empty one, a bad e-mail, a bad birthday
    assert_eq!(
        field_of(s.create(doc, Contact::default()).unwrap_err()),
        "first_name"
    );
    let c = s
        .create(
            doc,
            Contact {
                first_name: "Kari".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let e = s
        .modify::<Contact>(doc, &c, |c| {
            c.emails.push(Email {
                id: "e1".into(),
                address: "nope".into(),
                ..Default::default()
            })
        })
        .unwrap_err();
    assert_eq!(field_of(e), "emails.e1.address");
    let e = s
        .modify::<Contact>(doc, &c, |c| c.birthday = Some("31/12/1980".into()))
        .unwrap_err();
    assert_eq!(field_of(e), "birthday");
    // nothing of the refused edits was written
    let back = s.get::<Contact>(doc, &c).unwrap().unwrap().record;
    assert!(back.emails.is_empty() && back.birthday.is_none());
    // the error names the field, never the value
    let text = s
        .modify::<Contact>(doc, &c, |c| c.birthday = Some("kari@example.com".into()))
        .unwrap_err()
        .to_string();
    assert!(!text.contains("kari@"), "{text}");
}

#[test]
fn custom_fields_follow_their_definition() {
    let mut s = memory_store("admin", NOW);
    let settings = s.create_settings(OrgSettings::default()).unwrap();
    s.create(
        settings,
        CustomField {
            field_type: CustomFieldType::Choice,
            entity: "contact".into(),
            key: "delivery_day".into(),
            label: "Preferred delivery day".into(),
            options: vec!["monday".into(), "friday".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let doc = s
        .create_account(Account {
            name: "Äänekosken Ääni Oy".into(),
            ..Default::default()
        })
        .unwrap();
    let with = |v: &str| Contact {
        first_name: "Aino".into(),
        meta: RecordMeta {
            custom: [("delivery_day".to_string(), CustomValue::Text(v.into()))].into(),
            ..Default::default()
        },
        ..Default::default()
    };
    s.create(doc, with("friday")).unwrap();
    assert_eq!(
        field_of(s.create(doc, with("sunday")).unwrap_err()),
        "custom.delivery_day"
    );
}

#[test]
fn a_judging_store_refuses_a_merged_bad_value_and_keeps_nothing() {
    // a phone (no rules on merges) and the server (judges merges)
    let mut phone = memory_store("kari", NOW);
    let doc = phone
        .create_account(Account {
            name: "Sørlandet AS".into(),
            ..Default::default()
        })
        .unwrap();
    let mut server = judging_store();
    server.apply(doc, &phone.export(doc).unwrap()).unwrap();
    let before = server.heads(doc).unwrap();

    // a tampered phone writes probability 200 past its own checks
    let bytes = phone.export(doc).unwrap();
    let mut raw = automerge::AutoCommit::load(&bytes).unwrap();
    {
        use automerge::transaction::Transactable;
        use automerge::{ObjType, ROOT, ReadDoc};
        let deals = match raw.get(ROOT, "deals").unwrap() {
            Some((_, id)) => id,
            None => raw.put_object(ROOT, "deals", ObjType::Map).unwrap(),
        };
        let d = raw.put_object(&deals, "d1", ObjType::Map).unwrap();
        raw.put(&d, "id", "d1").unwrap();
        raw.put(&d, "name", "Tampered").unwrap();
        raw.put(&d, "probability", 200).unwrap();
    }
    let tampered = raw.save();
    let err = server.apply(doc, &tampered).unwrap_err();
    match err {
        CoreError::SchemaViolation { reason, .. } => {
            assert!(reason.contains("probability"), "{reason}")
        }
        other => panic!("expected a schema violation, got {other:?}"),
    }
    assert_eq!(server.heads(doc).unwrap(), before, "nothing was kept");

    // over sync too
    let mut st_phone = State::new();
    let mut st_server = State::new();
    let mut device = memory_store("kari", NOW);
    device.apply(doc, &tampered).unwrap(); // a device takes what it is given
    let mut refused = false;
    for _ in 0..10 {
        if let Some(m) = device.generate_sync_message(doc, &mut st_phone).unwrap() {
            match server.receive_sync_message(doc, &mut st_server, &m) {
                Ok(_) => {}
                Err(CoreError::SchemaViolation { .. }) => {
                    refused = true;
                    break;
                }
                Err(e) => panic!("{e:?}"),
            }
        }
        if let Some(m) = server.generate_sync_message(doc, &mut st_server).unwrap() {
            device.receive_sync_message(doc, &mut st_phone, &m).unwrap();
        }
    }
    assert!(refused, "the server refused the tampered change over sync");
    assert_eq!(server.heads(doc).unwrap(), before);
}

#[test]
fn existing_bad_values_do_not_block_other_edits() {
    // a value written before a rule existed (here: by a device that does
    // not judge merges) stays, and editing another field still works
    let mut phone = memory_store("kari", NOW);
    let doc = phone
        .create_account(Account {
            name: "Bergen Bakeri".into(),
            ..Default::default()
        })
        .unwrap();
    let bytes = phone.export(doc).unwrap();
    let mut raw = automerge::AutoCommit::load(&bytes).unwrap();
    {
        use automerge::transaction::Transactable;
        use automerge::{ROOT, ReadDoc};
        let (_, acc) = raw.get(ROOT, "account").unwrap().unwrap();
        raw.put(&acc, "currency", "kroner").unwrap();
    }
    let mut device = memory_store("kari", NOW);
    device.apply(doc, &raw.save()).unwrap();
    device
        .modify::<Account>(doc, "", |a| a.industry = Some("Bakery".into()))
        .unwrap();
    let e = device
        .modify::<Account>(doc, "", |a| a.currency = Some("NORSKE".into()))
        .unwrap_err();
    assert_eq!(field_of(e), "currency");
}
