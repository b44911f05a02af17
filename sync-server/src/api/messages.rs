//! The org's message templates, messages rendered from them with an
//! account's records (core's `Store::render_template`), and capture from a
//! business card or e-mail signature (core's `capture`).
//!
//! Sending from the office renders the message and logs it on the account's
//! timeline as a done, outbound e-mail or SMS activity, in one write; the
//! server has no mail or SMS gateway yet, so the answer carries the text for
//! the office user's own mail client.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use outpost_core::capture::parse_card;
use outpost_core::model::{Activity, DocKind, Template, TemplateKind};
use outpost_core::store::MergeRecords;
use outpost_core::templates::{RenderOptions, RepInfo};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::auth::{Caller, blocking, parse_doc};
use super::errors::{ApiError, Body, ErrorBody};
use super::extract::{Path, Query};
use super::records::{get_json, new_record, record_json};
use super::sales::report_day;
use super::schemas::{
    CaptureAnswer, MessageSent, Rendered as RenderedSchema, Template as TemplateSchema,
    TemplateInput, TemplateList, TemplatePatch,
};
use super::settings::{create_setting, patch_setting, settings_doc};
use crate::state::Shared;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// Only templates of this kind: `email`, `sms` or `proposal`.
    #[param(value_type = Option<super::schemas::TemplateKind>)]
    kind: Option<TemplateKind>,
}

/// The org's templates (not archived), optionally of one kind.
#[utoipa::path(get, path = "/api/templates", tag = "messages",
    params(TemplateQuery),
    responses((status = 200, body = TemplateList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_templates(
    State(app): State<Shared>,
    _caller: Caller,
    Query(q): Query<TemplateQuery>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || {
        let mut store = app.store();
        let Some(doc) = settings_doc(&store)? else {
            return Ok(json!({ "items": [] }));
        };
        let items: Vec<Value> = store
            .list::<Template>(doc)?
            .into_iter()
            .map(|r| r.record)
            .filter(|t| !t.meta.archived && q.kind.is_none_or(|k| t.kind == k))
            .map(|t| record_json(&t))
            .collect();
        Ok(json!({ "items": items }))
    })
    .await?;
    Ok(Json(v))
}

/// Adds a template (admin). One that does not compile within the sandbox's
/// limits is 400 `invalid_value` naming `subject`, `body` or `format` and the line.
#[utoipa::path(post, path = "/api/templates", tag = "messages",
    request_body(content = TemplateInput, description = "Template: {kind, format, name, subject, body, locale}"),
    responses((status = 201, body = TemplateSchema), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody, description = "not an admin"),
              (status = 409, body = ErrorBody, description = "a template with this id exists")),
    security(("bearer" = [])))]
pub async fn create_template(
    State(app): State<Shared>,
    caller: Caller,
    Body(body): Body<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let template: Template = new_record(body)?;
    let v = create_setting(&app, &caller, template).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Changes a template (admin).
#[utoipa::path(patch, path = "/api/templates/{id}", tag = "messages",
    params(("id" = String, Path)),
    request_body(content = TemplatePatch, description = "partial Template"),
    responses((status = 200, body = TemplateSchema), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch_template(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        patch_setting::<Template>(&app, &caller, id, body).await?,
    ))
}

/// A message to render: the template, the account's records it is about,
/// the language and the day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    pub template_id: String,
    pub contact_id: Option<String>,
    pub deal_id: Option<String>,
    pub quote_id: Option<String>,
    /// BCP 47 (`nb-NO`, `fi-FI`, `sl-SI`, `ru-RU`, `en-GB`, `en-US`; default
    /// `en-GB`); the template's own locale wins.
    pub locale: Option<String>,
    /// `YYYY-MM-DD`: `today` in the template (default today, UTC).
    pub day: Option<String>,
}

/// The render options of a message or document: `locale` (BCP 47, default
/// `en-GB`; a malformed one is a 400 `code` naming `locale`) and `day`
/// (`YYYY-MM-DD`, default today, UTC).
pub(super) fn render_options(
    code: &'static str,
    locale: Option<&str>,
    day: Option<&str>,
) -> Result<RenderOptions, ApiError> {
    let day = report_day("day", day, None)?;
    let locale = locale.unwrap_or("en-GB");
    if locale.len() > 35
        || !locale
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(ApiError::bad(
            code,
            "locale",
            "locale: a BCP 47 tag such as nb-NO",
        ));
    }
    Ok(RenderOptions::new(locale, day.date))
}

impl MessageRequest {
    fn parts(&self) -> Result<(MergeRecords, RenderOptions), ApiError> {
        let opts = render_options("invalid_field", self.locale.as_deref(), self.day.as_deref())?;
        Ok((
            MergeRecords {
                contact_id: self.contact_id.clone(),
                deal_id: self.deal_id.clone(),
                quote_id: self.quote_id.clone(),
            },
            opts,
        ))
    }
}

/// The sender as templates see it (`rep.*`): the calling user.
pub(super) fn rep(caller: &Caller) -> RepInfo {
    RepInfo {
        user_id: caller.user.id.clone(),
        display_name: caller.user.id.clone(),
        ..Default::default()
    }
}

/// Renders a template with an account's records, without sending (a
/// preview): the subject, the body, and the merge fields that were missing.
#[utoipa::path(post, path = "/api/accounts/{account}/messages/preview", tag = "messages",
    params(("account" = String, Path)),
    request_body = MessageRequest,
    responses((status = 200, body = RenderedSchema),
              (status = 400, body = ErrorBody, description = "a template that does not render (`invalid_template`), a bad locale or day"),
              (status = 404, body = ErrorBody, description = "no such account in scope, template, or named record")),
    security(("bearer" = [])))]
pub async fn preview(
    State(app): State<Shared>,
    caller: Caller,
    Path(account): Path<String>,
    Body(req): Body<MessageRequest>,
) -> Result<Json<Value>, ApiError> {
    let doc = parse_doc(&account)?;
    let (records, opts) = req.parts()?;
    let rep = rep(&caller);
    let v = caller
        .read(&app, doc, move |store, _writable| {
            let m = store.render_template(&req.template_id, doc, &records, Some(rep), &opts)?;
            Ok(serde_json::to_value(m).unwrap_or_default())
        })
        .await?;
    Ok(Json(v))
}

/// Sends a message from a template: renders it and logs it on the
/// account's timeline (a done, outbound e-mail or SMS activity with the
/// contact and deal), in one write. The server has no mail or SMS gateway:
/// the answer's `message` is for the office user's own mail client.
#[utoipa::path(post, path = "/api/accounts/{account}/messages", tag = "messages",
    params(("account" = String, Path)),
    request_body = MessageRequest,
    responses((status = 201, body = MessageSent),
              (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "no such account in scope, template, or named record")),
    security(("bearer" = [])))]
pub async fn send(
    State(app): State<Shared>,
    caller: Caller,
    Path(account): Path<String>,
    Body(req): Body<MessageRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let doc = parse_doc(&account)?;
    let (records, opts) = req.parts()?;
    let rep = rep(&caller);
    let v = caller
        .write(&app, doc, move |store| {
            let template = store.template(&req.template_id)?;
            let m = store.render_template(&req.template_id, doc, &records, Some(rep), &opts)?;
            let activity = store.log_message(doc, template.kind, &records, &m)?;
            Ok(json!({
                "message": m,
                "activity": get_json::<Activity>(store, doc, &activity)?,
            }))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The text of a business card (as an OCR engine returns it) or an e-mail
/// signature, and the region of numbers written without a country code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureRequest {
    /// At most 8 KiB and 200 lines are read.
    pub text: String,
    /// ISO 3166 alpha-2 (default: the org's phone region, else `NO`).
    pub region: Option<String>,
}

/// Turns a card's or signature's text into contact fields (with a
/// confidence each) and names the contact in the caller's scope with the
/// same e-mail address or phone number, if there is one.
#[utoipa::path(post, path = "/api/capture", tag = "messages",
    request_body = CaptureRequest,
    responses((status = 200, body = CaptureAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn capture(
    State(app): State<Shared>,
    caller: Caller,
    Body(req): Body<CaptureRequest>,
) -> Result<Json<Value>, ApiError> {
    let v = blocking(move || {
        let within = caller
            .scope_now(&app)?
            .docs
            .iter()
            .filter(|(_, a)| a.kind == DocKind::Account)
            .map(|(d, _)| *d)
            .collect();
        let mut store = app.store();
        let region = match req.region {
            Some(r) => r,
            None => match settings_doc(&store)? {
                Some(doc) => store
                    .doc(doc)?
                    .org_settings()
                    .map(|s| s.record.default_phone_region)
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| "NO".into()),
                None => "NO".into(),
            },
        };
        let captured = parse_card(&req.text, &region);
        let found = store.match_captured_within(&captured, Some(&within))?;
        let found = found.map(|m| super::lists::row_json(&m, "account"));
        Ok(json!({ "captured": captured, "match": found }))
    })
    .await?;
    Ok(Json(v))
}
