//! Helpers for tests of the REST API (`/api`) against the real server:
//! JSON requests with a bearer token, and a Server-Sent Events reader.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{Server, http_request};

/// A caller of the API with one token.
#[derive(Debug, Clone)]
pub struct Api {
    port: u16,
    token: Option<String>,
}

impl Api {
    /// Calls the API of `server` with `token` (None: no Authorization header).
    pub fn new(server: &Server, token: Option<&str>) -> Self {
        Self {
            port: server.port(),
            token: token.map(str::to_owned),
        }
    }

    /// Calls the API on `127.0.0.1:port` with `token` (for use off the thread owning the [`Server`]).
    pub fn from_port(port: u16, token: &str) -> Self {
        Self {
            port,
            token: Some(token.to_owned()),
        }
    }

    /// A request: (status, body as JSON, or `Value::String` when it is not JSON).
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let text = body.map(Value::to_string);
        let (status, out) = http_request(
            self.port,
            method,
            path,
            self.token.as_deref(),
            text.as_deref(),
        );
        let v = serde_json::from_str(&out).unwrap_or(Value::String(out));
        (status, v)
    }

    /// A raw-text request (CSV bodies): (status, body text).
    pub fn call_text(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        http_request(self.port, method, path, self.token.as_deref(), Some(body))
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None)
    }

    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.call("POST", path, Some(body))
    }

    pub fn patch(&self, path: &str, body: &Value) -> (u16, Value) {
        self.call("PATCH", path, Some(body))
    }

    /// `POST /api/accounts` that must answer 201; returns the account's
    /// document id.
    pub fn create_account(&self, body: &Value) -> String {
        let (s, v) = self.post("/api/accounts", body);
        assert_eq!(s, 201, "POST /api/accounts: {v}");
        v["doc_id"]
            .as_str()
            .or(v["id"].as_str())
            .expect("the new account's id")
            .to_owned()
    }

    /// `POST /api/pipelines` named `name` with `stages` that must answer
    /// 201; returns the pipeline's id.
    pub fn create_pipeline(&self, name: &str, stages: &Value) -> String {
        let (s, v) = self.post(
            "/api/pipelines",
            &serde_json::json!({"name": name, "stages": stages}),
        );
        assert_eq!(s, 201, "POST /api/pipelines: {v}");
        v["id"].as_str().expect("the new pipeline's id").to_owned()
    }

    /// `GET` that must answer 200; returns the JSON.
    pub fn ok(&self, path: &str) -> Value {
        let (s, v) = self.get(path);
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }

    /// Polls `GET path` until `done` holds for the JSON (or panics after `wait`).
    pub fn until(
        &self,
        what: &str,
        path: &str,
        wait: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + wait;
        loop {
            let (s, v) = self.get(path);
            if s == 200 && done(&v) {
                return v;
            }
            assert!(Instant::now() < deadline, "{what}: last answer {s} {v}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// An open `GET /api/events` stream.
#[derive(Debug)]
pub struct EventStream {
    reader: BufReader<TcpStream>,
}

impl EventStream {
    /// Opens the stream with `?token=` (as a browser's EventSource does) and
    /// returns once the response headers arrived; `Err(status)` otherwise.
    pub fn open(server: &Server, token: &str) -> Result<Self, u16> {
        let port = server.port();
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect for SSE");
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let req = format!(
            "GET /api/events?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        );
        s.write_all(req.as_bytes()).expect("send");
        let mut reader = BufReader::new(s);
        let mut status_line = String::new();
        reader.read_line(&mut status_line).expect("status line");
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
        }
        if status != 200 {
            return Err(status);
        }
        Ok(Self { reader })
    }

    /// The next event (name, data), skipping keep-alive comments and chunk
    /// framing; None when the stream ends or `wait` passes.
    pub fn next_event(&mut self, wait: Duration) -> Option<(String, String)> {
        let deadline = Instant::now() + wait;
        let (mut name, mut data) = (String::new(), String::new());
        while Instant::now() < deadline {
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(_) => continue,
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(v) = line.strip_prefix("event:") {
                name = v.trim().to_owned();
            } else if let Some(v) = line.strip_prefix("data:") {
                data = v.trim().to_owned();
            } else if line.is_empty() && !name.is_empty() {
                return Some((name, data));
            }
        }
        None
    }

    /// Waits for a `changed` event about `account`.
    pub fn expect_changed(&mut self, account: &str, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            match self.next_event(deadline - Instant::now()) {
                Some((name, data)) if name == "changed" && data.contains(account) => return true,
                Some(_) => {}
                None => return false,
            }
        }
        false
    }
}
