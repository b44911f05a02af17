//! Messages from templates: render one of the org's templates with an
//! account's records (offline, on any device), and log what was sent on the
//! timeline as an e-mail or SMS activity.

use crate::error::{CoreError, Result};
use crate::ids::DocumentId;
use crate::model::{
    Account, Activity, ActivityKind, ActivityStatus, Contact, Deal, Direction, Quote, RecordKind,
    Template, TemplateKind,
};
use crate::store::Store;
use crate::templates::{MergeContext, RenderOptions, Rendered, RepInfo, quote_value, render};

/// The records of one account a message is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MergeRecords {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub contact_id: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub deal_id: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub quote_id: Option<String>,
}

fn not_found(doc: DocumentId, kind: RecordKind, id: &str) -> CoreError {
    CoreError::RecordNotFound {
        doc,
        kind: kind.name(),
        id: id.to_owned(),
    }
}

impl Store {
    /// The org's template `template_id` (from the settings document).
    pub fn template(&mut self, template_id: &str) -> Result<Template> {
        let settings = self
            .settings_doc()?
            .ok_or_else(|| CoreError::Invalid("the org has no settings document yet".into()))?;
        self.get::<Template>(settings, template_id)?
            .filter(|t| !t.record.meta.archived)
            .map(|t| t.record)
            .ok_or_else(|| not_found(settings, RecordKind::Template, template_id))
    }

    /// Renders template `template_id` with account `doc` and the records
    /// `records` names in it, `rep` as the sender. A record that is named
    /// but not there is `RecordNotFound` (a wrong id is not a missing merge
    /// field); a field the records lack renders as a placeholder and is
    /// listed in `Rendered::missing`.
    pub fn render_template(
        &mut self,
        template_id: &str,
        doc: DocumentId,
        records: &MergeRecords,
        rep: Option<RepInfo>,
        opts: &RenderOptions,
    ) -> Result<Rendered> {
        let template = self.template(template_id)?;
        let account = self.get::<Account>(doc, "")?.map(|r| r.record);
        let contact = self.named::<Contact>(doc, records.contact_id.as_deref())?;
        let deal = self.named::<Deal>(doc, records.deal_id.as_deref())?;
        let quote = self.named::<Quote>(doc, records.quote_id.as_deref())?;
        let ctx = MergeContext {
            contact: contact.as_ref(),
            account: account.as_ref(),
            deal: deal.as_ref(),
            rep,
            quote: quote.as_ref().map(quote_value),
        };
        Ok(render(&template, &ctx, opts)?)
    }

    /// Logs a message that went out (the app handed it to the phone's
    /// composer, or the office sent it) as a done, outbound e-mail or SMS
    /// activity on account `doc`, with the contact, deal and quote named in
    /// `records`. Returns the activity's id. A proposal is logged as an e-mail.
    pub fn log_message(
        &mut self,
        doc: DocumentId,
        kind: TemplateKind,
        records: &MergeRecords,
        message: &Rendered,
    ) -> Result<String> {
        let now = self.now();
        let activity = Activity {
            kind: match kind {
                TemplateKind::Sms => ActivityKind::Sms,
                TemplateKind::Email | TemplateKind::Proposal => ActivityKind::Email,
            },
            status: ActivityStatus::Done,
            direction: Some(Direction::Outbound),
            subject: message.subject.clone().unwrap_or_default(),
            body: message.body.clone(),
            completed_at: Some(now),
            contact_ids: records.contact_id.iter().cloned().collect(),
            deal_id: records.deal_id.clone(),
            ..Default::default()
        };
        self.create(doc, activity)
    }

    fn named<R: crate::model::Record>(
        &mut self,
        doc: DocumentId,
        id: Option<&str>,
    ) -> Result<Option<R>> {
        match id {
            None => Ok(None),
            Some(id) => self
                .get::<R>(doc, id)?
                .map(|r| Some(r.record))
                .ok_or_else(|| not_found(doc, R::KIND, id)),
        }
    }
}
