//! A field device for the browser tests: a real `outpost-core` store (in a
//! temporary directory) synced by the real `SyncClient`. It connects with a
//! rep's token, waits until the account is on the device, changes one field
//! of the account or of one of its records, waits until the server has the
//! change, and exits 0 (non-zero with a message on stderr otherwise).
//!
//! ```sh
//! device_edit --url ws://127.0.0.1:PORT/sync --token T --user kari \
//!   --account <doc id> [--contact <record id>] --field title --value "Head of sales"
//! ```
//!
//! `--value` is JSON when it parses as JSON (`42`, `true`), else a string.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use outpost_core::model::{Account, Contact};
use outpost_core::store::{Store, StoreOptions};
use outpost_core::sync::client::{ClientConfig, DocSync, SyncClient, SyncEvent};
use outpost_core::{Author, DocumentId};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, Parser)]
#[command(about = "Edit one field on a synced device and wait until the server has it")]
struct Args {
    /// The server's websocket URL, e.g. ws://127.0.0.1:8080/sync.
    #[arg(long)]
    url: String,
    #[arg(long)]
    token: String,
    /// The user the token belongs to (written into the change's attribution).
    #[arg(long)]
    user: String,
    /// The account's document id.
    #[arg(long)]
    account: String,
    /// Edit this contact of the account instead of the account itself.
    #[arg(long)]
    contact: Option<String>,
    /// The field (serde name, see docs/SCHEMA.md).
    #[arg(long)]
    field: String,
    #[arg(long)]
    value: String,
    /// Seconds to wait for the account to arrive and for the change to sync.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("device_edit: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("device_edit: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Sets `field` of a record through its JSON form.
fn set_field<R: Serialize + DeserializeOwned>(
    record: &mut R,
    field: &str,
    value: &serde_json::Value,
) -> Result<(), String> {
    let mut json = serde_json::to_value(&*record).map_err(|e| e.to_string())?;
    let obj = json.as_object_mut().ok_or("record is not an object")?;
    obj.insert(field.to_owned(), value.clone());
    *record = serde_json::from_value(json).map_err(|e| format!("field {field}: {e}"))?;
    Ok(())
}

async fn run(args: Args) -> Result<(), String> {
    let wait = Duration::from_secs(args.timeout_secs);
    let doc: DocumentId = args.account.parse().map_err(|_| "not a document id")?;
    let value = serde_json::from_str(&args.value)
        .unwrap_or_else(|_| serde_json::Value::String(args.value.clone()));
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let author = Author {
        user_id: args.user.clone(),
        device_id: outpost_core::new_record_id(),
    };
    let store = Store::open(
        dir.path().join("device.db"),
        author,
        StoreOptions::default(),
    )
    .map_err(|e| e.to_string())?;
    let store = Arc::new(Mutex::new(store));
    let lock = || store.lock().unwrap_or_else(|e| e.into_inner());
    let mut cfg = ClientConfig::new(args.url.clone(), args.token.clone());
    cfg.max_backoff = Duration::from_millis(500);
    let client = SyncClient::start(store.clone(), cfg);

    // the account arrives with the initial sync of the rep's scope
    if !client.wait_until_synced(wait).await || !lock().contains(doc).map_err(|e| e.to_string())? {
        let status = client.status();
        client.stop().await;
        return Err(format!("the account did not reach the device: {status:?}"));
    }

    // subscribed before the edit, so the Pending -> Synced steps of this
    // edit cannot be missed (the status reads Synced until the edit is offered)
    let mut events = client.subscribe();
    let edited = {
        let mut s = lock();
        match &args.contact {
            None => s
                .modify::<Account>(doc, "", |a| report(set_field(a, &args.field, &value)))
                .map(|_| ()),
            Some(id) => s
                .modify::<Contact>(doc, id, |c| report(set_field(c, &args.field, &value)))
                .map(|_| ()),
        }
    };
    if let Err(e) = edited {
        client.stop().await;
        return Err(format!("edit: {e}"));
    }
    let outcome = until_acknowledged(&mut events, doc, wait).await;
    client.stop().await;
    outcome?;
    eprintln!("device_edit: edited and synced");
    Ok(())
}

fn report(r: Result<(), String>) {
    if let Err(e) = r {
        eprintln!("device_edit: {e}");
    }
}

/// Waits for the document to go Pending (the edit was offered) and then
/// Synced (the server's heads include it: it is committed there).
async fn until_acknowledged(
    events: &mut tokio::sync::broadcast::Receiver<SyncEvent>,
    doc: DocumentId,
    wait: Duration,
) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut offered = false;
    loop {
        let ev = match tokio::time::timeout_at(deadline, events.recv()).await {
            Err(_) => return Err("the edit did not sync in time".into()),
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
            Ok(Err(e)) => return Err(format!("sync client stopped: {e}")),
            Ok(Ok(ev)) => ev,
        };
        match ev {
            SyncEvent::Status(s) => match s.documents.get(&doc) {
                Some(DocSync::Pending) => offered = true,
                Some(DocSync::Synced) if offered => return Ok(()),
                Some(DocSync::NeedsAttention(r)) => return Err(format!("refused: {r}")),
                _ => {}
            },
            SyncEvent::Rejected { document, reason } if document == doc => {
                return Err(format!("refused: {reason}"));
            }
            _ => {}
        }
    }
}
