//! What the property-based run of the REST API (tests/api-fuzz/run.sh,
//! schemathesis against `/api/openapi.json`) found, one focused test per
//! finding, against the real server binary. The record of the run is in
//! docs/SECURITY.md, "API property test".

#![allow(clippy::unwrap_used)]

use outpost_e2e::Server;
use outpost_e2e::api::Api;

/// No handler panicked: a panic in an async handler drops the connection,
/// one on the blocking pool answers 500; either leaves this line.
fn assert_no_panic(server: &Server) {
    let log = server.log();
    assert!(!log.contains("panicked"), "the server panicked:\n{log}");
}

#[test]
fn team_report_refuses_offsets_and_weeks_out_of_range() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    // i32::MIN has no i32 absolute value: `abs()` panicked and the
    // connection dropped without an answer
    for q in [
        "tz_offset_minutes=-2147483648",
        "tz_offset_minutes=2147483647",
        "tz_offset_minutes=841",
        "tz_offset_minutes=-841",
    ] {
        let (s, v) = admin.get(&format!("/api/reports/team?{q}"));
        assert_eq!(
            (s, v["field"].as_str()),
            (400, Some("tz_offset_minutes")),
            "{q}: {v}"
        );
    }
    // chrono reads years to ±262143; the week's and month's arithmetic
    // overflowed there (a panic on the blocking pool, answered 500)
    for q in [
        "week=-262143-01-01",
        "week=%2B262143-12-31",
        "week=0000-01-01",
        "week=10000-01-01",
    ] {
        let (s, v) = admin.get(&format!("/api/reports/team?{q}"));
        assert_eq!((s, v["field"].as_str()), (400, Some("week")), "{q}: {v}");
    }
    // the ends of the range still answer
    for q in [
        "week=9999-12-31&tz_offset_minutes=-840",
        "week=0001-01-01&tz_offset_minutes=840",
    ] {
        let (s, v) = admin.get(&format!("/api/reports/team?{q}"));
        assert_eq!(s, 200, "{q}: {v}");
    }
    server.assert_healthy();
    assert_no_panic(&server);
}

#[test]
fn a_path_segment_that_is_not_utf8_is_a_json_404() {
    let server = Server::start();
    let admin = Api::new(&server, Some(server.admin_token()));
    // axum's own Path extractor answered these with a text/plain 400
    // ("Invalid URL: Invalid UTF-8 in `account`"), which the OpenAPI
    // document does not describe; now they are the API's JSON 404, like
    // any other id that names nothing
    for (method, path) in [
        ("GET", "/api/accounts/%FF"),
        ("PATCH", "/api/accounts/%FF"),
        ("GET", "/api/accounts/%FF/contacts"),
        ("GET", "/api/accounts/%C3%28/deals/x"),
        ("POST", "/api/accounts/%FF/archive"),
        ("GET", "/api/accounts/%FF/history?record_kind=account"),
        ("PATCH", "/api/pipelines/%FF"),
        ("GET", "/api/import/%FF"),
        ("GET", "/api/export/%FF"),
        ("GET", "/api/admin/users/%FF/tokens"),
        ("DELETE", "/api/admin/users/%FF"),
        ("POST", "/api/admin/users/kari/territories/%FF"),
    ] {
        let body = (method != "GET").then(|| serde_json::json!({}));
        let (s, v) = admin.call(method, path, body.as_ref());
        assert_eq!(
            (s, v["code"].as_str()),
            (404, Some("not_found")),
            "{method} {path}: {v}"
        );
    }
    // a token id keeps its own answer (it names the form it expects)
    let (s, v) = admin.call("DELETE", "/api/admin/tokens/%FF", None);
    assert_eq!(
        (s, v["code"].as_str()),
        (400, Some("invalid_token_id")),
        "{v}"
    );
    assert_no_panic(&server);
}
