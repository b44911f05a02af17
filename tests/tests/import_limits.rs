//! The limits of CSV import through the real server: a file wider, longer or
//! bigger than a limit is refused with a 413 naming the limit and its value,
//! short rows are not padded to the header's width (server memory stays
//! flat), and one user's concurrent imports are capped without affecting
//! another user's.

#![allow(clippy::unwrap_used)]

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use outpost_e2e::Server;
use outpost_e2e::api::Api;
use outpost_e2e::dechunk;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

/// How much the server's peak memory may grow while it refuses or handles
/// the files below (the unfixed server grew by ~600 MiB).
const MAX_GROWTH: u64 = 50 * 1024 * 1024;

/// A `kB` line of `/proc/<pid>/status`, in bytes.
fn proc_status(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("{field} not in /proc/{pid}/status"));
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb * 1024
}

/// Reads what the server sent until it closed the connection. A reset
/// after the answer (the server closes without reading a refused body) is
/// not an error.
fn read_answer(s: &mut TcpStream) -> (u16, Value) {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if !raw.is_empty() => {
                eprintln!("connection ended with {e} after the answer");
                break;
            }
            Err(e) => panic!("no answer: {e}"),
        }
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    // an interim 100 Continue may precede the answer
    let text = match text.strip_prefix("HTTP/1.1 100 Continue\r\n\r\n") {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    let v = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (status, v)
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

fn head(
    method: &str,
    path: &str,
    port: u16,
    token: &str,
    content_type: &str,
    len: usize,
) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\n"
    )
}

/// `POST path` with `body`: (status, JSON answer).
fn post(port: u16, token: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    let mut s = connect(port);
    let mut req = head("POST", path, port, token, content_type, body.len()).into_bytes();
    req.extend_from_slice(b"\r\n");
    req.extend_from_slice(body);
    // the server may answer a refused body before reading all of it
    if let Err(e) = s.write_all(&req) {
        eprintln!("sending stopped: {e}");
    }
    read_answer(&mut s)
}

fn preview(port: u16, token: &str, csv: &str) -> (u16, Value) {
    post(
        port,
        token,
        "/api/import/preview?kind=contacts",
        "text/csv",
        csv.as_bytes(),
    )
}

fn start_import(port: u16, token: &str, body: &Value) -> (u16, Value) {
    post(
        port,
        token,
        "/api/import",
        "application/json",
        body.to_string().as_bytes(),
    )
}

/// Starts an import and waits for its job to finish.
fn import(port: u16, token: &str, body: &Value) -> Value {
    let (s, v) = start_import(port, token, body);
    assert_eq!(s, 202, "{v}");
    let job = v["job"].as_str().unwrap();
    Api::from_port(port, token).until(
        "the import finishes",
        &format!("/api/import/{job}"),
        WAIT,
        |j| j["state"] != "running",
    )
}

/// An answer for an assertion message (the start of it: some are huge).
fn short(v: &Value) -> String {
    v.to_string().chars().take(300).collect()
}

/// A 413 whose code is `code` and whose message names `limit` and `value`.
fn assert_refused(answer: &(u16, Value), code: &str, limit: &str, value: usize) {
    let (s, v) = answer;
    assert_eq!((*s, v["code"].as_str()), (413, Some(code)), "{}", short(v));
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains(limit) && msg.contains(&value.to_string()),
        "the message names the limit {limit} and its value {value}: {msg}"
    );
}

/// An upload held open: its headers are sent with `Expect: 100-continue`
/// and the server has answered `100 Continue`, i.e. the handler runs and
/// waits for the body.
struct HeldUpload {
    stream: TcpStream,
    body: Vec<u8>,
}

impl HeldUpload {
    fn start(port: u16, token: &str, path: &str, content_type: &str, body: Vec<u8>) -> Self {
        let mut stream = connect(port);
        let req = head("POST", path, port, token, content_type, body.len())
            + "Expect: 100-continue\r\n\r\n";
        stream.write_all(req.as_bytes()).unwrap();
        // wait (bounded by the read timeout) for the interim answer
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while !got.ends_with(b"\r\n\r\n") {
            match stream.read(&mut byte) {
                Ok(1) => got.push(byte[0]),
                other => panic!(
                    "no 100 Continue ({other:?}); got {:?}",
                    String::from_utf8_lossy(&got)
                ),
            }
        }
        let got = String::from_utf8_lossy(&got);
        assert!(
            got.starts_with("HTTP/1.1 100"),
            "expected 100 Continue, got {got:?}"
        );
        Self { stream, body }
    }

    fn finish(mut self) -> (u16, Value) {
        self.stream.write_all(&self.body).unwrap();
        read_answer(&mut self.stream)
    }
}

#[test]
fn a_20000_column_header_is_refused_and_short_rows_are_not_padded() {
    let server = Server::start();
    let (port, pid, token) = (server.port(), server.pid(), server.admin_token().to_owned());

    // warm up: one preview and one dry run of an ordinary file
    let small =
        "First Name,Last Name,Email,Company Name\nKari,Nordmann,kari@fjord.example,Fjord Fisk\n";
    assert_eq!(preview(port, &token, small).0, 200);
    let dry = import(
        port,
        &token,
        &json!({"kind": "contacts", "csv": small, "dry_run": true}),
    );
    assert_eq!(
        (dry["state"].as_str(), dry["created"].as_i64()),
        (Some("done"), Some(1)),
        "{dry}"
    );
    let before = proc_status(pid, "VmHWM:");

    // the attack: a 46 KB file, 20,000 columns, 3,000 one-cell rows
    let mut wide = "a,".repeat(19_999) + "a\n";
    for i in 0..3000 {
        wide.push_str(&format!("{}\n", i % 10));
    }
    assert!(wide.len() < 50_000, "{}", wide.len());
    let p = preview(port, &token, &wide);
    let d = start_import(
        port,
        &token,
        &json!({"kind": "contacts", "csv": wide, "dry_run": true}),
    );

    // within the limits: 1,000 columns, 3,000 one-cell rows (nothing padded)
    let mut within = String::from("Last Name");
    within.push_str(&",a".repeat(999));
    within.push('\n');
    for i in 0..3000 {
        within.push_str(&format!("n{i}\n"));
    }
    let pw = preview(port, &token, &within);
    let dw = import(
        port,
        &token,
        &json!({"kind": "contacts", "csv": within, "dry_run": true}),
    );

    let grown = proc_status(pid, "VmHWM:").saturating_sub(before);
    eprintln!("peak RSS grew by {} KiB", grown / 1024);
    assert_refused(&p, "too_many_columns", "import_max_columns", 1000);
    assert_refused(&d, "too_many_columns", "import_max_columns", 1000);
    assert_eq!(
        (pw.0, pw.1["rows"].as_i64()),
        (200, Some(3000)),
        "{}",
        short(&pw.1)
    );
    assert_eq!(pw.1["headers"].as_array().unwrap().len(), 1000);
    assert_eq!(pw.1["sample"][0], json!(["n0"]), "a short row stays short");
    assert_eq!(
        (dw["state"].as_str(), dw["total"].as_i64()),
        (Some("done"), Some(3000)),
        "{}",
        short(&dw)
    );
    assert!(
        grown < MAX_GROWTH,
        "the server's peak RSS grew by {} MiB",
        grown / (1024 * 1024)
    );
    assert_eq!(
        preview(port, &token, small).0,
        200,
        "the server still imports"
    );
}

#[test]
fn every_import_limit_has_a_flag_an_env_var_and_a_413_naming_it() {
    let server = Server::start_with(&[
        "--import-max-columns",
        "5",
        "--import-max-rows",
        "3",
        "--import-max-cells",
        "12",
        "--import-max-cell-bytes",
        "16",
        "--import-max-bytes",
        "4096",
    ]);
    let help = server.cli(&["serve", "--help"]);
    for (flag, env) in [
        ("--import-max-bytes", "OUTPOST_IMPORT_MAX_BYTES"),
        ("--import-max-columns", "OUTPOST_IMPORT_MAX_COLUMNS"),
        ("--import-max-rows", "OUTPOST_IMPORT_MAX_ROWS"),
        ("--import-max-cells", "OUTPOST_IMPORT_MAX_CELLS"),
        ("--import-max-cell-bytes", "OUTPOST_IMPORT_MAX_CELL_BYTES"),
        (
            "--import-max-jobs-per-user",
            "OUTPOST_IMPORT_MAX_JOBS_PER_USER",
        ),
    ] {
        assert!(
            help.contains(flag) && help.contains(env),
            "{flag} / {env}:\n{help}"
        );
    }
    let (port, token) = (server.port(), server.admin_token().to_owned());
    let both = |csv: &str| {
        (
            preview(port, &token, csv),
            start_import(
                port,
                &token,
                &json!({"kind": "contacts", "csv": csv, "dry_run": true}),
            ),
        )
    };
    let cases = [
        // a header of 6 columns
        (
            "a,b,c,d,e,f\n1\n".to_owned(),
            "too_many_columns",
            "import_max_columns",
            5,
        ),
        // a row of 6 cells under a header of 2
        (
            "a,b\n1,2,3,4,5,6\n".to_owned(),
            "too_many_columns",
            "import_max_columns",
            5,
        ),
        (
            "a\n1\n2\n3\n4\n".to_owned(),
            "too_many_rows",
            "import_max_rows",
            3,
        ),
        (
            "a,b,c,d,e\n1,2,3,4,5\n1,2,3,4,5\n".to_owned(),
            "too_many_cells",
            "import_max_cells",
            12,
        ),
        (
            format!("a\n{}\n", "x".repeat(17)),
            "cell_too_large",
            "import_max_cell_bytes",
            16,
        ),
        (
            format!("a\n{}\n", "xxxxxxxxxx,".repeat(500)),
            "payload_too_large",
            "import_max_bytes",
            4096,
        ),
    ];
    for (csv, code, limit, value) in cases {
        let (p, d) = both(&csv);
        assert_refused(&p, code, limit, value);
        assert_refused(&d, code, limit, value);
    }
    // a mapping naming more columns than a file may have
    let mapping: serde_json::Map<String, Value> =
        (0..6).map(|i| (format!("c{i}"), Value::Null)).collect();
    let d = start_import(
        port,
        &token,
        &json!({"kind": "contacts", "csv": "a\n1\n", "mapping": mapping, "dry_run": true}),
    );
    assert_refused(&d, "too_many_columns", "import_max_columns", 5);

    // files within the limits still import
    let ok = "First Name,Company Name\nKari,Fjord Fisk\nOla,Fjord Fisk\n";
    assert_eq!(preview(port, &token, ok).0, 200);
    let done = import(port, &token, &json!({"kind": "contacts", "csv": ok}));
    assert_eq!(
        (done["state"].as_str(), done["created"].as_i64()),
        (Some("done"), Some(2)),
        "{done}"
    );
}

#[test]
fn a_users_import_past_the_concurrency_cap_is_refused_and_others_still_import() {
    let server = Server::start_with(&["--import-max-jobs-per-user", "1"]);
    let port = server.port();
    let mona = server.add_user("mona", "manager", Some("west"));
    let nils = server.add_user("nils", "manager", Some("east"));
    let csv = |name: &str| format!("First Name,Company Name\n{name},{name} AS\n");

    // mona's first import is in progress: the server is reading its upload
    let body = json!({"kind": "contacts", "csv": csv("Kari")})
        .to_string()
        .into_bytes();
    let held = HeldUpload::start(port, &mona, "/api/import", "application/json", body);

    // her second one, and a preview, are refused; the message names the limit
    let (s, v) = start_import(port, &mona, &json!({"kind": "contacts", "csv": csv("Ola")}));
    assert_eq!(
        (s, v["code"].as_str()),
        (429, Some("too_many_imports")),
        "{v}"
    );
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains("import_max_jobs_per_user") && msg.contains('1'),
        "{msg}"
    );
    let (s, v) = preview(port, &mona, &csv("Ola"));
    assert_eq!(
        (s, v["code"].as_str()),
        (429, Some("too_many_imports")),
        "{v}"
    );

    // another user imports meanwhile
    let theirs = import(port, &nils, &json!({"kind": "contacts", "csv": csv("Per")}));
    assert_eq!(
        (theirs["state"].as_str(), theirs["created"].as_i64()),
        (Some("done"), Some(1)),
        "{theirs}"
    );

    // mona's first import goes on; once it is done she may start another
    let (s, v) = held.finish();
    assert_eq!(s, 202, "{v}");
    let job = v["job"].as_str().unwrap();
    let api = Api::from_port(port, &mona);
    let first = api.until(
        "mona's import finishes",
        &format!("/api/import/{job}"),
        WAIT,
        |j| j["state"] != "running",
    );
    assert_eq!(
        (first["state"].as_str(), first["created"].as_i64()),
        (Some("done"), Some(1)),
        "{first}"
    );
    let second = import(port, &mona, &json!({"kind": "contacts", "csv": csv("Ola")}));
    assert_eq!(second["state"], "done", "{second}");
    let admin = Api::new(&server, Some(server.admin_token()));
    assert_eq!(admin.ok("/api/contacts")["total"], 3);
}
