//! Create, read, update, archive and restore every record kind. Each
//! method is one call into `crate::store::Store`.

use crate::DocumentId;
use crate::model::{
    Account, Activity, Case, Contact, CustomField, Deal, Order, OrgSettings, Pipeline, Product,
    RecordKind,
};
use crate::store::Store;

use super::OutpostError;
use super::store::OutpostStore;

type Res<T> = Result<T, OutpostError>;

#[uniffi::export]
impl OutpostStore {
    /// Creates an account (a new account document); returns the document id.
    pub async fn create_account(&self, account: Account) -> Res<DocumentId> {
        let doc = self.with(move |s| s.create_account(account)).await?;
        self.changed(doc).await;
        Ok(doc)
    }

    /// The account of an account document.
    pub async fn get_account(&self, doc: DocumentId) -> Res<Option<Account>> {
        self.with(move |s| Ok(s.get::<Account>(doc, "")?.map(|r| r.record)))
            .await
    }

    /// Saves `account` (the whole record, as read and changed by the app):
    /// only the fields that differ are written, so concurrent edits of other
    /// fields on other devices survive.
    pub async fn update_account(&self, doc: DocumentId, account: Account) -> Res<()> {
        self.edit(doc, move |s| s.update(doc, account)).await
    }

    /// Creates the org settings document; returns its id.
    pub async fn create_settings(&self, settings: OrgSettings) -> Res<DocumentId> {
        let doc = self.with(move |s| s.create_settings(settings)).await?;
        self.changed(doc).await;
        Ok(doc)
    }

    /// The org settings of a settings document.
    pub async fn get_settings(&self, doc: DocumentId) -> Res<Option<OrgSettings>> {
        self.with(move |s| Ok(s.get::<OrgSettings>(doc, "")?.map(|r| r.record)))
            .await
    }

    /// Saves the org settings.
    pub async fn update_settings(&self, doc: DocumentId, settings: OrgSettings) -> Res<()> {
        self.edit(doc, move |s| s.update(doc, settings)).await
    }

    /// Archives (soft-deletes) a record; `restore` brings it back.
    pub async fn archive(&self, doc: DocumentId, kind: RecordKind, id: String) -> Res<()> {
        self.edit(doc, move |s| s.archive(doc, kind, &id)).await
    }

    /// Restores an archived record.
    pub async fn restore(&self, doc: DocumentId, kind: RecordKind, id: String) -> Res<()> {
        self.edit(doc, move |s| s.restore(doc, kind, &id)).await
    }

    /// Moves a deal to another stage of its pipeline (recorded in its stage history).
    pub async fn move_deal_stage(
        &self,
        doc: DocumentId,
        deal_id: String,
        stage_id: String,
    ) -> Res<()> {
        self.edit(doc, move |s| s.move_deal_stage(doc, &deal_id, &stage_id))
            .await
    }

    /// Adds a contact to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_contact(&self, doc: DocumentId, record: Contact) -> Res<String> {
        self.edit(doc, move |s| s.create(doc, record)).await
    }

    /// Saves a changed contact (only the changed fields are written).
    pub async fn update_contact(&self, doc: DocumentId, record: Contact) -> Res<()> {
        self.edit(doc, move |s| s.update(doc, record)).await
    }

    /// One contact by id.
    pub async fn get_contact(&self, doc: DocumentId, id: String) -> Res<Option<Contact>> {
        self.with(move |s| get::<Contact>(s, doc, &id)).await
    }

    /// Every contact of the document, archived ones included.
    pub async fn list_contacts(&self, doc: DocumentId) -> Res<Vec<Contact>> {
        self.with(move |s| list::<Contact>(s, doc)).await
    }

    /// Adds a deal to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_deal(&self, doc: DocumentId, record: Deal) -> Res<String> {
        self.edit(doc, move |s| s.create(doc, record)).await
    }

    /// Saves a changed deal (only the changed fields are written).
    pub async fn update_deal(&self, doc: DocumentId, record: Deal) -> Res<()> {
        self.edit(doc, move |s| s.update(doc, record)).await
    }

    /// One deal by id.
    pub async fn get_deal(&self, doc: DocumentId, id: String) -> Res<Option<Deal>> {
        self.with(move |s| get::<Deal>(s, doc, &id)).await
    }

    /// Every deal of the document, archived ones included.
    pub async fn list_deals(&self, doc: DocumentId) -> Res<Vec<Deal>> {
        self.with(move |s| list::<Deal>(s, doc)).await
    }

    /// Adds a activity to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_activity(&self, doc: DocumentId, record: Activity) -> Res<String> {
        self.edit(doc, move |s| s.create(doc, record)).await
    }

    /// Saves a changed activity (only the changed fields are written).
    pub async fn update_activity(&self, doc: DocumentId, record: Activity) -> Res<()> {
        self.edit(doc, move |s| s.update(doc, record)).await
    }

    /// One activity by id.
    pub async fn get_activity(&self, doc: DocumentId, id: String) -> Res<Option<Activity>> {
        self.with(move |s| get::<Activity>(s, doc, &id)).await
    }

    /// Every activity of the document, archived ones included.
    pub async fn list_activities(&self, doc: DocumentId) -> Res<Vec<Activity>> {
        self.with(move |s| list::<Activity>(s, doc)).await
    }

    /// Adds a order to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_order(&self, doc: DocumentId, record: Order) -> Res<String> {
        self.edit(doc, move |s| s.create(doc, record)).await
    }

    /// Saves a changed order (only the changed fields are written).
    pub async fn update_order(&self, doc: DocumentId, record: Order) -> Res<()> {
        self.edit(doc, move |s| s.update(doc, record)).await
    }

    /// One order by id.
    pub async fn get_order(&self, doc: DocumentId, id: String) -> Res<Option<Order>> {
        self.with(move |s| get::<Order>(s, doc, &id)).await
    }

    /// Every order of the document, archived ones included.
    pub async fn list_orders(&self, doc: DocumentId) -> Res<Vec<Order>> {
        self.with(move |s| list::<Order>(s, doc)).await
    }

    /// Adds a case to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_case(&self, doc: DocumentId, record: Case) -> Res<String> {
        self.edit(doc, move |s| s.create(doc, record)).await
    }

    /// Saves a changed case (only the changed fields are written).
    pub async fn update_case(&self, doc: DocumentId, record: Case) -> Res<()> {
        self.edit(doc, move |s| s.update(doc, record)).await
    }

    /// One case by id.
    pub async fn get_case(&self, doc: DocumentId, id: String) -> Res<Option<Case>> {
        self.with(move |s| get::<Case>(s, doc, &id)).await
    }

    /// Every case of the document, archived ones included.
    pub async fn list_cases(&self, doc: DocumentId) -> Res<Vec<Case>> {
        self.with(move |s| list::<Case>(s, doc)).await
    }

    /// Adds a pipeline to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_pipeline(&self, doc: DocumentId, record: Pipeline) -> Res<String> {
        self.edit(doc, move |s| s.create(doc, record)).await
    }

    /// Saves a changed pipeline (only the changed fields are written).
    pub async fn update_pipeline(&self, doc: DocumentId, record: Pipeline) -> Res<()> {
        self.edit(doc, move |s| s.update(doc, record)).await
    }

    /// One pipeline by id.
    pub async fn get_pipeline(&self, doc: DocumentId, id: String) -> Res<Option<Pipeline>> {
        self.with(move |s| get::<Pipeline>(s, doc, &id)).await
    }

    /// Every pipeline of the document, archived ones included.
    pub async fn list_pipelines(&self, doc: DocumentId) -> Res<Vec<Pipeline>> {
        self.with(move |s| list::<Pipeline>(s, doc)).await
    }

    /// Adds a custom field to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_custom_field(&self, doc: DocumentId, record: CustomField) -> Res<String> {
        self.edit(doc, move |s| s.create(doc, record)).await
    }

    /// Saves a changed custom field (only the changed fields are written).
    pub async fn update_custom_field(&self, doc: DocumentId, record: CustomField) -> Res<()> {
        self.edit(doc, move |s| s.update(doc, record)).await
    }

    /// One custom field by id.
    pub async fn get_custom_field(&self, doc: DocumentId, id: String) -> Res<Option<CustomField>> {
        self.with(move |s| get::<CustomField>(s, doc, &id)).await
    }

    /// Every custom field of the document, archived ones included.
    pub async fn list_custom_fields(&self, doc: DocumentId) -> Res<Vec<CustomField>> {
        self.with(move |s| list::<CustomField>(s, doc)).await
    }

    /// Adds a product to document `doc`; an empty id gets a fresh one. Returns the id.
    pub async fn create_product(&self, doc: DocumentId, record: Product) -> Res<String> {
        self.edit(doc, move |s| s.create(doc, record)).await
    }

    /// Saves a changed product (only the changed fields are written).
    pub async fn update_product(&self, doc: DocumentId, record: Product) -> Res<()> {
        self.edit(doc, move |s| s.update(doc, record)).await
    }

    /// One product by id.
    pub async fn get_product(&self, doc: DocumentId, id: String) -> Res<Option<Product>> {
        self.with(move |s| get::<Product>(s, doc, &id)).await
    }

    /// Every product of the document, archived ones included.
    pub async fn list_products(&self, doc: DocumentId) -> Res<Vec<Product>> {
        self.with(move |s| list::<Product>(s, doc)).await
    }
}

fn get<R: crate::model::Record>(
    s: &mut Store,
    doc: DocumentId,
    id: &str,
) -> crate::Result<Option<R>> {
    Ok(s.get::<R>(doc, id)?.map(|r| r.record))
}

fn list<R: crate::model::Record>(s: &mut Store, doc: DocumentId) -> crate::Result<Vec<R>> {
    Ok(s.list::<R>(doc)?.into_iter().map(|r| r.record).collect())
}
