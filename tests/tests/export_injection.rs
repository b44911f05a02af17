//! Spreadsheet formula injection through the real server: records whose text
//! starts with `=`, `+`, `-`, `@`, tab or carriage return come out of
//! `GET /api/export/*.csv` with a leading `'` (the OWASP rule), while cells
//! that are JSON numbers stay numbers.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use outpost_e2e::Server;
use outpost_e2e::api::Api;
use serde_json::json;

const FORMULA: &str = "=HYPERLINK(\"http://x\",\"y\")";

/// An export parsed with the csv crate: one header → cell map per row.
fn export(api: &Api, list: &str) -> Vec<HashMap<String, String>> {
    let (s, text) = api.call_text("GET", &format!("/api/export/{list}.csv"), "");
    assert_eq!(s, 200, "{text}");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn exported_formulas_are_neutralised_and_numbers_stay_numbers() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));

    let (s, acc) = admin.post(
        "/api/accounts",
        &json!({"name": FORMULA, "territory": "-5", "value_tier": "+1+1",
                "balance": {"balance_minor": -5, "overdue_minor": -120}}),
    );
    assert_eq!(s, 201, "{acc}");
    let doc = acc["id"].as_str().unwrap().to_owned();
    let contacts = [
        json!({"first_name": "@SUM(1)", "title": "-1+1"}),
        json!({"first_name": "+1+1", "title": "\tindented"}),
        json!({"first_name": "Kari", "last_name": "Nordmann", "title": "\rcarriage"}),
    ];
    for c in &contacts {
        let (s, v) = admin.post(&format!("/api/accounts/{doc}/contacts"), c);
        assert_eq!(s, 201, "{v}");
    }
    let (s, v) = admin.post(
        &format!("/api/accounts/{doc}/orders"),
        &json!({"ordered_at": 1_700_000_000_000_i64, "total_minor": -500, "currency": "NOK"}),
    );
    assert_eq!(s, 201, "{v}");

    let accounts = export(&admin, "accounts");
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    let a = &accounts[0];
    assert_eq!(a["name"], format!("'{FORMULA}"));
    assert_eq!(a["territory"], "'-5", "the text \"-5\" is neutralised");
    assert_eq!(a["value_tier"], "'+1+1");
    assert_eq!(a["balance_minor"], "-5", "a number stays a number");
    assert_eq!(a["overdue_minor"], "-120");
    assert_eq!(a["id"], doc);

    let mut contacts = export(&admin, "contacts");
    contacts.sort_by(|x, y| x["title"].cmp(&y["title"]));
    let got: Vec<(&str, &str, &str)> = contacts
        .iter()
        .map(|c| {
            (
                c["full_name"].as_str(),
                c["title"].as_str(),
                c["account_name"].as_str(),
            )
        })
        .collect();
    let account = format!("'{FORMULA}");
    assert_eq!(
        got,
        [
            ("'+1+1", "'\tindented", account.as_str()),
            ("Kari Nordmann", "'\rcarriage", account.as_str()),
            ("'@SUM(1)", "'-1+1", account.as_str()),
        ]
    );
    assert!(
        contacts
            .iter()
            .all(|c| c["created_at"].parse::<i64>().is_ok())
    );

    let orders = export(&admin, "orders");
    assert_eq!(orders.len(), 1, "{orders:?}");
    let o = &orders[0];
    assert_eq!(
        (
            o["total_minor"].as_str(),
            o["outstanding_minor"].as_str(),
            o["ordered_at"].as_str(),
            o["account_name"].as_str()
        ),
        ("-500", "-500", "1700000000000", account.as_str()),
        "numbers stay numbers"
    );
}
