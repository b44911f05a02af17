//! The handlers' answers: lists, the account card, conflicts and history,
//! reports, admin, and the request bodies `openapi.rs` derives.

use super::*;

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
    /// A page of one account's quotes.
    QuotePage of Quote;
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
    pub quotes: u64,
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
    /// A new template.
    TemplateInput;
    /// The template's fields to change.
    TemplatePatch;
    /// A new product of the catalogue.
    ProductInput;
    /// The product's fields to change.
    ProductPatch;
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
    Quote,
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
