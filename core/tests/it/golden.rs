//! Golden files: a document built the same way every time must save to the
//! same bytes and read back to the same JSON, and the committed files of
//! earlier builds must keep loading. A change of stored format shows as a
//! diff here. Regenerate on purpose with `UPDATE_GOLDEN=1`.

use std::path::PathBuf;

use outpost_core::model::*;
use outpost_core::{Author, CrmDoc, DocumentId};

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn fixed_author() -> Author {
    Author {
        user_id: "user-1".into(),
        device_id: "0190f2a4-7e1c-7000-8000-000000000001".into(),
    }
}

fn meta(id: &str) -> RecordMeta {
    RecordMeta {
        id: id.into(),
        ..Default::default()
    }
}

/// An account that uses every kind of field the schema has.
fn build() -> CrmDoc {
    let who = fixed_author();
    let t0 = 1_790_000_000_000;
    let mut doc = CrmDoc::new_account(
        DocumentId::from_bytes([7; 16]),
        &who,
        t0,
        Account {
            meta: RecordMeta {
                id: "acc-1".into(),
                tags: vec!["key".into()],
                external_ids: [("erp".to_string(), "C-1001".to_string())].into(),
                custom: [("segment".to_string(), CustomValue::Text("retail".into()))].into(),
                ..Default::default()
            },
            name: "Fjord Fisk AS".into(),
            account_type: Some(AccountType::Customer),
            lifecycle_stage: Some(LifecycleStage::Retention),
            addresses: vec![Address {
                id: "addr-1".into(),
                city: Some("Bergen".into()),
                country: Some("NO".into()),
                lat: Some(60.39),
                lon: Some(5.32),
                primary: true,
                ..Default::default()
            }],
            currency: Some("NOK".into()),
            credit_limit_minor: Some(50_000_00),
            preferred_payment_method: Some(PaymentMethod::Invoice),
            notes: "Family business since 1952.".into(),
            ..Default::default()
        },
    )
    .unwrap();
    doc.edit(&who, t0 + 1000, |e| {
        e.create(Contact {
            meta: meta("con-1"),
            first_name: "Kari".into(),
            last_name: "Nordmann".into(),
            emails: vec![Email {
                id: "em-1".into(),
                address: "kari@fjordfisk.example".into(),
                primary: true,
                ..Default::default()
            }],
            phones: vec![Phone {
                id: "ph-1".into(),
                number: "+47 912 34 567".into(),
                label: Some("mobile".into()),
                primary: true,
                ..Default::default()
            }],
            preferred_contact_method: Some(ContactMethod::Phone),
            birthday: Some("1980-11-25".into()),
            family: vec![FamilyMember {
                id: "fam-1".into(),
                name: "Ola".into(),
                relation: Some("spouse".into()),
                ..Default::default()
            }],
            hobbies: vec!["sailing".into()],
            ..Default::default()
        })?;
        e.create(Deal {
            meta: meta("deal-1"),
            name: "Freezer room".into(),
            pipeline_id: "sales".into(),
            stage_id: "proposal".into(),
            amount_minor: 120_000_00,
            currency: "NOK".into(),
            deal_type: Some(DealType::Upsell),
            line_items: vec![LineItem {
                id: "li-1".into(),
                description: "Freezer".into(),
                quantity_milli: 2000,
                unit_price_minor: 60_000_00,
                ..Default::default()
            }],
            ..Default::default()
        })?;
        e.create(Activity {
            meta: meta("act-1"),
            kind: ActivityKind::Visit,
            status: ActivityStatus::Done,
            subject: "Site visit".into(),
            check_in: GeoStamp {
                at: Some(t0 + 500),
                lat: Some(60.39),
                lon: Some(5.32),
                accuracy_m: Some(8.0),
            },
            contact_ids: vec!["con-1".into()],
            report: "Wants a bigger freezer.".into(),
            ..Default::default()
        })?;
        e.create(Order {
            meta: meta("ord-1"),
            ordered_at: t0 - 86_400_000,
            total_minor: 9_900_00,
            currency: "NOK".into(),
            payment_method: Some(PaymentMethod::Invoice),
            payments: vec![Payment {
                id: "pay-1".into(),
                at: t0,
                amount_minor: 9_900_00,
                late: true,
                ..Default::default()
            }],
            ..Default::default()
        })?;
        e.create(Case {
            meta: meta("case-1"),
            kind: Some(CaseKind::Complaint),
            subject: "Late delivery".into(),
            opened_at: t0,
            satisfaction: Some(3),
            ..Default::default()
        })?;
        Ok(())
    })
    .unwrap();
    doc
}

#[test]
fn account_v1_matches_the_golden_files() {
    let doc = build();
    let bytes = doc.save();
    let json = serde_json::to_string_pretty(&doc.to_json()).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(golden("account_v1.automerge"), &bytes).unwrap();
        std::fs::write(golden("account_v1.json"), &json).unwrap();
    }
    let want_json = std::fs::read_to_string(golden("account_v1.json")).unwrap();
    assert_eq!(
        json, want_json,
        "the document layout changed: review and rerun with UPDATE_GOLDEN=1"
    );
    let want_bytes = std::fs::read(golden("account_v1.automerge")).unwrap();
    assert!(
        bytes == want_bytes,
        "the saved bytes changed: review and rerun with UPDATE_GOLDEN=1"
    );
}

#[test]
fn the_committed_v1_file_still_loads_and_reads() {
    let bytes = std::fs::read(golden("account_v1.automerge")).unwrap();
    let doc = CrmDoc::load(DocumentId::from_bytes([7; 16]), &bytes).unwrap();
    assert_eq!(doc.schema_version(), 1);
    let account = doc.account().unwrap();
    assert!(account.invalid_fields.is_empty());
    assert_eq!(account.record.name, "Fjord Fisk AS");
    let kari = doc.get::<Contact>("con-1").unwrap().record;
    assert_eq!(kari.phones[0].number, "+47 912 34 567");
    assert_eq!(
        doc.get::<Deal>("deal-1").unwrap().record.line_items[0].total_minor(),
        120_000_00
    );
    assert_eq!(
        doc.get::<Order>("ord-1")
            .unwrap()
            .record
            .outstanding_minor(),
        0
    );
    assert_eq!(
        doc.get::<Activity>("act-1").unwrap().record.report,
        "Wants a bigger freezer."
    );
}
