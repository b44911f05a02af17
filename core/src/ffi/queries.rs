//! The rep's questions, conflicts, history and refused drafts: one core call
//! each. Lists take `limit` (`None`: all) and `offset` (paging); counts and
//! offsets are signed (Kotlin `Int`, Swift `Int32`) and a negative one is
//! `Invalid` naming the argument.

use chrono::Utc;

use crate::ids::DocumentId;
use crate::model::{DocKind, RecordKind};
use crate::store::queries::{
    Agenda, ContactHit, ContactInsights, Dashboard, Day, PhoneMatch, PipelineFilter, PipelineView,
    ReorderDue, UpcomingDate,
};
use crate::store::{Draft, DraftContents};
use crate::{Conflict, FieldChange};

use super::OutpostError;
use super::observers::touched;
use super::rows::{AccountFilter, AccountSummary, non_negative, page};
use super::store::OutpostStore;

type Res<T> = Result<T, OutpostError>;

/// Today in the device's time zone, given its current offset from UTC in
/// minutes (e.g. 60 for CET, -300 for EST; at most ±18 hours).
#[uniffi::export]
pub fn today(utc_offset_minutes: i32) -> Result<Day, OutpostError> {
    check_offset("utc_offset_minutes", utc_offset_minutes)?;
    let now = Utc::now() + chrono::Duration::minutes(i64::from(utc_offset_minutes));
    Ok(Day {
        date: now.date_naive(),
        utc_offset_minutes,
    })
}

fn check_offset(arg: &str, minutes: i32) -> Res<()> {
    if (-18 * 60..=18 * 60).contains(&minutes) {
        Ok(())
    } else {
        Err(OutpostError::invalid(
            arg,
            "must be between -1080 and 1080 minutes",
        ))
    }
}

pub(super) fn check_day(day: &Day) -> Res<()> {
    check_offset("day.utc_offset_minutes", day.utc_offset_minutes)
}

#[uniffi::export]
impl OutpostStore {
    /// Every document on this device, with its kind.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn documents(&self, limit: Option<i32>, offset: i32) -> Res<Vec<DocumentRef>> {
        let ids = self.with(|s| s.document_ids()).await?;
        let all = ids
            .into_iter()
            .map(|(id, kind)| DocumentRef { id, kind })
            .collect();
        page(all, limit, offset)
    }

    /// Accounts, filtered, sorted and paged (`filter.limit`, `filter.offset`).
    pub async fn list_accounts(&self, filter: AccountFilter) -> Res<Vec<AccountSummary>> {
        let filter = filter.try_into()?;
        let rows = self.with(move |s| s.list_accounts(&filter)).await?;
        Ok(rows.into_iter().map(AccountSummary::from).collect())
    }

    /// Contacts whose name, title, e-mail, phone or account matches `query`
    /// (prefix search), best first: `limit` hits from the `offset`-th on.
    #[uniffi::method(default(offset = 0))]
    pub async fn search_contacts(
        &self,
        query: String,
        limit: i32,
        offset: i32,
    ) -> Res<Vec<ContactHit>> {
        let limit = non_negative("limit", limit)?;
        let offset = non_negative("offset", offset)?;
        self.with(move |s| s.search_contacts_page(&query, limit, offset))
            .await
    }

    /// Who is calling: accounts and contacts with this phone number, in any format.
    pub async fn lookup_phone(&self, number: String) -> Res<Vec<PhoneMatch>> {
        self.with(move |s| s.lookup_phone(&number)).await
    }

    /// Open deals per stage with totals and weighted totals.
    pub async fn pipeline(&self, filter: PipelineFilter) -> Res<PipelineView> {
        self.with(move |s| s.pipeline(&filter)).await
    }

    /// Today's activities and overdue ones.
    #[uniffi::method(default(owner = None))]
    pub async fn agenda(&self, day: Day, owner: Option<String>) -> Res<Agenda> {
        check_day(&day)?;
        self.with(move |s| s.agenda(day, owner.as_deref())).await
    }

    /// Today's and this week's numbers.
    #[uniffi::method(default(owner = None, currency = None))]
    pub async fn dashboard(
        &self,
        day: Day,
        owner: Option<String>,
        currency: Option<String>,
    ) -> Res<Dashboard> {
        check_day(&day)?;
        self.with(move |s| s.dashboard(day, owner.as_deref(), currency.as_deref()))
            .await
    }

    /// Birthdays, anniversaries and important dates in the next `days` days.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn upcoming_dates(
        &self,
        day: Day,
        days: i32,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<UpcomingDate>> {
        check_day(&day)?;
        let days = non_negative("days", days)?;
        page(
            self.with(move |s| s.upcoming_dates(day, days)).await?,
            limit,
            offset,
        )
    }

    /// Accounts whose usual reorder interval has passed, most overdue first.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn reorder_due(
        &self,
        day: Day,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<ReorderDue>> {
        check_day(&day)?;
        page(self.with(move |s| s.reorder_due(day)).await?, limit, offset)
    }

    /// Last and next activity with a contact and how fast they usually reply.
    pub async fn contact_insights(
        &self,
        doc: DocumentId,
        contact_id: String,
        now_ms: i64,
    ) -> Res<ContactInsights> {
        self.with(move |s| s.contact_insights(doc, &contact_id, now_ms))
            .await
    }

    /// Fields of the document that devices set concurrently, with every value.
    pub async fn conflicts(&self, doc: DocumentId) -> Res<Vec<Conflict>> {
        self.with(move |s| s.conflicts(doc)).await
    }

    /// Settles a conflict by keeping the value named `value_id`.
    pub async fn resolve_conflict(
        &self,
        doc: DocumentId,
        kind: RecordKind,
        record_id: String,
        field: String,
        value_id: String,
    ) -> Res<()> {
        let records = vec![touched(kind, record_id.clone())];
        self.edit(doc, records, move |s| {
            s.resolve_conflict(doc, kind, &record_id, &field, &value_id)
        })
        .await
    }

    /// Who changed which field of a record when, with the previous value,
    /// oldest first. `field` keeps only that field (and, for a sub-item
    /// list such as `phones`, its items' fields: `phones.<id>.number`).
    #[uniffi::method(default(field = None, limit = None, offset = 0))]
    pub async fn history(
        &self,
        doc: DocumentId,
        kind: RecordKind,
        id: String,
        field: Option<String>,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<FieldChange>> {
        let all = self.with(move |s| s.history(doc, kind, &id)).await?;
        let kept = match field {
            None => all,
            Some(f) => {
                let prefix = format!("{f}.");
                all.into_iter()
                    .filter(|c| c.field == f || c.field.starts_with(&prefix))
                    .collect()
            }
        };
        page(kept, limit, offset)
    }

    /// Edits the server refused, kept for the user (all documents, or one).
    #[uniffi::method(default(doc = None))]
    pub async fn drafts(&self, doc: Option<DocumentId>) -> Res<Vec<Draft>> {
        self.with(move |s| s.drafts(doc)).await
    }

    /// Redoes a refused draft's valid edits as new changes; returns how many were applied.
    pub async fn reapply_draft(&self, draft_id: i64) -> Res<i64> {
        let (n, doc) = self
            .with(move |s| {
                let doc = s.draft_doc(draft_id)?;
                Ok((s.reapply_draft(draft_id)?, doc))
            })
            .await?;
        self.changed(doc, Vec::new()).await;
        Ok(i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// Drops a refused draft.
    pub async fn discard_draft(&self, draft_id: i64) -> Res<()> {
        self.with(move |s| s.discard_draft(draft_id)).await
    }

    /// The records a draft holds (after a revocation, the only copy of what
    /// was typed here that the server never got).
    pub async fn draft_contents(&self, draft_id: i64) -> Res<DraftContents> {
        self.with(move |s| s.draft_contents(draft_id)).await
    }

    /// A draft's account as JSON, for export (share it, mail it to the office).
    pub async fn draft_export(&self, draft_id: i64) -> Res<String> {
        self.with(move |s| s.draft_export(draft_id).map(|v| v.to_string()))
            .await
    }
}

/// A document on this device.
#[derive(Debug, Clone, uniffi::Record)]
pub struct DocumentRef {
    pub id: DocumentId,
    pub kind: DocKind,
}
