//! The REST API and field devices on the same server: an office edit
//! reaches a phone, a phone edit shows in the API and on the live event
//! stream, and a conflict made by both is visible and resolvable.

#![allow(clippy::unwrap_used)]

use outpost_core::DocumentId;
use outpost_core::model::Contact;
use outpost_core::store::Store;
use outpost_e2e::Server;
use outpost_e2e::api::{Api, EventStream};
use serde_json::json;

mod common;
use common::{Device, WAIT};

/// A phone.
type Phone = Device;

fn contact_title(s: &mut Store, doc: DocumentId, id: &str) -> Option<String> {
    s.get::<Contact>(doc, id)
        .ok()
        .flatten()
        .and_then(|r| r.record.title)
}

/// Runs a blocking API call off the async runtime.
async fn api<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_and_phone_edits_travel_both_ways_live_and_conflicts_resolve() {
    let server = Server::start();
    let kari_token = server.add_user("kari", "rep", Some("west"));
    server.add_territory("kari", "west");
    let mgr_token = server.add_user("mona", "manager", Some("west"));
    let office = Api::new(&server, Some(&mgr_token));

    // the office creates an account in kari's territory, with a contact
    let o = office.clone();
    let (doc, cid) = api(move || {
        let (s, acc) = o.post(
            "/api/accounts",
            &json!({"name": "Fjord Fisk", "territory": "west", "owner": "kari"}),
        );
        assert_eq!(s, 201, "{acc}");
        let doc = acc["id"].as_str().unwrap().to_owned();
        let (s, c) = o.post(
            &format!("/api/accounts/{doc}/contacts"),
            &json!({"first_name": "Kari", "last_name": "Nordmann"}),
        );
        assert_eq!(s, 201, "{c}");
        (doc, c["id"].as_str().unwrap().to_owned())
    })
    .await;
    let d: DocumentId = doc.parse().unwrap();

    // it reaches kari's phone, attributed to the office user
    let mut phone = Phone::new("kari");
    phone.online(&server, &kari_token);
    phone
        .until("has the office's contact", |s| {
            s.get::<Contact>(d, &cid).ok().flatten().is_some()
        })
        .await;
    phone.synced().await;
    let created_by = phone
        .store()
        .get::<Contact>(d, &cid)
        .unwrap()
        .unwrap()
        .record
        .meta
        .created_by;
    assert_eq!(created_by.as_deref(), Some("mona"));

    // an office edit while the phone is online is pushed to it
    let o = office.clone();
    let path = format!("/api/accounts/{doc}/contacts/{cid}");
    let p = path.clone();
    api(move || assert_eq!(o.patch(&p, &json!({"title": "Skipper"})).0, 200)).await;
    phone
        .until("sees the office's title", |s| {
            contact_title(s, d, &cid).as_deref() == Some("Skipper")
        })
        .await;

    // a phone edit shows in the API and on the event stream
    let (server_port_token, events_doc) = (mgr_token.clone(), doc.clone());
    let mut events = {
        let srv = &server;
        let mut es = EventStream::open(srv, &server_port_token).unwrap();
        assert_eq!(es.next_event(WAIT).map(|e| e.0).as_deref(), Some("ready"));
        es
    };
    phone
        .store()
        .modify::<Contact>(d, &cid, |c| c.language = Some("nb".into()))
        .unwrap();
    let got = api(move || events.expect_changed(&events_doc, WAIT)).await;
    assert!(got, "no changed event for the phone's edit");
    let o = office.clone();
    let p = path.clone();
    api(move || {
        o.until("API shows the phone's edit", &p, WAIT, |c| {
            c["language"] == "nb"
        })
    })
    .await;

    // concurrent edits of one field: the phone offline, the office online
    phone.synced().await;
    phone.offline().await;
    phone
        .store()
        .modify::<Contact>(d, &cid, |c| c.title = Some("Captain".into()))
        .unwrap();
    let o = office.clone();
    let p = path.clone();
    api(move || assert_eq!(o.patch(&p, &json!({"title": "Owner"})).0, 200)).await;
    phone.online(&server, &kari_token);
    phone.synced().await;
    let o = office.clone();
    let cpath = format!("/api/accounts/{doc}/conflicts");
    let conflicts = api(move || {
        o.until("the conflict is visible", &cpath, WAIT, |v| {
            v["items"].as_array().is_some_and(|a| !a.is_empty())
        })
    })
    .await;
    let c = &conflicts["items"][0];
    assert_eq!(
        (
            c["record_kind"].as_str(),
            c["record_id"].as_str(),
            c["field"].as_str()
        ),
        (Some("contact"), Some(cid.as_str()), Some("title")),
        "{conflicts}"
    );
    let values = c["values"].as_array().unwrap();
    let mut titles: Vec<&str> = values
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    titles.sort();
    assert_eq!(titles, ["Captain", "Owner"]);
    let captain = values.iter().find(|v| v["value"] == "Captain").unwrap();
    assert_eq!(captain["author"]["user_id"], "kari");
    let keep = captain["value_id"].as_str().unwrap().to_owned();
    // the record shows its conflict too
    let o = office.clone();
    let p = path.clone();
    let rec = api(move || o.ok(&p)).await;
    assert_eq!(rec["_conflicts"].as_array().map(Vec::len), Some(1), "{rec}");

    let o = office.clone();
    let (doc2, cid2) = (doc.clone(), cid.clone());
    api(move || {
        let (s, v) = o.post(
            &format!("/api/accounts/{doc2}/conflicts/resolve"),
            &json!({
                "record_kind": "contact", "record_id": cid2, "field": "title", "value_id": keep
            }),
        );
        assert_eq!(s, 200, "{v}");
        let left = o.ok(&format!("/api/accounts/{doc2}/conflicts"));
        assert_eq!(left["items"].as_array().map(Vec::len), Some(0), "{left}");
    })
    .await;
    phone
        .until("sees the resolution", |s| {
            contact_title(s, d, &cid).as_deref() == Some("Captain")
                && s.conflicts(d).map(|c| c.is_empty()).unwrap_or(false)
        })
        .await;

    // again, settled by value: keeping the value shown now still closes the conflict
    phone.offline().await;
    phone
        .store()
        .modify::<Contact>(d, &cid, |c| c.title = Some("Deckhand".into()))
        .unwrap();
    let o = office.clone();
    let p = path.clone();
    api(move || assert_eq!(o.patch(&p, &json!({"title": "Mate"})).0, 200)).await;
    phone.online(&server, &kari_token);
    phone.synced().await;
    let o = office.clone();
    let (doc3, cid3, p) = (doc.clone(), cid.clone(), path.clone());
    api(move || {
        let cpath = format!("/api/accounts/{doc3}/conflicts");
        o.until("the second conflict", &cpath, WAIT, |v| {
            v["items"].as_array().is_some_and(|a| !a.is_empty())
        });
        let shown = o.ok(&p)["title"].clone();
        let (s, v) = o.post(
            &format!("/api/accounts/{doc3}/conflicts/resolve"),
            &json!({
                "record_kind": "contact", "record_id": cid3, "field": "title", "value": shown
            }),
        );
        assert_eq!(s, 200, "{v}");
        let left = o.ok(&cpath);
        assert_eq!(left["items"].as_array().map(Vec::len), Some(0), "{left}");
    })
    .await;
    phone.offline().await;
}
