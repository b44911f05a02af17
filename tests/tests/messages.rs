//! Templates, messages and card capture through the real server binary:
//! admins write templates (one that does not compile is refused, named),
//! anyone in scope previews and sends, what was sent is on the timeline,
//! and a captured card finds its contact only within the caller's scope.

#![allow(clippy::unwrap_used)]

use outpost_e2e::Server;
use outpost_e2e::api::Api;
use serde_json::json;

#[test]
fn templates_render_an_accounts_records_and_sending_logs_the_message() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari = Api::new(&server, Some(&server.add_user("kari", "rep", Some("west"))));
    let vera = Api::new(&server, Some(&server.add_user("vera", "viewer", None)));
    server.add_territory("kari", "west");
    server.add_territory("vera", "west");

    let template = json!({"kind": "email", "format": "html", "name": "Tilbud", "locale": "nb-NO",
        "subject": "Tilbud til {{ account.name }}",
        "body": "<p>Hei {{ contact.first_name }}, totalt {{ quote.total | money }}. {{ deal.name }}</p>"});
    let (s, v) = kari.post("/api/templates", &template);
    assert_eq!((s, v["code"].as_str()), (403, Some("forbidden")), "{v}");
    let (s, v) = admin.post(
        "/api/templates",
        &json!({"kind": "email", "format": "text", "name": "x", "body": "{% for %}"}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("body")), "{v}");
    assert!(v["message"].as_str().unwrap().contains("line 1"), "{v}");
    let (s, t) = admin.post("/api/templates", &template);
    assert_eq!(s, 201, "{t}");
    let tid = t["id"].as_str().unwrap().to_owned();
    let (s, sms) = admin.post("/api/templates", &json!({"kind": "sms", "format": "text", "name": "Påminnelse", "body": "Hei {{ contact.first_name }}"}));
    assert_eq!(s, 201, "{sms}");
    assert_eq!(
        kari.ok("/api/templates")["items"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        kari.ok("/api/templates?kind=sms")["items"][0]["name"],
        "Påminnelse"
    );

    let (_, acc) = admin.post(
        "/api/accounts",
        &json!({"name": "Fjord <Fisk> AS", "territory": "west"}),
    );
    let acc = acc["id"].as_str().unwrap().to_owned();
    let (_, c) = admin.post(
        &format!("/api/accounts/{acc}/contacts"),
        &json!({"first_name": "Åse <b>", "last_name": "Kjærstad"}),
    );
    let cid = c["id"].as_str().unwrap().to_owned();
    let (_, q) = admin.post(
        &format!("/api/accounts/{acc}/quotes"),
        &json!({"currency": "NOK", "lines": [{"quantity_milli": 2000, "unit_price_minor": 10000, "tax_bp": 2500}]}),
    );
    let qid = q["id"].as_str().unwrap().to_owned();

    let req = json!({"template_id": tid, "contact_id": cid, "quote_id": qid, "locale": "en-GB", "day": "2026-12-04"});
    let (s, m) = vera.post(&format!("/api/accounts/{acc}/messages/preview"), &req);
    assert_eq!(s, 200, "{m}");
    assert_eq!(
        m["subject"], "Tilbud til Fjord <Fisk> AS",
        "subjects are not HTML"
    );
    let body = m["body"].as_str().unwrap();
    assert!(
        body.contains("Hei Åse &lt;b&gt;,"),
        "merged values are escaped in HTML: {body}"
    );
    assert!(
        body.contains("250,00\u{a0}kr"),
        "the template's locale and the quote's total: {body}"
    );
    assert!(body.contains("[deal.name]"), "{body}");
    assert_eq!(m["missing"], json!(["deal.name"]));

    // a viewer may preview, not send; a rep sends and the timeline shows it
    assert_eq!(
        vera.post(&format!("/api/accounts/{acc}/messages"), &req).0,
        403
    );
    let (s, sent) = kari.post(&format!("/api/accounts/{acc}/messages"), &req);
    assert_eq!(s, 201, "{sent}");
    let a = &sent["activity"];
    assert_eq!(
        (
            a["kind"].as_str(),
            a["status"].as_str(),
            a["direction"].as_str()
        ),
        (Some("email"), Some("done"), Some("outbound"))
    );
    assert_eq!(a["contact_ids"], json!({cid.clone(): true}));
    let aid = a["id"].as_str().unwrap();
    let logged = kari.ok(&format!("/api/accounts/{acc}/activities/{aid}"));
    assert_eq!(logged["body"], sent["message"]["body"]);

    // named records must exist; other accounts are not there
    let (s, _) = kari.post(
        &format!("/api/accounts/{acc}/messages/preview"),
        &json!({"template_id": tid, "deal_id": "nope"}),
    );
    assert_eq!(s, 404);
    let (s, _) = kari.post(
        &format!("/api/accounts/{acc}/messages/preview"),
        &json!({"template_id": "nope"}),
    );
    assert_eq!(s, 404);
    let (s, v) = kari.post(
        &format!("/api/accounts/{acc}/messages/preview"),
        &json!({"template_id": tid, "locale": "nb NO; DROP"}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("locale")), "{v}");
    let (_, east) = admin.post(
        "/api/accounts",
        &json!({"name": "Øst", "territory": "east"}),
    );
    let east = east["id"].as_str().unwrap();
    assert_eq!(
        kari.post(&format!("/api/accounts/{east}/messages/preview"), &req)
            .0,
        404
    );
}

#[test]
fn a_captured_card_finds_its_contact_only_in_the_callers_scope() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari = Api::new(&server, Some(&server.add_user("kari", "rep", Some("west"))));
    server.add_territory("kari", "west");
    let (_, west) = admin.post(
        "/api/accounts",
        &json!({"name": "Fjordline Fisk AS", "territory": "west"}),
    );
    let west = west["id"].as_str().unwrap().to_owned();
    let (_, east) = admin.post(
        "/api/accounts",
        &json!({"name": "Nordlys AS", "territory": "east"}),
    );
    let east = east["id"].as_str().unwrap().to_owned();
    let (_, k) = admin.post(
        &format!("/api/accounts/{west}/contacts"),
        &json!({"first_name": "Kari", "last_name": "Nordmann", "emails": [{"address": "kari.nordmann@fjordline.no"}]}),
    );
    let kid = k["id"].as_str().unwrap().to_owned();
    admin.post(
        &format!("/api/accounts/{east}/contacts"),
        &json!({"first_name": "Ola", "last_name": "Lie", "phones": [{"number": "+47 915 55 444"}]}),
    );

    let card =
        "Kari Nordmann\nSalgssjef\nFjordline Fisk AS\nKARI.NORDMANN@FJORDLINE.NO\nMob: 912 34 567";
    let r = kari.post("/api/capture", &json!({"text": card})).1;
    assert_eq!(
        (
            r["captured"]["first_name"].as_str(),
            r["captured"]["last_name"].as_str()
        ),
        (Some("Kari"), Some("Nordmann")),
        "{r}"
    );
    assert_eq!(r["captured"]["phones"][0]["number_e164"], "+4791234567");
    assert_eq!(
        (
            r["match"]["account"].as_str(),
            r["match"]["contact_id"].as_str()
        ),
        (Some(west.as_str()), Some(kid.as_str())),
        "{r}"
    );
    assert_eq!(r["match"]["matched_by"], "email");

    // the same number as a contact in another territory: not found for kari, found for the admin
    let ola = "Ola Lie\nNordlys AS\nTlf. 915 55 444";
    assert!(kari.post("/api/capture", &json!({"text": ola})).1["match"].is_null());
    let r = admin.post("/api/capture", &json!({"text": ola})).1;
    assert_eq!(
        (
            r["match"]["account"].as_str(),
            r["match"]["matched_by"].as_str()
        ),
        (Some(east.as_str()), Some("phone")),
        "{r}"
    );

    // Cyrillic, and nothing recognisable
    let r = kari
        .post(
            "/api/capture",
            &json!({"text": "Иван Петров\nООО «Северный Улов»\nivan@ulov.ru", "region": "RU"}),
        )
        .1;
    assert_eq!(
        (
            r["captured"]["first_name"].as_str(),
            r["captured"]["company"].as_str()
        ),
        (Some("Иван"), Some("ООО «Северный Улов»")),
        "{r}"
    );
    let (s, r) = kari.post("/api/capture", &json!({"text": "~~~"}));
    assert_eq!(
        (s, r["captured"]["emails"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{r}"
    );
    let (s, r) = kari.post("/api/capture", &json!({"words": "x"}));
    assert_eq!(
        (s, r["code"].as_str(), r["field"].as_str()),
        (400, Some("invalid_field"), Some("words")),
        "{r}"
    );
}
