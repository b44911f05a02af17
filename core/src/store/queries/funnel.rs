//! Where deals stall and how far they get: stalled deals against per-stage
//! thresholds, the stage-by-stage funnel of a pipeline, the win rate and
//! the length of the sales cycle (from the index's stage moves).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::sales::{DAY_MS, DealFacts, SalesFilter};
use super::{Day, doc_id};
use crate::error::Result;
use crate::ids::DocumentId;
use crate::store::Store;

/// Where a stage's stalled-deal threshold comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ThresholdSource {
    /// Given by the caller ([`StalledOptions::thresholds`]).
    Set,
    /// The 75th percentile of how long deals stayed in the stage before
    /// they moved on (at least `min_samples` such stays).
    History,
    /// Too little history: [`StalledOptions::default_days`].
    Default,
}

/// A threshold the caller sets for one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StageDays {
    pub stage_id: String,
    pub days: i64,
}

/// How the stalled-deals report decides what "too long" is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StalledOptions {
    /// Per-stage thresholds in days; other stages take theirs from history.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub thresholds: Vec<StageDays>,
    /// The threshold of a stage with too little history.
    #[cfg_attr(feature = "uniffi", uniffi(default = 30))]
    pub default_days: i64,
    /// Completed stays a stage needs before its history sets the threshold.
    #[cfg_attr(feature = "uniffi", uniffi(default = 5))]
    pub min_samples: i64,
}

impl Default for StalledOptions {
    fn default() -> Self {
        Self {
            thresholds: Vec::new(),
            default_days: 30,
            min_samples: 5,
        }
    }
}

/// The threshold one stage got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StageThreshold {
    pub pipeline_id: String,
    pub stage_id: String,
    pub stage_name: String,
    pub days: i64,
    pub source: ThresholdSource,
    /// Completed stays in the stage that the history had.
    pub samples: i64,
}

/// An open deal that has stayed in its stage longer than the stage's threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StalledDeal {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub deal_id: String,
    pub name: String,
    pub owner: Option<String>,
    pub pipeline_id: String,
    pub stage_id: String,
    pub stage_name: String,
    /// Whole days since the deal entered its stage (or was created in it).
    pub days_in_stage: i64,
    pub threshold_days: i64,
    pub amount_minor: i64,
    pub currency: String,
}

/// Stalled deals, the most overdue (days past the threshold) first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StalledReport {
    /// Every open stage of the pipelines the deals are in.
    pub thresholds: Vec<StageThreshold>,
    pub deals: Vec<StalledDeal>,
}

/// One open stage of the funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StageConversion {
    pub stage_id: String,
    pub name: String,
    /// Deals that got at least this far (were in this stage or a later
    /// open one, or won).
    pub reached: i64,
    /// Of those, deals that got past it (a later open stage, or won).
    pub advanced: i64,
    /// `advanced / reached`; `None` when no deal reached the stage.
    pub rate: Option<f64>,
}

/// The funnel of one pipeline, the win rate and the sales cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ConversionReport {
    pub pipeline_id: Option<String>,
    /// The open stages in order.
    pub stages: Vec<StageConversion>,
    /// Deals closed (entered a won or lost stage) in the period.
    pub won: i64,
    pub lost: i64,
    /// `won / (won + lost)`; `None` when none closed.
    pub win_rate: Option<f64>,
    /// Days from creation to the move into the won stage, over the deals
    /// won in the period: the mean and the median.
    pub avg_cycle_days: Option<f64>,
    pub median_cycle_days: Option<f64>,
}

/// A stage of a pipeline, from the settings' index.
struct StageFacts {
    pipeline_id: String,
    stage_id: String,
    name: String,
    position: i64,
    meaning: String,
}

/// One move of a deal between stages.
struct Move {
    from: Option<String>,
    to: String,
    at: i64,
}

/// The value at the `pct` percentile (nearest rank) of sorted values.
fn percentile(sorted: &[i64], pct: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn median(sorted: &[f64]) -> Option<f64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

impl Store {
    /// Open deals that have stayed in their stage longer than the stage's
    /// threshold on `day` (at the end of it), the most overdue first.
    ///
    /// A stage's threshold is the one the caller sets, else the 75th
    /// percentile of the completed stays in it (from entering the stage, or
    /// being created in it, to the next move; every deal of the index, so
    /// the history of an owner's deals does not shrink to theirs), rounded
    /// up to whole days and at least one, else `default_days`.
    pub fn stalled_deals(
        &self,
        day: Day,
        f: &SalesFilter,
        opts: &StalledOptions,
    ) -> Result<StalledReport> {
        self.stalled_deals_within(day, f, opts, None)
    }
    /// [`Store::stalled_deals`] over the given account documents only.
    pub fn stalled_deals_within(
        &self,
        day: Day,
        f: &SalesFilter,
        opts: &StalledOptions,
        within: Option<&BTreeSet<DocumentId>>,
    ) -> Result<StalledReport> {
        let now = day.end_ms();
        // one read of every deal: the history of stays is everyone's, the
        // report the filter's and the scope's
        let everyone = self.report_deals(&SalesFilter::default(), None)?;
        let docs: Option<BTreeSet<String>> =
            within.map(|w| w.iter().map(ToString::to_string).collect());
        let deals: Vec<&DealFacts> = everyone
            .iter()
            .filter(|d| f.owner.as_ref().is_none_or(|o| d.owner.as_ref() == Some(o)))
            .filter(|d| f.pipeline_id.as_ref().is_none_or(|p| &d.pipeline_id == p))
            .filter(|d| docs.as_ref().is_none_or(|s| s.contains(&d.doc_id)))
            .collect();
        let moves = self.stage_moves()?;
        let mut stays: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
        for d in &everyone {
            let mut entered = (
                first_stage(d, moves.get(&(d.doc_id.clone(), d.id.clone()))),
                d.created_at,
            );
            for m in moves
                .get(&(d.doc_id.clone(), d.id.clone()))
                .into_iter()
                .flatten()
            {
                if let Some(stage) = entered.0.take() {
                    stays
                        .entry((d.pipeline_id.clone(), stage))
                        .or_default()
                        .push(m.at - entered.1);
                }
                entered = (Some(m.to.clone()), m.at);
            }
        }
        let set: BTreeMap<&str, i64> = opts
            .thresholds
            .iter()
            .map(|t| (t.stage_id.as_str(), t.days.max(0)))
            .collect();
        let pipelines: BTreeSet<&str> = deals.iter().map(|d| d.pipeline_id.as_str()).collect();
        let mut thresholds = Vec::new();
        for s in self
            .report_stages()?
            .into_iter()
            .filter(|s| s.meaning == "open")
        {
            if !pipelines.contains(s.pipeline_id.as_str()) {
                continue;
            }
            let mut samples = stays
                .remove(&(s.pipeline_id.clone(), s.stage_id.clone()))
                .unwrap_or_default();
            samples.sort_unstable();
            let n = samples.len() as i64;
            let (days, source) = if let Some(d) = set.get(s.stage_id.as_str()) {
                (*d, ThresholdSource::Set)
            } else if n >= opts.min_samples.max(1) {
                let p75 = percentile(&samples, 75).unwrap_or(0).max(0);
                (
                    ((p75 + DAY_MS - 1) / DAY_MS).max(1),
                    ThresholdSource::History,
                )
            } else {
                (opts.default_days.max(0), ThresholdSource::Default)
            };
            thresholds.push(StageThreshold {
                pipeline_id: s.pipeline_id,
                stage_id: s.stage_id,
                stage_name: s.name,
                days,
                source,
                samples: n,
            });
        }
        let limit: BTreeMap<(&str, &str), i64> = thresholds
            .iter()
            .map(|t| ((t.pipeline_id.as_str(), t.stage_id.as_str()), t.days))
            .collect();
        let mut stalled = Vec::new();
        for d in deals.into_iter().filter(|d| d.meaning == "open") {
            let days_in_stage = (now - d.stage_changed_at).max(0) / DAY_MS;
            let threshold = limit
                .get(&(d.pipeline_id.as_str(), d.stage_id.as_str()))
                .copied()
                .unwrap_or_else(|| {
                    set.get(d.stage_id.as_str())
                        .copied()
                        .unwrap_or(opts.default_days.max(0))
                });
            if days_in_stage > threshold {
                stalled.push(StalledDeal {
                    doc_id: doc_id(d.doc_id.clone())?,
                    account_name: d.account_name.clone(),
                    deal_id: d.id.clone(),
                    name: d.name.clone(),
                    owner: d.owner.clone(),
                    pipeline_id: d.pipeline_id.clone(),
                    stage_id: d.stage_id.clone(),
                    stage_name: d.stage_name.clone(),
                    days_in_stage,
                    threshold_days: threshold,
                    amount_minor: d.amount_minor,
                    currency: d.currency.clone(),
                });
            }
        }
        stalled.sort_by(|a, b| {
            (b.days_in_stage - b.threshold_days)
                .cmp(&(a.days_in_stage - a.threshold_days))
                .then_with(|| a.deal_id.cmp(&b.deal_id))
        });
        Ok(StalledReport {
            thresholds,
            deals: stalled,
        })
    }
    /// The funnel of one pipeline (how far its deals got, stage by stage),
    /// the win rate and the sales-cycle length of the deals closed in
    /// `[closed_from, closed_to)` (ms; either bound optional).
    ///
    /// A deal reached a stage when it got at least that far: its furthest
    /// open stage (by position, over its current stage, the stage it was
    /// created in and every stage it moved to) is this one or a later one,
    /// or it was won. The funnel counts every deal of the pipeline that is
    /// not archived; the win rate and cycle only the closed ones in the
    /// period (closed = moved into a won or lost stage, at that move).
    pub fn conversion(
        &self,
        f: &SalesFilter,
        closed_from: Option<i64>,
        closed_to: Option<i64>,
    ) -> Result<ConversionReport> {
        self.conversion_within(f, closed_from, closed_to, None)
    }
    /// [`Store::conversion`] over the given account documents only.
    pub fn conversion_within(
        &self,
        f: &SalesFilter,
        closed_from: Option<i64>,
        closed_to: Option<i64>,
        within: Option<&BTreeSet<DocumentId>>,
    ) -> Result<ConversionReport> {
        let pipeline_id = self.resolve_pipeline(&f.pipeline_id)?;
        let Some(pipeline) = pipeline_id.clone() else {
            return Ok(ConversionReport {
                pipeline_id: None,
                stages: Vec::new(),
                won: 0,
                lost: 0,
                win_rate: None,
                avg_cycle_days: None,
                median_cycle_days: None,
            });
        };
        let filter = SalesFilter {
            owner: f.owner.clone(),
            pipeline_id: Some(pipeline.clone()),
        };
        let stages: Vec<StageFacts> = self
            .report_stages()?
            .into_iter()
            .filter(|s| s.pipeline_id == pipeline)
            .collect();
        let open: Vec<&StageFacts> = stages.iter().filter(|s| s.meaning == "open").collect();
        let position = |id: &str| {
            stages
                .iter()
                .find(|s| s.stage_id == id)
                .map(|s| (s.position, s.meaning.as_str()))
        };
        let moves = self.stage_moves()?;
        let mut reached = vec![0i64; open.len()];
        let mut advanced = vec![0i64; open.len()];
        let (mut won, mut lost, mut cycles) = (0i64, 0i64, Vec::new());
        let in_period =
            |t: i64| closed_from.is_none_or(|a| t >= a) && closed_to.is_none_or(|b| t < b);
        for d in self.report_deals(&filter, within)? {
            let history = moves.get(&(d.doc_id.clone(), d.id.clone()));
            let mut visited: Vec<String> = vec![d.stage_id.clone()];
            visited.extend(first_stage(&d, history));
            visited.extend(history.into_iter().flatten().map(|m| m.to.clone()));
            let is_won = d.meaning == "won";
            // the furthest open stage reached, by position
            let furthest = visited
                .iter()
                .filter_map(|s| position(s))
                .filter(|(_, m)| *m == "open")
                .map(|(p, _)| p)
                .max();
            for (i, s) in open.iter().enumerate() {
                let got_here = is_won || furthest.is_some_and(|p| p >= s.position);
                let got_past = is_won || furthest.is_some_and(|p| p > s.position);
                reached[i] += i64::from(got_here);
                advanced[i] += i64::from(got_here && got_past);
            }
            if d.meaning != "open" && in_period(d.stage_changed_at) {
                if is_won {
                    won += 1;
                    cycles.push((d.stage_changed_at - d.created_at).max(0) as f64 / DAY_MS as f64);
                } else {
                    lost += 1;
                }
            }
        }
        cycles.sort_by(f64::total_cmp);
        Ok(ConversionReport {
            pipeline_id,
            stages: open
                .iter()
                .enumerate()
                .map(|(i, s)| StageConversion {
                    stage_id: s.stage_id.clone(),
                    name: s.name.clone(),
                    reached: reached[i],
                    advanced: advanced[i],
                    rate: (reached[i] > 0).then(|| advanced[i] as f64 / reached[i] as f64),
                })
                .collect(),
            won,
            lost,
            win_rate: (won + lost > 0).then(|| won as f64 / (won + lost) as f64),
            avg_cycle_days: (!cycles.is_empty())
                .then(|| cycles.iter().sum::<f64>() / cycles.len() as f64),
            median_cycle_days: median(&cycles),
        })
    }
    fn report_stages(&self) -> Result<Vec<StageFacts>> {
        let mut st = self.conn().prepare_cached(
            "SELECT pipeline_id, stage_id, name, position, meaning FROM idx_stages
             ORDER BY pipeline_id, position, stage_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(StageFacts {
                pipeline_id: r.get(0)?,
                stage_id: r.get(1)?,
                name: r.get(2)?,
                position: r.get(3)?,
                meaning: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
    /// Every deal's moves in time order, by (document, deal).
    fn stage_moves(&self) -> Result<BTreeMap<(String, String), Vec<Move>>> {
        let mut st = self.conn().prepare_cached(
            "SELECT doc_id, deal_id, from_stage, to_stage, at FROM idx_stage_moves
             ORDER BY doc_id, deal_id, at, id",
        )?;
        let mut out: BTreeMap<(String, String), Vec<Move>> = BTreeMap::new();
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })?;
        for row in rows {
            let (doc, deal, from, to, at) = row?;
            out.entry((doc, deal))
                .or_default()
                .push(Move { from, to, at });
        }
        Ok(out)
    }
}

/// The stage a deal was created in: where its first move came from, or its
/// current stage when it never moved.
fn first_stage(d: &DealFacts, moves: Option<&Vec<Move>>) -> Option<String> {
    match moves.and_then(|m| m.first()) {
        Some(first) => first.from.clone(),
        None => Some(d.stage_id.clone()),
    }
}
