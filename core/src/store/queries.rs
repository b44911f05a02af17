//! Read-only queries over the index: lists, search, caller lookup, pipeline,
//! agenda, dashboard, reminders. Time is passed in as a [`Day`].

use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use rusqlite::{params, params_from_iter};
use serde::Serialize;

use super::Store;
use super::index::parse_date;
use crate::error::Result;
use crate::ids::DocumentId;
use crate::phone;

/// One local calendar day: the date and the user's UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    /// Minutes east of UTC (e.g. 60 for CET, -300 for EST).
    pub utc_offset_minutes: i32,
}

impl Day {
    /// Start of the day in ms since the epoch.
    pub fn start_ms(&self) -> i64 {
        self.at_midnight(self.date)
    }

    /// Start of the next day.
    pub fn end_ms(&self) -> i64 {
        self.at_midnight(self.date + Duration::days(1))
    }

    fn at_midnight(&self, d: NaiveDate) -> i64 {
        let offset = chrono::FixedOffset::east_opt(self.utc_offset_minutes * 60)
            .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
        let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        offset
            .from_local_datetime(&naive)
            .single()
            .map_or(0, |t| t.timestamp_millis())
    }

    /// The local date of an instant.
    pub fn date_of(&self, ms: i64) -> NaiveDate {
        let offset = chrono::FixedOffset::east_opt(self.utc_offset_minutes * 60)
            .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
        offset
            .timestamp_millis_opt(ms)
            .single()
            .map_or(self.date, |t| t.date_naive())
    }
}

/// How to sort accounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AccountSort {
    #[default]
    Name,
    RecentlyUpdated,
    RecentlyCreated,
}

/// Filters for [`Store::list_accounts`]. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub owner: Option<String>,
    pub lifecycle_stage: Option<String>,
    pub tag: Option<String>,
    pub territory: Option<String>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
    pub include_archived: bool,
    pub sort: AccountSort,
    pub limit: Option<u32>,
    pub offset: u32,
}

/// A row of the account list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountSummary {
    pub doc_id: DocumentId,
    pub name: String,
    pub account_type: Option<String>,
    pub owner: Option<String>,
    pub territory: Option<String>,
    pub lifecycle_stage: Option<String>,
    pub value_tier: Option<String>,
    pub archived: bool,
    pub updated_at: i64,
    pub balance_minor: i64,
    pub overdue_minor: i64,
    pub currency: Option<String>,
}

/// A contact found by search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactHit {
    pub doc_id: DocumentId,
    pub contact_id: String,
    pub full_name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub account_name: String,
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneMatch {
    pub doc_id: DocumentId,
    pub account_name: String,
    /// `None` when the number is the account's own.
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub label: Option<String>,
    pub e164: String,
}

/// Filters for the pipeline.
#[derive(Debug, Clone, Default)]
pub struct PipelineFilter {
    /// Defaults to the org's default pipeline (or the only one).
    pub pipeline_id: Option<String>,
    pub owner: Option<String>,
    /// Defaults to the org's default currency; deals in other currencies are
    /// counted in `other_currency_deals`, never summed in.
    pub currency: Option<String>,
}

/// One column of the pipeline board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSummary {
    pub stage_id: String,
    pub name: String,
    pub meaning: String,
    pub position: i64,
    pub count: i64,
    pub total_minor: i64,
    pub weighted_minor: i64,
    /// Share of the pipeline's deals in this stage, 0.0-1.0.
    pub share: f64,
}

/// The pipeline by stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineView {
    pub pipeline_id: Option<String>,
    pub currency: Option<String>,
    pub stages: Vec<StageSummary>,
    pub other_currency_deals: i64,
}

/// An activity in the agenda.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaItem {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub activity_id: String,
    pub kind: String,
    pub status: String,
    pub subject: String,
    /// The time it is planned for (start, or due for tasks).
    pub at: Option<i64>,
}

/// Today's plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agenda {
    pub today: Vec<AgendaItem>,
    pub overdue: Vec<AgendaItem>,
}

/// The daily dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    pub visits_today: i64,
    pub calls_today: i64,
    pub overdue_tasks: i64,
    pub new_contacts_this_week: i64,
    pub open_deals: i64,
    pub open_pipeline_minor: i64,
    pub weighted_pipeline_minor: i64,
    pub won_this_month: i64,
    pub won_this_month_minor: i64,
    pub currency: Option<String>,
}

/// A birthday or anniversary coming up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpcomingDate {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    /// birthday, family_birthday, anniversary, important_date, purchase_anniversary.
    pub kind: String,
    pub label: Option<String>,
    pub date: NaiveDate,
    pub days_away: i64,
    /// Years completed on that date, when the year is known.
    pub years: Option<i32>,
}

/// A customer who should have reordered by now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReorderDue {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub orders: i64,
    pub last_order_at: i64,
    pub average_interval_days: f64,
    pub due_on: NaiveDate,
    pub days_overdue: i64,
}

/// Derived facts about one contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactInsights {
    pub last_activity_at: Option<i64>,
    pub next_activity_at: Option<i64>,
    /// Median hours between our outbound contact and their next inbound reply.
    pub median_response_hours: Option<f64>,
    pub replies_measured: usize,
}

fn doc_id(s: String) -> rusqlite::Result<DocumentId> {
    s.parse().map_err(|e: crate::CoreError| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Turns what a user typed into an FTS5 prefix query: each word quoted
/// (so punctuation cannot inject FTS syntax) and matched as a prefix.
fn fts_query(q: &str) -> Option<String> {
    let terms: Vec<String> = q
        .split_whitespace()
        .map(|t| t.replace('"', ""))
        .filter(|t| !t.is_empty())
        .map(|t| format!("\"{t}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

const OPEN_STAGE_SQL: &str = "COALESCE(s.meaning, 'open')";

/// Who an account belongs to, for deciding who may sync it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountOwnership {
    pub doc_id: DocumentId,
    pub owner: Option<String>,
    pub territory: Option<String>,
}

impl Store {
    /// Owner and territory of every account (archived ones included).
    pub fn account_ownership(&self) -> Result<Vec<AccountOwnership>> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT doc_id, owner, territory FROM idx_accounts ORDER BY doc_id")?;
        let rows = st.query_map([], |r| {
            Ok(AccountOwnership {
                doc_id: doc_id(r.get(0)?)?,
                owner: r.get(1)?,
                territory: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Accounts, filtered and sorted.
    pub fn list_accounts(&self, f: &AccountFilter) -> Result<Vec<AccountSummary>> {
        let mut sql = String::from(
            "SELECT a.doc_id, a.name, a.account_type, a.owner, a.territory, a.lifecycle, a.tier,
                    a.archived, a.updated_at, a.balance_minor, a.overdue_minor, a.currency
             FROM idx_accounts a WHERE 1=1",
        );
        let mut args: Vec<String> = Vec::new();
        let mut add = |clause: &str, v: &Option<String>, sql: &mut String| {
            if let Some(v) = v {
                args.push(v.clone());
                sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
            }
        };
        add(" AND a.owner = ?", &f.owner, &mut sql);
        add(" AND a.lifecycle = ?", &f.lifecycle_stage, &mut sql);
        add(" AND a.territory = ?", &f.territory, &mut sql);
        add(
            " AND EXISTS (SELECT 1 FROM idx_tags t WHERE t.doc_id = a.doc_id AND t.kind = 'account' AND t.tag = ?)",
            &f.tag,
            &mut sql,
        );
        add(
            " AND a.name LIKE '%' || ? || '%' COLLATE NOCASE",
            &f.name_contains.as_ref().map(|s| s.replace(['%', '_'], "")),
            &mut sql,
        );
        if !f.include_archived {
            sql.push_str(" AND a.archived = 0");
        }
        sql.push_str(match f.sort {
            AccountSort::Name => " ORDER BY a.name COLLATE NOCASE, a.doc_id",
            AccountSort::RecentlyUpdated => " ORDER BY a.updated_at DESC, a.doc_id",
            AccountSort::RecentlyCreated => " ORDER BY a.created_at DESC, a.doc_id",
        });
        sql.push_str(&format!(
            " LIMIT {} OFFSET {}",
            f.limit.map_or(-1, i64::from),
            f.offset
        ));
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args.iter()), |r| {
            Ok(AccountSummary {
                doc_id: doc_id(r.get(0)?)?,
                name: r.get(1)?,
                account_type: r.get(2)?,
                owner: r.get(3)?,
                territory: r.get(4)?,
                lifecycle_stage: r.get(5)?,
                value_tier: r.get(6)?,
                archived: r.get::<_, i64>(7)? != 0,
                updated_at: r.get(8)?,
                balance_minor: r.get(9)?,
                overdue_minor: r.get(10)?,
                currency: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Contacts whose name, e-mail or company match every word of `query`
    /// as a prefix, best match first. Archived contacts are not searched.
    pub fn search_contacts(&self, query: &str, limit: u32) -> Result<Vec<ContactHit>> {
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let mut st = self.conn().prepare_cached(
            // rank and cut inside FTS5 first, then join only the rows kept
            "SELECT c.doc_id, c.id, c.full_name, c.title, c.email, c.phone, f.company
             FROM (SELECT rowid, company, rank FROM idx_contacts_fts
                   WHERE idx_contacts_fts MATCH ?1 ORDER BY rank LIMIT ?2) f
             JOIN idx_contacts c ON c.rowid = f.rowid
             ORDER BY f.rank, c.full_name",
        )?;
        let rows = st.query_map(params![q, limit], |r| {
            Ok(ContactHit {
                doc_id: doc_id(r.get(0)?)?,
                contact_id: r.get(1)?,
                full_name: r.get(2)?,
                title: r.get(3)?,
                email: r.get(4)?,
                phone: r.get(5)?,
                account_name: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Who has this phone number (the caller "screen pop"). The number is
    /// normalised the same way stored numbers are.
    pub fn lookup_phone(&self, raw: &str) -> Result<Vec<PhoneMatch>> {
        let Some(e164) = phone::normalize(raw, &self.options().phone_region) else {
            return Ok(Vec::new());
        };
        let mut st = self.conn().prepare_cached(
            "SELECT p.doc_id, a.name, p.contact_id, c.full_name, p.label, p.e164
             FROM idx_phones p
             JOIN idx_accounts a ON a.doc_id = p.doc_id
             LEFT JOIN idx_contacts c ON c.doc_id = p.doc_id AND c.id = p.contact_id
             WHERE p.e164 = ?1 AND a.archived = 0
             ORDER BY p.contact_id IS NULL, a.name",
        )?;
        let rows = st.query_map([e164], |r| {
            Ok(PhoneMatch {
                doc_id: doc_id(r.get(0)?)?,
                account_name: r.get(1)?,
                contact_id: r.get(2)?,
                contact_name: r.get(3)?,
                label: r.get(4)?,
                e164: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

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

    fn resolve_pipeline(&self, wanted: &Option<String>) -> Result<Option<String>> {
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
                    meaning: r.get(2)?,
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
                        meaning,
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
                kind: r.get(3)?,
                status: r.get(4)?,
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
                   AND (?4 IS NULL OR owner = ?4)",
                params![kind, start, end, owner],
                |r| r.get(0),
            )
        };
        let visits_today = count_kind("visit")?;
        let calls_today = count_kind("call")?;
        let overdue_tasks = conn.query_row(
            "SELECT COUNT(*) FROM idx_activities WHERE archived = 0 AND kind = 'task' AND status = 'planned'
               AND due_at < ?1 AND (?2 IS NULL OR owner = ?2)",
            params![start, owner],
            |r| r.get(0),
        )?;
        let new_contacts_this_week = conn.query_row(
            "SELECT COUNT(*) FROM idx_contacts WHERE archived = 0 AND created_at >= ?1 AND created_at < ?2
               AND (?3 IS NULL OR owner = ?3)",
            params![week_start, end, owner],
            |r| r.get(0),
        )?;
        let (open_deals, open_pipeline_minor, weighted): (i64, i64, f64) = conn.query_row(
            &format!(
                "SELECT COUNT(*), COALESCE(SUM(d.amount_minor), 0),
                        COALESCE(SUM(d.amount_minor * COALESCE(d.probability, s.probability, 0) / 100.0), 0)
                 FROM idx_deals d
                 LEFT JOIN idx_stages s ON s.pipeline_id = d.pipeline_id AND s.stage_id = d.stage_id
                 WHERE d.archived = 0 AND {OPEN_STAGE_SQL} = 'open' AND d.currency IS ?1
                   AND (?2 IS NULL OR d.owner = ?2)"
            ),
            params![currency, owner],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let (won_this_month, won_this_month_minor): (i64, i64) = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(d.amount_minor), 0)
             FROM idx_deals d
             JOIN idx_stages s ON s.pipeline_id = d.pipeline_id AND s.stage_id = d.stage_id
             WHERE d.archived = 0 AND s.meaning = 'won' AND d.currency IS ?1
               AND d.stage_changed_at >= ?2 AND d.stage_changed_at < ?3
               AND (?4 IS NULL OR d.owner = ?4)",
            params![currency, month_start, end, owner],
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

    /// Birthdays, family dates, anniversaries and purchase anniversaries in
    /// the next `days` days (today included), soonest first.
    pub fn upcoming_dates(&self, day: Day, days: u32) -> Result<Vec<UpcomingDate>> {
        let today = day.date;
        let horizon = today + Duration::days(i64::from(days));
        let mut out = Vec::new();
        let mut st = self.conn().prepare_cached(
            "SELECT d.doc_id, a.name, d.contact_id, c.full_name, d.kind, d.label, d.month, d.day, d.year
             FROM idx_dates d
             JOIN idx_accounts a ON a.doc_id = d.doc_id
             JOIN idx_contacts c ON c.doc_id = d.doc_id AND c.id = d.contact_id
             WHERE a.archived = 0 AND c.archived = 0",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, u32>(6)?,
                r.get::<_, u32>(7)?,
                r.get::<_, Option<i32>>(8)?,
            ))
        })?;
        for row in rows {
            let (doc, account, contact, name, kind, label, m, d, y) = row?;
            if let Some(next) = next_occurrence(today, m, d)
                && next <= horizon
            {
                out.push(UpcomingDate {
                    doc_id: doc.parse()?,
                    account_name: account,
                    contact_id: Some(contact),
                    contact_name: Some(name),
                    kind,
                    label,
                    date: next,
                    days_away: (next - today).num_days(),
                    years: y.map(|y| next.year() - y),
                });
            }
        }
        // "thank you" one year (or more) after a purchase
        let mut st = self.conn().prepare_cached(
            "SELECT o.doc_id, a.name, o.ordered_at FROM idx_orders o
             JOIN idx_accounts a ON a.doc_id = o.doc_id
             WHERE o.archived = 0 AND a.archived = 0 AND o.ordered_at < ?1",
        )?;
        let rows = st.query_map([day.start_ms()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (doc, account, at) = row?;
            let ordered = day.date_of(at);
            if let Some(next) = next_occurrence(today, ordered.month(), ordered.day()) {
                let years = next.year() - ordered.year();
                if next <= horizon && years >= 1 {
                    out.push(UpcomingDate {
                        doc_id: doc.parse()?,
                        account_name: account,
                        contact_id: None,
                        contact_name: None,
                        kind: "purchase_anniversary".into(),
                        label: None,
                        date: next,
                        days_away: (next - today).num_days(),
                        years: Some(years),
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            a.date
                .cmp(&b.date)
                .then(a.account_name.cmp(&b.account_name))
        });
        Ok(out)
    }

    /// Customers whose purchase rhythm says they should have ordered by
    /// `day`: at least two orders, and more time since the last one than
    /// their average interval. Most overdue first.
    pub fn reorder_due(&self, day: Day) -> Result<Vec<ReorderDue>> {
        let mut st = self.conn().prepare_cached(
            "SELECT o.doc_id, a.name, COUNT(*), MIN(o.ordered_at), MAX(o.ordered_at)
             FROM idx_orders o JOIN idx_accounts a ON a.doc_id = o.doc_id
             WHERE o.archived = 0 AND a.archived = 0
             GROUP BY o.doc_id HAVING COUNT(*) >= 2",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (doc, name, n, first, last) = row?;
            let avg_ms = (last - first) as f64 / (n - 1) as f64;
            if avg_ms <= 0.0 {
                continue;
            }
            let due_ms = last + avg_ms.round() as i64;
            let due_on = day.date_of(due_ms);
            if due_on <= day.date {
                out.push(ReorderDue {
                    doc_id: doc.parse()?,
                    account_name: name,
                    orders: n,
                    last_order_at: last,
                    average_interval_days: avg_ms / 86_400_000.0,
                    due_on,
                    days_overdue: (day.date - due_on).num_days(),
                });
            }
        }
        out.sort_by(|a, b| {
            b.days_overdue
                .cmp(&a.days_overdue)
                .then(a.account_name.cmp(&b.account_name))
        });
        Ok(out)
    }

    /// Last and next activity with a contact, and how fast they answer:
    /// the median time from an outbound call/e-mail/SMS to the next inbound one.
    pub fn contact_insights(
        &self,
        doc: DocumentId,
        contact_id: &str,
        now: i64,
    ) -> Result<ContactInsights> {
        let mut st = self.conn().prepare_cached(
            "SELECT x.kind, x.status, x.direction, COALESCE(x.start_at, x.completed_at, x.due_at, x.created_at)
             FROM idx_activities x
             JOIN idx_activity_contacts ac ON ac.doc_id = x.doc_id AND ac.activity_id = x.id
             WHERE x.doc_id = ?1 AND ac.contact_id = ?2 AND x.archived = 0 AND x.status != 'cancelled'
             ORDER BY 4",
        )?;
        let rows: Vec<(String, String, Option<String>, i64)> = st
            .query_map(params![doc.to_string(), contact_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let last = rows
            .iter()
            .filter(|r| r.1 == "done" && r.3 <= now)
            .map(|r| r.3)
            .max();
        let next = rows
            .iter()
            .filter(|r| r.1 == "planned" && r.3 >= now)
            .map(|r| r.3)
            .min();
        let mut delays = Vec::new();
        let mut waiting_since: Option<i64> = None;
        for (kind, status, dir, at) in &rows {
            if status != "done" || !matches!(kind.as_str(), "call" | "email" | "sms") {
                continue;
            }
            match dir.as_deref() {
                Some("outbound") => {
                    waiting_since.get_or_insert(*at);
                }
                Some("inbound") => {
                    if let Some(since) = waiting_since.take() {
                        delays.push((at - since) as f64 / 3_600_000.0);
                    }
                }
                _ => {}
            }
        }
        delays.sort_by(f64::total_cmp);
        let median = match delays.len() {
            0 => None,
            n if n % 2 == 1 => Some(delays[n / 2]),
            n => Some((delays[n / 2 - 1] + delays[n / 2]) / 2.0),
        };
        Ok(ContactInsights {
            last_activity_at: last,
            next_activity_at: next,
            median_response_hours: median,
            replies_measured: delays.len(),
        })
    }
}

/// The next date on or after `from` that falls on month/day; 29 February
/// falls on 28 February in other years.
fn next_occurrence(from: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    for year in [from.year(), from.year() + 1] {
        let d = NaiveDate::from_ymd_opt(year, month, day).or_else(|| {
            (month == 2 && day == 29)
                .then(|| NaiveDate::from_ymd_opt(year, 2, 28))
                .flatten()
        })?;
        if d >= from {
            return Some(d);
        }
    }
    None
}

/// Parses `YYYY-MM-DD` or `--MM-DD` (exposed for apps that show dates).
pub fn parse_crm_date(raw: &str) -> Option<(Option<i32>, u32, u32)> {
    parse_date(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_queries_are_quoted_prefixes() {
        assert_eq!(fts_query("kar nord").as_deref(), Some("\"kar\"* \"nord\"*"));
        assert_eq!(fts_query("a\"b OR"), Some("\"ab\"* \"OR\"*".into()));
        assert_eq!(fts_query("   "), None);
    }

    #[test]
    fn leap_day_birthdays_fall_on_the_28th() {
        let d = NaiveDate::from_ymd_opt(2027, 2, 1).unwrap();
        assert_eq!(
            next_occurrence(d, 2, 29),
            NaiveDate::from_ymd_opt(2027, 2, 28)
        );
        let d = NaiveDate::from_ymd_opt(2027, 12, 30).unwrap();
        assert_eq!(
            next_occurrence(d, 1, 2),
            NaiveDate::from_ymd_opt(2028, 1, 2)
        );
    }

    #[test]
    fn day_bounds_follow_the_offset() {
        let day = Day {
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            utc_offset_minutes: 60,
        };
        assert_eq!(day.end_ms() - day.start_ms(), 86_400_000);
        assert_eq!(day.start_ms(), 1_795_388_400_000);
        assert_eq!(day.date_of(day.start_ms()), day.date);
        assert_eq!(
            day.date_of(day.start_ms() - 1),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        );
    }
}
