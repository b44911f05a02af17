//! Several writes as one: `WriteBatch` collects creates, updates and the
//! like (in the order they are added), `OutpostStore::apply_batch` runs them
//! in one transaction; if any fails, none is kept (core's
//! `Store::atomically`). Ids are given when an operation is added, so a
//! later one can refer to an earlier one: a visit and the follow-up task
//! that names it, an account and its first contact.

use std::sync::{Arc, Mutex};

use crate::ids::{DocumentId, new_record_id};
use crate::model::{
    Account, Activity, Case, Contact, CustomField, Deal, Order, Pipeline, Product, Record,
    RecordKind,
};
use crate::store::Store;

use super::OutpostError;
use super::observers::touched;
use super::store::{OutpostStore, lock};
use crate::model::RecordRef;

type Write = Box<dyn FnOnce(&mut Store) -> crate::Result<()> + Send>;

/// Writes to apply together (`OutpostStore.apply_batch`): all of them, or
/// none. Build one, add operations, apply it once.
#[derive(uniffi::Object, Default)]
pub struct WriteBatch {
    writes: Mutex<Vec<(DocumentId, RecordRef, Write)>>,
}

impl std::fmt::Debug for WriteBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteBatch")
            .field("writes", &lock(&self.writes).len())
            .finish()
    }
}

impl WriteBatch {
    fn push(&self, doc: DocumentId, touched: RecordRef, w: Write) {
        lock(&self.writes).push((doc, touched, w));
    }

    fn create<R: Record + Send + 'static>(&self, doc: DocumentId, mut record: R) -> String {
        if record.meta().id.is_empty() {
            record.meta_mut().id = new_record_id();
        }
        let id = record.meta().id.clone();
        self.push(
            doc,
            touched(R::KIND, id.clone()),
            Box::new(move |s| s.create(doc, record).map(|_| ())),
        );
        id
    }

    fn update<R: Record + Send + 'static>(&self, doc: DocumentId, record: R) {
        let records = touched(R::KIND, record.meta().id.clone());
        self.push(doc, records, Box::new(move |s| s.update(doc, record)));
    }
}

#[uniffi::export]
impl WriteBatch {
    /// An empty batch.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// How many writes are waiting.
    pub fn len(&self) -> i32 {
        i32::try_from(lock(&self.writes).len()).unwrap_or(i32::MAX)
    }

    /// Whether no write is waiting.
    pub fn is_empty(&self) -> bool {
        lock(&self.writes).is_empty()
    }

    /// A new account document; returns its document id (usable by the
    /// writes added after this one).
    pub fn create_account(&self, account: Account) -> DocumentId {
        let doc = DocumentId::random();
        self.push(
            doc,
            touched(RecordKind::Account, ""),
            Box::new(move |s| s.create_account_with_id(doc, account).map(|_| ())),
        );
        doc
    }

    /// Saves a changed account.
    pub fn update_account(&self, doc: DocumentId, account: Account) {
        let records = touched(RecordKind::Account, "");
        self.push(doc, records, Box::new(move |s| s.update(doc, account)));
    }

    /// Archives a record.
    pub fn archive(&self, doc: DocumentId, kind: RecordKind, id: String) {
        let records = touched(kind, id.clone());
        self.push(doc, records, Box::new(move |s| s.archive(doc, kind, &id)));
    }

    /// Restores an archived record.
    pub fn restore(&self, doc: DocumentId, kind: RecordKind, id: String) {
        let records = touched(kind, id.clone());
        self.push(doc, records, Box::new(move |s| s.restore(doc, kind, &id)));
    }

    /// Moves a deal to another stage of its pipeline.
    pub fn move_deal_stage(&self, doc: DocumentId, deal_id: String, stage_id: String) {
        let records = touched(RecordKind::Deal, deal_id.clone());
        self.push(
            doc,
            records,
            Box::new(move |s| s.move_deal_stage(doc, &deal_id, &stage_id)),
        );
    }

    /// Adds a contact to `doc`; returns its id (a fresh one when empty).
    pub fn create_contact(&self, doc: DocumentId, record: Contact) -> String {
        self.create(doc, record)
    }

    /// Saves a changed contact.
    pub fn update_contact(&self, doc: DocumentId, record: Contact) {
        self.update(doc, record);
    }

    /// Adds a deal to `doc`; returns its id (a fresh one when empty).
    pub fn create_deal(&self, doc: DocumentId, record: Deal) -> String {
        self.create(doc, record)
    }

    /// Saves a changed deal.
    pub fn update_deal(&self, doc: DocumentId, record: Deal) {
        self.update(doc, record);
    }

    /// Adds an activity to `doc`; returns its id (a fresh one when empty).
    pub fn create_activity(&self, doc: DocumentId, record: Activity) -> String {
        self.create(doc, record)
    }

    /// Saves a changed activity.
    pub fn update_activity(&self, doc: DocumentId, record: Activity) {
        self.update(doc, record);
    }

    /// Adds an order to `doc`; returns its id (a fresh one when empty).
    pub fn create_order(&self, doc: DocumentId, record: Order) -> String {
        self.create(doc, record)
    }

    /// Saves a changed order.
    pub fn update_order(&self, doc: DocumentId, record: Order) {
        self.update(doc, record);
    }

    /// Adds a case to `doc`; returns its id (a fresh one when empty).
    pub fn create_case(&self, doc: DocumentId, record: Case) -> String {
        self.create(doc, record)
    }

    /// Saves a changed case.
    pub fn update_case(&self, doc: DocumentId, record: Case) {
        self.update(doc, record);
    }

    /// Adds a pipeline to `doc`; returns its id (a fresh one when empty).
    pub fn create_pipeline(&self, doc: DocumentId, record: Pipeline) -> String {
        self.create(doc, record)
    }

    /// Saves a changed pipeline.
    pub fn update_pipeline(&self, doc: DocumentId, record: Pipeline) {
        self.update(doc, record);
    }

    /// Adds a custom field to `doc`; returns its id (a fresh one when empty).
    pub fn create_custom_field(&self, doc: DocumentId, record: CustomField) -> String {
        self.create(doc, record)
    }

    /// Saves a changed custom field.
    pub fn update_custom_field(&self, doc: DocumentId, record: CustomField) {
        self.update(doc, record);
    }

    /// Adds a product to `doc`; returns its id (a fresh one when empty).
    pub fn create_product(&self, doc: DocumentId, record: Product) -> String {
        self.create(doc, record)
    }

    /// Saves a changed product.
    pub fn update_product(&self, doc: DocumentId, record: Product) {
        self.update(doc, record);
    }
}

#[uniffi::export]
impl OutpostStore {
    /// Runs every write of `batch`, in order, in one transaction: all of
    /// them are kept, or (when one fails) none, and the error of the failing
    /// one is returned. The batch is emptied either way. The data observers
    /// hear of each document once, after the commit.
    pub async fn apply_batch(&self, batch: Arc<WriteBatch>) -> Result<(), OutpostError> {
        let writes = std::mem::take(&mut *lock(&batch.writes));
        let mut touched: Vec<(DocumentId, Vec<RecordRef>)> = Vec::new();
        let mut run = Vec::with_capacity(writes.len());
        for (doc, record, write) in writes {
            match touched.iter_mut().find(|(d, _)| *d == doc) {
                Some((_, records)) => records.push(record),
                None => touched.push((doc, vec![record])),
            }
            run.push(write);
        }
        self.with(move |s| {
            s.atomically(|s| {
                for write in run {
                    write(s)?;
                }
                Ok(())
            })
        })
        .await?;
        for (doc, records) in touched {
            self.changed(doc, records).await;
        }
        Ok(())
    }
}
