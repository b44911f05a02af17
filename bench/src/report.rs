//! The result table: printed, and written into a marked section of
//! `BENCHMARKS.md` with the machine, the exact command and the date.

use std::fmt::Write as _;
use std::path::Path;

/// One row: a figure, its value per server, and the target.
#[derive(Debug, Clone)]
pub struct Row {
    pub figure: String,
    pub outpost: Option<f64>,
    pub stock: Option<f64>,
    pub unit: &'static str,
    /// Lower is better (latency, bytes, memory) or higher (throughput).
    pub lower_is_better: bool,
    /// Target on the Outpost value, if there is one: (bound, text).
    pub target: Option<(f64, &'static str)>,
}

fn fmt_num(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if x.is_nan() => "n/a".into(),
        Some(x) if x.abs() >= 100.0 => format!("{x:.0}"),
        Some(x) if x.abs() >= 10.0 => format!("{x:.1}"),
        Some(x) => format!("{x:.2}"),
    }
}

impl Row {
    /// How many times better Outpost is than stock (>1: Outpost better).
    fn advantage(&self) -> Option<f64> {
        let (o, s) = (self.outpost?, self.stock?);
        if o <= 0.0 || s <= 0.0 || o.is_nan() || s.is_nan() {
            return None;
        }
        Some(if self.lower_is_better { s / o } else { o / s })
    }

    fn verdict(&self) -> String {
        let Some((bound, _)) = self.target else {
            return String::new();
        };
        let Some(o) = self.outpost.filter(|v| !v.is_nan()) else {
            return String::new();
        };
        let met = if self.lower_is_better {
            o <= bound
        } else {
            o >= bound
        };
        if met { "met".into() } else { "MISSED".into() }
    }
}

/// A markdown table of the rows.
pub fn table(rows: &[Row]) -> String {
    let mut s = String::from(
        "| Figure | Outpost | Stock automerge-repo | Outpost vs stock | Target (Outpost) | |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let adv = r
            .advantage()
            .map(|a| {
                if a >= 1.0 {
                    format!("{a:.1}× better")
                } else {
                    format!("{:.1}× worse", 1.0 / a)
                }
            })
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "| {} ({}) | {} | {} | {} | {} | {} |",
            r.figure,
            r.unit,
            fmt_num(r.outpost),
            fmt_num(r.stock),
            adv,
            r.target.map(|t| t.1).unwrap_or(""),
            r.verdict()
        );
    }
    s
}

/// cores, RAM and CPU model of this machine.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or("?".into(), |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0));
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "?".into());
    format!("{cores} cores, {mem} RAM, CPU {cpu}")
}

const BEGIN: &str =
    "<!-- outpost-loadgen:begin (written by the bench; edit outside the markers) -->";
const END: &str = "<!-- outpost-loadgen:end -->";

/// Replaces (or appends) the bench's section of `path`.
pub fn write_section(path: &Path, body: &str) -> std::io::Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let section = format!("{BEGIN}\n{body}\n{END}");
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if e > b => {
            format!("{}{}{}", &old[..b], section, &old[e + END.len()..])
        }
        _ => format!(
            "{}\n\n## Load generator (issue 6)\n\n{section}\n",
            old.trim_end()
        ),
    };
    std::fs::write(path, new)
}
