//! CSV import and export through the REST API against the real server:
//! preview with Salesforce/HubSpot column names, dry run, upsert, per-row
//! errors, duplicates, progress, and deals into the org pipeline.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use outpost_core::model::{OrgSettings, Pipeline, RecordMeta, Stage, StageMeaning};
use outpost_e2e::Server;
use outpost_e2e::api::Api;
use outpost_e2e::device::TestDevice;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

/// Runs an import and polls its job until it is no longer running.
fn import(api: &Api, body: Value) -> Value {
    let (s, v) = api.post("/api/import", &body);
    assert_eq!(s, 202, "{v}");
    let job = v["job"].as_str().unwrap().to_owned();
    api.until(
        "import finishes",
        &format!("/api/import/{job}"),
        WAIT,
        |j| j["state"] != "running",
    )
}

const SALESFORCE: &str = "First Name,Last Name,Title,Email,Mobile Phone,Account Name,Account ID,Contact ID\n\
Kari,Nordmann,CEO,kari@fjord.example,+47 912 34 567,Fjord Fisk,001A,003A\n\
Ola,Hansen,Buyer,ola@fjord.example,,Fjord Fisk,001A,003B\n\
Per,Berg,,not-an-email,,Berg Bakeri,001B,003C\n\
Kari,Nordmann,CEO,KARI@fjord.example,,Fjord Fisk,001A,003D\n\
Lise,Lie,Owner,lise@berg.example,,Berg Bakeri,001B,003E\n";

#[test]
fn contacts_import_dry_run_upsert_errors_duplicates_and_export() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));

    // preview: the Salesforce columns are recognised
    let (s, p) = admin.call_text("POST", "/api/import/preview?kind=contacts", SALESFORCE);
    assert_eq!(s, 200, "{p}");
    let p: Value = serde_json::from_str(&p).unwrap();
    assert_eq!(p["rows"], 5);
    let m = &p["suggested_mapping"];
    assert_eq!(
        (
            m["First Name"].as_str(),
            m["Mobile Phone"].as_str(),
            m["Account Name"].as_str(),
            m["Contact ID"].as_str()
        ),
        (
            Some("first_name"),
            Some("mobile"),
            Some("account_name"),
            Some("external_id")
        ),
        "{p}"
    );
    assert_eq!(p["sample"][0][0], "Kari");

    // dry run: everything counted, nothing written
    let dry = import(
        &admin,
        json!({"kind": "contacts", "csv": SALESFORCE, "dry_run": true, "match": "email"}),
    );
    assert_eq!(dry["state"], "done", "{dry}");
    assert_eq!(
        (
            dry["created"].as_i64(),
            dry["updated"].as_i64(),
            dry["dry_run"].as_bool()
        ),
        (Some(3), Some(0), Some(true)),
        "{dry}"
    );
    assert_eq!(dry["errors"].as_array().unwrap().len(), 1, "{dry}");
    assert_eq!(
        (
            dry["errors"][0]["row"].as_i64(),
            dry["errors"][0]["field"].as_str(),
            dry["errors"][0]["code"].as_str()
        ),
        (Some(3), Some("email"), Some("invalid_email")),
        "{dry}"
    );
    // row 4 repeats row 1's e-mail (other case)
    assert_eq!(
        (
            dry["duplicates"][0]["row"].as_i64(),
            dry["duplicates"][0]["duplicate_of_row"].as_i64()
        ),
        (Some(4), Some(1)),
        "{dry}"
    );
    assert_eq!(admin.ok("/api/accounts")["total"], 0);
    assert_eq!(admin.ok("/api/contacts")["total"], 0);

    // the real import
    let done = import(
        &admin,
        json!({"kind": "contacts", "csv": SALESFORCE, "match": "email"}),
    );
    assert_eq!(
        (
            done["state"].as_str(),
            done["created"].as_i64(),
            done["processed"].as_i64(),
            done["total"].as_i64()
        ),
        (Some("done"), Some(3), Some(5), Some(5)),
        "{done}"
    );
    let accounts = admin.ok("/api/accounts?sort=name");
    assert_eq!(accounts["total"], 2, "{accounts}");
    assert_eq!(accounts["items"][0]["name"], "Berg Bakeri");
    let contacts = admin.ok("/api/contacts?sort=full_name");
    assert_eq!(contacts["total"], 3, "{contacts}");
    let kari = admin.ok("/api/contacts?q=kari");
    assert_eq!(kari["items"][0]["email"], "kari@fjord.example");
    let (acc, cid) = (
        kari["items"][0]["account"].as_str().unwrap().to_owned(),
        kari["items"][0]["id"].as_str().unwrap().to_owned(),
    );
    let rec = admin.ok(&format!("/api/accounts/{acc}/contacts/{cid}"));
    assert_eq!(
        (
            rec["title"].as_str(),
            rec["created_by"].as_str(),
            rec["external_ids"]["import"].as_str()
        ),
        (Some("CEO"), Some("admin"), Some("003A")),
        "{rec}"
    );

    // again, changed: upsert by e-mail updates instead of duplicating
    let again = "Email,First Name,Last Name,Job Title,Company Name\nkari@fjord.example,Kari,Nordmann,Chair,Fjord Fisk\nnew@berg.example,Nina,Ny,,Berg Bakeri\n";
    let up = import(&admin, json!({"kind": "contacts", "csv": again}));
    assert_eq!(
        (up["created"].as_i64(), up["updated"].as_i64()),
        (Some(1), Some(1)),
        "{up}"
    );
    assert_eq!(
        up["duplicates"][0]["existing"]["id"].as_str(),
        Some(cid.as_str()),
        "{up}"
    );
    assert_eq!(admin.ok("/api/contacts")["total"], 4);
    assert_eq!(
        admin.ok(&format!("/api/accounts/{acc}/contacts/{cid}"))["title"],
        "Chair"
    );
    assert_eq!(admin.ok("/api/accounts")["total"], 2);

    // a mapping that names a column the file does not have
    let (s, v) = admin.post(
        "/api/import",
        &json!({"kind": "contacts", "csv": again, "mapping": {"Fax": "phone"}}),
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("mapping.Fax")), "{v}");

    // HubSpot companies, upserted by their record id
    let companies = "Record ID,Company Name,City,Phone Number\n501,Havblikk AS,Bergen,+47 55 00 00 00\n502,Fjellbu,Voss,\n";
    let made = import(
        &admin,
        json!({"kind": "accounts", "csv": companies, "match": "external_id"}),
    );
    assert_eq!(
        (made["created"].as_i64(), made["updated"].as_i64()),
        (Some(2), Some(0)),
        "{made}"
    );
    let moved = import(
        &admin,
        json!({"kind": "accounts", "csv": "Record ID,Company Name,City\n501,Havblikk AS,Ålesund\n", "match": "external_id"}),
    );
    assert_eq!(
        (moved["created"].as_i64(), moved["updated"].as_i64()),
        (Some(0), Some(1)),
        "{moved}"
    );
    let hav = admin.ok("/api/accounts?q=havblikk");
    assert_eq!(hav["total"], 1, "{hav}");
    let card = admin.ok(&format!(
        "/api/accounts/{}",
        hav["items"][0]["id"].as_str().unwrap()
    ));
    let address = card["account"]["addresses"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    assert_eq!(address["city"], "Ålesund", "{card}");
    assert_eq!(card["account"]["external_ids"]["import"], "501");

    // export of the imported contacts
    let (s, csv) = admin.call_text("GET", "/api/export/contacts.csv?sort=full_name", "");
    assert_eq!(s, 200);
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(
        csv.lines().nth(1).unwrap().contains("Kari Nordmann"),
        "{csv}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hubspot_deals_import_into_the_org_pipeline_by_external_id() {
    let server = Server::start();
    // the org pipeline, made on an admin's device
    let device = TestDevice::start(&server.url(), server.admin_token(), "admin", WAIT).unwrap();
    device
        .change_and_sync(|s| {
            let doc = s
                .create_settings(OrgSettings {
                    default_currency: "NOK".into(),
                    default_pipeline_id: Some("sales".into()),
                    ..Default::default()
                })
                .map_err(|e| e.to_string())?;
            let stage = |id: &str, name: &str, position, probability, meaning| Stage {
                id: id.into(),
                name: name.into(),
                position,
                probability,
                meaning,
            };
            s.create(
                doc,
                Pipeline {
                    meta: RecordMeta {
                        id: "sales".into(),
                        ..Default::default()
                    },
                    name: "Sales".into(),
                    stages: vec![
                        stage("appt", "Appointment Scheduled", 1, 20, StageMeaning::Open),
                        stage("closedwon", "Closed Won", 2, 100, StageMeaning::Won),
                    ],
                },
            )
            .map_err(|e| e.to_string())?;
            Ok(doc)
        })
        .await
        .unwrap();
    device.stop().await;

    let port = server.port();
    let token = server.admin_token().to_owned();
    tokio::task::spawn_blocking(move || {
        let admin = Api::from_port(port, &token);
        let csv = "Record ID,Deal Name,Deal Stage,Amount,Close Date,Company Name,Associated Company ID\n\
                   9001,Boat engines,Appointment Scheduled,\"12,500.50\",2026-12-01,Fjord Fisk,77\n\
                   9002,Nets,closedwon,800,12/24/2026,Fjord Fisk,77\n\
                   9003,Rope,Nowhere,10,2026-12-01,Fjord Fisk,77\n\
                   9004,Hooks,Closed Won,lots,2026-12-01,Fjord Fisk,77\n";
        let (s, p) = admin.call_text("POST", "/api/import/preview?kind=deals", csv);
        assert_eq!(s, 200, "{p}");
        let p: Value = serde_json::from_str(&p).unwrap();
        assert_eq!(p["suggested_mapping"]["Deal Stage"], "stage", "{p}");
        assert_eq!(p["suggested_mapping"]["Associated Company ID"], "account_external_id", "{p}");
        let done = import(&admin, json!({"kind": "deals", "csv": csv, "match": "external_id"}));
        assert_eq!(done["created"], 2, "{done}");
        let codes: Vec<(i64, &str)> = done["errors"].as_array().unwrap().iter().map(|e| (e["row"].as_i64().unwrap(), e["code"].as_str().unwrap())).collect();
        assert_eq!(codes, [(3, "unknown_stage"), (4, "invalid_amount")], "{done}");
        let deals = admin.ok("/api/deals?sort=name");
        assert_eq!(deals["total"], 2, "{deals}");
        let boat = &deals["items"][0];
        assert_eq!((boat["stage_id"].as_str(), boat["amount_minor"].as_i64(), boat["currency"].as_str(), boat["expected_close"].as_str(), boat["weighted_minor"].as_i64()),
                   (Some("appt"), Some(1_250_050), Some("NOK"), Some("2026-12-01"), Some(250_010)), "{deals}");
        assert_eq!(deals["items"][1]["stage_id"], "closedwon");
        // re-import by external id moves the deal (stage history) instead of adding one
        let moved = import(&admin, json!({"kind": "deals", "csv": "Record ID,Deal Name,Deal Stage,Company Name\n9001,Boat engines,Closed Won,Fjord Fisk\n", "match": "external_id"}));
        assert_eq!((moved["created"].as_i64(), moved["updated"].as_i64()), (Some(0), Some(1)), "{moved}");
        let deals = admin.ok("/api/deals?stage=closedwon");
        assert_eq!(deals["total"], 2, "{deals}");
        let report = admin.ok("/api/reports/pipeline");
        assert_eq!(report["pipeline_id"], "sales", "{report}");
        assert_eq!(report["stages"][1]["count"], 2, "{report}");
    })
    .await
    .unwrap();
}
