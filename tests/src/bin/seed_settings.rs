//! Seeds an org settings document (a default pipeline with five stages) from
//! an admin's device, the way an admin app would, so the tests also cover
//! settings that arrive over sync. Prints the pipeline id.
//!
//! ```sh
//! seed_settings --url ws://127.0.0.1:PORT/sync --token ADMIN_TOKEN [--user admin]
//! ```

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use outpost_core::model::{OrgSettings, Pipeline, RecordMeta, Stage, StageMeaning};
use outpost_e2e::device::TestDevice;

#[derive(Debug, Parser)]
#[command(about = "Create the org settings document with a default sales pipeline")]
struct Args {
    #[arg(long)]
    url: String,
    /// An admin's token (only admins write settings).
    #[arg(long)]
    token: String,
    #[arg(long, default_value = "admin")]
    user: String,
    #[arg(long, default_value = "NOK")]
    currency: String,
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
}

const PIPELINE: &str = "sales";

fn main() -> ExitCode {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("seed_settings: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => {
            println!("{PIPELINE}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed_settings: {e}");
            ExitCode::FAILURE
        }
    }
}

fn stage(id: &str, position: i64, probability: u8, meaning: StageMeaning) -> Stage {
    let mut name = id.to_owned();
    if let Some(first) = name.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    Stage {
        id: id.into(),
        name,
        position,
        probability,
        meaning,
    }
}

async fn run(args: Args) -> Result<(), String> {
    let device = TestDevice::start(
        &args.url,
        &args.token,
        &args.user,
        Duration::from_secs(args.timeout_secs),
    )?;
    let outcome = device
        .change_and_sync(|store| {
            let err = |e: outpost_core::CoreError| e.to_string();
            let doc = store
                .create_settings(OrgSettings {
                    org_name: "Outpost".into(),
                    default_currency: args.currency.clone(),
                    default_phone_region: "NO".into(),
                    default_pipeline_id: Some(PIPELINE.into()),
                    ..Default::default()
                })
                .map_err(err)?;
            store
                .create(
                    doc,
                    Pipeline {
                        meta: RecordMeta {
                            id: PIPELINE.into(),
                            ..Default::default()
                        },
                        name: "Sales".into(),
                        stages: vec![
                            stage("prospecting", 1, 10, StageMeaning::Open),
                            stage("proposal", 2, 50, StageMeaning::Open),
                            stage("negotiation", 3, 80, StageMeaning::Open),
                            stage("won", 4, 100, StageMeaning::Won),
                            stage("lost", 5, 0, StageMeaning::Lost),
                        ],
                    },
                )
                .map_err(err)?;
            Ok(doc)
        })
        .await;
    device.stop().await;
    outcome.map(|_| ())
}
