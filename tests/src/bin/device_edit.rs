//! A field device for the browser tests: a real `outpost-core` store synced
//! by the real `SyncClient` (see `outpost_e2e::device`). It connects with a
//! rep's token, waits until the account is on the device, changes one field
//! of the account or of one of its contacts, waits until the server has the
//! change, and exits 0 (non-zero with a message on stderr otherwise).
//!
//! ```sh
//! device_edit --url ws://127.0.0.1:PORT/sync --token T --user kari \
//!   --account <doc id> [--contact <record id>] --field title --value "Head of sales"
//! ```
//!
//! `--value` is JSON when it parses as JSON (`42`, `true`), else a string.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use outpost_core::DocumentId;
use outpost_core::model::{Account, Contact};
use outpost_e2e::device::TestDevice;
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
    /// Make the edit offline: after the first sync, go offline, print
    /// `offline` on stdout, wait for a line on stdin, edit, then reconnect and
    /// sync (so a test can change the same field elsewhere in between: a conflict).
    #[arg(long)]
    offline: bool,
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
    record: &R,
    field: &str,
    value: &serde_json::Value,
) -> Result<R, String> {
    let mut json = serde_json::to_value(record).map_err(|e| e.to_string())?;
    let obj = json.as_object_mut().ok_or("record is not an object")?;
    obj.insert(field.to_owned(), value.clone());
    serde_json::from_value(json).map_err(|e| format!("field {field}: {e}"))
}

async fn run(args: Args) -> Result<(), String> {
    let doc: DocumentId = args.account.parse().map_err(|_| "not a document id")?;
    let value = serde_json::from_str(&args.value)
        .unwrap_or_else(|_| serde_json::Value::String(args.value.clone()));
    let mut device = TestDevice::start(
        &args.url,
        &args.token,
        &args.user,
        Duration::from_secs(args.timeout_secs),
    )?;
    let edit = |store: &mut outpost_core::store::Store| -> Result<DocumentId, String> {
        let err = |e: outpost_core::CoreError| e.to_string();
        match &args.contact {
            None => {
                let a = store.get::<Account>(doc, "").map_err(err)?;
                let a = a.ok_or("no account record")?.record;
                let new = set_field(&a, &args.field, &value)?;
                store
                    .modify::<Account>(doc, "", |a| *a = new)
                    .map_err(err)?;
            }
            Some(id) => {
                let c = store.get::<Contact>(doc, id).map_err(err)?;
                let c = c.ok_or("no such contact")?.record;
                let new = set_field(&c, &args.field, &value)?;
                store
                    .modify::<Contact>(doc, id, |c| *c = new)
                    .map_err(err)?;
            }
        }
        Ok(doc)
    };
    let outcome = async {
        // the account arrives with the initial sync of the rep's scope
        device.until_synced().await?;
        if !device.store().contains(doc).map_err(|e| e.to_string())? {
            return Err("the account is not in this user's scope".to_owned());
        }
        if !args.offline {
            return device.change_and_sync(edit).await.map(|_| ());
        }
        device.offline().await;
        println!("offline");
        std::io::stdout().flush().map_err(|e| e.to_string())?;
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        edit(&mut device.store())?;
        device.online_and_sync(doc).await
    }
    .await;
    device.stop().await;
    outcome.map(|_| eprintln!("device_edit: edited and synced"))
}
