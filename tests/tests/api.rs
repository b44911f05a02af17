//! REST API against the real server binary: auth and errors, CRUD, lists
//! with paging, sorting and filters, export, reports, OpenAPI.

#![allow(clippy::unwrap_used)]

use outpost_e2e::Server;
use outpost_e2e::api::Api;
use serde_json::{Value, json};

fn create_account(api: &Api, body: Value) -> String {
    let (s, v) = api.post("/api/accounts", &body);
    assert_eq!(s, 201, "create account: {v}");
    v["id"].as_str().unwrap().to_owned()
}

#[test]
fn auth_errors_name_the_problem_and_scope_hides_accounts() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari = Api::new(&server, Some(&server.add_user("kari", "rep", Some("west"))));
    let vera = Api::new(&server, Some(&server.add_user("vera", "viewer", None)));
    server.add_territory("kari", "west");
    server.add_territory("vera", "west");

    // 401: no token, a wrong token; ?token= only where a browser cannot send a header
    let (s, v) = Api::new(&server, None).get("/api/me");
    assert_eq!((s, v["code"].as_str()), (401, Some("unauthorized")));
    let (s, _) = Api::new(&server, Some("opt_wrong")).get("/api/me");
    assert_eq!(s, 401);
    let me = kari.ok("/api/me");
    assert_eq!(
        (me["user_id"].as_str(), me["role"].as_str()),
        (Some("kari"), Some("rep"))
    );
    let (s, v) = Api::new(&server, None).get(&format!("/api/me?token={}", server.admin_token()));
    assert_eq!((s, v["code"].as_str()), (401, Some("unauthorized")));

    let west = create_account(&admin, json!({"name": "Fjord Fisk", "territory": "west"}));
    let east = create_account(&admin, json!({"name": "Øst Bakeri", "territory": "east"}));

    // 404: outside scope answers exactly like a document that does not exist
    let (s1, v1) = kari.get(&format!("/api/accounts/{east}"));
    let (s2, v2) = kari.get(&format!(
        "/api/accounts/{}",
        outpost_core::DocumentId::random()
    ));
    let (s3, v3) = kari.get("/api/accounts/not-an-id");
    assert_eq!((s1, s2, s3), (404, 404, 404));
    assert_eq!(v1, v2);
    assert_eq!(v1, v3);
    let (s, _) = kari.post(
        &format!("/api/accounts/{east}/contacts"),
        &json!({"first_name": "X"}),
    );
    assert_eq!(s, 404);
    let list = kari.ok("/api/accounts");
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["id"].as_str(), Some(west.as_str()));

    // 403: a viewer reads but may not write; a rep may not administer
    assert_eq!(vera.get(&format!("/api/accounts/{west}")).0, 200);
    let (s, v) = vera.patch(
        &format!("/api/accounts/{west}"),
        &json!({"industry": "fish"}),
    );
    assert_eq!((s, v["code"].as_str()), (403, Some("forbidden")), "{v}");
    assert_eq!(vera.post("/api/accounts", &json!({"name": "New"})).0, 403);
    assert_eq!(kari.get("/api/admin/teams").0, 403);
    assert_eq!(
        kari.call_text("POST", "/api/import/preview?kind=contacts", "a,b\n1,2\n")
            .0,
        403
    );

    // 400 names the offending field
    let path = format!("/api/accounts/{west}/deals");
    let (s, v) = kari.post(&path, &json!({"name": "Boat", "amount_minor": "lots"}));
    assert_eq!(
        (s, v["field"].as_str(), v["code"].as_str()),
        (400, Some("amount_minor"), Some("invalid_field")),
        "{v}"
    );
    let (s, v) = kari.post(
        &format!("/api/accounts/{west}/contacts"),
        &json!({"first_name": "K", "emails": {"e1": {"address": 5}}}),
    );
    assert_eq!(
        (s, v["field"].as_str()),
        (400, Some("emails.e1.address")),
        "{v}"
    );
    let (s, v) = kari.post(
        &format!("/api/accounts/{west}/contacts"),
        &json!({"first_nme": "K"}),
    );
    assert_eq!(
        (s, v["field"].as_str(), v["code"].as_str()),
        (400, Some("first_nme"), Some("unknown_field")),
        "{v}"
    );
    let (s, v) = kari.post("/api/accounts", &json!({"name": ""}));
    assert_eq!((s, v["field"].as_str()), (400, Some("name")), "{v}");
    let (s, v) = kari.call("POST", "/api/accounts", None);
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_json")), "{v}");
    let (s, v) = kari.get("/api/accounts?limit=0");
    assert_eq!((s, v["field"].as_str()), (400, Some("limit")), "{v}");
    let (s, v) = kari.get("/api/accounts?sort=shoe_size");
    assert_eq!((s, v["field"].as_str()), (400, Some("sort")), "{v}");
    let (s, v) = kari.get("/api/accounts?status=happy");
    assert_eq!((s, v["field"].as_str()), (400, Some("status")), "{v}");
    let (s, v) = admin.post("/api/import", &json!({"kind": "robots", "csv": "a\n1\n"}));
    assert_eq!((s, v["field"].as_str()), (400, Some("kind")), "{v}");
    // unknown endpoints are JSON 404s, never the console's HTML
    let (s, v) = kari.get("/api/nothing/here");
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")));
    // no internal details in any error body
    for body in [v1, v] {
        let text = body.to_string();
        assert!(
            !text.contains("sqlite") && !text.contains("storage"),
            "{text}"
        );
    }
}

#[test]
fn crud_lists_paging_sorting_filters_export_and_reports() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let names = ["Cedar Café", "Alder Ltd", "Birch & Co", "Dogwood AS"];
    let mut ids = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let t = if i % 2 == 0 { "west" } else { "east" };
        ids.push(create_account(
            &admin,
            json!({"name": n, "territory": t, "lifecycle_stage": "retention"}),
        ));
    }
    // paging and sorting
    let p1 = admin.ok("/api/accounts?limit=2&sort=name");
    let p2 = admin.ok("/api/accounts?limit=2&offset=2&sort=name");
    assert_eq!(p1["total"], 4);
    let order: Vec<&str> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["items"].as_array().unwrap())
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["Alder Ltd", "Birch & Co", "Cedar Café", "Dogwood AS"]
    );
    let desc = admin.ok("/api/accounts?sort=-name&limit=1");
    assert_eq!(desc["items"][0]["name"], "Dogwood AS");
    // filters
    let west = admin.ok("/api/accounts?territory=west");
    assert_eq!(west["total"], 2);
    let q = admin.ok("/api/accounts?q=birch");
    assert_eq!(q["total"], 1);

    // records: create, read, patch only what is sent, archive, restore
    let acc = &ids[0];
    let (s, c) = admin.post(
        &format!("/api/accounts/{acc}/contacts"),
        &json!({
            "first_name": "Kari", "last_name": "Nordmann",
            "emails": {"e1": {"address": "kari@fjord.example", "primary": true}}
        }),
    );
    assert_eq!(s, 201, "{c}");
    let cid = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["created_by"], "admin");
    let path = format!("/api/accounts/{acc}/contacts/{cid}");
    let (s, c) = admin.patch(&path, &json!({"title": "CEO"}));
    assert_eq!(s, 200, "{c}");
    assert_eq!(
        (c["title"].as_str(), c["first_name"].as_str()),
        (Some("CEO"), Some("Kari"))
    );
    assert_eq!(c["emails"]["e1"]["address"], "kari@fjord.example");
    let (s, v) = admin.patch(&path, &json!({"created_by": "someone"}));
    assert_eq!((s, v["field"].as_str()), (400, Some("created_by")));
    let (s, _) = admin.post(&format!("{path}/archive"), &json!({}));
    assert_eq!(s, 200);
    assert_eq!(
        admin.ok(&format!("/api/accounts/{acc}/contacts"))["total"],
        0
    );
    assert_eq!(
        admin.ok(&format!("/api/accounts/{acc}/contacts?archived=true"))["total"],
        1
    );
    admin.post(&format!("{path}/restore"), &json!({}));
    let found = admin.ok("/api/contacts?q=nord");
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["account"].as_str(), Some(acc.as_str()));
    assert_eq!(found["items"][0]["account_name"], "Cedar Café");
    // history: who changed the title, through the API
    let h = admin.ok(&format!(
        "/api/accounts/{acc}/history?record_kind=contact&record_id={cid}&field=title"
    ));
    let last = h["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["new_value"].as_str(),
            last["author"]["user_id"].as_str(),
            last["author"]["device_id"].as_str()
        ),
        (Some("CEO"), Some("admin"), Some("api")),
        "{h}"
    );

    // deals across accounts, the board move, the pipeline report
    for (i, acc) in ids.iter().enumerate() {
        let (s, d) = admin.post(
            &format!("/api/accounts/{acc}/deals"),
            &json!({
                "name": format!("Deal {i}"), "pipeline_id": "sales", "stage_id": "lead",
                "amount_minor": 1000 * (i as i64 + 1), "currency": "NOK", "probability": 50
            }),
        );
        assert_eq!(s, 201, "{d}");
    }
    let deals = admin.ok("/api/deals?pipeline=sales&sort=-amount_minor");
    assert_eq!(deals["total"], 4);
    assert_eq!(
        (
            deals["items"][0]["amount_minor"].as_i64(),
            deals["items"][0]["weighted_minor"].as_i64()
        ),
        (Some(4000), Some(2000))
    );
    let top = &deals["items"][0];
    let (s, moved) = admin.patch(
        &format!(
            "/api/accounts/{}/deals/{}",
            top["account"].as_str().unwrap(),
            top["id"].as_str().unwrap()
        ),
        &json!({"stage_id": "won"}),
    );
    assert_eq!(s, 200, "{moved}");
    let history = moved["stage_history"].as_object().unwrap();
    assert_eq!(history.len(), 1, "{moved}");
    let change = history.values().next().unwrap();
    assert_eq!(
        (
            change["from_stage"].as_str(),
            change["to_stage"].as_str(),
            change["by"].as_str()
        ),
        (Some("lead"), Some("won"), Some("admin"))
    );
    assert_eq!(admin.ok("/api/deals?stage=lead")["total"], 3);
    let report = admin.ok("/api/reports/pipeline?pipeline=sales");
    let lead = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage_id"] == "lead")
        .unwrap()
        .clone();
    assert_eq!(
        (
            lead["count"].as_i64(),
            lead["total_minor"].as_i64(),
            lead["weighted_minor"].as_i64()
        ),
        (Some(3), Some(6000), Some(3000)),
        "{report}"
    );
    let team = admin.ok("/api/reports/team");
    assert_eq!(team["accounts"]["customers"], 4, "{team}");

    // CSV export with the list's filters
    let (s, csv) = admin.call_text(
        "GET",
        "/api/export/accounts.csv?territory=east&sort=name",
        "",
    );
    assert_eq!(s, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[0].contains("name") && lines[0].contains("territory"),
        "{csv}"
    );
    assert!(
        lines[1].contains("Alder Ltd") && lines[2].contains("Dogwood AS"),
        "{csv}"
    );
    let (s, csv) = admin.call_text("GET", "/api/export/deals.csv", "");
    assert_eq!((s, csv.lines().count()), (200, 5));
    assert_eq!(admin.call_text("GET", "/api/export/secrets.csv", "").0, 404);

    // account card and archive
    let card = admin.ok(&format!("/api/accounts/{acc}"));
    assert_eq!(
        (
            card["counts"]["contacts"].as_i64(),
            card["counts"]["deals"].as_i64()
        ),
        (Some(1), Some(1)),
        "{card}"
    );
    admin.post(&format!("/api/accounts/{acc}/archive"), &json!({}));
    assert_eq!(admin.ok("/api/accounts")["total"], 3);
    assert_eq!(admin.ok("/api/accounts?archived=true")["total"], 4);
}

#[test]
fn openapi_document_parses_and_lists_the_paths() {
    let server = Server::start();
    let (s, doc) = Api::new(&server, None).get("/api/openapi.json");
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/me",
        "/api/accounts",
        "/api/accounts/{account}",
        // the `{kind}` routes are listed once per kind, with its schemas
        "/api/accounts/{account}/contacts/{id}",
        "/api/accounts/{account}/deals/{id}/stage",
        "/api/accounts/{account}/conflicts/resolve",
        "/api/deals",
        "/api/reports/team",
        "/api/events",
        "/api/import",
        "/api/import/{job}",
        "/api/export/{list}",
        "/api/admin/teams",
        "/api/admin/users",
        "/api/admin/tokens/{id}",
    ] {
        assert!(paths.contains_key(p), "openapi.json lacks {p}");
    }
    assert!(
        doc["components"]["schemas"]["ErrorBody"]["properties"]["field"].is_object(),
        "{doc}"
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(!paths.contains_key("/api/accounts/{account}/contacts/{id}/stage"));
    // records have real schemas, not bare objects
    assert_eq!(
        doc["components"]["schemas"]["Contact"]["properties"]["first_name"]["type"], "string",
        "{doc}"
    );
}

#[test]
fn admin_endpoints_and_the_team_dashboard() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    server.add_user("kari", "rep", Some("west"));
    server.add_territory("kari", "west");
    let mona = Api::new(
        &server,
        Some(&server.add_user("mona", "manager", Some("west"))),
    );
    let acc = create_account(
        &admin,
        json!({"name": "Fjord Fisk", "territory": "west", "owner": "kari"}),
    );
    let other = create_account(&admin, json!({"name": "Elsewhere", "territory": "south"}));
    let (s, _) = admin.post(
        &format!("/api/admin/users/kari/assignments/{other}"),
        &json!({}),
    );
    assert_eq!(s, 204);

    // role and team
    let (s, u) = admin.patch(
        "/api/admin/users/kari",
        &json!({"role": "viewer", "team": "west"}),
    );
    assert_eq!((s, u["role"].as_str()), (200, Some("viewer")), "{u}");
    let (s, v) = admin.patch("/api/admin/users/kari", &json!({"role": "emperor"}));
    assert_eq!((s, v["field"].as_str()), (400, Some("role")), "{v}");
    assert_eq!(
        admin
            .patch("/api/admin/users/nobody", &json!({"role": "rep"}))
            .0,
        404
    );
    admin.patch(
        "/api/admin/users/kari",
        &json!({"role": "rep", "team": "west"}),
    );
    // tokens are listed by id, never the token itself
    let tokens = admin.ok("/api/admin/users/kari/tokens");
    assert_eq!(tokens.as_array().unwrap().len(), 1, "{tokens}");
    assert_eq!(tokens[0]["id"].as_str().unwrap().len(), 12);
    // teams, territories, assignments
    let teams = admin.ok("/api/admin/teams");
    assert_eq!(
        teams,
        json!([{"team": "west", "members": ["kari", "mona"]}])
    );
    let territories = admin.ok("/api/admin/territories");
    let west = territories
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["territory"] == "west")
        .unwrap();
    assert_eq!(
        (west["users"].clone(), west["accounts"].as_i64()),
        (json!(["kari"]), Some(1))
    );
    let assignments = admin.ok("/api/admin/assignments");
    assert_eq!(
        assignments,
        json!([{"user_id": "kari", "account": other, "account_name": "Elsewhere"}])
    );
    // goals show on the team dashboard next to what each rep did
    let (s, g) = admin.call(
        "PUT",
        "/api/admin/users/kari/goals",
        Some(&json!({"visits_per_week": 5, "won_per_month_minor": 100000})),
    );
    assert_eq!(s, 200, "{g}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let (s, a) = admin.post(&format!("/api/accounts/{acc}/activities"), &json!({"kind": "visit", "subject": "Visit", "status": "done", "start_at": now, "owner": "kari"}));
    assert_eq!(s, 201, "{a}");
    let team = mona.ok("/api/reports/team");
    let reps = team["reps"].as_array().unwrap();
    let kari = reps.iter().find(|r| r["user_id"] == "kari").unwrap();
    assert_eq!(
        (
            kari["visits"].as_i64(),
            kari["activities"].as_i64(),
            kari["goals"]["visits_per_week"].as_i64()
        ),
        (Some(1), Some(1), Some(5)),
        "{team}"
    );
    assert!(reps.iter().any(|r| r["user_id"] == "mona"), "{team}");
    let (s, v) = mona.get("/api/reports/team?week=last-tuesday");
    assert_eq!((s, v["field"].as_str()), (400, Some("week")));
}

#[test]
fn the_event_stream_only_tells_about_accounts_in_scope() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let kari_token = server.add_user("kari", "rep", None);
    server.add_territory("kari", "west");
    let west = create_account(&admin, json!({"name": "West", "territory": "west"}));
    let east = create_account(&admin, json!({"name": "East", "territory": "east"}));
    assert!(outpost_e2e::api::EventStream::open(&server, "opt_wrong").is_err_and(|s| s == 401));
    let mut events = outpost_e2e::api::EventStream::open(&server, &kari_token).unwrap();
    assert_eq!(
        events
            .next_event(std::time::Duration::from_secs(20))
            .map(|e| e.0)
            .as_deref(),
        Some("ready")
    );
    // an edit outside kari's scope, then one inside: the first event kari gets is the second
    assert_eq!(
        admin
            .patch(
                &format!("/api/accounts/{east}"),
                &json!({"industry": "bakery"})
            )
            .0,
        200
    );
    assert_eq!(
        admin
            .patch(
                &format!("/api/accounts/{west}"),
                &json!({"industry": "fish"})
            )
            .0,
        200
    );
    let (name, data) = events
        .next_event(std::time::Duration::from_secs(20))
        .unwrap();
    assert_eq!(name, "changed");
    let data: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(data, json!({"account": west}));
    // an account created after the stream opened is told about too
    let fresh = create_account(&admin, json!({"name": "New West", "territory": "west"}));
    assert!(
        events.expect_changed(&fresh, std::time::Duration::from_secs(20)),
        "no event for the new account"
    );
}

#[test]
fn custom_fields_activities_filters_and_account_history() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let mona = Api::new(
        &server,
        Some(&server.add_user("mona", "manager", Some("west"))),
    );
    let kari = Api::new(&server, Some(&server.add_user("kari", "rep", Some("west"))));
    server.add_territory("kari", "west");
    let acc = create_account(&admin, json!({"name": "Fjord Fisk", "territory": "west"}));

    // custom fields: admins define them (as over sync), reps read them and fill them in
    let boat = json!({"entity": "contact", "key": "boat", "label": "Boat", "field_type": "text"});
    assert_eq!(
        mona.post("/api/custom-fields", &boat).0,
        403,
        "managers do not"
    );
    let (s, f) = admin.post("/api/custom-fields", &boat);
    assert_eq!(s, 201, "{f}");
    let fid = f["id"].as_str().unwrap().to_owned();
    assert_eq!(
        kari.post(
            "/api/custom-fields",
            &json!({"entity": "contact", "key": "x", "label": "X", "field_type": "text"})
        )
        .0,
        403
    );
    let (s, v) = admin.post(
        "/api/custom-fields",
        &json!({"entity": "contact", "label": "No key", "field_type": "text"}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("key")), "{v}");
    assert_eq!(
        mona.patch(&format!("/api/custom-fields/{fid}"), &json!({"label": "B"}))
            .0,
        403
    );
    let (s, f) = admin.patch(
        &format!("/api/custom-fields/{fid}"),
        &json!({"label": "Boat name"}),
    );
    assert_eq!((s, f["label"].as_str()), (200, Some("Boat name")), "{f}");
    let defs = kari.ok("/api/custom-fields?entity=contact");
    assert_eq!(defs["items"].as_array().unwrap().len(), 1, "{defs}");
    assert_eq!(
        kari.ok("/api/custom-fields?entity=deal")["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let (s, c) = kari.post(
        &format!("/api/accounts/{acc}/contacts"),
        &json!({"first_name": "Kari", "custom": {"boat": "Havørn"}}),
    );
    assert_eq!(
        (s, c["custom"]["boat"].as_str()),
        (201, Some("Havørn")),
        "{c}"
    );

    // activities: time window, kind and owner filters, newest first
    let t0: i64 = 1_795_000_000_000;
    for (i, kind) in ["visit", "call", "visit", "email"].iter().enumerate() {
        let (s, a) = kari.post(
            &format!("/api/accounts/{acc}/activities"),
            &json!({"kind": kind, "subject": format!("a{i}"), "start_at": t0 + i as i64 * 1000}),
        );
        assert_eq!(s, 201, "{a}");
    }
    let all = kari.ok("/api/activities");
    assert_eq!(all["total"], 4);
    assert_eq!(all["items"][0]["subject"], "a3");
    let visits = kari.ok(&format!(
        "/api/activities?kind=visit&from={}&to={}",
        t0,
        t0 + 2500
    ));
    let subjects: Vec<&str> = visits["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["a2", "a0"]);
    assert_eq!(kari.ok("/api/activities?owner=someone")["total"], 0);
    let (s, v) = kari.get("/api/activities?from=yesterday");
    assert_eq!((s, v["field"].as_str()), (400, Some("from")));

    // the account's own history, and resolving a conflict needs one to exist
    assert_eq!(
        kari.patch(
            &format!("/api/accounts/{acc}"),
            &json!({"industry": "fish"})
        )
        .0,
        200
    );
    let h = kari.ok(&format!(
        "/api/accounts/{acc}/history?record_kind=account&field=industry"
    ));
    let last = h["items"].as_array().unwrap().last().unwrap();
    assert_eq!(
        (
            last["new_value"].as_str(),
            last["author"]["user_id"].as_str()
        ),
        (Some("fish"), Some("kari")),
        "{h}"
    );
    let (s, v) = kari.post(
        &format!("/api/accounts/{acc}/conflicts/resolve"),
        &json!({"record_kind": "account", "field": "industry", "value_id": "1@00"}),
    );
    assert_eq!(s, 404, "{v}");
    let (s, v) = kari.post(
        &format!("/api/accounts/{acc}/conflicts/resolve"),
        &json!({"record_kind": "planet", "field": "x", "value": 1}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("record_kind")), "{v}");
}

#[test]
fn an_acknowledged_api_edit_survives_a_server_kill() {
    let mut server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let acc = create_account(&admin, json!({"name": "Durable AS"}));
    let (s, c) = admin.post(
        &format!("/api/accounts/{acc}/contacts"),
        &json!({"first_name": "Kari"}),
    );
    assert_eq!(s, 201, "{c}");
    let path = format!("/api/accounts/{acc}/contacts/{}", c["id"].as_str().unwrap());
    assert_eq!(admin.patch(&path, &json!({"title": "CEO"})).0, 200);
    server.kill(); // SIGKILL: nothing flushed after the answer
    server.restart();
    let admin = Api::new(&server, Some(server.admin_token()));
    assert_eq!(admin.ok(&path)["title"], "CEO");
    assert_eq!(admin.ok("/api/contacts?q=kari")["total"], 1);
}

#[test]
fn admins_define_pipelines_and_deals_move_through_them() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    let mona = Api::new(
        &server,
        Some(&server.add_user("mona", "manager", Some("west"))),
    );
    let stages = json!([
        {"id": "due", "name": "Due", "position": 10, "probability": 20, "meaning": "open"},
        {"id": "quoted", "name": "Quoted", "position": 20, "probability": 60, "meaning": "open"},
        {"id": "renewed", "name": "Renewed", "position": 30, "probability": 100, "meaning": "won"},
    ]);
    let body = json!({"name": "Renewals", "stages": stages});
    assert_eq!(mona.post("/api/pipelines", &body).0, 403);

    // bad input names the field
    let (s, v) = admin.post("/api/pipelines", &json!({"name": " ", "stages": stages}));
    assert_eq!((s, v["field"].as_str()), (400, Some("name")), "{v}");
    let (s, v) = admin.post(
        "/api/pipelines",
        &json!({"name": "X", "stages": [{"name": "no id"}]}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("stages[0].id")), "{v}");
    let (s, v) = admin.post(
        "/api/pipelines",
        &json!({"name": "X", "stages": [{"id": "a", "name": "A", "probability": 300}]}),
    );
    assert_eq!(s, 400, "{v}");
    assert!(v["field"].as_str().unwrap().starts_with("stages"), "{v}");
    assert_eq!(
        admin.ok("/api/pipelines")["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let (s, p) = admin.post("/api/pipelines", &body);
    assert_eq!(s, 201, "{p}");
    let pid = p["id"].as_str().unwrap().to_owned();
    let all = admin.ok("/api/pipelines");
    assert_eq!(
        all["default_pipeline_id"].as_str(),
        Some(pid.as_str()),
        "{all}"
    );
    let names: Vec<&str> = all["items"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Due", "Quoted", "Renewed"]);

    // rename a stage and drop another; the list is the whole set of stages
    let (s, p) = admin.patch(
        &format!("/api/pipelines/{pid}"),
        &json!({"stages": [
            {"id": "due", "name": "Due soon", "position": 10, "probability": 25, "meaning": "open"},
            {"id": "renewed", "name": "Renewed", "position": 30, "probability": 100, "meaning": "won"},
        ]}),
    );
    assert_eq!(s, 200, "{p}");
    let stages: Vec<(&str, &str, u64)> = p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap(),
                s["name"].as_str().unwrap(),
                s["probability"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stages,
        [("due", "Due soon", 25), ("renewed", "Renewed", 100)]
    );
    assert_eq!(
        admin.patch("/api/pipelines/nope", &json!({"name": "Y"})).0,
        404
    );

    // a deal on it shows on the board report under the stage's new name
    let acc = create_account(&admin, json!({"name": "Fjord Fisk", "territory": "west"}));
    let (s, d) = admin.post(
        &format!("/api/accounts/{acc}/deals"),
        &json!({"name": "Renewal 2027", "pipeline_id": pid, "stage_id": "due", "amount_minor": 100000}),
    );
    assert_eq!(s, 201, "{d}");
    let report = admin.ok("/api/reports/pipeline");
    assert!(report.to_string().contains("Due soon"), "{report}");
}
