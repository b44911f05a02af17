//! Create, read, update, archive and restore every record kind. Each
//! method is one call into `crate::store::Store`; the data observers are
//! told which record an edit touched before the call returns.

use crate::ids::DocumentId;
use crate::model::{
    Account, Activity, Case, Contact, CustomField, Deal, Order, OrgSettings, Pipeline, Product,
    Record, RecordKind,
};
use crate::store::Store;

use super::OutpostError;
use super::observers::touched;
use super::rows::page;
use super::store::OutpostStore;

type Res<T> = Result<T, OutpostError>;

#[uniffi::export]
impl OutpostStore {
    /// Creates an account (a new account document); returns the document id.
    pub async fn create_account(&self, account: Account) -> Res<DocumentId> {
        let doc = self.with(move |s| s.create_account(account)).await?;
        self.changed(doc, vec![touched(RecordKind::Account, "")])
            .await;
        Ok(doc)
    }

    /// The account of an account document (`None` when there is no such
    /// document here).
    pub async fn get_account(&self, doc: DocumentId) -> Res<Option<Account>> {
        self.with(move |s| root::<Account>(s, doc)).await
    }

    /// Saves `account` (the whole record, as read and changed by the app):
    /// only the fields that differ are written, so concurrent edits of other
    /// fields on other devices survive.
    pub async fn update_account(&self, doc: DocumentId, account: Account) -> Res<()> {
        let records = vec![touched(RecordKind::Account, account.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, account))
            .await
    }

    /// Creates the org settings document; returns its id.
    pub async fn create_settings(&self, settings: OrgSettings) -> Res<DocumentId> {
        let doc = self.with(move |s| s.create_settings(settings)).await?;
        self.changed(doc, vec![touched(RecordKind::OrgSettings, "")])
            .await;
        Ok(doc)
    }

    /// The org settings of a settings document.
    pub async fn get_settings(&self, doc: DocumentId) -> Res<Option<OrgSettings>> {
        self.with(move |s| root::<OrgSettings>(s, doc)).await
    }

    /// Saves the org settings.
    pub async fn update_settings(&self, doc: DocumentId, settings: OrgSettings) -> Res<()> {
        let records = vec![touched(RecordKind::OrgSettings, settings.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, settings))
            .await
    }

    /// Archives (soft-deletes) a record; `restore` brings it back.
    pub async fn archive(&self, doc: DocumentId, kind: RecordKind, id: String) -> Res<()> {
        let records = vec![touched(kind, id.clone())];
        self.edit(doc, records, move |s| s.archive(doc, kind, &id))
            .await
    }

    /// Restores an archived record.
    pub async fn restore(&self, doc: DocumentId, kind: RecordKind, id: String) -> Res<()> {
        let records = vec![touched(kind, id.clone())];
        self.edit(doc, records, move |s| s.restore(doc, kind, &id))
            .await
    }

    /// Moves a deal to another stage of its pipeline (recorded in its stage history).
    pub async fn move_deal_stage(
        &self,
        doc: DocumentId,
        deal_id: String,
        stage_id: String,
    ) -> Res<()> {
        let records = vec![touched(RecordKind::Deal, deal_id.clone())];
        self.edit(doc, records, move |s| {
            s.move_deal_stage(doc, &deal_id, &stage_id)
        })
        .await
    }

    /// Adds a contact to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_contact(&self, doc: DocumentId, record: Contact) -> Res<String> {
        let id = self.with(move |s| s.create(doc, record)).await?;
        self.changed(doc, vec![touched(RecordKind::Contact, id.clone())])
            .await;
        Ok(id)
    }

    /// Saves a changed contact (only the changed fields are written).
    pub async fn update_contact(&self, doc: DocumentId, record: Contact) -> Res<()> {
        let records = vec![touched(RecordKind::Contact, record.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, record))
            .await
    }

    /// One contact by id.
    pub async fn get_contact(&self, doc: DocumentId, id: String) -> Res<Option<Contact>> {
        self.with(move |s| get::<Contact>(s, doc, &id)).await
    }

    /// The contacts of the document, archived ones included, in id order
    /// (ids are time-ordered: oldest first); `limit` from `offset` on.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn list_contacts(
        &self,
        doc: DocumentId,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<Contact>> {
        page(
            self.with(move |s| list::<Contact>(s, doc)).await?,
            limit,
            offset,
        )
    }

    /// Adds a deal to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_deal(&self, doc: DocumentId, record: Deal) -> Res<String> {
        let id = self.with(move |s| s.create(doc, record)).await?;
        self.changed(doc, vec![touched(RecordKind::Deal, id.clone())])
            .await;
        Ok(id)
    }

    /// Saves a changed deal (only the changed fields are written).
    pub async fn update_deal(&self, doc: DocumentId, record: Deal) -> Res<()> {
        let records = vec![touched(RecordKind::Deal, record.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, record))
            .await
    }

    /// One deal by id.
    pub async fn get_deal(&self, doc: DocumentId, id: String) -> Res<Option<Deal>> {
        self.with(move |s| get::<Deal>(s, doc, &id)).await
    }

    /// The deals of the document, archived ones included, in id order
    /// (ids are time-ordered: oldest first); `limit` from `offset` on.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn list_deals(
        &self,
        doc: DocumentId,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<Deal>> {
        page(
            self.with(move |s| list::<Deal>(s, doc)).await?,
            limit,
            offset,
        )
    }

    /// Adds an activity to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_activity(&self, doc: DocumentId, record: Activity) -> Res<String> {
        let id = self.with(move |s| s.create(doc, record)).await?;
        self.changed(doc, vec![touched(RecordKind::Activity, id.clone())])
            .await;
        Ok(id)
    }

    /// Saves a changed activity (only the changed fields are written).
    pub async fn update_activity(&self, doc: DocumentId, record: Activity) -> Res<()> {
        let records = vec![touched(RecordKind::Activity, record.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, record))
            .await
    }

    /// One activity by id.
    pub async fn get_activity(&self, doc: DocumentId, id: String) -> Res<Option<Activity>> {
        self.with(move |s| get::<Activity>(s, doc, &id)).await
    }

    /// The activities of the document, archived ones included, in id order
    /// (ids are time-ordered: oldest first); `limit` from `offset` on.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn list_activities(
        &self,
        doc: DocumentId,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<Activity>> {
        page(
            self.with(move |s| list::<Activity>(s, doc)).await?,
            limit,
            offset,
        )
    }

    /// Adds an order to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_order(&self, doc: DocumentId, record: Order) -> Res<String> {
        let id = self.with(move |s| s.create(doc, record)).await?;
        self.changed(doc, vec![touched(RecordKind::Order, id.clone())])
            .await;
        Ok(id)
    }

    /// Saves a changed order (only the changed fields are written).
    pub async fn update_order(&self, doc: DocumentId, record: Order) -> Res<()> {
        let records = vec![touched(RecordKind::Order, record.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, record))
            .await
    }

    /// One order by id.
    pub async fn get_order(&self, doc: DocumentId, id: String) -> Res<Option<Order>> {
        self.with(move |s| get::<Order>(s, doc, &id)).await
    }

    /// The orders of the document, archived ones included, in id order
    /// (ids are time-ordered: oldest first); `limit` from `offset` on.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn list_orders(
        &self,
        doc: DocumentId,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<Order>> {
        page(
            self.with(move |s| list::<Order>(s, doc)).await?,
            limit,
            offset,
        )
    }

    /// Adds a case to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_case(&self, doc: DocumentId, record: Case) -> Res<String> {
        let id = self.with(move |s| s.create(doc, record)).await?;
        self.changed(doc, vec![touched(RecordKind::Case, id.clone())])
            .await;
        Ok(id)
    }

    /// Saves a changed case (only the changed fields are written).
    pub async fn update_case(&self, doc: DocumentId, record: Case) -> Res<()> {
        let records = vec![touched(RecordKind::Case, record.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, record))
            .await
    }

    /// One case by id.
    pub async fn get_case(&self, doc: DocumentId, id: String) -> Res<Option<Case>> {
        self.with(move |s| get::<Case>(s, doc, &id)).await
    }

    /// The cases of the document, archived ones included, in id order
    /// (ids are time-ordered: oldest first); `limit` from `offset` on.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn list_cases(
        &self,
        doc: DocumentId,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<Case>> {
        page(
            self.with(move |s| list::<Case>(s, doc)).await?,
            limit,
            offset,
        )
    }

    /// Adds a pipeline to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_pipeline(&self, doc: DocumentId, record: Pipeline) -> Res<String> {
        let id = self.with(move |s| s.create(doc, record)).await?;
        self.changed(doc, vec![touched(RecordKind::Pipeline, id.clone())])
            .await;
        Ok(id)
    }

    /// Saves a changed pipeline (only the changed fields are written).
    pub async fn update_pipeline(&self, doc: DocumentId, record: Pipeline) -> Res<()> {
        let records = vec![touched(RecordKind::Pipeline, record.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, record))
            .await
    }

    /// One pipeline by id.
    pub async fn get_pipeline(&self, doc: DocumentId, id: String) -> Res<Option<Pipeline>> {
        self.with(move |s| get::<Pipeline>(s, doc, &id)).await
    }

    /// The pipelines of the document, archived ones included, in id order
    /// (ids are time-ordered: oldest first); `limit` from `offset` on.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn list_pipelines(
        &self,
        doc: DocumentId,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<Pipeline>> {
        page(
            self.with(move |s| list::<Pipeline>(s, doc)).await?,
            limit,
            offset,
        )
    }

    /// Adds a custom field to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_custom_field(&self, doc: DocumentId, record: CustomField) -> Res<String> {
        let id = self.with(move |s| s.create(doc, record)).await?;
        self.changed(doc, vec![touched(RecordKind::CustomField, id.clone())])
            .await;
        Ok(id)
    }

    /// Saves a changed custom field (only the changed fields are written).
    pub async fn update_custom_field(&self, doc: DocumentId, record: CustomField) -> Res<()> {
        let records = vec![touched(RecordKind::CustomField, record.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, record))
            .await
    }

    /// One custom field by id.
    pub async fn get_custom_field(&self, doc: DocumentId, id: String) -> Res<Option<CustomField>> {
        self.with(move |s| get::<CustomField>(s, doc, &id)).await
    }

    /// The custom fields of the document, archived ones included, in id order
    /// (ids are time-ordered: oldest first); `limit` from `offset` on.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn list_custom_fields(
        &self,
        doc: DocumentId,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<CustomField>> {
        page(
            self.with(move |s| list::<CustomField>(s, doc)).await?,
            limit,
            offset,
        )
    }

    /// Adds a product to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_product(&self, doc: DocumentId, record: Product) -> Res<String> {
        let id = self.with(move |s| s.create(doc, record)).await?;
        self.changed(doc, vec![touched(RecordKind::Product, id.clone())])
            .await;
        Ok(id)
    }

    /// Saves a changed product (only the changed fields are written).
    pub async fn update_product(&self, doc: DocumentId, record: Product) -> Res<()> {
        let records = vec![touched(RecordKind::Product, record.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, record))
            .await
    }

    /// One product by id.
    pub async fn get_product(&self, doc: DocumentId, id: String) -> Res<Option<Product>> {
        self.with(move |s| get::<Product>(s, doc, &id)).await
    }

    /// The products of the document, archived ones included, in id order
    /// (ids are time-ordered: oldest first); `limit` from `offset` on.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn list_products(
        &self,
        doc: DocumentId,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<Product>> {
        page(
            self.with(move |s| list::<Product>(s, doc)).await?,
            limit,
            offset,
        )
    }
}

pub(super) fn get<R: Record>(s: &mut Store, doc: DocumentId, id: &str) -> crate::Result<Option<R>> {
    Ok(s.get::<R>(doc, id)?.map(|r| r.record))
}

pub(super) fn list<R: Record>(s: &mut Store, doc: DocumentId) -> crate::Result<Vec<R>> {
    Ok(s.list::<R>(doc)?.into_iter().map(|r| r.record).collect())
}

/// The record at the root of a document (its account or settings); `None`
/// when the document is not here.
fn root<R: Record>(s: &mut Store, doc: DocumentId) -> crate::Result<Option<R>> {
    match s.get::<R>(doc, "") {
        Ok(r) => Ok(r.map(|r| r.record)),
        Err(crate::CoreError::DocumentNotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
