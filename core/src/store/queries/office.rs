//! Cross-account rows for the office (the server's REST API): every contact,
//! deal, activity, order and case with its account's name, straight from the
//! index. The caller filters by permission scope and pages.

use rusqlite::params;

use super::*;
use crate::error::Result;

/// A contact with its account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactRow {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub id: String,
    pub full_name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub owner: Option<String>,
    pub archived: bool,
    pub created_at: i64,
}

/// A deal with its account, its effective probability and weighted amount.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DealRow {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub id: String,
    pub name: String,
    pub pipeline_id: String,
    pub stage_id: String,
    /// open, won or lost (open when the stage is unknown).
    pub stage_meaning: String,
    pub amount_minor: i64,
    pub currency: String,
    /// The deal's probability, else its stage's default (0-100).
    pub probability: i64,
    pub weighted_minor: i64,
    pub expected_close: Option<String>,
    pub owner: Option<String>,
    pub archived: bool,
    pub created_at: i64,
    pub stage_changed_at: i64,
}

/// An activity with its account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityRow {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub id: String,
    pub kind: String,
    pub status: String,
    pub subject: String,
    /// Start, else due, else completed time.
    pub at: Option<i64>,
    pub due_at: Option<i64>,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub owner: Option<String>,
    pub deal_id: Option<String>,
    pub archived: bool,
}

/// An order with its account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderRow {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub id: String,
    pub ordered_at: i64,
    pub total_minor: i64,
    pub outstanding_minor: i64,
    pub currency: String,
    pub archived: bool,
}

/// A case with its account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRow {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub id: String,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub archived: bool,
}

impl Store {
    /// Every contact of every account not archived (archived contacts too
    /// with `include_archived`), by name.
    pub fn all_contacts(&self, include_archived: bool) -> Result<Vec<ContactRow>> {
        let mut st = self.conn().prepare_cached(
            "SELECT c.doc_id, a.name, c.id, c.full_name, c.title, c.email, c.phone, c.owner,
                    c.archived, c.created_at
             FROM idx_contacts c JOIN idx_accounts a ON a.doc_id = c.doc_id
             WHERE a.archived = 0 AND (?1 OR c.archived = 0)
             ORDER BY c.full_name COLLATE NOCASE, c.doc_id, c.id",
        )?;
        let rows = st.query_map([include_archived], |r| {
            Ok(ContactRow {
                doc_id: doc_id(r.get(0)?)?,
                account_name: r.get(1)?,
                id: r.get(2)?,
                full_name: r.get(3)?,
                title: r.get(4)?,
                email: r.get(5)?,
                phone: r.get(6)?,
                owner: r.get(7)?,
                archived: r.get::<_, i64>(8)? != 0,
                created_at: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every deal of every account not archived, by account and name.
    pub fn all_deals(&self, include_archived: bool) -> Result<Vec<DealRow>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT d.doc_id, a.name, d.id, d.name, d.pipeline_id, d.stage_id, {OPEN_STAGE_SQL},
                    d.amount_minor, d.currency, COALESCE(d.probability, s.probability, 0),
                    d.expected_close, d.owner, d.archived, d.created_at, d.stage_changed_at
             FROM idx_deals d JOIN idx_accounts a ON a.doc_id = d.doc_id
             LEFT JOIN idx_stages s ON s.pipeline_id = d.pipeline_id AND s.stage_id = d.stage_id
             WHERE a.archived = 0 AND (?1 OR d.archived = 0)
             ORDER BY a.name COLLATE NOCASE, d.name COLLATE NOCASE, d.id"
        ))?;
        let rows = st.query_map([include_archived], |r| {
            let amount: i64 = r.get(7)?;
            let probability: i64 = r.get(9)?;
            Ok(DealRow {
                doc_id: doc_id(r.get(0)?)?,
                account_name: r.get(1)?,
                id: r.get(2)?,
                name: r.get(3)?,
                pipeline_id: r.get(4)?,
                stage_id: r.get(5)?,
                stage_meaning: r.get(6)?,
                amount_minor: amount,
                currency: r.get(8)?,
                probability,
                weighted_minor: ((amount as f64) * (probability as f64) / 100.0).round() as i64,
                expected_close: r.get(10)?,
                owner: r.get(11)?,
                archived: r.get::<_, i64>(12)? != 0,
                created_at: r.get(13)?,
                stage_changed_at: r.get(14)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Activities whose time (start, else due, else completed) falls in
    /// `[from, to)` (either bound optional), newest first.
    pub fn all_activities(
        &self,
        from: Option<i64>,
        to: Option<i64>,
        include_archived: bool,
    ) -> Result<Vec<ActivityRow>> {
        let mut st = self.conn().prepare_cached(
            "SELECT x.doc_id, a.name, x.id, x.kind, x.status, x.subject,
                    COALESCE(x.start_at, x.due_at, x.completed_at), x.due_at, x.start_at, x.end_at,
                    x.completed_at, x.owner, x.deal_id, x.archived
             FROM idx_activities x JOIN idx_accounts a ON a.doc_id = x.doc_id
             WHERE a.archived = 0 AND (?3 OR x.archived = 0)
               AND (?1 IS NULL OR COALESCE(x.start_at, x.due_at, x.completed_at) >= ?1)
               AND (?2 IS NULL OR COALESCE(x.start_at, x.due_at, x.completed_at) < ?2)
             ORDER BY COALESCE(x.start_at, x.due_at, x.completed_at, x.created_at) DESC, x.id",
        )?;
        let rows = st.query_map(params![from, to, include_archived], |r| {
            Ok(ActivityRow {
                doc_id: doc_id(r.get(0)?)?,
                account_name: r.get(1)?,
                id: r.get(2)?,
                kind: r.get(3)?,
                status: r.get(4)?,
                subject: r.get(5)?,
                at: r.get(6)?,
                due_at: r.get(7)?,
                start_at: r.get(8)?,
                end_at: r.get(9)?,
                completed_at: r.get(10)?,
                owner: r.get(11)?,
                deal_id: r.get(12)?,
                archived: r.get::<_, i64>(13)? != 0,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every order, newest first.
    pub fn all_orders(&self, include_archived: bool) -> Result<Vec<OrderRow>> {
        let mut st = self.conn().prepare_cached(
            "SELECT o.doc_id, a.name, o.id, o.ordered_at, o.total_minor, o.outstanding_minor,
                    o.currency, o.archived
             FROM idx_orders o JOIN idx_accounts a ON a.doc_id = o.doc_id
             WHERE a.archived = 0 AND (?1 OR o.archived = 0)
             ORDER BY o.ordered_at DESC, o.id",
        )?;
        let rows = st.query_map([include_archived], |r| {
            Ok(OrderRow {
                doc_id: doc_id(r.get(0)?)?,
                account_name: r.get(1)?,
                id: r.get(2)?,
                ordered_at: r.get(3)?,
                total_minor: r.get(4)?,
                outstanding_minor: r.get(5)?,
                currency: r.get(6)?,
                archived: r.get::<_, i64>(7)? != 0,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every case, newest first.
    pub fn all_cases(&self, include_archived: bool) -> Result<Vec<CaseRow>> {
        let mut st = self.conn().prepare_cached(
            "SELECT k.doc_id, a.name, k.id, k.kind, k.status, k.opened_at, k.closed_at, k.archived
             FROM idx_cases k JOIN idx_accounts a ON a.doc_id = k.doc_id
             WHERE a.archived = 0 AND (?1 OR k.archived = 0)
             ORDER BY k.opened_at DESC, k.id",
        )?;
        let rows = st.query_map([include_archived], |r| {
            Ok(CaseRow {
                doc_id: doc_id(r.get(0)?)?,
                account_name: r.get(1)?,
                id: r.get(2)?,
                kind: r.get(3)?,
                status: r.get(4)?,
                opened_at: r.get(5)?,
                closed_at: r.get(6)?,
                archived: r.get::<_, i64>(7)? != 0,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
