//! Bench documents, made with outpost-core so they are valid Outpost
//! account documents (the Outpost server validates every document; the stock
//! server takes anything).

use outpost_core::doc::CrmDoc;
use outpost_core::model::{Account, Activity, Contact, Deal};
use outpost_core::{Author, DocumentId};

use crate::servers::TERRITORY;

fn author() -> Author {
    Author {
        user_id: "bench-seed".into(),
        device_id: format!("{:032x}", rand::random::<u128>()),
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A small account (name and territory only): saved bytes.
pub fn small_account(i: usize) -> Vec<u8> {
    let account = Account {
        name: format!("Bench account {i}"),
        territory: Some(TERRITORY.into()),
        ..Default::default()
    };
    CrmDoc::new_account(DocumentId::random(), &author(), now(), account)
        .expect("small account")
        .save()
}

/// A full account: 20 contacts, 10 deals, 100 activities (saved bytes).
pub fn full_account(i: usize) -> Vec<u8> {
    let a = author();
    let t = now();
    let account = Account {
        name: format!("Territory account {i}"),
        territory: Some(TERRITORY.into()),
        industry: Some("Wholesale".into()),
        ..Default::default()
    };
    let mut doc = CrmDoc::new_account(DocumentId::random(), &a, t, account).expect("account");
    doc.edit(&a, t, |e| {
        let mut contacts = Vec::new();
        for c in 0..20 {
            contacts.push(e.create(Contact {
                first_name: format!("First{c}"),
                last_name: format!("Last{i}x{c}"),
                title: Some("Buyer".into()),
                ..Default::default()
            })?);
        }
        for d in 0..10 {
            e.create(Deal {
                name: format!("Deal {d}"),
                pipeline_id: "default".into(),
                stage_id: "qualify".into(),
                amount_minor: 100_000 + d as i64,
                ..Default::default()
            })?;
        }
        for n in 0..100 {
            e.create(Activity {
                subject: format!("Call {n}"),
                start_at: Some(t - n as i64 * 86_400_000),
                ..Default::default()
            })?;
        }
        Ok(())
    })
    .expect("records");
    doc.save()
}
