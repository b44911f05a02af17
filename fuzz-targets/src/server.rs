//! The real server in process: `serve::open_app` over a temporary data
//! directory, requests driven through `http::router` with
//! `tower::ServiceExt::oneshot` on one runtime per process.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use outpost_core::model::Contact;
use outpost_server::auth::Role;
use outpost_server::serve::{ServeArgs, open_app};
use outpost_server::state::Shared;
use serde_json::{Value, json};
use tower::ServiceExt;

/// The runtime every request runs on (the handlers' blocking work runs on
/// its blocking pool, as in the server).
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// Real ids in the server, for the paths of the routes.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    pub account: String,
    /// Record id per collection name (`contacts`, `deals`, ...).
    pub records: Vec<(&'static str, String)>,
    pub pipeline: String,
    pub stages: Vec<String>,
    pub custom_field: String,
    /// The contact holding an open conflict on `title`.
    pub conflict_contact: String,
}

/// A server over a temporary data directory, with an admin, a manager
/// and a rep, one account with a record of every kind, a pipeline, a
/// custom field and an open conflict.
pub struct Server {
    pub app: Shared,
    router: Router,
    pub admin: String,
    pub manager: String,
    pub rep: String,
    pub ids: Ids,
    /// Field names and values of the API's schemas (the structured-JSON
    /// dictionary).
    pub words: Vec<String>,
    _dir: tempfile::TempDir,
}

/// A response.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

impl Server {
    /// Sets everything up (a fraction of a second).
    pub fn start() -> Server {
        // tmpfs when there is one: every write is fsynced
        let dir = match std::path::Path::new("/dev/shm") {
            p if p.is_dir() => tempfile::tempdir_in(p),
            _ => tempfile::tempdir(),
        }
        .expect("a temporary directory");
        let args = ServeArgs::default();
        let app = open_app(dir.path(), &args).expect("the server state opens");
        let (admin, manager, rep) = {
            let auth = app.auth();
            auth.add_user("admin", Role::Admin, None).expect("admin");
            auth.add_user("manager", Role::Manager, Some("west"))
                .expect("manager");
            auth.add_user("rep", Role::Rep, Some("west")).expect("rep");
            (
                auth.issue_token("admin", Some("fuzz")).expect("token"),
                auth.issue_token("manager", Some("fuzz")).expect("token"),
                auth.issue_token("rep", Some("fuzz")).expect("token"),
            )
        };
        let router = outpost_server::http::router(app.clone());
        let mut s = Server {
            app,
            router,
            admin,
            manager,
            rep,
            ids: Ids::default(),
            words: Vec::new(),
            _dir: dir,
        };
        s.seed();
        s
    }

    /// One request; `token` as a bearer token.
    pub fn call(&self, method: Method, uri: &str, token: &str, body: Vec<u8>) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(body))
            .expect("a request");
        let router = self.router.clone();
        runtime().block_on(async move {
            let resp = router.oneshot(req).await.expect("the router answers");
            let status = resp.status();
            let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .expect("the body is read");
            Reply {
                status,
                body: body.to_vec(),
            }
        })
    }

    fn ok(&self, method: Method, uri: &str, body: Value) -> Value {
        let r = self.call(
            method,
            uri,
            &self.admin,
            serde_json::to_vec(&body).expect("json"),
        );
        assert!(
            r.status.is_success(),
            "setup {uri}: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
        r.json()
    }

    /// Waits for an import job to finish; its final view.
    pub fn wait_job(&self, job: &str, token: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let r = self.call(
                Method::GET,
                &format!("/api/import/{job}"),
                token,
                Vec::new(),
            );
            assert_eq!(r.status, StatusCode::OK, "job status");
            let v = r.json();
            if v["state"] != "running" {
                return v;
            }
            assert!(Instant::now() < deadline, "import job {job} hangs");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn seed(&mut self) {
        let pipeline = self.ok(
            Method::POST,
            "/api/pipelines",
            json!({"name": "Sales", "stages": [
                {"id": "lead", "name": "Lead", "position": 0, "probability": 10, "meaning": "open"},
                {"id": "offer", "name": "Offer", "position": 1, "probability": 50, "meaning": "open"},
                {"id": "won", "name": "Won", "position": 2, "probability": 100, "meaning": "won"},
                {"id": "lost", "name": "Lost", "position": 3, "probability": 0, "meaning": "lost"}]}),
        );
        self.ids.pipeline = pipeline["id"].as_str().unwrap_or_default().to_owned();
        self.ids.stages = ["lead", "offer", "won", "lost"].map(String::from).to_vec();
        let field = self.ok(
            Method::POST,
            "/api/custom-fields",
            json!({"entity": "contact", "key": "shoe_size", "label": "Shoe size", "field_type": "number"}),
        );
        self.ids.custom_field = field["id"].as_str().unwrap_or_default().to_owned();
        let account = self.ok(
            Method::POST,
            "/api/accounts",
            json!({"name": "Acme Fisk AS", "territory": "west", "external_ids": {"crm": "A-1"}}),
        );
        let acc = account["id"]
            .as_str()
            .or_else(|| account["doc"].as_str())
            .or_else(|| account["account"]["id"].as_str())
            .unwrap_or_default()
            .to_owned();
        assert!(!acc.is_empty(), "account id in {account}");
        self.ids.account = acc.clone();
        let bodies = [
            (
                "contacts",
                json!({"first_name": "Test", "last_name": "Person",
                       "emails": {"e1": {"address": "test@example.com"}},
                       "phones": {"p1": {"number": "+47 22 33 44 55"}}, "external_ids": {"crm": "C-1"}}),
            ),
            (
                "deals",
                json!({"name": "Boat", "pipeline_id": self.ids.pipeline, "stage_id": "lead",
                       "amount_minor": 100000, "currency": "NOK", "expected_close": "2030-01-31"}),
            ),
            ("activities", json!({"kind": "call", "subject": "Intro"})),
            (
                "orders",
                json!({"number": "O-1", "total_minor": 5000, "currency": "NOK"}),
            ),
            ("cases", json!({"subject": "Broken net"})),
        ];
        for (kind, body) in bodies {
            let r = self.ok(Method::POST, &format!("/api/accounts/{acc}/{kind}"), body);
            let id = r["id"].as_str().unwrap_or_default().to_owned();
            self.ids.records.push((kind, id));
        }
        {
            let auth = self.app.auth();
            auth.assign("rep", &acc).expect("assign");
        }
        self.ids.conflict_contact = self.make_conflict();
        self.words = self.dictionary();
    }

    /// A contact whose title two replicas changed concurrently.
    fn make_conflict(&self) -> String {
        let doc: outpost_core::DocumentId = self.ids.account.parse().expect("account id");
        let contact = self
            .ids
            .records
            .iter()
            .find(|(k, _)| *k == "contacts")
            .map(|(_, id)| id.clone())
            .unwrap_or_default();
        let mut store = self.app.store();
        let bytes = store.export(doc).expect("export");
        let mut other = crate::docs::empty_store("fuzz-phone");
        other.apply(doc, &bytes).expect("copy");
        let before = other.heads(doc).expect("heads");
        other
            .modify::<Contact>(doc, &contact, |c| c.title = Some("CEO".into()))
            .expect("phone edit");
        store
            .modify::<Contact>(doc, &contact, |c| c.title = Some("CTO".into()))
            .expect("office edit");
        let change = other.changes_since(doc, &before).expect("changes");
        store.apply(doc, &change).expect("merge");
        contact
    }

    /// Every property name and enum value of the OpenAPI document, the
    /// fields of every record kind, and the real ids.
    fn dictionary(&self) -> Vec<String> {
        let r = self.call(Method::GET, "/api/openapi.json", &self.admin, Vec::new());
        let mut words = std::collections::BTreeSet::new();
        collect_words(&r.json(), &mut words);
        for v in [
            serde_json::to_value(outpost_core::model::Account::default()),
            serde_json::to_value(Contact::default()),
            serde_json::to_value(outpost_core::model::Deal::default()),
            serde_json::to_value(outpost_core::model::Activity::default()),
            serde_json::to_value(outpost_core::model::Order::default()),
            serde_json::to_value(outpost_core::model::Case::default()),
            serde_json::to_value(outpost_core::model::Pipeline::default()),
            serde_json::to_value(outpost_core::model::CustomField::default()),
        ]
        .into_iter()
        .flatten()
        {
            collect_keys(&v, &mut words);
        }
        for w in [
            "rep",
            "manager",
            "admin",
            "viewer",
            "open",
            "won",
            "lost",
            "contacts",
            "accounts",
            "deals",
            "email",
            "external_id",
            "account",
            "contact",
            "deal",
            "activity",
            "order",
            "case",
            "title",
            "NOK",
            "USD",
            "2024-02-29",
            "--02-29",
            "+4722334455",
            "call",
            "visit",
            "number",
            "text",
            "select",
            "date",
            "boolean",
        ] {
            words.insert(w.to_owned());
        }
        words.insert(self.ids.account.clone());
        words.insert(self.ids.pipeline.clone());
        words.insert(self.ids.custom_field.clone());
        for (_, id) in &self.ids.records {
            words.insert(id.clone());
        }
        for s in &self.ids.stages {
            words.insert(s.clone());
        }
        words.into_iter().collect()
    }
}

fn collect_words(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Object(props)) = m.get("properties") {
                out.extend(props.keys().cloned());
            }
            if let Some(Value::Array(values)) = m.get("enum") {
                out.extend(values.iter().filter_map(|e| e.as_str().map(str::to_owned)));
            }
            m.values().for_each(|x| collect_words(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_words(x, out)),
        _ => {}
    }
}

fn collect_keys(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            out.extend(m.keys().cloned());
            m.values().for_each(|x| collect_keys(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_keys(x, out)),
        _ => {}
    }
}

/// The process's server, rebuilt from scratch after [`WRITES_BEFORE_RESET`]
/// successful writes: every write is history that is kept, and an account
/// write answers with the account's card, which walks every record for
/// conflicts and reads every deal and activity, so the account grows and
/// every request slows down (at 2000 writes per server ~130 requests a
/// second, at 250 still ~70 with most of the time in the card).
pub struct Process {
    pub server: Server,
    pub writes: usize,
}

/// Runs `f` with the process's server (one at a time).
pub fn with_server<T>(f: impl FnOnce(&mut Process) -> T) -> T {
    static SERVER: OnceLock<Mutex<Option<Process>>> = OnceLock::new();
    let mut guard = SERVER
        .get_or_init(|| Mutex::new(None))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let s = guard.get_or_insert_with(|| Process {
        server: Server::start(),
        writes: 0,
    });
    f(s)
}

/// Successful writes after which the REST target starts over with a new
/// server.
pub const WRITES_BEFORE_RESET: usize = 50;

impl Process {
    /// Counts a successful write, starting over when there were enough.
    pub fn wrote(&mut self) {
        self.writes += 1;
        if self.writes >= WRITES_BEFORE_RESET {
            self.server = Server::start();
            self.writes = 0;
        }
    }
}
