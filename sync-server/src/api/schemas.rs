//! What the API's JSON looks like, for the OpenAPI document: the core
//! records as the API shows them (core's serde layout: sub-item lists as
//! objects keyed by item id, sets as `{"member": true}`, the shared
//! metadata flattened in), the rows of the cross-account lists, and the
//! answers the handlers build. These types are never built at run time;
//! utoipa derives their schemas. The tests below feed what core and the
//! handlers really serialise through them (`deny_unknown_fields`), so a
//! field added to core without its schema fails the build's tests, and
//! `tests/api-fuzz/run.sh` checks every answer of the running server
//! against the document.
//!
//! `openapi.rs` derives the request bodies (`<Record>Input`,
//! `<Record>Patch`) from these and lists the `{kind}` routes once per kind.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Ref, Schema, Type};
use utoipa::openapi::{RefOr, schema::SchemaType};
use utoipa::{PartialSchema, ToSchema};

use crate::auth::Goals;

// ---- shared pieces -------------------------------------------------------

/// A custom field value: always a scalar (true/false, a number or text).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum CustomValue {
    Bool(bool),
    Number(f64),
    Text(String),
}

impl PartialSchema for CustomValue {
    fn schema() -> RefOr<Schema> {
        // one schema with three types (not utoipa's oneOf of the variants:
        // an integer is also a number, so a oneOf would refuse it)
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([
                Type::Boolean,
                Type::Number,
                Type::String,
            ]))
            .description(Some("a scalar: true/false, a number or text"))
            .into()
    }
}

impl ToSchema for CustomValue {}

/// Who wrote a change: the Outpost user and their device.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub user_id: String,
    pub device_id: String,
}

/// A postal address (`addresses` is an object keyed by address id).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub id: String,
    pub label: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub primary: bool,
}

/// A phone number as typed (`phones` is an object keyed by phone id).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    pub id: String,
    pub number: String,
    pub label: Option<String>,
    pub primary: bool,
    pub opted_out: bool,
}

/// An e-mail address (`emails` is an object keyed by e-mail id).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Email {
    pub id: String,
    pub address: String,
    pub label: Option<String>,
    pub primary: bool,
    pub opted_out: bool,
}

/// The metadata every record carries, as fields of the record itself.
macro_rules! record_schema {
    (
        $(#[$m:meta])*
        pub struct $name:ident {
            $( $(#[$fm:meta])* pub $f:ident : $t:ty, )*
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Stable id (UUID v7 where it was made; up to 64 letters, digits, `-` or `_`).
            pub id: String,
            /// The user who owns the record.
            pub owner: Option<String>,
            /// ms since the epoch (UTC).
            pub created_at: i64,
            pub created_by: Option<String>,
            pub updated_at: i64,
            pub updated_by: Option<String>,
            pub archived: bool,
            pub archived_at: Option<i64>,
            /// A set: `{"vip": true}`.
            pub tags: BTreeMap<String, bool>,
            /// Custom field values by the custom field's key.
            pub custom: BTreeMap<String, CustomValue>,
            /// Ids in other systems, by system.
            pub external_ids: BTreeMap<String, String>,
            $( $(#[$fm])* pub $f : $t, )*
            /// This record's open conflicts: on answers about one record
            /// (read, create, change, archive, restore), not in lists.
            #[serde(rename = "_conflicts", default)]
            pub conflicts: Option<Vec<Conflict>>,
        }
    };
}

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
    }
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
];

// ---- lists ----------------------------------------------------------------

macro_rules! page {
    ($($(#[$m:meta])* $name:ident of $item:ty;)*) => {$(
        $(#[$m])*
        #[derive(Debug, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Every match in scope, before paging.
            pub total: u64,
            pub limit: u64,
            pub offset: u64,
        }
    )*};
}

page! {
    /// A page of the account list.
    AccountPage of AccountRow;
    /// A page of the contact list.
    ContactRowPage of ContactRow;
    /// A page of the deal list (the pipeline board).
    DealRowPage of DealRow;
    /// A page of the activity list.
    ActivityRowPage of ActivityRow;
    /// A page of the order list.
    OrderRowPage of OrderRow;
    /// A page of the case list.
    CaseRowPage of CaseRow;
    /// A page of one account's contacts.
    ContactPage of Contact;
    /// A page of one account's deals.
    DealPage of Deal;
    /// A page of one account's activities.
    ActivityPage of Activity;
    /// A page of one account's orders.
    OrderPage of Order;
    /// A page of one account's cases.
    CasePage of Case;
}

/// A page of one account's records of the kind in the path (a
/// placeholder: `openapi.rs` lists each kind's page).
#[derive(Debug, ToSchema)]
pub struct AnyRecordPage {
    pub items: Vec<AnyRecord>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

/// An account in the account list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountRow {
    /// The account's document id.
    pub id: String,
    pub name: String,
    pub account_type: Option<String>,
    pub owner: Option<String>,
    pub territory: Option<String>,
    pub lifecycle_stage: Option<String>,
    pub value_tier: Option<String>,
    pub archived: bool,
    pub updated_at: i64,
    pub balance_minor: i64,
    pub overdue_minor: i64,
    pub currency: Option<String>,
}

/// A contact with its account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRow {
    /// The account's document id.
    pub account: String,
    pub account_name: String,
    pub id: String,
    pub full_name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub owner: Option<String>,
    pub archived: bool,
    pub created_at: i64,
}

/// A deal with its account, effective probability and weighted amount.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealRow {
    pub account: String,
    pub account_name: String,
    pub id: String,
    pub name: String,
    pub pipeline_id: String,
    pub stage_id: String,
    /// open, won or lost.
    pub stage_meaning: String,
    pub amount_minor: i64,
    pub currency: String,
    pub probability: i64,
    pub weighted_minor: i64,
    pub expected_close: Option<String>,
    pub owner: Option<String>,
    pub archived: bool,
    pub created_at: i64,
    pub stage_changed_at: i64,
}

/// An activity with its account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityRow {
    pub account: String,
    pub account_name: String,
    pub id: String,
    pub kind: String,
    pub status: String,
    pub subject: String,
    /// Start, else due, else completed time.
    pub at: Option<i64>,
    pub due_at: Option<i64>,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub owner: Option<String>,
    pub deal_id: Option<String>,
    pub archived: bool,
}

/// An order with its account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderRow {
    pub account: String,
    pub account_name: String,
    pub id: String,
    pub ordered_at: i64,
    pub total_minor: i64,
    pub outstanding_minor: i64,
    pub currency: String,
    pub archived: bool,
}

/// A case with its account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseRow {
    pub account: String,
    pub account_name: String,
    pub id: String,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub archived: bool,
}

// ---- the account card, conflicts, history --------------------------------

/// Live records of each kind in an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordCounts {
    pub contacts: u64,
    pub deals: u64,
    pub activities: u64,
    pub orders: u64,
    pub cases: u64,
}

/// The account card: the account record plus derived values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountCard {
    /// The account's document id.
    pub id: String,
    /// Whether the caller may change it.
    pub writable: bool,
    pub account: Account,
    pub counts: RecordCounts,
    pub open_deals: u64,
    pub open_pipeline_minor: i64,
    pub last_activity_at: Option<i64>,
    pub next_activity_at: Option<i64>,
    /// Open conflicts in the account's document.
    pub conflicts: u64,
}

/// One of a conflicted field's values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictValue {
    /// Any JSON value.
    #[schema(value_type = Object)]
    pub value: Value,
    /// What `conflicts/resolve` takes to keep this value.
    pub value_id: String,
    /// null for changes by non-Outpost Automerge clients.
    pub author: Option<Author>,
    pub at: i64,
}

/// A field two or more devices set concurrently.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// account | contact | deal | activity | order | case
    pub record_kind: String,
    pub record_id: String,
    /// Dotted path inside the record, e.g. `title` or `emails.<id>.address`.
    pub field: String,
    pub values: Vec<ConflictValue>,
}

/// An account document's open conflicts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Conflicts {
    pub items: Vec<Conflict>,
}

/// The answer of `conflicts/resolve`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolved {
    pub resolved: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    Created,
    Set,
    Removed,
    TextEdited,
}

/// One change of one field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    /// Dotted path inside the record (empty for `created`).
    pub field: String,
    pub action: ChangeAction,
    #[schema(value_type = Object)]
    pub old_value: Value,
    #[schema(value_type = Object)]
    pub new_value: Value,
    pub author: Option<Author>,
    pub at: i64,
    /// Hex hash of the Automerge change.
    pub change: String,
}

/// A record's field history, oldest first.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct History {
    pub items: Vec<FieldChange>,
}

// ---- reports -------------------------------------------------------------

/// One stage of the pipeline report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageFigures {
    pub stage_id: String,
    pub name: String,
    /// open, won or lost.
    pub meaning: String,
    pub position: i64,
    pub count: i64,
    pub total_minor: i64,
    pub weighted_minor: i64,
    /// count ÷ the deals counted, 0-1.
    pub share: f64,
}

/// The pipeline by stage over the caller's scope.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineReport {
    pub pipeline_id: Option<String>,
    pub currency: Option<String>,
    pub total_minor: i64,
    pub weighted_minor: i64,
    /// Deals of the pipeline in another currency (not counted).
    pub other_currency_deals: i64,
    pub stages: Vec<StageFigures>,
}

/// One rep's figures on the team dashboard.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepFigures {
    pub user_id: String,
    pub activities: i64,
    pub visits: i64,
    pub calls: i64,
    pub won_this_month: i64,
    pub won_this_month_minor: i64,
    pub open_pipeline_minor: i64,
    pub weighted_pipeline_minor: i64,
    pub goals: Option<Goals>,
}

/// The team's totals.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamTotals {
    pub activities: i64,
    pub visits: i64,
    pub calls: i64,
    pub won_this_month: i64,
    pub won_this_month_minor: i64,
}

/// Churn and retention over the accounts in scope.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountFigures {
    pub customers: u64,
    pub churned: u64,
    pub churned_this_month: u64,
    /// null without customers.
    pub retention_rate: Option<f64>,
}

/// The team dashboard of one week.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamReport {
    /// `YYYY-MM-DD`, a Monday.
    pub week_start: String,
    pub month_start: String,
    pub currency: Option<String>,
    pub reps: Vec<RepFigures>,
    pub totals: TeamTotals,
    pub accounts: AccountFigures,
}

// ---- admin ---------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Rep,
    Manager,
    Admin,
    Viewer,
}

/// A user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: String,
    pub role: Role,
    pub team: Option<String>,
    pub territories: Vec<String>,
    /// Account document ids assigned to the user.
    pub assigned: Vec<String>,
}

/// A user with their goals (null when none are set).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserWithGoals {
    pub id: String,
    pub role: Role,
    pub team: Option<String>,
    pub territories: Vec<String>,
    pub assigned: Vec<String>,
    pub goals: Option<Goals>,
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 1-128 letters, digits, `-`, `_`, `.` or `@`.
    #[schema(pattern = "^[A-Za-z0-9._@-]{1,128}$")]
    pub id: String,
    pub role: Role,
    pub team: Option<String>,
}

/// The id of a created user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreated {
    pub id: String,
}

/// A new token, shown this once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuedToken {
    pub token: String,
}

/// A team and its members.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub team: String,
    pub members: Vec<String>,
}

/// A territory: who covers it and how many accounts are in it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Territory {
    pub territory: String,
    pub users: Vec<String>,
    pub accounts: u64,
}

/// An account assigned to a user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub user_id: String,
    /// The account's document id.
    pub account: String,
    /// null when the account is not in the store (yet).
    pub account_name: Option<String>,
}

// ---- request bodies derived in openapi.rs ----------------------------------

/// Types whose schema `openapi.rs` derives from a record's (the record's
/// fields a client may send: no bookkeeping, no `_conflicts`; `Patch`
/// without the id). Their own schema is only a placeholder.
macro_rules! derived {
    ($($(#[$m:meta])* $name:ident;)*) => {$(
        $(#[$m])*
        #[derive(Debug)]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new().into()
            }
        }

        impl ToSchema for $name {}
    )*};
}

derived! {
    /// A new account.
    AccountInput;
    /// The account fields to change.
    AccountPatch;
    /// A new custom field definition.
    CustomFieldInput;
    /// The custom field definition's fields to change.
    CustomFieldPatch;
    /// A new record of the kind in the path.
    AnyRecordInput;
    /// The fields to change of a record of the kind in the path.
    AnyRecordPatch;
}

/// The fields of a pipeline to change; `stages`, when sent, is the whole new list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelinePatch {
    #[schema(pattern = "\\S")]
    pub name: Option<String>,
    pub stages: Option<Vec<StageInput>>,
}

/// A record kind as named in conflicts and history.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKindName {
    Account,
    Contact,
    Deal,
    Activity,
    Order,
    Case,
}

/// The lists `/api/export/{list}` writes.
#[derive(Debug, Deserialize, ToSchema)]
pub enum ExportList {
    #[serde(rename = "accounts.csv")]
    Accounts,
    #[serde(rename = "contacts.csv")]
    Contacts,
    #[serde(rename = "deals.csv")]
    Deals,
    #[serde(rename = "activities.csv")]
    Activities,
    #[serde(rename = "orders.csv")]
    Orders,
    #[serde(rename = "cases.csv")]
    Cases,
}

#[cfg(test)]
mod tests {
    use outpost_core::model;
    use serde::de::DeserializeOwned;
    use serde_json::json;

    use super::*;

    /// `value` read as `S`, naming the path that does not fit.
    fn fits<S: DeserializeOwned>(what: &str, value: Value) {
        let r: Result<S, _> = serde_path_to_error::deserialize(value.clone());
        if let Err(e) = r {
            panic!(
                "{what}: the schema does not describe `{}`: {e}\n{value:#}",
                e.path()
            );
        }
    }

    /// A core record as the API shows it (defaults, then `filled` with
    /// every optional kind of value) fits the schema of the same name.
    fn record_fits<R: model::Record, S: DeserializeOwned>(filled: Value) {
        let name = R::KIND.name();
        fits::<S>(name, serde_json::to_value(R::default()).unwrap_or_default());
        let r: R = serde_json::from_value(filled).expect("a valid record");
        fits::<S>(name, serde_json::to_value(&r).unwrap_or_default());
    }

    fn meta() -> Value {
        json!({"id": "r1", "owner": "kari", "created_by": "kari", "updated_by": "mona",
               "archived": true, "archived_at": 5, "tags": {"vip": true},
               "custom": {"n": 1, "f": 1.5, "b": true, "s": "x"}, "external_ids": {"erp": "7"}})
    }

    fn with_meta(fields: Value) -> Value {
        let mut v = meta();
        if let (Some(m), Value::Object(f)) = (v.as_object_mut(), fields) {
            m.extend(f);
        }
        v
    }

    #[test]
    fn the_record_schemas_describe_what_core_serialises() {
        let address = json!({"a1": {"label": "home", "street": "Storgata 1", "city": "Oslo", "region": "Oslo",
                                    "postal_code": "0155", "country": "NO", "lat": 59.9, "lon": 10.7, "primary": true}});
        let phone = json!({"p1": {"number": "+47 912 34 567", "label": "work", "primary": true, "opted_out": true}});
        record_fits::<model::Account, Account>(with_meta(json!({
            "name": "Fjord", "account_type": "customer", "industry": "fish", "website": "https://x",
            "addresses": address, "phones": phone, "territory": "west", "lifecycle_stage": "churned",
            "customer_since": "2020-01-01", "churned_at": 7, "churn_reason": "r", "lost_to_competitor": "c",
            "lost_to_reason": "r", "value_tier": "A", "lead_source": "web", "referred_by": "x",
            "preferred_payment_method": "bank_transfer", "payment_terms": "net 30", "credit_limit_minor": 5,
            "currency": "EUR", "notes": "n",
            "balance": {"currency": "EUR", "balance_minor": 1, "overdue_minor": 2, "open_invoices": 3,
                        "last_payment_at": 4, "as_of": 5}})));
        record_fits::<model::Contact, Contact>(with_meta(json!({
            "first_name": "Kari", "last_name": "N", "title": "CEO", "role": "buyer",
            "emails": {"e1": {"address": "k@example.com", "label": "work", "primary": true, "opted_out": true}},
            "phones": phone, "addresses": address,
            "social": {"s1": {"network": "x", "handle": "@k"}}, "preferred_contact_method": "messaging",
            "preferred_contact_time": "am", "language": "nb", "birthday": "--01-31",
            "family": {"f1": {"name": "Ola", "relation": "spouse", "birthday": "1980-01-01", "anniversary": "--06-01"}},
            "hobbies": {"sailing": true}, "memberships": {"rotary": true},
            "important_dates": {"d1": {"label": "x", "date": "--05-17", "one_off": true}},
            "consent": {"email_marketing": true, "sms_marketing": true, "phone_marketing": true, "recorded_at": 9},
            "notes": "n"})));
        let line = json!({"l1": {"product_id": "p", "description": "d", "quantity_milli": 1500,
                                 "unit_price_minor": 100, "discount_percent": 12.5}});
        record_fits::<model::Deal, Deal>(with_meta(json!({
            "name": "Boat", "contact_roles": {"c1": "champion"}, "pipeline_id": "sales", "stage_id": "won",
            "amount_minor": 5, "currency": "EUR", "probability": 50, "expected_close": "2030-01-01",
            "deal_type": "cross_sell", "lost_reason": "r", "competitor": "c", "line_items": line,
            "stage_history": {"h1": {"from_stage": "lead", "to_stage": "won", "at": 3, "by": "kari"}},
            "description": "d"})));
        let geo = json!({"at": 1, "lat": 1.5, "lon": 2.5, "accuracy_m": 3.5});
        record_fits::<model::Activity, Activity>(with_meta(json!({
            "kind": "visit", "status": "cancelled", "subject": "s", "due_at": 1, "start_at": 2, "end_at": 3,
            "completed_at": 4, "direction": "inbound", "outcome": "o", "contact_ids": {"c1": true},
            "deal_id": "d", "order_id": "o", "case_id": "c", "check_in": geo, "check_out": geo,
            "photos": {"ph1": {"uri": "file:x", "caption": "c", "taken_at": 5}}, "report": "r", "body": "b"})));
        record_fits::<model::Order, Order>(with_meta(json!({
            "number": "A-1", "ordered_at": 1, "status": "open", "lines": line, "total_minor": 5, "currency": "EUR",
            "payment_method": "card", "credit_terms_days": 30, "due_date": "2030-01-01",
            "payments": {"pay1": {"at": 2, "amount_minor": 3, "method": "cash", "late": true}},
            "loyalty_card": "l", "description": "d"})));
        record_fits::<model::Case, Case>(with_meta(json!({
            "kind": "feedback", "subject": "s", "channel": "web", "product_id": "p", "contact_id": "c",
            "status": "closed", "resolution": "fixed", "satisfaction": 5, "opened_at": 1, "closed_at": 2,
            "description": "d"})));
        record_fits::<model::CustomField, CustomField>(with_meta(json!({
            "field_type": "choice", "entity": "contact", "key": "k", "label": "K", "options": ["a", "b"]})));
    }

    #[test]
    fn the_row_schemas_describe_the_list_rows() {
        use super::super::lists::row_json as row;
        use outpost_core::store::queries::{
            AccountSummary, ActivityRow as A, CaseRow as C, ContactRow as Co, DealRow as D,
            OrderRow as O,
        };
        let doc_id = outpost_core::DocumentId::random();
        let s = || Some("x".to_owned());
        fits::<AccountRow>(
            "account row",
            row(
                &AccountSummary {
                    doc_id,
                    name: "n".into(),
                    account_type: s(),
                    owner: s(),
                    territory: s(),
                    lifecycle_stage: s(),
                    value_tier: s(),
                    archived: false,
                    updated_at: 1,
                    balance_minor: 2,
                    overdue_minor: 3,
                    currency: s(),
                },
                "id",
            ),
        );
        fits::<ContactRow>(
            "contact row",
            row(
                &Co {
                    doc_id,
                    account_name: "a".into(),
                    id: "i".into(),
                    full_name: "f".into(),
                    title: s(),
                    email: s(),
                    phone: s(),
                    owner: s(),
                    archived: true,
                    created_at: 1,
                },
                "account",
            ),
        );
        fits::<DealRow>(
            "deal row",
            row(
                &D {
                    doc_id,
                    account_name: "a".into(),
                    id: "i".into(),
                    name: "n".into(),
                    pipeline_id: "p".into(),
                    stage_id: "s".into(),
                    stage_meaning: "open".into(),
                    amount_minor: 1,
                    currency: "EUR".into(),
                    probability: 5,
                    weighted_minor: 1,
                    expected_close: s(),
                    owner: s(),
                    archived: false,
                    created_at: 1,
                    stage_changed_at: 2,
                },
                "account",
            ),
        );
        fits::<ActivityRow>(
            "activity row",
            row(
                &A {
                    doc_id,
                    account_name: "a".into(),
                    id: "i".into(),
                    kind: "call".into(),
                    status: "done".into(),
                    subject: "s".into(),
                    at: Some(1),
                    due_at: Some(1),
                    start_at: Some(1),
                    end_at: Some(1),
                    completed_at: Some(1),
                    owner: s(),
                    deal_id: s(),
                    archived: false,
                },
                "account",
            ),
        );
        fits::<OrderRow>(
            "order row",
            row(
                &O {
                    doc_id,
                    account_name: "a".into(),
                    id: "i".into(),
                    ordered_at: 1,
                    total_minor: 2,
                    outstanding_minor: 1,
                    currency: "EUR".into(),
                    archived: false,
                },
                "account",
            ),
        );
        fits::<CaseRow>(
            "case row",
            row(
                &C {
                    doc_id,
                    account_name: "a".into(),
                    id: "i".into(),
                    kind: s(),
                    status: s(),
                    opened_at: 1,
                    closed_at: Some(2),
                    archived: false,
                },
                "account",
            ),
        );
    }
}
