//! The rep's questions, conflicts, history and refused drafts: one core call each.

use crate::model::{DocKind, RecordKind};
use crate::store::Draft;
use crate::store::queries::{
    AccountFilter, AccountSummary, Agenda, ContactHit, ContactInsights, Dashboard, Day, PhoneMatch,
    PipelineFilter, PipelineView, ReorderDue, UpcomingDate,
};
use crate::{Conflict, DocumentId, FieldChange};
use chrono::Utc;

use super::OutpostError;
use super::store::OutpostStore;

type Res<T> = Result<T, OutpostError>;

/// Today in the device's time zone, given its current offset from UTC in minutes.
#[uniffi::export]
pub fn today(utc_offset_minutes: i32) -> Day {
    let now = Utc::now() + chrono::Duration::minutes(i64::from(utc_offset_minutes));
    Day {
        date: now.date_naive(),
        utc_offset_minutes,
    }
}

#[uniffi::export]
impl OutpostStore {
    /// Every document on this device, with its kind.
    pub async fn documents(&self) -> Res<Vec<DocumentRef>> {
        let ids = self.with(|s| s.document_ids()).await?;
        Ok(ids
            .into_iter()
            .map(|(id, kind)| DocumentRef { id, kind })
            .collect())
    }

    /// Accounts, filtered, sorted and paged.
    pub async fn list_accounts(&self, filter: AccountFilter) -> Res<Vec<AccountSummary>> {
        self.with(move |s| s.list_accounts(&filter)).await
    }

    /// Contacts whose name, title, e-mail, phone or account matches `query` (prefix search).
    pub async fn search_contacts(&self, query: String, limit: u32) -> Res<Vec<ContactHit>> {
        self.with(move |s| s.search_contacts(&query, limit)).await
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
    pub async fn agenda(&self, day: Day, owner: Option<String>) -> Res<Agenda> {
        self.with(move |s| s.agenda(day, owner.as_deref())).await
    }

    /// Today's and this week's numbers.
    pub async fn dashboard(
        &self,
        day: Day,
        owner: Option<String>,
        currency: Option<String>,
    ) -> Res<Dashboard> {
        self.with(move |s| s.dashboard(day, owner.as_deref(), currency.as_deref()))
            .await
    }

    /// Birthdays, anniversaries and important dates in the next `days` days.
    pub async fn upcoming_dates(&self, day: Day, days: u32) -> Res<Vec<UpcomingDate>> {
        self.with(move |s| s.upcoming_dates(day, days)).await
    }

    /// Accounts whose usual reorder interval has passed.
    pub async fn reorder_due(&self, day: Day) -> Res<Vec<ReorderDue>> {
        self.with(move |s| s.reorder_due(day)).await
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
        self.edit(doc, move |s| {
            s.resolve_conflict(doc, kind, &record_id, &field, &value_id)
        })
        .await
    }

    /// Who changed which field of a record when, with the previous value.
    pub async fn history(
        &self,
        doc: DocumentId,
        kind: RecordKind,
        id: String,
    ) -> Res<Vec<FieldChange>> {
        self.with(move |s| s.history(doc, kind, &id)).await
    }

    /// Edits the server refused, kept for the user (all documents, or one).
    pub async fn drafts(&self, doc: Option<DocumentId>) -> Res<Vec<Draft>> {
        self.with(move |s| s.drafts(doc)).await
    }

    /// Redoes a refused draft's valid edits as new changes; returns how many were applied.
    pub async fn reapply_draft(&self, draft_id: i64) -> Res<u64> {
        self.with(move |s| s.reapply_draft(draft_id).map(|n| n as u64))
            .await
    }

    /// Drops a refused draft.
    pub async fn discard_draft(&self, draft_id: i64) -> Res<()> {
        self.with(move |s| s.discard_draft(draft_id)).await
    }
}

/// A document on this device.
#[derive(Debug, Clone, uniffi::Record)]
pub struct DocumentRef {
    pub id: DocumentId,
    pub kind: DocKind,
}
