//! Values on every path through the real server: the REST API refuses what
//! breaks a rule with a 400 naming the field, keeps sub-items sent without
//! ids, and a device's change carrying a bad value is refused over sync and
//! stored nowhere.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use automerge::sync::State;
use outpost_core::model::Account;
use outpost_core::sync::wire::WireMessage;
use outpost_e2e::api::Api;
use outpost_e2e::{Event, RawClient, Server, memory_store};
use serde_json::json;

const WITHIN: Duration = Duration::from_secs(20);

#[test]
fn the_rest_api_refuses_bad_values_naming_the_field() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let stages = json!([
        {"id": "lead", "name": "Lead", "position": 10, "probability": 10, "meaning": "open"},
        {"id": "won", "name": "Won", "position": 20, "probability": 100, "meaning": "won"},
    ]);
    let pid = admin.create_pipeline("Sales", &stages);
    let doc = admin.create_account(&json!({"name": "Nordlys AS", "currency": "NOK"}));
    let deals = format!("/api/accounts/{doc}/deals");
    let deal = |extra: serde_json::Value| {
        let mut d =
            json!({"name": "Pellets", "pipeline_id": pid, "stage_id": "lead", "currency": "NOK"});
        for (k, v) in extra.as_object().unwrap() {
            d[k] = v.clone();
        }
        d
    };
    for (extra, field) in [
        (json!({"probability": 200}), "probability"),
        (json!({"currency": "EURO"}), "currency"),
        (json!({"amount_minor": -5}), "amount_minor"),
        (json!({"stage_id": "nowhere"}), "stage_id"),
    ] {
        let (s, v) = admin.post(&deals, &deal(extra));
        assert_eq!((s, v["field"].as_str()), (400, Some(field)), "{v}");
    }
    let (s, d) = admin.post(&deals, &deal(json!({})));
    assert_eq!(s, 201, "{d}");
    let did = d["id"].as_str().unwrap();
    let (s, v) = admin.post(
        &format!("{deals}/{did}/stage"),
        &json!({"stage_id": "nowhere"}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("stage_id")), "{v}");

    let contacts = format!("/api/accounts/{doc}/contacts");
    let (s, v) = admin.post(&contacts, &json!({}));
    assert_eq!((s, v["field"].as_str()), (400, Some("first_name")), "{v}");
    // sub-items as a list, without ids: every one is kept
    let (s, c) = admin.post(
        &contacts,
        &json!({"first_name": "Kari", "phones": [{"number": "+47 912 34 567"}, {"number": "+47 412 34 567"}],
                "emails": [{"address": "kari@nordlys.example"}, {"address": "kari.n@nordlys.example"}]}),
    );
    assert_eq!(s, 201, "{c}");
    let cid = c["id"].as_str().unwrap();
    let got = admin.ok(&format!("{contacts}/{cid}"));
    assert_eq!(got["phones"].as_object().unwrap().len(), 2, "{got}");
    assert_eq!(got["emails"].as_object().unwrap().len(), 2, "{got}");
    let (s, v) = admin.patch(
        &format!("{contacts}/{cid}"),
        &json!({"birthday": "31/12/1980"}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("birthday")), "{v}");
    let (s, v) = admin.post(
        &contacts,
        &json!({"first_name": "Ola", "emails": [{"address": "nope"}]}),
    );
    assert_eq!(s, 400, "{v}");
    assert!(v["field"].as_str().unwrap().starts_with("emails."), "{v}");
    assert!(
        !v.to_string().contains("nope"),
        "the value is not echoed: {v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_value_from_a_device_is_refused_and_stored_nowhere() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari = server.add_user("kari", "rep", None);
    let mut phone = memory_store("kari");
    let doc = phone
        .create_account(Account {
            name: "Sørlandet AS".into(),
            ..Default::default()
        })
        .unwrap();
    let mut c = RawClient::connect(&server.url(), &kari).await;
    c.join("kari-phone").await;
    c.sync_doc(&mut phone, doc, false, WITHIN).await;

    // a tampered app writes probability 200 without the app's checks
    let bytes = phone.export(doc).unwrap();
    let mut raw = automerge::AutoCommit::load(&bytes).unwrap();
    {
        use automerge::transaction::Transactable;
        use automerge::{ObjType, ROOT, ReadDoc};
        let (_, deals) = raw.get(ROOT, "deals").unwrap().unwrap();
        let d = raw.put_object(&deals, "d1", ObjType::Map).unwrap();
        raw.put(&d, "id", "d1").unwrap();
        raw.put(&d, "name", "Tampered").unwrap();
        raw.put(&d, "probability", 200).unwrap();
    }
    let mut tampered = memory_store("kari");
    tampered.apply(doc, &raw.save()).unwrap();
    let mut state = State::new();
    let deadline = Instant::now() + WITHIN;
    let code = loop {
        if let Some(data) = tampered.generate_sync_message(doc, &mut state).unwrap() {
            c.send_sync(&doc.to_string(), data, false).await;
        }
        match c
            .recv_event(deadline.saturating_duration_since(Instant::now()))
            .await
        {
            Event::Msg(WireMessage::Sync { data, .. }) => {
                tampered
                    .receive_sync_message(doc, &mut state, &data)
                    .unwrap();
            }
            Event::Msg(WireMessage::Rejected { code, reason, .. }) => {
                assert!(reason.contains("probability"), "{reason}");
                break code;
            }
            Event::Msg(_) => {}
            other => panic!("waiting for the refusal: {other:?}"),
        }
    };
    assert_eq!(code.as_deref(), Some("schema"));
    let (s, v) = admin.get(&format!("/api/accounts/{doc}/deals/d1"));
    assert_eq!(s, 404, "the refused deal is stored nowhere: {v}");
}

#[test]
fn a_deal_entered_by_the_office_belongs_to_the_accounts_owner() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari_token = server.add_user("kari", "rep", None);
    let kari = Api::new(&server, Some(&kari_token));
    let stages = json!([{"id": "lead", "name": "Lead", "position": 10, "probability": 50, "meaning": "open"}]);
    let pid = admin.create_pipeline("Sales", &stages);
    let doc = admin
        .create_account(&json!({"name": "Kari's customer AS", "owner": "kari", "currency": "NOK"}));
    let deal = json!({"name": "Order of pellets", "pipeline_id": pid, "stage_id": "lead",
                      "amount_minor": 500_000, "currency": "NOK"});
    let (s, d) = admin.post(&format!("/api/accounts/{doc}/deals"), &deal);
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["owner"], "kari", "{d}");
    let (s, o) = admin.post(
        &format!("/api/accounts/{doc}/orders"),
        &json!({"ordered_at": 1_795_424_400_000_i64, "currency": "NOK", "total_minor": 1000}),
    );
    assert_eq!(s, 201, "{o}");
    assert_eq!(o["owner"], "kari", "{o}");
    // a named owner is kept
    let mut named = deal.clone();
    named["owner"] = json!("admin");
    let (s, d2) = admin.post(&format!("/api/accounts/{doc}/deals"), &named);
    assert_eq!((s, d2["owner"].as_str()), (201, Some("admin")), "{d2}");
    // and kari's own dashboard counts the office's deal
    let team = kari.ok("/api/reports/team");
    assert_eq!(team["reps"][0]["open_pipeline_minor"], 500_000, "{team}");
}
