//! The sales reports and the product catalogue through the real server
//! binary: figures over the caller's scope only, currencies never added,
//! CSV of every report, typed query parameters refused by name, admin-only
//! catalogue writes, search in any script.

#![allow(clippy::unwrap_used)]

use outpost_e2e::Server;
use outpost_e2e::api::Api;
use serde_json::{Value, json};

fn deal(api: &Api, account: &str, body: Value) -> String {
    let (s, v) = api.post(&format!("/api/accounts/{account}/deals"), &body);
    assert_eq!(s, 201, "create deal: {v}");
    v["id"].as_str().unwrap().to_owned()
}

fn totals(report: &Value) -> Vec<(String, String, i64, i64, i64)> {
    report["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["month"].as_str().unwrap_or("-").to_owned(),
                r["currency"].as_str().unwrap().to_owned(),
                r["deals"].as_i64().unwrap(),
                r["total_minor"].as_i64().unwrap(),
                r["weighted_minor"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn reports_cover_the_callers_scope_in_each_currency_as_json_and_csv() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari = Api::new(&server, Some(&server.add_user("kari", "rep", Some("west"))));
    server.add_territory("kari", "west");
    let stages = json!([
        {"id": "lead", "name": "Lead", "position": 1, "probability": 10, "meaning": "open"},
        {"id": "prop", "name": "Tilbud", "position": 2, "probability": 50, "meaning": "open"},
        {"id": "won", "name": "Vunnet", "position": 3, "probability": 100, "meaning": "won"},
        {"id": "lost", "name": "Tapt", "position": 4, "probability": 0, "meaning": "lost"}
    ]);
    let sales = admin.create_pipeline("Salg", &stages);
    let (s, west) = admin.post(
        "/api/accounts",
        &json!({"name": "Fjord Fisk AS", "territory": "west", "owner": "kari"}),
    );
    assert_eq!(s, 201, "{west}");
    let west = west["id"].as_str().unwrap().to_owned();
    let (_, east) = admin.post(
        "/api/accounts",
        &json!({"name": "Øst Bakeri", "territory": "east"}),
    );
    let east = east["id"].as_str().unwrap().to_owned();
    let d = |name: &str, stage: &str, amount: i64, currency: &str, close: &str| {
        json!({"name": name, "pipeline_id": sales, "stage_id": stage, "amount_minor": amount,
               "currency": currency, "expected_close": close, "owner": "kari"})
    };
    let laks = deal(
        &admin,
        &west,
        d("Laks", "prop", 100_000, "NOK", "2026-12-15"),
    );
    deal(
        &admin,
        &west,
        d("Export", "prop", 10_000, "EUR", "2026-12-20"),
    );
    deal(
        &admin,
        &west,
        d("Late", "lead", 30_000, "NOK", "2026-10-01"),
    );
    deal(
        &admin,
        &east,
        d("Brød", "prop", 500_000, "NOK", "2026-12-10"),
    );

    // forecast: the rep sees the west deals only; NOK and EUR in rows of their own
    let q = format!("/api/reports/forecast?pipeline={sales}&day=2026-12-04");
    let mine = totals(&kari.ok(&q));
    assert_eq!(
        mine,
        [
            ("2026-10".into(), "NOK".into(), 1, 30_000, 3_000),
            ("2026-12".into(), "EUR".into(), 1, 10_000, 5_000),
            ("2026-12".into(), "NOK".into(), 1, 100_000, 50_000),
        ]
    );
    let report = kari.ok(&q);
    assert_eq!(report["totals"][0]["past_due"], true, "{report}");
    let all = totals(&admin.ok(&q));
    assert!(
        all.contains(&("2026-12".into(), "NOK".into(), 2, 600_000, 300_000)),
        "the admin's scope has the east deal: {all:?}"
    );
    // CSV of the per-owner rows
    let (s, csv) = kari.call_text("GET", &format!("{q}&format=csv"), "");
    assert_eq!(s, 200, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("month,owner,currency,deals,total_minor,weighted_minor,past_due"),
        "{csv}"
    );
    assert_eq!(lines.len(), 4, "{csv}");

    // stalled: a threshold set per stage, counted to the end of the report day
    let r = kari.ok(&format!(
        "/api/reports/stalled?pipeline={sales}&day=2030-01-01&thresholds=prop:10"
    ));
    let stalled: Vec<&str> = r["deals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(stalled.len(), 3, "west's three open deals: {r}");
    let t = r["thresholds"].as_array().unwrap();
    let prop = t.iter().find(|t| t["stage_id"] == "prop").unwrap();
    assert_eq!(
        (prop["days"].as_i64(), prop["source"].as_str()),
        (Some(10), Some("set"))
    );
    let lead = t.iter().find(|t| t["stage_id"] == "lead").unwrap();
    assert_eq!(
        (lead["days"].as_i64(), lead["source"].as_str()),
        (Some(30), Some("default"))
    );
    assert_eq!(
        r["deals"][0]["account"].as_str(),
        Some(west.as_str()),
        "{r}"
    );
    let (s, csv) = kari.call_text(
        "GET",
        &format!("/api/reports/stalled?pipeline={sales}&day=2030-01-01&format=csv"),
        "",
    );
    assert_eq!((s, csv.lines().count()), (200, 4), "{csv}");
    assert!(
        kari.ok(&format!("/api/reports/stalled?pipeline={sales}"))["deals"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // conversion: a deal won through the API
    let (s, _) = admin.post(
        &format!("/api/accounts/{west}/deals/{laks}/stage"),
        &json!({"stage_id": "won"}),
    );
    assert_eq!(s, 200);
    let c = kari.ok(&format!("/api/reports/conversion?pipeline={sales}"));
    assert_eq!(
        (
            c["won"].as_i64(),
            c["lost"].as_i64(),
            c["win_rate"].as_f64()
        ),
        (Some(1), Some(0), Some(1.0)),
        "{c}"
    );
    let funnel: Vec<(String, i64)> = c["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage_id"].as_str().unwrap().to_owned(),
                s["reached"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        funnel,
        [("lead".to_owned(), 3), ("prop".to_owned(), 2)],
        "{c}"
    );
    let (s, csv) = kari.call_text(
        "GET",
        &format!("/api/reports/conversion?pipeline={sales}&format=csv"),
        "",
    );
    assert_eq!((s, csv.lines().count()), (200, 3), "{csv}");

    // parameters are typed and named when refused
    for (path, field) in [
        ("/api/reports/forecast?day=tomorrow", "day"),
        ("/api/reports/forecast?colour=red", "colour"),
        ("/api/reports/forecast?format=pdf", "format"),
        (
            "/api/reports/forecast?tz_offset_minutes=-2147483648",
            "tz_offset_minutes",
        ),
        ("/api/reports/stalled?thresholds=prop", "thresholds"),
        ("/api/reports/stalled?default_days=-1", "default_days"),
        (
            "/api/reports/conversion?closed_from=yesterday",
            "closed_from",
        ),
        ("/api/products?limit=lots", "limit"),
    ] {
        let (s, v) = kari.get(path);
        assert_eq!(
            (s, v["code"].as_str(), v["field"].as_str()),
            (400, Some("invalid_query"), Some(field)),
            "{path}: {v}"
        );
    }
}

#[test]
fn the_catalogue_is_searched_by_anyone_changed_by_admins_and_sold_in_orders() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari = Api::new(&server, Some(&server.add_user("kari", "rep", Some("west"))));
    server.add_territory("kari", "west");

    let herring = json!({"sku": "SLD-1", "name": "Сельдь пряная", "unit_price_minor": 4_000, "currency": "NOK"});
    let (s, v) = kari.post("/api/products", &herring);
    assert_eq!((s, v["code"].as_str()), (403, Some("forbidden")), "{v}");
    let (s, v) = admin.post(
        "/api/products",
        &json!({"sku": " ", "name": "x", "currency": "NOK"}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("sku")), "{v}");
    let (s, sld) = admin.post("/api/products", &herring);
    assert_eq!(s, 201, "{sld}");
    let sld = sld["id"].as_str().unwrap().to_owned();
    let (s, laks) = admin.post(
        "/api/products",
        &json!({"sku": "LAKS-5", "name": "Laks 5 kg", "unit_price_minor": 10_000, "currency": "NOK",
                "stock": 12, "stock_at": 1_795_424_400_000_i64}),
    );
    assert_eq!(s, 201, "{laks}");
    let laks = laks["id"].as_str().unwrap().to_owned();

    let names = |q: &str| -> Vec<String> {
        kari.ok(&format!("/api/products?q={q}"))["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names("%D0%A1%D0%95%D0%9B%D0%AC%D0%94%D0%AC"),
        ["Сельдь пряная"],
        "СЕЛЬДЬ: Cyrillic, any case"
    );
    assert_eq!(names("laks-5"), ["Laks 5 kg"]);
    assert_eq!(names("").len(), 2);
    let hit = &kari.ok("/api/products?q=laks")["items"][0];
    assert_eq!(
        (hit["stock"].as_i64(), hit["stock_at"].as_i64()),
        (Some(12), Some(1_795_424_400_000))
    );

    // a new stock level
    let (s, v) = admin.patch(
        &format!("/api/products/{laks}"),
        &json!({"stock": 3, "stock_at": 1_795_500_000_000_i64}),
    );
    assert_eq!((s, v["stock"].as_i64()), (200, Some(3)), "{v}");
    let (s, _) = kari.patch(&format!("/api/products/{laks}"), &json!({"stock": 99}));
    assert_eq!(s, 403);
    let (s, _) = admin.patch("/api/products/no-such-product", &json!({"stock": 1}));
    assert_eq!(s, 404);

    // sold: the product report over the rep's scope
    let (_, west) = admin.post(
        "/api/accounts",
        &json!({"name": "Fjord Fisk AS", "territory": "west"}),
    );
    let west = west["id"].as_str().unwrap().to_owned();
    let (_, east) = admin.post(
        "/api/accounts",
        &json!({"name": "Øst Bakeri", "territory": "east"}),
    );
    let east = east["id"].as_str().unwrap().to_owned();
    let at = 1_796_100_000_000_i64; // 2026-12-01
    let order = |product: &str, qty: i64| {
        json!({"ordered_at": at, "currency": "NOK",
               "lines": [{"product_id": product, "description": "line", "quantity_milli": qty, "unit_price_minor": 10_000}]})
    };
    for (account, product, qty) in [
        (&west, &laks, 2_500),
        (&west, &sld, 1_000),
        (&east, &laks, 9_000),
    ] {
        let (s, v) = admin.post(
            &format!("/api/accounts/{account}/orders"),
            &order(product, qty),
        );
        assert_eq!(s, 201, "{v}");
    }
    let r = kari.ok("/api/reports/products?day=2026-12-04");
    let rows: Vec<(String, i64, i64)> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["quantity_milli"].as_i64().unwrap(),
                p["revenue_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("Laks 5 kg".to_owned(), 2_500, 25_000),
            ("Сельдь пряная".to_owned(), 1_000, 10_000)
        ],
        "the east order is not in the rep's scope: {r}"
    );
    let (s, csv) = kari.call_text("GET", "/api/reports/products?format=csv", "");
    assert_eq!((s, csv.lines().count()), (200, 3), "{csv}");
    assert!(csv.contains("Сельдь пряная"), "UTF-8 in the CSV: {csv}");
}

/// Every `$ref` in `v`.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r.clone());
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[test]
fn the_openapi_document_describes_the_reports_and_the_catalogue() {
    let server = Server::start();
    let (s, doc) = Api::new(&server, None).get("/api/openapi.json");
    assert_eq!(s, 200);
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/reports/forecast",
        "/api/reports/stalled",
        "/api/reports/conversion",
        "/api/reports/products",
        "/api/products",
        "/api/products/{id}",
        "/api/templates",
        "/api/templates/{id}",
        "/api/accounts/{account}/messages",
        "/api/accounts/{account}/messages/preview",
        "/api/capture",
        "/api/accounts/{account}/quotes/{id}/accept",
        "/api/accounts/{account}/quotes/{id}",
    ] {
        assert!(paths.contains_key(p), "openapi.json lacks {p}");
    }
    let params: Vec<&str> = doc["paths"]["/api/reports/stalled"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "owner",
        "pipeline",
        "day",
        "tz_offset_minutes",
        "thresholds",
        "default_days",
        "min_samples",
        "format",
    ] {
        assert!(
            params.contains(&p),
            "stalled lacks the parameter {p}: {params:?}"
        );
    }
    // the derived request bodies of the catalogue, and every reference resolves
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert_eq!(
        schemas["ProductInput"]["required"],
        json!(["sku", "name"]),
        "{}",
        schemas["ProductInput"]
    );
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r}"));
        assert!(schemas.contains_key(name), "{r} names no schema");
    }
}
