//! Pipeline, agenda and dashboard.

use chrono::{Datelike, Duration};
use rusqlite::params;

use super::*;
use crate::error::Result;

impl Store {
    fn org_defaults(&self) -> Result<(Option<String>, Option<String>)> {
        let row = self
            .conn()
            .query_row(
                "SELECT default_currency, default_pipeline_id FROM idx_org ORDER BY doc_id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        Ok(row.unwrap_or((None, None)))
    }

    pub(super) fn resolve_pipeline(&self, wanted: &Option<String>) -> Result<Option<String>> {
        if wanted.is_some() {
            return Ok(wanted.clone());
        }
        let (_, default) = self.org_defaults()?;
        if default.is_some() {
            return Ok(default);
        }
        Ok(self
            .conn()
            .query_row("SELECT pipeline_id FROM idx_deals WHERE archived = 0 GROUP BY pipeline_id ORDER BY COUNT(*) DESC LIMIT 1", [], |r| r.get(0))
            .ok())
    }

    fn resolve_currency(&self, wanted: &Option<String>) -> Result<Option<String>> {
        if wanted.is_some() {
            return Ok(wanted.clone());
        }
        let (default, _) = self.org_defaults()?;
        if default.is_some() {
            return Ok(default);
        }
        Ok(self
            .conn()
            .query_row("SELECT currency FROM idx_deals WHERE archived = 0 GROUP BY currency ORDER BY COUNT(*) DESC LIMIT 1", [], |r| r.get(0))
            .ok())
    }

    /// Deals by stage: count, total, weighted total and share per stage.
    /// Weighted = amount × the deal's probability, or the stage's default.
    pub fn pipeline(&self, f: &PipelineFilter) -> Result<PipelineView> {
        let pipeline = self.resolve_pipeline(&f.pipeline_id)?;
        let currency = self.resolve_currency(&f.currency)?;
        let mut stages: Vec<StageSummary> = {
            let mut st = self.conn().prepare_cached(
                "SELECT stage_id, name, meaning, position FROM idx_stages WHERE pipeline_id = ?1 ORDER BY position",
            )?;
            st.query_map([&pipeline], |r| {
                Ok(StageSummary {
                    stage_id: r.get(0)?,
                    name: r.get(1)?,
                    meaning: stored_enum(&r.get::<_, String>(2)?).unwrap_or_default(),
                    position: r.get(3)?,
                    count: 0,
                    total_minor: 0,
                    weighted_minor: 0,
                    share: 0.0,
                })
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT d.stage_id, COUNT(*), SUM(d.amount_minor),
                    SUM(d.amount_minor * COALESCE(d.probability, s.probability, 0) / 100.0),
                    MAX({OPEN_STAGE_SQL})
             FROM idx_deals d
             LEFT JOIN idx_stages s ON s.pipeline_id = d.pipeline_id AND s.stage_id = d.stage_id
             WHERE d.archived = 0 AND d.pipeline_id IS ?1 AND d.currency IS ?2
               AND (?3 IS NULL OR d.owner = ?3)
             GROUP BY d.stage_id"
        ))?;
        let rows = st.query_map(params![pipeline, currency, f.owner], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, f64>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (stage, count, total, weighted, meaning) = row?;
            let idx = match stages.iter().position(|s| s.stage_id == stage) {
                Some(i) => i,
                None => {
                    // a stage the settings do not know (yet): show it at the end
                    stages.push(StageSummary {
                        stage_id: stage.clone(),
                        name: stage,
                        meaning: stored_enum(&meaning).unwrap_or_default(),
                        position: i64::MAX,
                        count: 0,
                        total_minor: 0,
                        weighted_minor: 0,
                        share: 0.0,
                    });
                    stages.len() - 1
                }
            };
            let s = &mut stages[idx];
            s.count = count;
            s.total_minor = total;
            s.weighted_minor = weighted.round() as i64;
        }
        let all: i64 = stages.iter().map(|s| s.count).sum();
        for s in &mut stages {
            s.share = if all == 0 {
                0.0
            } else {
                s.count as f64 / all as f64
            };
        }
        let other_currency_deals = self.conn().query_row(
            "SELECT COUNT(*) FROM idx_deals WHERE archived = 0 AND pipeline_id IS ?1 AND currency IS NOT ?2
               AND (?3 IS NULL OR owner = ?3)",
            params![pipeline, currency, f.owner],
            |r| r.get(0),
        )?;
        Ok(PipelineView {
            pipeline_id: pipeline,
            currency,
            stages,
            other_currency_deals,
        })
    }

    /// Today's visits, meetings, calls and tasks, and everything overdue.
    pub fn agenda(&self, day: Day, owner: Option<&str>) -> Result<Agenda> {
        let (start, end) = (day.start_ms(), day.end_ms());
        let item = |r: &rusqlite::Row<'_>| -> rusqlite::Result<AgendaItem> {
            Ok(AgendaItem {
                doc_id: doc_id(r.get(0)?)?,
                account_name: r.get(1)?,
                activity_id: r.get(2)?,
                kind: stored_enum(&r.get::<_, String>(3)?).unwrap_or_default(),
                status: stored_enum(&r.get::<_, String>(4)?).unwrap_or_default(),
                subject: r.get(5)?,
                at: r.get(6)?,
            })
        };
        // `+x.kind` keeps the planner on the time indexes (a kind filter alone
        // matches most activities)
        let base = "SELECT x.doc_id, a.name, x.id, x.kind, x.status, x.subject, COALESCE(x.start_at, x.due_at)
                    FROM idx_activities x JOIN idx_accounts a ON a.doc_id = x.doc_id
                    WHERE x.archived = 0 AND a.archived = 0 AND (?3 IS NULL OR x.owner = ?3)
                      AND +x.kind IN ('visit', 'meeting', 'call', 'task')";
        let today: Vec<AgendaItem> = self
            .conn()
            .prepare_cached(&format!(
                "{base} AND x.status != 'cancelled'
                   AND COALESCE(x.start_at, x.due_at) >= ?1 AND COALESCE(x.start_at, x.due_at) < ?2
                 ORDER BY COALESCE(x.start_at, x.due_at), x.id"
            ))?
            .query_map(params![start, end, owner], item)?
            .collect::<rusqlite::Result<_>>()?;
        let overdue: Vec<AgendaItem> = self
            .conn()
            .prepare_cached(&format!(
                "{base} AND x.status = 'planned' AND ?2 = ?2
                   AND COALESCE(x.due_at, x.end_at, x.start_at) < ?1
                 ORDER BY COALESCE(x.due_at, x.end_at, x.start_at), x.id"
            ))?
            .query_map(params![start, end, owner], item)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Agenda { today, overdue })
    }

    /// The daily dashboard of one user (or everyone with `owner = None`).
    pub fn dashboard(
        &self,
        day: Day,
        owner: Option<&str>,
        currency: Option<&str>,
    ) -> Result<Dashboard> {
        self.dashboard_within(day, owner, currency, None)
    }

    /// [`Store::dashboard`] over the given account documents only (a
    /// server computes a user's figures over what that user may see: a
    /// deal they own inside an account they cannot open does not count).
    pub fn dashboard_within(
        &self,
        day: Day,
        owner: Option<&str>,
        currency: Option<&str>,
        within: Option<&std::collections::BTreeSet<DocumentId>>,
    ) -> Result<Dashboard> {
        let scoped = i64::from(within.is_some());
        if let Some(docs) = within {
            self.fill_scope(docs)?;
        }
        let (start, end) = (day.start_ms(), day.end_ms());
        let week_start = day.at_midnight(
            day.date - Duration::days(i64::from(day.date.weekday().num_days_from_monday())),
        );
        let month_start = day.at_midnight(day.date.with_day(1).unwrap_or(day.date));
        let currency = self.resolve_currency(&currency.map(str::to_owned))?;
        let conn = self.conn();
        let count_kind = |kind: &str| -> rusqlite::Result<i64> {
            conn.query_row(
                "SELECT COUNT(*) FROM idx_activities WHERE archived = 0 AND kind = ?1 AND status != 'cancelled'
                   AND COALESCE(start_at, due_at, completed_at) >= ?2 AND COALESCE(start_at, due_at, completed_at) < ?3
                   AND (?4 IS NULL OR owner = ?4) AND (?5 = 0 OR doc_id IN (SELECT doc_id FROM temp.outpost_scope))",
                params![kind, start, end, owner, scoped],
                |r| r.get(0),
            )
        };
        let visits_today = count_kind("visit")?;
        let calls_today = count_kind("call")?;
        let overdue_tasks = conn.query_row(
            "SELECT COUNT(*) FROM idx_activities WHERE archived = 0 AND kind = 'task' AND status = 'planned'
               AND due_at < ?1 AND (?2 IS NULL OR owner = ?2) AND (?3 = 0 OR doc_id IN (SELECT doc_id FROM temp.outpost_scope))",
            params![start, owner, scoped],
            |r| r.get(0),
        )?;
        let new_contacts_this_week = conn.query_row(
            "SELECT COUNT(*) FROM idx_contacts WHERE archived = 0 AND created_at >= ?1 AND created_at < ?2
               AND (?3 IS NULL OR owner = ?3) AND (?4 = 0 OR doc_id IN (SELECT doc_id FROM temp.outpost_scope))",
            params![week_start, end, owner, scoped],
            |r| r.get(0),
        )?;
        let (open_deals, open_pipeline_minor, weighted): (i64, i64, f64) = conn.query_row(
            &format!(
                "SELECT COUNT(*), COALESCE(SUM(d.amount_minor), 0),
                        COALESCE(SUM(d.amount_minor * COALESCE(d.probability, s.probability, 0) / 100.0), 0)
                 FROM idx_deals d
                 LEFT JOIN idx_stages s ON s.pipeline_id = d.pipeline_id AND s.stage_id = d.stage_id
                 WHERE d.archived = 0 AND {OPEN_STAGE_SQL} = 'open' AND d.currency IS ?1
                   AND (?2 IS NULL OR d.owner = ?2) AND (?3 = 0 OR d.doc_id IN (SELECT doc_id FROM temp.outpost_scope))"
            ),
            params![currency, owner, scoped],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let (won_this_month, won_this_month_minor): (i64, i64) = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(d.amount_minor), 0)
             FROM idx_deals d
             JOIN idx_stages s ON s.pipeline_id = d.pipeline_id AND s.stage_id = d.stage_id
             WHERE d.archived = 0 AND s.meaning = 'won' AND d.currency IS ?1
               AND d.stage_changed_at >= ?2 AND d.stage_changed_at < ?3
               AND (?4 IS NULL OR d.owner = ?4) AND (?5 = 0 OR d.doc_id IN (SELECT doc_id FROM temp.outpost_scope))",
            params![currency, month_start, end, owner, scoped],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Dashboard {
            visits_today,
            calls_today,
            overdue_tasks,
            new_contacts_this_week,
            open_deals,
            open_pipeline_minor,
            weighted_pipeline_minor: weighted.round() as i64,
            won_this_month,
            won_this_month_minor,
            currency,
        })
    }
}
