//! Templates, rendered messages and captured cards as the API shows them
//! (core's `model::Template`, `templates::Rendered`, `capture::Captured`).

use serde::Deserialize;
use utoipa::ToSchema;

use super::{Activity, Template};

/// The org's templates.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateList {
    pub items: Vec<Template>,
}

/// A rendered template.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rendered {
    /// E-mail templates that have one, on one line.
    pub subject: Option<String>,
    pub body: String,
    /// Merge fields that were absent and went out as visible placeholders
    /// (`[contact.nickname]`), in the order they first appeared.
    pub missing: Vec<String>,
}

/// A message sent from a template and the activity that logs it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageSent {
    pub message: Rendered,
    pub activity: Activity,
}

/// A phone number read from a card.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapturedPhone {
    /// E.164.
    pub number_e164: String,
    /// `mobile`, `work`, `home` or `fax`.
    pub label: Option<String>,
}

/// An address read from a card.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapturedAddress {
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    /// ISO 3166 alpha-2 when known.
    pub country: Option<String>,
}

/// How sure the capture is of one field, 0 to 1.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldConfidence {
    pub field: String,
    pub confidence: f32,
}

/// The fields of a business card or signature.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Captured {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub company: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<CapturedPhone>,
    pub website: Option<String>,
    pub address: Option<CapturedAddress>,
    pub confidence: Vec<FieldConfidence>,
}

/// What a captured card and an existing contact share.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    Phone,
    Email,
    EmailAndPhone,
}

/// The existing contact in the caller's scope a card belongs to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapturedMatch {
    pub account: String,
    pub account_name: String,
    pub contact_id: String,
    pub full_name: String,
    pub matched_by: MatchedBy,
}

/// A captured card, and the contact it belongs to (`null`: none in scope).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureAnswer {
    pub captured: Captured,
    #[serde(rename = "match")]
    pub found: Option<CapturedMatch>,
}
