//! The REST API with fuzzed bodies, through the real router.

use arbitrary::Unstructured;
use axum::http::{Method, StatusCode};
use serde_json::{Map, Number, Value, json};

use crate::server::{Ids, Reply, with_server};

/// A route with a body, its path built from the real ids.
struct Route {
    method: Method,
    path: fn(&Ids) -> String,
}

fn record(ids: &Ids, kind: &str) -> String {
    ids.records
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, id)| id.clone())
        .unwrap_or_default()
}

/// `/api/accounts/{account}/{kind}/{record of that kind}` and `tail`.
fn on_record(ids: &Ids, kind: &str, tail: &str) -> String {
    format!(
        "/api/accounts/{}/{kind}/{}{tail}",
        ids.account,
        record(ids, kind)
    )
}

macro_rules! route {
    ($m:ident, $p:expr) => {
        Route {
            method: Method::$m,
            path: $p,
        }
    };
}

/// Every POST, PATCH and PUT route of `api/mod.rs` and `http.rs`.
const ROUTES: &[Route] = &[
    route!(POST, |_| "/api/accounts".into()),
    route!(PATCH, |i| format!("/api/accounts/{}", i.account)),
    route!(POST, |i| format!("/api/accounts/{}/archive", i.account)),
    route!(POST, |i| format!("/api/accounts/{}/restore", i.account)),
    route!(POST, |i| format!(
        "/api/accounts/{}/conflicts/resolve",
        i.account
    )),
    route!(POST, |i| format!("/api/accounts/{}/contacts", i.account)),
    route!(POST, |i| format!("/api/accounts/{}/deals", i.account)),
    route!(POST, |i| format!("/api/accounts/{}/activities", i.account)),
    route!(POST, |i| format!("/api/accounts/{}/orders", i.account)),
    route!(POST, |i| format!("/api/accounts/{}/cases", i.account)),
    route!(PATCH, |i| on_record(i, "contacts", "")),
    route!(PATCH, |i| on_record(i, "deals", "")),
    route!(PATCH, |i| on_record(i, "activities", "")),
    route!(PATCH, |i| on_record(i, "orders", "")),
    route!(PATCH, |i| on_record(i, "cases", "")),
    route!(POST, |i| on_record(i, "contacts", "/archive")),
    route!(POST, |i| on_record(i, "deals", "/restore")),
    route!(POST, |i| on_record(i, "deals", "/stage")),
    route!(POST, |_| "/api/pipelines".into()),
    route!(PATCH, |i| format!("/api/pipelines/{}", i.pipeline)),
    route!(POST, |_| "/api/custom-fields".into()),
    route!(PATCH, |i| format!("/api/custom-fields/{}", i.custom_field)),
    route!(POST, |_| "/api/import/preview?kind=contacts".into()),
    route!(POST, |_| "/api/import".into()),
    route!(PATCH, |_| "/api/admin/users/rep".into()),
    route!(PUT, |_| "/api/admin/users/rep/goals".into()),
    route!(POST, |_| "/api/admin/users".into()),
    route!(POST, |_| "/api/admin/users/rep/tokens".into()),
    route!(POST, |i| format!(
        "/api/admin/users/manager/assignments/{}",
        i.account
    )),
    route!(POST, |_| "/api/admin/users/manager/territories/west".into()),
];

/// A status the API may answer a bad body with; a 500 (or anything not
/// listed) is a finding.
fn allowed(status: StatusCode) -> bool {
    status.is_success()
        || matches!(
            status.as_u16(),
            400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429
        )
}

fn assert_answer(what: &str, r: &Reply) {
    assert!(
        allowed(r.status),
        "{what}: {} {}",
        r.status,
        String::from_utf8_lossy(&r.body)
    );
    if !r.status.is_success() {
        // every error is the API's JSON error body
        let v = r.json();
        assert!(
            v["code"].is_string() && v["message"].is_string(),
            "{what}: error body {}",
            String::from_utf8_lossy(&r.body)
        );
    }
}

/// A JSON value built from the fuzzer's bytes: keys and strings mostly
/// from the API's own field names and values, numbers at the edges.
fn arb_json(u: &mut Unstructured<'_>, words: &[String], depth: u32) -> arbitrary::Result<Value> {
    let pick = |u: &mut Unstructured<'_>| -> arbitrary::Result<String> {
        if words.is_empty() || u.ratio(1, 5)? {
            u.arbitrary::<String>()
        } else {
            Ok(u.choose(words)?.clone())
        }
    };
    let kind = if depth == 0 {
        u.int_in_range(0..=4)?
    } else {
        u.int_in_range(0..=6)?
    };
    Ok(match kind {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => match u.int_in_range(0..=3)? {
            0 => Value::from(u.arbitrary::<i64>()?),
            1 => Value::from(u.arbitrary::<u64>()?),
            2 => Number::from_f64(u.arbitrary::<f64>()?).map_or(Value::Null, Value::Number),
            _ => Value::from(*u.choose(&[0i64, -1, 1, 100, 101, i64::MIN, i64::MAX])?),
        },
        3 | 4 => Value::String(pick(u)?),
        5 => {
            let n = u.int_in_range(0..=4)?;
            let mut a = Vec::new();
            for _ in 0..n {
                a.push(arb_json(u, words, depth - 1)?);
            }
            Value::Array(a)
        }
        _ => Value::Object(arb_object(u, words, depth - 1)?),
    })
}

fn arb_object(
    u: &mut Unstructured<'_>,
    words: &[String],
    depth: u32,
) -> arbitrary::Result<Map<String, Value>> {
    let n = u.int_in_range(0..=6)?;
    let mut m = Map::new();
    for _ in 0..n {
        let key = if words.is_empty() || u.ratio(1, 8)? {
            u.arbitrary::<String>()?
        } else {
            u.choose(words)?.clone()
        };
        m.insert(key, arb_json(u, words, depth)?);
    }
    Ok(m)
}

/// One request with a fuzzed body to a route picked by the first byte.
///
/// The second byte picks the body: even, the remaining bytes as they are;
/// odd, a JSON object built from them (`arbitrary`) with the API's field
/// names. Its high bits pick the caller (mostly the admin, sometimes a
/// manager or a rep). The answer must be a success or a JSON 4xx, never a
/// 500, and the server must not panic.
pub fn rest_body(data: &[u8]) {
    let [route, mode, rest @ ..] = data else {
        return;
    };
    let route = &ROUTES[*route as usize % ROUTES.len()];
    with_server(|p| {
        let s = &p.server;
        let body = if mode & 1 == 0 {
            rest.to_vec()
        } else {
            let mut u = Unstructured::new(rest);
            let Ok(obj) = arb_object(&mut u, &s.words, 3) else {
                return;
            };
            serde_json::to_vec(&Value::Object(obj)).expect("json")
        };
        let token = match mode >> 6 {
            2 => s.manager.clone(),
            3 => s.rep.clone(),
            _ => s.admin.clone(),
        };
        let path = (route.path)(&s.ids);
        let r = s.call(route.method.clone(), &path, &token, body);
        assert_answer(&format!("{} {path}", route.method), &r);
        if path == "/api/import" && r.status == StatusCode::ACCEPTED {
            let job = r.json()["job"].as_str().unwrap_or_default().to_owned();
            let view = s.wait_job(&job, &token);
            assert_eq!(view["state"], "done", "import job: {view}");
        }
        if r.status.is_success() && route.method != Method::GET {
            p.wrote();
        }
    });
}

/// A CSV file through the import planner, as an office user's upload.
///
/// The first byte picks the kind (contacts, accounts, deals), whether it is
/// a preview (`POST /api/import/preview?kind=`, the CSV as the body) or a
/// dry run (`POST /api/import` with `{kind, csv, dry_run: true}`), how
/// records are matched (e-mail or external id) and whether the mapping is
/// the suggested one or every column mapped to a field in turn. The rest is
/// the CSV. A dry run's job must finish as `done`.
pub fn import_csv(data: &[u8]) {
    let Some((&mode, csv)) = data.split_first() else {
        return;
    };
    let kind = ["contacts", "accounts", "deals"][(mode % 3) as usize];
    let preview = mode & 0x04 != 0;
    with_server(|p| {
        let s = &p.server;
        if preview {
            let path = format!("/api/import/preview?kind={kind}");
            let r = s.call(Method::POST, &path, &s.admin, csv.to_vec());
            assert_answer(&path, &r);
            return;
        }
        let text = String::from_utf8_lossy(csv).into_owned();
        let mut body = json!({"kind": kind, "csv": text, "dry_run": true});
        if mode & 0x08 != 0 {
            body["match"] = json!("external_id");
        }
        if mode & 0x10 != 0 {
            // every column mapped to a field, in turn
            let fields = s.call(
                Method::POST,
                &format!("/api/import/preview?kind={kind}"),
                &s.admin,
                csv.to_vec(),
            );
            let v = fields.json();
            if let (Some(headers), Some(fields)) = (v["headers"].as_array(), v["fields"].as_array())
                && !fields.is_empty()
            {
                let mut mapping = Map::new();
                for (i, h) in headers.iter().enumerate() {
                    if let Some(h) = h.as_str() {
                        mapping.insert(h.to_owned(), fields[i % fields.len()].clone());
                    }
                }
                body["mapping"] = Value::Object(mapping);
            }
        }
        let r = s.call(
            Method::POST,
            "/api/import",
            &s.admin,
            serde_json::to_vec(&body).expect("json"),
        );
        assert_answer("/api/import", &r);
        if r.status == StatusCode::ACCEPTED {
            let job = r.json()["job"].as_str().unwrap_or_default().to_owned();
            let view = s.wait_job(&job, &s.admin);
            assert_eq!(view["state"], "done", "import job: {view}");
        }
    });
}
