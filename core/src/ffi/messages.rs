//! Templates and messages on the device: the org's templates (admins write
//! them; they sync with the settings document), rendered offline with an
//! account's records, and what was sent logged on the timeline.

use crate::ids::DocumentId;
use crate::model::{RecordKind, Template, TemplateKind};
use crate::store::MergeRecords;
use crate::store::queries::Day;
use crate::templates::{RenderOptions, Rendered, RepInfo};

use super::OutpostError;
use super::observers::touched;
use super::queries::check_day;
use super::records::{get, list};
use super::rows::page;
use super::store::OutpostStore;

type Res<T> = Result<T, OutpostError>;

#[uniffi::export]
impl OutpostStore {
    /// Adds a template to the settings document `doc` (an admin's device);
    /// one that does not compile is `Invalid` naming `subject`, `body` or
    /// `format` and the line. Returns the id.
    pub async fn create_template(&self, doc: DocumentId, record: Template) -> Res<String> {
        let id = self.with(move |s| s.create(doc, record)).await?;
        self.changed(doc, vec![touched(RecordKind::Template, id.clone())])
            .await;
        Ok(id)
    }

    /// Saves a changed template (only the changed fields are written).
    pub async fn update_template(&self, doc: DocumentId, record: Template) -> Res<()> {
        let records = vec![touched(RecordKind::Template, record.meta.id.clone())];
        self.edit(doc, records, move |s| s.update(doc, record))
            .await
    }

    /// One template by id.
    pub async fn get_template(&self, doc: DocumentId, id: String) -> Res<Option<Template>> {
        self.with(move |s| get::<Template>(s, doc, &id)).await
    }

    /// The templates of the settings document `doc`, archived ones
    /// included, in id order; `limit` from `offset` on.
    #[uniffi::method(default(limit = None, offset = 0))]
    pub async fn list_templates(
        &self,
        doc: DocumentId,
        limit: Option<i32>,
        offset: i32,
    ) -> Res<Vec<Template>> {
        page(
            self.with(move |s| list::<Template>(s, doc)).await?,
            limit,
            offset,
        )
    }

    /// Renders the org's template `template_id` with account `doc` and the
    /// records named in `records`, `rep` as the sender, offline: dates and
    /// money in `locale` (BCP 47; the template's own locale wins), `today`
    /// from `day`. A missing merge field renders as `[contact.nickname]` and
    /// is listed in `missing`; a record named but not there is `NotFound`.
    #[uniffi::method(default(rep = None))]
    pub async fn render_template(
        &self,
        template_id: String,
        doc: DocumentId,
        records: MergeRecords,
        locale: String,
        day: Day,
        rep: Option<RepInfo>,
    ) -> Res<Rendered> {
        check_day(&day)?;
        let opts = RenderOptions::new(locale, day.date);
        self.with(move |s| s.render_template(&template_id, doc, &records, rep, &opts))
            .await
    }

    /// Logs a message that went out (handed to the phone's mail or SMS
    /// app) as a done, outbound e-mail or SMS activity on account `doc`
    /// with the records named. Returns the activity's id.
    pub async fn log_message(
        &self,
        doc: DocumentId,
        kind: TemplateKind,
        records: MergeRecords,
        message: Rendered,
    ) -> Res<String> {
        let id = self
            .with(move |s| s.log_message(doc, kind, &records, &message))
            .await?;
        self.changed(doc, vec![touched(RecordKind::Activity, id.clone())])
            .await;
        Ok(id)
    }
}
