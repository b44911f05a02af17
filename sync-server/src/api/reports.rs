//! Reports: the pipeline by stage with weighted totals (over the caller's
//! scope), and the team dashboard (activities and visits per rep this week,
//! won this month and open pipeline from core's dashboard query, goals,
//! churn and retention).

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::State;
use chrono::{Datelike, Duration, NaiveDate};
use outpost_core::model::Account;
use outpost_core::store::queries::{AccountFilter, Day};
use serde_json::{Value, json};

use super::auth::{Caller, blocking};
use super::errors::{ApiError, ErrorBody};
use super::extract::Query;
use super::sales::report_day;
use super::schemas::{PipelineReport, TeamReport};
use super::settings::pipelines;
use crate::auth::Role;
use crate::state::Shared;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PipelineQuery {
    /// The pipeline (default: the org's default pipeline).
    pipeline: Option<String>,
    /// Only this owner's deals.
    owner: Option<String>,
    /// The currency counted (default: the org's); deals in others are counted in `other_currency_deals`.
    currency: Option<String>,
}

/// The pipeline by stage over the caller's scope.
#[utoipa::path(get, path = "/api/reports/pipeline", tag = "reports",
    params(PipelineQuery),
    responses((status = 200, body = PipelineReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn pipeline(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<PipelineQuery>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || {
        let scope = caller.scope_now(&app)?;
        let mut store = app.store();
        let (org, pipes) = pipelines(&mut store)?;
        let deals: Vec<_> = store
            .all_deals(false)?
            .into_iter()
            .filter(|d| scope.docs.contains_key(&d.doc_id))
            .filter(|d| q.owner.as_ref().is_none_or(|o| d.owner.as_deref() == Some(o.as_str())))
            .collect();
        let pipeline_id = q.pipeline.clone().filter(|p| !p.is_empty())
            .or_else(|| org.as_ref().and_then(|o| o.default_pipeline_id.clone()))
            .or_else(|| pipes.first().map(|p| p.meta.id.clone()))
            .or_else(|| deals.first().map(|d| d.pipeline_id.clone()));
        let currency = q.currency.clone().filter(|c| !c.is_empty())
            .or_else(|| org.as_ref().map(|o| o.default_currency.clone()).filter(|c| !c.is_empty()))
            .or_else(|| deals.first().map(|d| d.currency.clone()));
        let mut stages: Vec<Value> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        if let Some(p) = pipes.iter().find(|p| Some(&p.meta.id) == pipeline_id.as_ref()) {
            for s in p.sorted_stages() {
                index.insert(s.id.clone(), stages.len());
                stages.push(json!({"stage_id": s.id, "name": s.name, "meaning": s.meaning, "position": s.position,
                                   "count": 0, "total_minor": 0, "weighted_minor": 0, "share": 0.0}));
            }
        }
        let mut other_currency = 0;
        let in_pipeline: Vec<_> = deals.iter().filter(|d| Some(&d.pipeline_id) == pipeline_id.as_ref()).collect();
        for d in &in_pipeline {
            if Some(&d.currency) != currency.as_ref() {
                other_currency += 1;
                continue;
            }
            let i = *index.entry(d.stage_id.clone()).or_insert_with(|| {
                stages.push(json!({"stage_id": d.stage_id, "name": d.stage_id, "meaning": d.stage_meaning, "position": i64::MAX,
                                   "count": 0, "total_minor": 0, "weighted_minor": 0, "share": 0.0}));
                stages.len() - 1
            });
            let s = &mut stages[i];
            s["count"] = json!(s["count"].as_i64().unwrap_or(0) + 1);
            s["total_minor"] = json!(s["total_minor"].as_i64().unwrap_or(0) + d.amount_minor);
            s["weighted_minor"] = json!(s["weighted_minor"].as_i64().unwrap_or(0) + d.weighted_minor);
        }
        let all: i64 = stages.iter().map(|s| s["count"].as_i64().unwrap_or(0)).sum();
        for s in &mut stages {
            let c = s["count"].as_i64().unwrap_or(0);
            s["share"] = json!(if all == 0 { 0.0 } else { c as f64 / all as f64 });
        }
        let sum = |k: &str| stages.iter().map(|s| s[k].as_i64().unwrap_or(0)).sum::<i64>();
        Ok(json!({
            "pipeline_id": pipeline_id,
            "currency": currency,
            "total_minor": sum("total_minor"),
            "weighted_minor": sum("weighted_minor"),
            "other_currency_deals": other_currency,
            "stages": stages,
        }))
    })
    .await?;
    Ok(Json(v))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    /// YYYY-MM-DD, any day of the week (default: this week).
    week: Option<String>,
    /// Minutes east of UTC, -840 to 840.
    #[param(minimum = -840, maximum = 840)]
    tz_offset_minutes: Option<i32>,
}

/// The team dashboard for the week containing `week` (default: this week).
#[utoipa::path(get, path = "/api/reports/team", tag = "reports",
    params(TeamQuery),
    responses((status = 200, body = TeamReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn team(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<TeamQuery>,
) -> Result<Json<Value>, ApiError> {
    let day = report_day("week", q.week.as_deref(), q.tz_offset_minutes)?;
    let (date, offset) = (day.date, day.utc_offset_minutes);
    let v = blocking(move || {
        let week_start = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
        let month_start = date.with_day(1).unwrap_or(date);
        let next_month = if month_start.month() == 12 {
            NaiveDate::from_ymd_opt(month_start.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(month_start.year(), month_start.month() + 1, 1)
        }
        .unwrap_or(month_start);
        let (from, to) = (
            Day { date: week_start, utc_offset_minutes: offset }.start_ms(),
            Day { date: week_start + Duration::days(7), utc_offset_minutes: offset }.start_ms(),
        );
        let (month_from, month_to) = (
            Day { date: month_start, utc_offset_minutes: offset }.start_ms(),
            Day { date: next_month, utc_offset_minutes: offset }.start_ms(),
        );
        let scope = caller.scope_now(&app)?;
        let (reps, goals) = {
            let auth = app.auth();
            let reps: Vec<String> = match (caller.role(), &caller.user.team) {
                (Role::Admin, _) => auth
                    .users()?
                    .into_iter()
                    .filter(|u| matches!(u.role, Role::Rep | Role::Manager))
                    .map(|u| u.id)
                    .collect(),
                (Role::Manager, Some(team)) => {
                    let mut m: Vec<String> = auth.team_members(team)?.into_iter().map(|u| u.id).collect();
                    if !m.contains(&caller.user.id) {
                        m.push(caller.user.id.clone());
                    }
                    m
                }
                _ => vec![caller.user.id.clone()],
            };
            let mut goals = HashMap::new();
            for r in &reps {
                if let Some(g) = auth.goals(r)? {
                    goals.insert(r.clone(), g);
                }
            }
            (reps, goals)
        };
        let mut store = app.store();
        let mut counts: BTreeMap<&str, (i64, i64, i64)> = reps.iter().map(|r| (r.as_str(), (0, 0, 0))).collect();
        // every figure over the caller's scope only: an activity or deal a
        // rep owns inside an account they cannot open does not count
        let within: std::collections::BTreeSet<_> = scope
            .docs
            .iter()
            .filter(|(_, a)| a.kind == outpost_core::model::DocKind::Account)
            .map(|(d, _)| *d)
            .collect();
        for a in store.all_activities(Some(from), Some(to), false)? {
            if a.status == "cancelled" || !within.contains(&a.doc_id) {
                continue;
            }
            if let Some(c) = a.owner.as_deref().and_then(|o| counts.get_mut(o)) {
                c.0 += 1;
                c.1 += i64::from(a.kind == "visit");
                c.2 += i64::from(a.kind == "call");
            }
        }
        let mut rows = Vec::new();
        let mut currency = None;
        let mut totals = (0i64, 0i64, 0i64, 0i64, 0i64);
        for r in &reps {
            let dash = store.dashboard_within(day, Some(r), None, Some(&within))?;
            currency = currency.or(dash.currency.clone());
            let (n, visits, calls) = counts.get(r.as_str()).copied().unwrap_or_default();
            totals.0 += n;
            totals.1 += visits;
            totals.2 += calls;
            totals.3 += dash.won_this_month;
            totals.4 += dash.won_this_month_minor;
            rows.push(json!({
                "user_id": r, "activities": n, "visits": visits, "calls": calls,
                "won_this_month": dash.won_this_month, "won_this_month_minor": dash.won_this_month_minor,
                "open_pipeline_minor": dash.open_pipeline_minor, "weighted_pipeline_minor": dash.weighted_pipeline_minor,
                "goals": goals.get(r),
            }));
        }
        // churn and retention over the accounts in scope
        let accounts: Vec<_> = store
            .list_accounts(&AccountFilter::default())?
            .into_iter()
            .filter(|a| scope.docs.contains_key(&a.doc_id))
            .collect();
        let customer = |s: &Option<String>| matches!(s.as_deref(), Some("retention" | "expansion" | "churned"));
        let customers = accounts.iter().filter(|a| customer(&a.lifecycle_stage)).count();
        let churned: Vec<_> = accounts.iter().filter(|a| a.lifecycle_stage.as_deref() == Some("churned")).collect();
        let mut churned_this_month = 0;
        for a in &churned {
            let at = store.get::<Account>(a.doc_id, "")?.and_then(|r| r.record.churned_at);
            if at.is_some_and(|t| t >= month_from && t < month_to) {
                churned_this_month += 1;
            }
        }
        let retention = if customers == 0 { None } else { Some((customers - churned.len()) as f64 / customers as f64) };
        Ok(json!({
            "week_start": week_start.to_string(),
            "month_start": month_start.to_string(),
            "currency": currency,
            "reps": rows,
            "totals": {"activities": totals.0, "visits": totals.1, "calls": totals.2,
                       "won_this_month": totals.3, "won_this_month_minor": totals.4},
            "accounts": {"customers": customers, "churned": churned.len(),
                         "churned_this_month": churned_this_month, "retention_rate": retention},
        }))
    })
    .await?;
    Ok(Json(v))
}
