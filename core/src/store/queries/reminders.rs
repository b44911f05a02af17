//! Reminders and derived facts: birthdays and anniversaries, reorder due,
//! contact insights.

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::params;

use super::*;
use crate::error::Result;
use crate::ids::DocumentId;

impl Store {
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
            let Some(kind) = stored_enum::<DateKind>(&kind) else {
                continue;
            };
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
                        kind: DateKind::PurchaseAnniversary,
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
            replies_measured: delays.len() as i64,
        })
    }
}

/// The next date on or after `from` that falls on month/day; 29 February
/// falls on 28 February in other years.
pub(super) fn next_occurrence(from: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
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
