//! The workloads (figures 1, 2, 3, 5, 6 of issue 6), each against one
//! running server, driven by the same simulated devices for both servers.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use outpost_core::DocumentId;

use crate::docs::small_account;
use crate::peer::{self, Local, Peer, Stats};
use crate::servers::Target;

const SETTLE: Duration = Duration::from_secs(60);

/// Connects one device (light local copies unless `local` says otherwise).
pub async fn device(target: &Target, token: Option<&str>, local: Local, stats: Arc<Stats>) -> Peer {
    // a Local cannot be cloned, so a failed handshake is not retried
    peer::connect(&target.url(), token, local, stats)
        .await
        .unwrap_or_else(|e| panic!("device connect to {}: {e}", target.kind().name()))
}

/// Makes `n` small accounts and uploads them through one admin device,
/// `window` at a time. Returns their ids and bytes. `each` runs after every
/// finished window with the number done so far.
pub async fn seed(
    target: &Target,
    n: usize,
    window: usize,
    mut each: impl FnMut(usize),
) -> Vec<(DocumentId, Vec<u8>)> {
    let admin = target.admin_token();
    let seeder = device(target, admin.as_deref(), Local::light(), Arc::default()).await;
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        let batch: Vec<(DocumentId, Vec<u8>)> = (i..(i + window).min(n))
            .map(|k| (DocumentId::random(), small_account(k)))
            .collect();
        let opens = batch
            .iter()
            .map(|(d, b)| tokio::time::timeout(SETTLE, seeder.open(*d, Some(b.clone()))));
        for r in join_all(opens).await {
            r.expect("seeding a document settled");
        }
        i += batch.len();
        out.extend(batch);
        each(i);
    }
    out
}

/// Percentile (0..=100) of sorted durations, in ms.
pub fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[idx.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Figure 1: edit → visible on a second device.
#[derive(Debug, Clone)]
pub struct Latency {
    /// Probes not seen within 10 s (counted as 10 s).
    pub missed: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub samples: usize,
    pub background_acked_per_s: f64,
}

pub async fn latency(target: &Target, devices: usize, probes: usize, bg_rate: f64) -> Latency {
    let token = target.device_token();
    let accounts = (devices / 10).max(1);
    let docs = seed(target, accounts + 1, 64, |_| {}).await;
    let (probe_doc, probe_bytes) = docs[accounts].clone();
    let bg_stats = Arc::new(Stats::default());
    let mut peers = Vec::with_capacity(devices);
    for chunk in (0..devices).collect::<Vec<_>>().chunks(100) {
        let connects = chunk.iter().map(|&i| {
            let (doc, bytes) = docs[i % accounts].clone();
            let stats = bg_stats.clone();
            let token = token.clone();
            async move {
                let p = device(target, token.as_deref(), Local::light(), stats).await;
                tokio::time::timeout(SETTLE, p.open(doc, Some(bytes)))
                    .await
                    .expect("device settled");
                (p, doc)
            }
        });
        peers.extend(join_all(connects).await);
    }
    let sender = device(target, token.as_deref(), Local::light(), Arc::default()).await;
    let store = outpost_e2e::memory_store("bench-rep");
    let receiver = device(
        target,
        token.as_deref(),
        Local::Store(Box::new(store)),
        Arc::default(),
    )
    .await;
    sender.open(probe_doc, Some(probe_bytes.clone())).await;
    receiver.open(probe_doc, Some(probe_bytes)).await;

    // background: random devices edit their accounts at `bg_rate` per second
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let bg = {
        let stop = stop.clone();
        let peers = peers.clone();
        tokio::spawn(async move {
            if bg_rate <= 0.0 || peers.is_empty() {
                return;
            }
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / bg_rate));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut k = 0u64;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let (p, doc) = &peers[rand::random_range(0..peers.len())];
                p.edit(*doc, format!("bg-{k}"), false);
                k += 1;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let acked0 = bg_stats.acked.load(Ordering::Relaxed);
    let t0 = Instant::now();
    let mut lat = Vec::with_capacity(probes);
    let (mut missed, mut in_a_row) = (0, 0);
    for k in 0..probes {
        if in_a_row >= 5 {
            eprintln!("loadgen: 5 probes in a row not seen within 10 s; stopping this run");
            break;
        }
        let value = format!("probe-{k}-{}", rand::random::<u32>());
        let seen = receiver.watch(probe_doc, value.clone());
        let start = Instant::now();
        sender.edit(probe_doc, value, false);
        match tokio::time::timeout(Duration::from_secs(10), seen).await {
            Ok(Ok(at)) => {
                lat.push(at.saturating_duration_since(start));
                in_a_row = 0;
            }
            _ => {
                // counted as 10 s: the percentiles are then lower bounds
                lat.push(Duration::from_secs(10));
                missed += 1;
                in_a_row += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let bg_acked =
        (bg_stats.acked.load(Ordering::Relaxed) - acked0) as f64 / t0.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let _ = bg.await;
    lat.sort();
    Latency {
        missed,
        p50_ms: pct(&lat, 50.0),
        p99_ms: pct(&lat, 99.0),
        samples: lat.len(),
        background_acked_per_s: bg_acked,
    }
}

/// Figure 3: edits acknowledged by the server per second (for Outpost an
/// acknowledgement means committed and fsynced).
#[derive(Debug, Clone)]
pub struct Throughput {
    /// Outpost: the group commit, from the server's metrics.
    pub batch: Option<Batch>,
    pub writers: usize,
    pub offered_per_s: f64,
    pub acked_per_s: f64,
    pub server_cpu_pct: f64,
    pub frames_in_per_s: f64,
}

/// Means over the whole run of the server's group commits.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Sync messages per transaction.
    pub mean_size: f64,
    /// Merging a batch (CPU: Automerge, validation, index).
    pub mean_merge_ms: f64,
    /// Committing it (the fsync).
    pub mean_commit_ms: f64,
}

pub async fn throughput(target: &Target, writers: usize, rate: f64, secs: f64) -> Throughput {
    let token = target.device_token();
    let docs = seed(target, writers, 64, |_| {}).await;
    let stats = Arc::new(Stats::default());
    let mut peers = Vec::new();
    for chunk in docs.chunks(100) {
        let connects = chunk.iter().cloned().map(|(doc, bytes)| {
            let stats = stats.clone();
            let token = token.clone();
            async move {
                let p = device(target, token.as_deref(), Local::light(), stats).await;
                p.open(doc, Some(bytes)).await;
                (p, doc)
            }
        });
        peers.extend(join_all(connects).await);
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let per_device = rate / writers as f64;
    let mut tasks = Vec::new();
    for (p, doc) in peers.iter().cloned() {
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_device));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut k = 0u64;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                p.edit(doc, format!("v{k}"), false);
                k += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (a0, e0, f0, c0) = (
        stats.acked.load(Ordering::Relaxed),
        stats.edits.load(Ordering::Relaxed),
        stats.frames_out.load(Ordering::Relaxed),
        target.cpu_seconds(),
    );
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    let dt = t0.elapsed().as_secs_f64();
    let (a1, e1, f1, c1) = (
        stats.acked.load(Ordering::Relaxed),
        stats.edits.load(Ordering::Relaxed),
        stats.frames_out.load(Ordering::Relaxed),
        target.cpu_seconds(),
    );
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    // the server's group-commit batch sizes (Outpost's /metrics)
    let batch = match target {
        Target::Outpost { server, .. } => {
            let (_, m) = server.http_get("/metrics", Some(server.admin_token()));
            let get = |key: &str| {
                m.lines()
                    .find(|l| l.starts_with(key))
                    .and_then(|l| l.rsplit(' ').next())
                    .and_then(|v| v.parse::<f64>().ok())
            };
            let mean =
                |name: &str| match (get(&format!("{name}_sum")), get(&format!("{name}_count"))) {
                    (Some(s), Some(c)) if c > 0.0 => s / c,
                    _ => f64::NAN,
                };
            Some(Batch {
                mean_size: mean("outpost_commit_batch_size"),
                mean_merge_ms: mean("outpost_batch_merge_seconds") * 1000.0,
                mean_commit_ms: mean("outpost_commit_seconds") * 1000.0,
            })
        }
        Target::Stock(_) => None,
    };
    Throughput {
        batch,
        writers,
        offered_per_s: (e1 - e0) as f64 / dt,
        acked_per_s: (a1 - a0) as f64 / dt,
        server_cpu_pct: (c1 - c0) / dt * 100.0,
        frames_in_per_s: (f1 - f0) as f64 / dt,
    }
}

/// Figure 5: bytes on the wire for one single-field edit (device A edits,
/// the server acks, device B receives it), median over `reps`.
#[derive(Debug, Clone)]
pub struct Wire {
    /// All frames of both devices (A ↔ server ↔ B), payload bytes.
    pub total_bytes: f64,
    pub total_frames: f64,
    /// The editing device's own round trip (A → server → A).
    pub editor_bytes: f64,
    pub editor_frames: f64,
    /// Of `total_bytes`, the Automerge sync messages; the rest is envelope
    /// (CBOR keys, peer ids, document id).
    pub sync_data_bytes: f64,
    /// Of `sync_data_bytes`: change hashes (32 bytes each), Bloom filters,
    /// and the changes themselves.
    pub hash_bytes: f64,
    pub bloom_bytes: f64,
    pub change_bytes: f64,
}

pub async fn wire(target: &Target, reps: usize) -> Wire {
    let token = target.device_token();
    let docs = seed(target, 1, 1, |_| {}).await;
    let (doc, bytes) = docs[0].clone();
    let (sa, sb) = (Arc::new(Stats::default()), Arc::new(Stats::default()));
    let a = device(target, token.as_deref(), Local::light(), sa.clone()).await;
    let b = device(target, token.as_deref(), Local::light(), sb.clone()).await;
    a.open(doc, Some(bytes.clone())).await;
    b.open(doc, Some(bytes)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let snap = |s: &Stats| {
        (
            s.bytes_in.load(Ordering::Relaxed) + s.bytes_out.load(Ordering::Relaxed),
            s.frames_in.load(Ordering::Relaxed) + s.frames_out.load(Ordering::Relaxed),
            s.sync_data.load(Ordering::Relaxed),
            [
                s.sync_hashes.load(Ordering::Relaxed),
                s.sync_blooms.load(Ordering::Relaxed),
                s.sync_changes.load(Ordering::Relaxed),
            ],
        )
    };
    let (mut tot_b, mut tot_f, mut ed_b, mut ed_f) = (vec![], vec![], vec![], vec![]);
    let mut data_b = vec![];
    let mut parts: [Vec<f64>; 3] = Default::default();
    for k in 0..reps {
        let (a0, b0) = (snap(&sa), snap(&sb));
        let value = format!("w{k}");
        let seen = b.watch(doc, value.clone());
        let acked = a.edit(doc, value, true).expect("ack receiver");
        let t = Duration::from_secs(10);
        let _ = tokio::time::timeout(t, seen).await;
        let _ = tokio::time::timeout(t, acked).await;
        // let trailing frames (B's answer, throttled replies) finish
        tokio::time::sleep(Duration::from_millis(400)).await;
        let (a1, b1) = (snap(&sa), snap(&sb));
        tot_b.push(((a1.0 - a0.0) + (b1.0 - b0.0)) as f64);
        tot_f.push(((a1.1 - a0.1) + (b1.1 - b0.1)) as f64);
        ed_b.push((a1.0 - a0.0) as f64);
        data_b.push(((a1.2 - a0.2) + (b1.2 - b0.2)) as f64);
        for (i, part) in parts.iter_mut().enumerate() {
            part.push(((a1.3[i] - a0.3[i]) + (b1.3[i] - b0.3[i])) as f64);
        }
        ed_f.push((a1.1 - a0.1) as f64);
    }
    Wire {
        total_bytes: median(tot_b),
        total_frames: median(tot_f),
        editor_bytes: median(ed_b),
        editor_frames: median(ed_f),
        sync_data_bytes: median(data_b),
        hash_bytes: median(parts[0].clone()),
        bloom_bytes: median(parts[1].clone()),
        change_bytes: median(parts[2].clone()),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Figure 6: server memory while `n` small accounts are created and synced
/// (each is loaded by the server once; idle ones should be unloaded).
#[derive(Debug, Clone)]
pub struct Memory {
    pub accounts: usize,
    pub rss_start: u64,
    /// RSS after each quarter of the accounts.
    pub rss_quarters: Vec<u64>,
    /// (accounts done, RSS) when the seeding first reached the checkpoint
    /// (the size the stock server runs at, for a like-for-like ratio).
    pub rss_at_checkpoint: Option<(usize, u64)>,
    pub rss_after_idle: u64,
    pub hwm: u64,
    pub secs: f64,
}

pub async fn memory(target: &Target, n: usize, checkpoint: usize) -> Memory {
    let (rss_start, _) = target.memory();
    let mut quarters = Vec::new();
    let mut next = n.div_ceil(4);
    let mut at_checkpoint = None;
    let t0 = Instant::now();
    seed(target, n, 64, |done| {
        if at_checkpoint.is_none() && done >= checkpoint {
            at_checkpoint = Some((done, target.memory().0));
        }
        if done >= next {
            quarters.push(target.memory().0);
            next += n.div_ceil(4);
        }
    })
    .await;
    let secs = t0.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (rss, hwm) = target.memory();
    Memory {
        accounts: n,
        rss_start,
        rss_quarters: quarters,
        rss_at_checkpoint: at_checkpoint,
        rss_after_idle: rss,
        hwm,
        secs,
    }
}

/// Figure 2: idle devices connected, and server RSS at each step.
#[derive(Debug, Clone)]
pub struct Connections {
    pub rss_idle: u64,
    /// (devices connected, server RSS)
    pub steps: Vec<(usize, u64)>,
    pub failed_at: Option<String>,
}

pub async fn connections(target: &Target, steps: &[usize]) -> Connections {
    let token = target.device_token();
    let (rss_idle, _) = target.memory();
    let stats = Arc::new(Stats::default());
    let mut peers: Vec<Peer> = Vec::new();
    let mut out = Vec::new();
    let mut failed_at = None;
    'steps: for &want in steps {
        while peers.len() < want {
            let n = (want - peers.len()).min(250);
            let connects = (0..n).map(|_| {
                let stats = stats.clone();
                let token = token.clone();
                let url = target.url();
                async move { peer::connect(&url, token.as_deref(), Local::light(), stats).await }
            });
            for r in join_all(connects).await {
                match r {
                    Ok(p) => peers.push(p),
                    Err(e) => {
                        failed_at = Some(format!("{} devices: {e}", peers.len()));
                        break 'steps;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        out.push((peers.len(), target.memory().0));
    }
    Connections {
        rss_idle,
        steps: out,
        failed_at,
    }
}
