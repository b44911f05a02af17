//! `outpost-loadgen`: simulated devices against the real `outpost-server`
//! and, side by side, the stock automerge-repo sync server (Node), on the
//! same workloads in the same run. Prints a table and, with `--write`,
//! writes it into `BENCHMARKS.md` with the machine, the command and the date.
//!
//! The Outpost server binary is the e2e harness's: `target/debug/outpost-server`
//! (built if stale) unless `OUTPOST_SERVER_BIN` points elsewhere — for real
//! figures, `cargo build --release -p outpost-server` and set
//! `OUTPOST_SERVER_BIN=target/release/outpost-server`.

mod docs;
mod figures;
mod initial;
mod peer;
mod report;
mod servers;

use std::path::PathBuf;

use clap::Parser;

use crate::report::Row;
use crate::servers::{Kind, Target};

#[derive(Debug, Parser)]
#[command(
    name = "outpost-loadgen",
    about = "Load generator: simulated devices against outpost-server and the stock automerge-repo sync server"
)]
struct Args {
    /// Figures to run (1 latency, 2 connections, 3 throughput, 4 initial sync, 5 wire, 6 memory).
    #[arg(long, value_delimiter = ',', default_value = "1,2,3,4,5,6")]
    figures: Vec<u8>,
    /// Also run the stock automerge-repo server (needs node and npm).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    stock: bool,
    /// Figure 1: connected devices per run.
    #[arg(long, value_delimiter = ',', default_value = "10,100,1000")]
    latency_devices: Vec<usize>,
    /// Figure 1: probe edits per run.
    #[arg(long, default_value_t = 200)]
    probes: usize,
    /// Figure 1: background edits per second across the other devices.
    #[arg(long, default_value_t = 50.0)]
    bg_rate: f64,
    /// Figure 2: steps of idle devices (capped by the open-file limit).
    #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000,19000")]
    conn_steps: Vec<usize>,
    /// Figure 3: writing devices, each on its own account.
    #[arg(long, default_value_t = 200)]
    writers: usize,
    /// Figure 3: offered edits per second across all writers.
    #[arg(long, default_value_t = 20000.0)]
    rate: f64,
    /// Figure 3: measured seconds.
    #[arg(long, default_value_t = 10.0)]
    secs: f64,
    /// Figure 4: accounts in the territory.
    #[arg(long, default_value_t = 500)]
    territory: usize,
    /// Figure 5: repetitions.
    #[arg(long, default_value_t = 20)]
    wire_reps: usize,
    /// Figure 6: small accounts touched (Outpost).
    #[arg(long, default_value_t = 100_000)]
    memory_accounts: usize,
    /// Figure 6: small accounts touched on the stock server, if fewer (it
    /// creates them at ~20/s and never frees one: 100,000 would take over an
    /// hour and ~6 GiB). Outpost's RSS is also read when it reaches this
    /// many, so the ratio compares the same size.
    #[arg(long, default_value_t = 10_000)]
    stock_memory_accounts: usize,
    /// The Outpost server's `--cache-docs`.
    #[arg(long, default_value_t = 256)]
    cache_docs: usize,
    /// Write the table into this file's bench section (e.g. BENCHMARKS.md).
    #[arg(long)]
    write: Option<PathBuf>,
}

fn raise_nofile() -> u64 {
    use rlimit::Resource;
    let (_, hard) = Resource::NOFILE.get().unwrap_or((1024, 1024));
    let _ = Resource::NOFILE.set(hard, hard);
    Resource::NOFILE.get().map_or(1024, |(s, _)| s)
}

fn mib(b: u64) -> f64 {
    b as f64 / 1024.0 / 1024.0
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let nofile = raise_nofile();
    let kinds: Vec<Kind> = if args.stock && servers::node_available() {
        vec![Kind::Outpost, Kind::Stock]
    } else {
        if args.stock {
            eprintln!("loadgen: node not found, running against outpost-server only");
        }
        vec![Kind::Outpost]
    };
    let has = |f: u8| args.figures.contains(&f);
    let mut rows: Vec<Row> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let start = |k: Kind| {
        let t = Target::start(k, args.cache_docs);
        // for attaching a profiler (perf record -p PID) while a figure runs
        eprintln!("loadgen: {} server pid {}", k.name(), t.pid());
        t
    };
    let pick = |v: &[(Kind, f64)], k: Kind| v.iter().find(|(kk, _)| *kk == k).map(|(_, x)| *x);

    if has(1) {
        for &n in &args.latency_devices {
            let mut p50 = Vec::new();
            let mut p99 = Vec::new();
            for &k in &kinds {
                let t = start(k);
                let l = figures::latency(&t, n, args.probes, args.bg_rate).await;
                eprintln!("fig1 {} {n} devices: {l:?}", k.name());
                notes.push(format!(
                    "fig 1, {}, {n} devices: {} probes ({} not seen within 10 s, counted as 10 s), background acked {:.0} edits/s",
                    k.name(),
                    l.samples,
                    l.missed,
                    l.background_acked_per_s
                ));
                p50.push((k, l.p50_ms));
                p99.push((k, l.p99_ms));
            }
            rows.push(Row {
                figure: format!("1. Edit → visible p50, {n} devices"),
                outpost: pick(&p50, Kind::Outpost),
                stock: pick(&p50, Kind::Stock),
                unit: "ms",
                lower_is_better: true,
                target: None,
            });
            rows.push(Row {
                figure: format!("1. Edit → visible p99, {n} devices"),
                outpost: pick(&p99, Kind::Outpost),
                stock: pick(&p99, Kind::Stock),
                unit: "ms",
                lower_is_better: true,
                target: (n >= 1000).then_some((15.0, "≤ 15 ms")),
            });
        }
    }
    if has(2) {
        let cap = nofile.saturating_sub(300) as usize;
        let steps: Vec<usize> = args.conn_steps.iter().map(|s| (*s).min(cap)).collect();
        let mut per_k = Vec::new();
        let mut top = Vec::new();
        let mut max_n = Vec::new();
        for &k in &kinds {
            let t = start(k);
            let c = figures::connections(&t, &steps).await;
            eprintln!("fig2 {}: {c:?}", k.name());
            let (n, rss) = c.steps.last().copied().unwrap_or((0, 0));
            let per = if n > 0 {
                (rss.saturating_sub(c.rss_idle)) as f64 / n as f64 * 1000.0
            } else {
                f64::NAN
            };
            notes.push(format!(
                "fig 2, {}: RSS idle {:.1} MiB; steps {}{}",
                k.name(),
                mib(c.rss_idle),
                c.steps
                    .iter()
                    .map(|(n, r)| format!("{n} → {:.1} MiB", mib(*r)))
                    .collect::<Vec<_>>()
                    .join(", "),
                c.failed_at
                    .map(|f| format!("; failed at {f}"))
                    .unwrap_or_default()
            ));
            per_k.push((k, per / 1024.0 / 1024.0));
            top.push((k, mib(rss)));
            max_n.push((k, n as f64));
        }
        rows.push(Row {
            figure: "2. Idle devices held".into(),
            outpost: pick(&max_n, Kind::Outpost),
            stock: pick(&max_n, Kind::Stock),
            unit: format!("open-file limit {nofile}").leak(),
            lower_is_better: false,
            target: Some((20000.0, "≥ 20,000")),
        });
        rows.push(Row {
            figure: "2. Server RSS at the last step".into(),
            outpost: pick(&top, Kind::Outpost),
            stock: pick(&top, Kind::Stock),
            unit: "MiB",
            lower_is_better: true,
            target: Some((1024.0, "< 1 GiB")),
        });
        rows.push(Row {
            figure: "2. Server RSS per 1,000 idle devices".into(),
            outpost: pick(&per_k, Kind::Outpost),
            stock: pick(&per_k, Kind::Stock),
            unit: "MiB",
            lower_is_better: true,
            target: None,
        });
    }
    if has(3) {
        let mut acked = Vec::new();
        let mut cpu = Vec::new();
        for &k in &kinds {
            let t = start(k);
            let r = figures::throughput(&t, args.writers, args.rate, args.secs).await;
            eprintln!("fig3 {}: {r:?}", k.name());
            notes.push(format!(
                "fig 3, {}: {} writers, offered {:.0} edits/s, acked {:.0}/s, {:.0} sync messages/s from devices, server CPU {:.0} %{}",
                k.name(),
                r.writers,
                r.offered_per_s,
                r.acked_per_s,
                r.frames_in_per_s,
                r.server_cpu_pct,
                r.batch
                    .map(|b| format!(
                        ", group commit: {:.1} sync messages per transaction, {:.1} ms merging and {:.1} ms committing per transaction (means)",
                        b.mean_size, b.mean_merge_ms, b.mean_commit_ms
                    ))
                    .unwrap_or_default()
            ));
            acked.push((k, r.acked_per_s));
            cpu.push((k, r.server_cpu_pct));
        }
        rows.push(Row {
            figure: "3. Edits merged and acknowledged".into(),
            outpost: pick(&acked, Kind::Outpost),
            stock: pick(&acked, Kind::Stock),
            unit: "edits/s",
            lower_is_better: false,
            target: Some((10000.0, "≥ 10,000/s")),
        });
        rows.push(Row {
            figure: "3. Server CPU during it".into(),
            outpost: pick(&cpu, Kind::Outpost),
            stock: pick(&cpu, Kind::Stock),
            unit: "% of one core",
            lower_is_better: true,
            target: None,
        });
    }
    if has(4) {
        let mut t = start(Kind::Outpost);
        let r = initial::initial(&mut t, args.territory).await;
        eprintln!("fig4: {r:?}");
        notes.push(format!(
            "fig 4: {} accounts seeded in {:.1} s; fresh pull {:.2} s ({:.1} MB received of {:.1} MB announced; progress bar at most {:.1} points from the share of bytes received), first screen (20 accounts) {:.2} s; cut at {} documents, resumed and done in {:.2} s ({:.1} MB received, {:.2}× the fresh pull)",
            r.accounts,
            r.seed_secs,
            r.done_secs,
            r.bytes as f64 / 1e6,
            r.bytes_total as f64 / 1e6,
            r.bar_max_gap_pct,
            r.first_screen_secs,
            r.cut_at_docs,
            r.resumed_done_secs,
            r.resumed_bytes as f64 / 1e6,
            r.resumed_bytes as f64 / r.bytes.max(1) as f64
        ));
        rows.push(Row {
            figure: format!("4. Initial sync of {} accounts, done", r.accounts),
            outpost: Some(r.done_secs),
            stock: None,
            unit: "s",
            lower_is_better: true,
            target: Some((10.0, "≤ 10 s")),
        });
        rows.push(Row {
            figure: "4. Initial sync, first screen".into(),
            outpost: Some(r.first_screen_secs),
            stock: None,
            unit: "s",
            lower_is_better: true,
            target: None,
        });
        rows.push(Row {
            figure: "4. Initial sync cut halfway, done".into(),
            outpost: Some(r.resumed_done_secs),
            stock: None,
            unit: "s",
            lower_is_better: true,
            target: None,
        });
    }
    if has(5) {
        let mut total = Vec::new();
        let mut editor = Vec::new();
        for &k in &kinds {
            let t = start(k);
            let w = figures::wire(&t, args.wire_reps).await;
            eprintln!("fig5 {}: {w:?}", k.name());
            notes.push(format!(
                "fig 5, {}: {:.0} bytes in {:.0} frames across both devices ({:.0} of them Automerge sync messages: {:.0} change hashes, {:.0} Bloom filters, {:.0} changes, the rest message framing; the other {:.0} the automerge-repo envelope); editor's round trip {:.0} bytes in {:.0} frames",
                k.name(),
                w.total_bytes,
                w.total_frames,
                w.sync_data_bytes,
                w.hash_bytes,
                w.bloom_bytes,
                w.change_bytes,
                w.total_bytes - w.sync_data_bytes,
                w.editor_bytes,
                w.editor_frames
            ));
            total.push((k, w.total_bytes));
            editor.push((k, w.editor_bytes));
        }
        rows.push(Row {
            figure: "5. Wire bytes per single-field edit (editor ↔ server ↔ second device)".into(),
            outpost: pick(&total, Kind::Outpost),
            stock: pick(&total, Kind::Stock),
            unit: "bytes",
            lower_is_better: true,
            target: Some((300.0, "≤ 300")),
        });
        rows.push(Row {
            figure: "5. Wire bytes, editor's round trip only".into(),
            outpost: pick(&editor, Kind::Outpost),
            stock: pick(&editor, Kind::Stock),
            unit: "bytes",
            lower_is_better: true,
            target: None,
        });
    }
    if has(6) {
        let checkpoint = args.stock_memory_accounts.min(args.memory_accounts);
        let mut same_size = Vec::new();
        let mut after = Vec::new();
        let mut per_doc = Vec::new();
        for &k in &kinds {
            let n = match k {
                Kind::Outpost => args.memory_accounts,
                Kind::Stock => checkpoint,
            };
            let t = start(k);
            let m = figures::memory(&t, n, checkpoint).await;
            eprintln!("fig6 {}: {m:?}", k.name());
            let half = m.rss_quarters.get(1).copied().unwrap_or(0);
            notes.push(format!(
                "fig 6, {}: {} accounts in {:.1} s; RSS start {:.1} MiB, by quarter {}, 5 s later {:.1} MiB, peak {:.1} MiB",
                k.name(),
                m.accounts,
                m.secs,
                mib(m.rss_start),
                m.rss_quarters
                    .iter()
                    .map(|r| format!("{:.1}", mib(*r)))
                    .collect::<Vec<_>>()
                    .join(" / "),
                mib(m.rss_after_idle),
                mib(m.hwm)
            ));
            if let Some((_, rss)) = m.rss_at_checkpoint {
                same_size.push((k, mib(rss)));
            }
            after.push((k, m.accounts, mib(m.rss_after_idle)));
            // growth over the second half of the accounts, per account
            let growth = m.rss_after_idle.saturating_sub(half) as f64
                / (m.accounts / 2).max(1) as f64
                / 1024.0;
            per_doc.push((k, growth));
        }
        rows.push(Row {
            figure: format!("6. Server RSS when {checkpoint} accounts were touched"),
            outpost: pick(&same_size, Kind::Outpost),
            stock: pick(&same_size, Kind::Stock),
            unit: "MiB",
            lower_is_better: true,
            target: None,
        });
        for (k, n, rss) in after.iter().filter(|(_, n, _)| *n != checkpoint) {
            rows.push(Row {
                figure: format!("6. Server RSS after {n} accounts, 5 s idle"),
                outpost: (*k == Kind::Outpost).then_some(*rss),
                stock: (*k == Kind::Stock).then_some(*rss),
                unit: "MiB",
                lower_is_better: true,
                target: None,
            });
        }
        rows.push(Row {
            figure: "6. RSS growth per account over the second half of each run".into(),
            outpost: pick(&per_doc, Kind::Outpost),
            stock: pick(&per_doc, Kind::Stock),
            unit: "KiB",
            lower_is_better: true,
            target: Some((1.0, "flat (≤ 1 KiB)")),
        });
    }

    let table = report::table(&rows);
    let bin = std::env::var("OUTPOST_SERVER_BIN")
        .unwrap_or_else(|_| "target/debug/outpost-server (harness default)".into());
    let command: Vec<String> = std::env::args().skip(1).collect();
    let body = format!(
        "**Date:** {}. **Machine:** {}. Open-file limit {nofile}. Outpost server binary: `{bin}`.\n\n**Command:** `outpost-loadgen {}`\n\n{table}\n{}\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        report::machine(),
        command.join(" "),
        notes
            .iter()
            .map(|n| format!("- {n}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    println!("{body}");
    if let Some(path) = &args.write {
        report::write_section(path, &body).expect("write the bench section");
        eprintln!("loadgen: wrote {}", path.display());
    }
}
