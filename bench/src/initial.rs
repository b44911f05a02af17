//! Figure 4: a fresh device (outpost-core's `SyncClient` on an in-memory
//! `Store`) pulls a territory; then again with the server killed and
//! restarted halfway (the client must resume, not restart). Outpost only:
//! the stock server has no notion of a territory.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use outpost_core::DocumentId;
use outpost_core::sync::client::{ClientConfig, SyncClient};

use crate::docs::full_account;
use crate::figures::device;
use crate::peer::Local;
use crate::servers::Target;

/// How many distinct full accounts are built; the territory reuses them
/// under different document ids (building 500 takes minutes of Automerge).
const TEMPLATES: usize = 20;

#[derive(Debug, Clone)]
pub struct Initial {
    pub accounts: usize,
    pub seed_secs: f64,
    pub first_screen_secs: f64,
    pub done_secs: f64,
    pub bytes: i64,
    /// The announced total (`Progress::bytes_total`) of the fresh pull.
    pub bytes_total: i64,
    /// The progress bar against the truth, over the fresh pull: the largest
    /// gap, in points of 100, between `bytes_received / bytes_total` (what
    /// an app shows) and the share of the pull's wire bytes received so far
    /// (`bytes_downloaded` / its final value), sampled every 10 ms.
    pub bar_max_gap_pct: f64,
    pub cut_at_docs: i64,
    pub resumed_done_secs: f64,
    pub resumed_bytes: i64,
}

/// Accounts shown on the first screen (a list of the first 20).
const FIRST_SCREEN: usize = 20;

pub async fn initial(target: &mut Target, accounts: usize) -> Initial {
    let t_seed = Instant::now();
    let templates: Vec<Vec<u8>> = (0..TEMPLATES.min(accounts)).map(full_account).collect();
    let admin = target.admin_token();
    let seeder = device(target, admin.as_deref(), Local::light(), Arc::default()).await;
    let ids: Vec<DocumentId> = (0..accounts).map(|_| DocumentId::random()).collect();
    for chunk in ids.chunks(16).enumerate() {
        let (c, docs) = chunk;
        let opens = docs.iter().enumerate().map(|(k, d)| {
            let bytes = templates[(c * 16 + k) % templates.len()].clone();
            seeder.open(*d, Some(bytes))
        });
        join_all(opens).await;
    }
    let seed_secs = t_seed.elapsed().as_secs_f64();
    // a marker for attaching a profiler to the pull (see BENCHMARKS.md)
    eprintln!("fig4: territory seeded in {seed_secs:.1} s; pulling");
    let Target::Outpost { server, rep_token } = target else {
        panic!("figure 4 runs against outpost-server only");
    };
    let token = rep_token.clone();

    // fresh pull
    let (first_screen_secs, done_secs, bytes, bytes_total, bar_max_gap_pct) = {
        let store = Arc::new(Mutex::new(outpost_e2e::memory_store("bench-rep")));
        let client = SyncClient::start(store, ClientConfig::new(server.url(), token.clone()));
        let t0 = Instant::now();
        let mut first = f64::NAN;
        // (shown fraction, wire bytes so far) at every poll
        let mut samples: Vec<(f64, i64)> = Vec::new();
        loop {
            let p = client.status().progress;
            if p.bytes_total > 0 {
                samples.push((
                    p.bytes_received as f64 / p.bytes_total as f64,
                    p.bytes_downloaded,
                ));
            }
            if first.is_nan() && p.documents_done >= FIRST_SCREEN.min(accounts) as i64 {
                first = t0.elapsed().as_secs_f64();
            }
            if p.documents_total >= accounts as i64 && p.documents_done >= p.documents_total {
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(600),
                "initial sync stalled: {p:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let done = t0.elapsed().as_secs_f64();
        let p = client.status().progress;
        client.stop().await;
        let wire = p.bytes_downloaded.max(1) as f64;
        let gap = samples
            .iter()
            .map(|(shown, got)| (shown - *got as f64 / wire).abs() * 100.0)
            .fold(0.0, f64::max);
        (first, done, p.bytes_downloaded, p.bytes_total, gap)
    };

    // the same, with the server killed and restarted at half the territory
    let store = Arc::new(Mutex::new(outpost_e2e::memory_store("bench-rep")));
    let client = SyncClient::start(store.clone(), ClientConfig::new(server.url(), token));
    let t0 = Instant::now();
    let mut cut_at_docs = 0;
    let mut bytes_before_cut = 0;
    loop {
        let p = client.status().progress;
        if cut_at_docs == 0 && p.documents_done >= (accounts / 2) as i64 {
            cut_at_docs = p.documents_done;
            bytes_before_cut = p.bytes_downloaded;
            server.restart();
        }
        if cut_at_docs > 0
            && p.documents_total >= accounts as i64
            && p.documents_done >= p.documents_total
        {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(600),
            "resumed sync stalled: {p:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let resumed_done_secs = t0.elapsed().as_secs_f64();
    let p = client.status().progress;
    // bytes_downloaded may restart counting on a new connection: count both parts
    let resumed_bytes = if p.bytes_downloaded >= bytes_before_cut {
        p.bytes_downloaded
    } else {
        bytes_before_cut + p.bytes_downloaded
    };
    client.stop().await;
    Initial {
        accounts,
        seed_secs,
        first_screen_secs,
        done_secs,
        bytes,
        bytes_total,
        bar_max_gap_pct,
        cut_at_docs,
        resumed_done_secs,
        resumed_bytes,
    }
}
