//! Quotes on the device: write, read, price and accept them offline.

use crate::ids::DocumentId;
use crate::model::{Quote, QuoteTotals, RecordKind};

use super::OutpostError;
use super::observers::touched;
use super::records::{get, list};
use super::rows::page;
use super::store::OutpostStore;

type Res<T> = Result<T, OutpostError>;

/// A quote's totals by core's one rounding rule (each line's net and tax
/// rounded once, half away from zero; the totals are their sums): what
/// the app shows, the same figures the office and the order get.
#[uniffi::export]
pub fn quote_totals(quote: Quote) -> QuoteTotals {
    quote.totals()
}

#[uniffi::export]
impl OutpostStore {
    /// Adds a quote to document `doc`; an empty id gets a fresh one, and so
    /// does every line without one. Returns the id.
    pub async fn create_quote(&self, doc: DocumentId, record: Quote) -> Res<String> {
        let id = self.with(move |s| s.create(doc, record)).await?;
        self.changed(doc, vec![touched(RecordKind::Quote, id.clone())])
            .await;
        Ok(id)
    }

    /// Saves a changed quote (only the changed fields are written).
    pub async fn update_quote(&self, doc: DocumentId, record: Quote) -> Res<()> {
        let records = vec![touched(RecordKind::Quote, record.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, record))
            .await
    }

    /// One quote by id.
    pub async fn get_quote(&self, doc: DocumentId, id: String) -> Res<Option<Quote>> {
        self.with(move |s| get::<Quote>(s, doc, &id)).await
    }

    /// The quotes of the document, archived ones included, in id order;
    /// `limit` from `offset` on.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn list_quotes(
        &self,
        doc: DocumentId,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<Quote>> {
        page(
            self.with(move |s| list::<Quote>(s, doc)).await?,
            limit,
            offset,
        )
    }

    /// Accepts a draft or sent quote still within its `valid_until`: it is
    /// marked accepted and its order (same lines, total with tax) is made in
    /// one change. Returns the order's id, the same on every device;
    /// accepting again returns it and changes nothing. A declined, expired
    /// or lapsed quote, or one without lines, is `Invalid`.
    pub async fn accept_quote(&self, doc: DocumentId, quote_id: String) -> Res<String> {
        let (q, order_id) = (quote_id.clone(), crate::order_id_for_quote(&quote_id));
        // the order is named before it exists: its id comes from the quote's
        let records = vec![
            touched(RecordKind::Quote, quote_id),
            touched(RecordKind::Order, order_id),
        ];
        self.edit(doc, records, move |s| s.accept_quote(doc, &q))
            .await
    }
}
