//! Quotes through the real server binary: lines get ids and totals come
//! from core, acceptance makes the order in one step (once, however often it
//! is asked), refusals are named, and a quote accepted on a phone offline
//! arrives at the office with its order.

#![allow(clippy::unwrap_used)]

use outpost_core::DocumentId;
use outpost_core::model::{Order, Quote, QuoteLine};
use outpost_e2e::Server;
use outpost_e2e::api::Api;
use serde_json::{Value, json};

mod common;
use common::Device;

/// Runs a blocking API call off the async runtime.
async fn api<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

fn new_quote() -> Value {
    // lines as a list without ids: each gets one
    json!({"title": "Sesongavtale", "currency": "NOK", "valid_until": "2099-12-31", "version": 1,
    "lines": [
        {"product_id": "laks", "description": "Laks 5 kg", "position": 1, "quantity_milli": 3000,
         "unit_price_minor": 333, "discount_bp": 1250, "tax_bp": 2500},
        {"description": "Frakt", "position": 2, "quantity_milli": 1500, "unit_price_minor": 99, "tax_bp": 1500}
    ]})
}

#[test]
fn a_quote_is_priced_by_core_and_accepted_into_one_order() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari = Api::new(&server, Some(&server.add_user("kari", "rep", Some("west"))));
    let vera = Api::new(&server, Some(&server.add_user("vera", "viewer", None)));
    server.add_territory("kari", "west");
    server.add_territory("vera", "west");
    let (_, acc) = admin.post(
        "/api/accounts",
        &json!({"name": "Fjord Fisk AS", "territory": "west"}),
    );
    let acc = acc["id"].as_str().unwrap().to_owned();
    let (_, east) = admin.post(
        "/api/accounts",
        &json!({"name": "Øst Bakeri", "territory": "east"}),
    );
    let east = east["id"].as_str().unwrap().to_owned();

    let (s, q) = kari.post(&format!("/api/accounts/{acc}/quotes"), &new_quote());
    assert_eq!(s, 201, "{q}");
    let id = q["id"].as_str().unwrap().to_owned();
    assert_eq!(q["lines"].as_object().unwrap().len(), 2, "{q}");
    assert_eq!(q["status"], "draft");
    let t = &q["totals"];
    assert_eq!(
        (
            t["net_minor"].as_i64(),
            t["tax_minor"].as_i64(),
            t["total_minor"].as_i64()
        ),
        (Some(1_023), Some(241), Some(1_264)),
        "{q}"
    );
    // a read record sent back whole (totals included) is accepted: totals are shown, never stored
    let mut back = q.clone();
    back["title"] = json!("Sesongavtale 2027");
    let (s, v) = kari.patch(&format!("/api/accounts/{acc}/quotes/{id}"), &back);
    assert_eq!(
        (s, v["title"].as_str()),
        (200, Some("Sesongavtale 2027")),
        "{v}"
    );
    let (s, v) = kari.patch(
        &format!("/api/accounts/{acc}/quotes/{id}"),
        &json!({"lines": {"x": {"tax_bp": 30000}}}),
    );
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_value")), "{v}");
    assert!(v["field"].as_str().unwrap().ends_with("tax_bp"), "{v}");

    // a viewer may not accept; another territory's quote is not there
    assert_eq!(
        vera.post(
            &format!("/api/accounts/{acc}/quotes/{id}/accept"),
            &json!({})
        )
        .0,
        403
    );
    assert_eq!(
        kari.post(
            &format!("/api/accounts/{east}/quotes/{id}/accept"),
            &json!({})
        )
        .0,
        404
    );
    assert_eq!(
        kari.post(
            &format!("/api/accounts/{acc}/quotes/nope/accept"),
            &json!({})
        )
        .0,
        404
    );

    let (s, a) = kari.post(
        &format!("/api/accounts/{acc}/quotes/{id}/accept"),
        &json!({}),
    );
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["quote"]["status"], "accepted");
    let order = a["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(a["quote"]["order_id"].as_str(), Some(order.as_str()));
    assert_eq!(
        (
            a["order"]["total_minor"].as_i64(),
            a["order"]["quote_id"].as_str()
        ),
        (Some(1_264), Some(id.as_str()))
    );
    let (s, again) = kari.post(
        &format!("/api/accounts/{acc}/quotes/{id}/accept"),
        &json!({}),
    );
    assert_eq!(
        (s, again["order"]["id"].as_str()),
        (200, Some(order.as_str())),
        "accepting again: the same order"
    );
    assert_eq!(kari.ok(&format!("/api/accounts/{acc}/orders"))["total"], 1);
    assert_eq!(
        kari.ok(&format!("/api/accounts/{acc}"))["counts"]["quotes"],
        1
    );

    // a declined quote is refused, named
    let (_, d) = kari.post(&format!("/api/accounts/{acc}/quotes"), &json!({"status": "declined", "currency": "NOK", "lines": [{"quantity_milli": 1000, "unit_price_minor": 1}]}));
    let (s, v) = kari.post(
        &format!(
            "/api/accounts/{acc}/quotes/{}/accept",
            d["id"].as_str().unwrap()
        ),
        &json!({}),
    );
    assert_eq!(
        (s, v["code"].as_str()),
        (400, Some("invalid_request")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("declined"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_accepted_on_a_phone_offline_reaches_the_office_with_its_order() {
    let server = Server::start();
    let kari_token = server.add_user("kari", "rep", Some("west"));
    server.add_territory("kari", "west");
    let office = Api::new(&server, Some(server.admin_token()));
    let o = office.clone();
    let doc = api(move || {
        let (s, acc) = o.post(
            "/api/accounts",
            &json!({"name": "Fjord Fisk AS", "territory": "west", "owner": "kari"}),
        );
        assert_eq!(s, 201, "{acc}");
        acc["id"].as_str().unwrap().to_owned()
    })
    .await;
    let d: DocumentId = doc.parse().unwrap();

    let mut phone = Device::new("kari");
    phone.online(&server, &kari_token);
    phone
        .until("has the account", |s| s.contains(d).unwrap_or(false))
        .await;
    phone.synced().await;
    phone.offline().await;
    let (quote, order) = {
        let mut s = phone.store();
        let q = s
            .create(
                d,
                Quote {
                    currency: "NOK".into(),
                    valid_until: Some("2099-12-31".into()),
                    lines: vec![QuoteLine {
                        description: "Laks 5 kg".into(),
                        quantity_milli: 2_000,
                        unit_price_minor: 10_000,
                        tax_bp: 2_500,
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            )
            .unwrap();
        let order = s.accept_quote(d, &q).unwrap();
        (q, order)
    };
    phone.online(&server, &kari_token);
    phone.synced().await;
    let o = office.clone();
    let path = format!("/api/accounts/{doc}/quotes/{quote}");
    let shown = api(move || {
        o.until("the quote at the office", &path, common::WAIT, |v| {
            v["status"] == "accepted"
        })
    })
    .await;
    assert_eq!(shown["order_id"].as_str(), Some(order.as_str()));
    let o = office.clone();
    let path = format!("/api/accounts/{doc}/orders/{order}");
    let o_json = api(move || o.ok(&path)).await;
    assert_eq!(
        (o_json["total_minor"].as_i64(), o_json["quote_id"].as_str()),
        (Some(25_000), Some(quote.as_str()))
    );
    assert_eq!(phone.store().list::<Order>(d).unwrap().len(), 1);
}

/// `GET path` with a bearer token: (status line and headers, body).
fn get_raw(server: &Server, path: &str, token: &str) -> (String, String) {
    use std::io::{Read, Write};
    let port = server.port();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let head = head.to_ascii_lowercase();
    let body = if head.contains("transfer-encoding: chunked") {
        outpost_e2e::dechunk(body)
    } else {
        body.to_owned()
    };
    (head, body)
}

#[test]
fn a_quote_renders_to_a_document_the_customer_reads() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let token = server.add_user("kari", "rep", Some("west"));
    let kari = Api::new(&server, Some(&token));
    server.add_territory("kari", "west");
    let (s, t) = admin.post(
        "/api/templates",
        &json!({"kind": "proposal", "format": "html", "name": "Tilbud", "locale": "nb-NO",
                "body": "<h1>Tilbud til {{ account.name }}</h1><table>{% for l in quote.lines %}<tr><td>{{ l.description }}</td><td>{{ l.net | money }}</td></tr>{% endfor %}</table><p>Totalt {{ quote.total | money }}, gyldig til {{ quote.valid_until | date }}</p><script>x</script>"}),
    );
    assert_eq!(s, 201, "{t}");
    let tid = t["id"].as_str().unwrap().to_owned();
    let (_, acc) = admin.post(
        "/api/accounts",
        &json!({"name": "Fjord Fisk AS", "territory": "west"}),
    );
    let acc = acc["id"].as_str().unwrap().to_owned();
    let (_, q) = kari.post(
        &format!("/api/accounts/{acc}/quotes"),
        &json!({"currency": "NOK", "valid_until": "2026-12-31",
                "lines": [{"description": "Laks <5 kg>", "position": 1, "quantity_milli": 2000, "unit_price_minor": 10000, "tax_bp": 2500}]}),
    );
    let qid = q["id"].as_str().unwrap().to_owned();
    let (head, body) = get_raw(
        &server,
        &format!("/api/accounts/{acc}/quotes/{qid}/document?template_id={tid}"),
        &token,
    );
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "no script runs: {head}"
    );
    assert!(body.contains("<h1>Tilbud til Fjord Fisk AS</h1>"), "{body}");
    assert!(
        body.contains("Laks &lt;5 kg&gt;"),
        "merged values escaped: {body}"
    );
    assert!(
        body.contains("200,00\u{a0}kr") && body.contains("250,00\u{a0}kr"),
        "net and total: {body}"
    );
    assert!(body.contains("31. desember 2026"), "{body}");
    let (s, v) = kari.get(&format!("/api/accounts/{acc}/quotes/{qid}/document"));
    assert_eq!((s, v["field"].as_str()), (400, Some("template_id")), "{v}");
    assert_eq!(
        kari.get(&format!(
            "/api/accounts/{acc}/quotes/nope/document?template_id={tid}"
        ))
        .0,
        404
    );
}
