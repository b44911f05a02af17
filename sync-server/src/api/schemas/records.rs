//! The records as the API shows them, one section per kind, and the
//! `{kind}` placeholder.

use super::*;

// ---- account -------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    Selection,
    Acquisition,
    Retention,
    Expansion,
    Churned,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Prospect,
    Customer,
    Partner,
    Competitor,
    Household,
    Other,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Card,
    Cheque,
    Paypal,
    Invoice,
    BankTransfer,
    Other,
}

/// Figures mirrored from accounting (read-only for reps).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Balance {
    pub currency: Option<String>,
    pub balance_minor: i64,
    pub overdue_minor: i64,
    pub open_invoices: i64,
    pub last_payment_at: Option<i64>,
    pub as_of: Option<i64>,
}

record_schema! {
    /// A customer company or household (the root record of its document).
    pub struct Account {
        pub name: String,
        pub account_type: Option<AccountType>,
        pub industry: Option<String>,
        pub website: Option<String>,
        pub addresses: BTreeMap<String, Address>,
        pub phones: BTreeMap<String, Phone>,
        pub territory: Option<String>,
        pub lifecycle_stage: Option<LifecycleStage>,
        /// ISO date.
        pub customer_since: Option<String>,
        pub churned_at: Option<i64>,
        pub churn_reason: Option<String>,
        pub lost_to_competitor: Option<String>,
        pub lost_to_reason: Option<String>,
        pub value_tier: Option<String>,
        pub lead_source: Option<String>,
        pub referred_by: Option<String>,
        pub preferred_payment_method: Option<PaymentMethod>,
        pub payment_terms: Option<String>,
        pub credit_limit_minor: Option<i64>,
        /// ISO 4217.
        pub currency: Option<String>,
        pub balance: Balance,
        pub notes: String,
    }
}

// ---- contact -------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    Phone,
    Email,
    Sms,
    Visit,
    Messaging,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyMember {
    pub id: String,
    pub name: String,
    pub relation: Option<String>,
    /// `YYYY-MM-DD` or `--MM-DD`.
    pub birthday: Option<String>,
    pub anniversary: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportantDate {
    pub id: String,
    pub label: String,
    /// `YYYY-MM-DD` or `--MM-DD`.
    pub date: String,
    pub one_off: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SocialProfile {
    pub id: String,
    pub network: String,
    pub handle: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub email_marketing: bool,
    pub sms_marketing: bool,
    pub phone_marketing: bool,
    pub recorded_at: Option<i64>,
}

record_schema! {
    /// A person at the account.
    pub struct Contact {
        pub first_name: String,
        pub last_name: String,
        pub title: Option<String>,
        pub role: Option<String>,
        pub emails: BTreeMap<String, Email>,
        pub phones: BTreeMap<String, Phone>,
        pub addresses: BTreeMap<String, Address>,
        pub social: BTreeMap<String, SocialProfile>,
        pub preferred_contact_method: Option<ContactMethod>,
        pub preferred_contact_time: Option<String>,
        /// BCP 47.
        pub language: Option<String>,
        pub birthday: Option<String>,
        pub family: BTreeMap<String, FamilyMember>,
        /// A set.
        pub hobbies: BTreeMap<String, bool>,
        /// A set.
        pub memberships: BTreeMap<String, bool>,
        pub important_dates: BTreeMap<String, ImportantDate>,
        pub consent: Consent,
        pub notes: String,
    }
}

// ---- deal ----------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DealType {
    New,
    Upsell,
    CrossSell,
    Renewal,
}

/// A product line on a deal or an order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineItem {
    pub id: String,
    pub product_id: Option<String>,
    pub description: String,
    /// Thousandths of a unit.
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    pub discount_percent: Option<f64>,
}

/// One move of a deal between stages.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageChange {
    pub id: String,
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub at: i64,
    pub by: Option<String>,
}

record_schema! {
    /// A sales opportunity.
    pub struct Deal {
        pub name: String,
        /// Contact id → role on this deal.
        pub contact_roles: BTreeMap<String, String>,
        pub pipeline_id: String,
        pub stage_id: String,
        pub amount_minor: i64,
        pub currency: String,
        /// Percent; null: the stage's default.
        #[schema(minimum = 0, maximum = 100)]
        pub probability: Option<u8>,
        pub expected_close: Option<String>,
        pub deal_type: Option<DealType>,
        pub lost_reason: Option<String>,
        pub competitor: Option<String>,
        pub line_items: BTreeMap<String, LineItem>,
        /// Appended to on every stage move.
        pub stage_history: BTreeMap<String, StageChange>,
        pub description: String,
    }
}

// ---- activity ------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Call,
    Meeting,
    Visit,
    Email,
    Sms,
    Note,
    Task,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    Planned,
    Done,
    Cancelled,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

/// A place and time (a visit's check-in or check-out).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GeoStamp {
    pub at: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    pub id: String,
    pub uri: String,
    pub caption: Option<String>,
    pub taken_at: Option<i64>,
}

record_schema! {
    /// A call, meeting, visit, e-mail, SMS, note or task.
    pub struct Activity {
        pub kind: ActivityKind,
        pub status: ActivityStatus,
        pub subject: String,
        pub due_at: Option<i64>,
        pub start_at: Option<i64>,
        pub end_at: Option<i64>,
        pub completed_at: Option<i64>,
        pub direction: Option<Direction>,
        pub outcome: Option<String>,
        /// A set of contact ids.
        pub contact_ids: BTreeMap<String, bool>,
        pub deal_id: Option<String>,
        pub order_id: Option<String>,
        pub case_id: Option<String>,
        pub check_in: GeoStamp,
        pub check_out: GeoStamp,
        pub photos: BTreeMap<String, Photo>,
        pub report: String,
        pub body: String,
    }
}

// ---- order and case ------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    pub id: String,
    pub at: i64,
    pub amount_minor: i64,
    pub method: Option<PaymentMethod>,
    pub late: bool,
}

record_schema! {
    /// A sale.
    pub struct Order {
        pub number: Option<String>,
        pub ordered_at: i64,
        pub status: Option<String>,
        pub lines: BTreeMap<String, LineItem>,
        pub total_minor: i64,
        pub currency: String,
        pub payment_method: Option<PaymentMethod>,
        pub credit_terms_days: Option<i64>,
        pub due_date: Option<String>,
        pub payments: BTreeMap<String, Payment>,
        pub loyalty_card: Option<String>,
        pub description: String,
        /// The quote it was made from (accepting it).
        pub quote_id: Option<String>,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    Draft,
    Sent,
    Accepted,
    Declined,
    Expired,
}

/// A line of a quote (`lines` is an object keyed by line id).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteLine {
    pub id: String,
    pub product_id: Option<String>,
    pub description: String,
    pub position: i64,
    /// Thousandths of a unit.
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    /// Basis points, 0 to 10000 (1250 is 12.5 %).
    pub discount_bp: i64,
    /// Basis points, 0 to 10000 (2500 is 25 %).
    pub tax_bp: i64,
}

/// A quote's totals: each line rounded once, half away from zero; these are
/// the sums of the lines' rounded figures.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteTotals {
    pub gross_minor: i64,
    pub discount_minor: i64,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub currency: String,
}

record_schema! {
    /// An offer to the account; `totals` is shown (computed), never sent.
    pub struct Quote {
        pub status: QuoteStatus,
        pub number: Option<String>,
        pub title: String,
        pub deal_id: Option<String>,
        pub contact_id: Option<String>,
        pub currency: String,
        pub lines: BTreeMap<String, QuoteLine>,
        /// `YYYY-MM-DD`: the last day the offer holds.
        pub valid_until: Option<String>,
        pub version: i64,
        pub supersedes: Option<String>,
        pub sent_at: Option<i64>,
        pub decided_at: Option<i64>,
        pub order_id: Option<String>,
        pub campaign_id: Option<String>,
        pub notes: String,
        #[serde(default)]
        pub totals: Option<QuoteTotals>,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    Email,
    Sms,
    Proposal,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplateFormat {
    Text,
    Html,
}

record_schema! {
    /// An e-mail, SMS or proposal template of the org (Jinja with merge
    /// fields; docs/API.md lists them).
    pub struct Template {
        pub kind: TemplateKind,
        pub format: TemplateFormat,
        pub name: String,
        /// E-mail templates only.
        pub subject: Option<String>,
        pub body: String,
        /// BCP 47; when set, dates and money follow it.
        pub locale: Option<String>,
    }
}

/// The accepted quote and the order it became.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteAccepted {
    pub quote: Quote,
    pub order: Order,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Complaint,
    Return,
    Review,
    Support,
    Survey,
    Rating,
    Feedback,
}

record_schema! {
    /// A complaint, return, review, support call, survey answer or rating.
    pub struct Case {
        pub kind: Option<CaseKind>,
        pub subject: String,
        pub channel: Option<String>,
        pub product_id: Option<String>,
        pub contact_id: Option<String>,
        pub status: Option<String>,
        pub resolution: Option<String>,
        #[schema(minimum = 0, maximum = 255)]
        pub satisfaction: Option<u8>,
        pub opened_at: i64,
        pub closed_at: Option<i64>,
        pub description: String,
    }
}

// ---- settings ------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldType {
    Text,
    Number,
    Integer,
    Bool,
    Date,
    Choice,
}

record_schema! {
    /// An admin-defined extra field on a record kind.
    pub struct CustomField {
        pub field_type: CustomFieldType,
        /// The record kind it applies to ("account", "contact", "deal"…).
        pub entity: String,
        /// The key under `custom` in the records.
        pub key: String,
        pub label: String,
        /// Allowed values of `choice` fields.
        pub options: Vec<String>,
    }
}

record_schema! {
    /// A product of the org's catalogue (in the settings document).
    pub struct Product {
        pub sku: String,
        pub name: String,
        pub unit_price_minor: i64,
        /// ISO 4217.
        pub currency: String,
        /// Units in stock when last read; `null`: not tracked.
        pub stock: Option<i64>,
        /// When the stock level was read (ms since the epoch).
        pub stock_at: Option<i64>,
        pub description: String,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageMeaning {
    Open,
    Won,
    Lost,
}

/// A pipeline stage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub id: String,
    pub name: String,
    /// Order on the board, ascending.
    pub position: i64,
    /// Default win probability, percent.
    #[schema(minimum = 0, maximum = 255)]
    pub probability: u8,
    pub meaning: StageMeaning,
}

/// A pipeline with its stages sorted by position.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    pub id: String,
    pub name: String,
    pub stages: Vec<Stage>,
}

/// The org's pipelines and defaults.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pipelines {
    pub default_pipeline_id: Option<String>,
    pub default_currency: Option<String>,
    pub items: Vec<Pipeline>,
}

/// A new pipeline, or the fields of one to change (`PATCH`: every field
/// optional; `stages` is then the whole new list).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineInput {
    /// Up to 64 letters, digits, `-` or `_` (made by the server when left out).
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub id: Option<String>,
    #[schema(pattern = "\\S")]
    pub name: String,
    /// The stages, each with a unique id (or the stored object keyed by stage id).
    pub stages: Option<Vec<StageInput>>,
}

/// A stage as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    #[schema(pattern = "\\S")]
    pub id: String,
    #[schema(pattern = "\\S")]
    pub name: String,
    pub position: Option<i64>,
    #[schema(minimum = 0, maximum = 100)]
    pub probability: Option<u8>,
    pub meaning: Option<StageMeaning>,
}

/// Custom field definitions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFields {
    pub items: Vec<CustomField>,
}

// ---- one record of any kind (the `{kind}` routes) --------------------------

/// A record of the kind named in the path; `openapi.rs` lists each kind's
/// route with that kind's schema in its place.
#[derive(Debug)]
pub struct AnyRecord;

impl PartialSchema for AnyRecord {
    fn schema() -> RefOr<Schema> {
        let mut any = AnyOfBuilder::new();
        for name in RECORD_KINDS.iter().map(|k| k.1) {
            any = any.item(Ref::from_schema_name(name));
        }
        any.into()
    }
}

impl ToSchema for AnyRecord {}

/// The `{kind}` of the routes and the schema of its records.
pub const RECORD_KINDS: &[(&str, &str)] = &[
    ("contacts", "Contact"),
    ("deals", "Deal"),
    ("activities", "Activity"),
    ("orders", "Order"),
    ("cases", "Case"),
    ("quotes", "Quote"),
];
