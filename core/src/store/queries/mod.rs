//! Read-only queries over the index: lists, search, caller lookup, pipeline,
//! agenda, dashboard, reminders. Time is passed in as a [`Day`].

use chrono::{Duration, NaiveDate, TimeZone};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Store;
use super::index::parse_date;
use crate::ids::DocumentId;
use crate::model::{ActivityKind, ActivityStatus, StageMeaning};

/// One local calendar day: the date and the user's UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Day {
    pub date: NaiveDate,
    /// Minutes east of UTC (e.g. 60 for CET, -300 for EST).
    pub utc_offset_minutes: i32,
}

impl Day {
    /// Start of the day in ms since the epoch.
    pub fn start_ms(&self) -> i64 {
        self.at_midnight(self.date)
    }

    /// Start of the next day.
    pub fn end_ms(&self) -> i64 {
        self.at_midnight(self.date + Duration::days(1))
    }

    pub(super) fn at_midnight(&self, d: NaiveDate) -> i64 {
        let offset = chrono::FixedOffset::east_opt(self.utc_offset_minutes * 60)
            .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
        let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        offset
            .from_local_datetime(&naive)
            .single()
            .map_or(0, |t| t.timestamp_millis())
    }

    /// The local date of an instant.
    pub fn date_of(&self, ms: i64) -> NaiveDate {
        let offset = chrono::FixedOffset::east_opt(self.utc_offset_minutes * 60)
            .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
        offset
            .timestamp_millis_opt(ms)
            .single()
            .map_or(self.date, |t| t.date_naive())
    }
}

/// How to sort accounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum AccountSort {
    #[default]
    Name,
    RecentlyUpdated,
    RecentlyCreated,
}

/// Filters for [`Store::list_accounts`]. Empty fields do not filter.
/// (The bindings export their own `AccountFilter` with typed fields,
/// `ffi::rows`, and convert.)
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub owner: Option<String>,
    pub lifecycle_stage: Option<String>,
    pub tag: Option<String>,
    pub territory: Option<String>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
    pub include_archived: bool,
    pub sort: AccountSort,
    pub limit: Option<u32>,
    pub offset: u32,
}

/// A row of the account list. (The bindings export their own
/// `AccountSummary` with typed fields, `ffi::rows`, and convert.)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountSummary {
    pub doc_id: DocumentId,
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

/// A contact found by search.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ContactHit {
    pub doc_id: DocumentId,
    pub contact_id: String,
    pub full_name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub account_name: String,
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhoneMatch {
    pub doc_id: DocumentId,
    pub account_name: String,
    /// `None` when the number is the account's own.
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub label: Option<String>,
    pub e164: String,
}

/// Filters for the pipeline.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PipelineFilter {
    /// Defaults to the org's default pipeline (or the only one).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pipeline_id: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub owner: Option<String>,
    /// Defaults to the org's default currency; deals in other currencies are
    /// counted in `other_currency_deals`, never summed in.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub currency: Option<String>,
}

/// One column of the pipeline board.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StageSummary {
    pub stage_id: String,
    pub name: String,
    pub meaning: StageMeaning,
    pub position: i64,
    pub count: i64,
    pub total_minor: i64,
    pub weighted_minor: i64,
    /// Share of the pipeline's deals in this stage, 0.0-1.0.
    pub share: f64,
}

/// The pipeline by stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PipelineView {
    pub pipeline_id: Option<String>,
    pub currency: Option<String>,
    pub stages: Vec<StageSummary>,
    pub other_currency_deals: i64,
}

/// An activity in the agenda.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AgendaItem {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub activity_id: String,
    pub kind: ActivityKind,
    pub status: ActivityStatus,
    pub subject: String,
    /// The time it is planned for (start, or due for tasks).
    pub at: Option<i64>,
}

/// Today's plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Agenda {
    pub today: Vec<AgendaItem>,
    pub overdue: Vec<AgendaItem>,
}

/// The daily dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Dashboard {
    pub visits_today: i64,
    pub calls_today: i64,
    pub overdue_tasks: i64,
    pub new_contacts_this_week: i64,
    pub open_deals: i64,
    pub open_pipeline_minor: i64,
    pub weighted_pipeline_minor: i64,
    pub won_this_month: i64,
    pub won_this_month_minor: i64,
    pub currency: Option<String>,
}

/// A birthday or anniversary coming up.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UpcomingDate {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub kind: DateKind,
    pub label: Option<String>,
    pub date: NaiveDate,
    pub days_away: i64,
    /// Years completed on that date, when the year is known.
    pub years: Option<i32>,
}

/// A customer who should have reordered by now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReorderDue {
    pub doc_id: DocumentId,
    pub account_name: String,
    pub orders: i64,
    pub last_order_at: i64,
    pub average_interval_days: f64,
    pub due_on: NaiveDate,
    pub days_overdue: i64,
}

/// Derived facts about one contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ContactInsights {
    pub last_activity_at: Option<i64>,
    pub next_activity_at: Option<i64>,
    /// Median hours between our outbound contact and their next inbound reply.
    pub median_response_hours: Option<f64>,
    pub replies_measured: i64,
}

/// What an [`UpcomingDate`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum DateKind {
    /// The contact's birthday.
    Birthday,
    /// A family member's birthday (the label names who).
    FamilyBirthday,
    /// A family member's wedding anniversary.
    Anniversary,
    /// A recurring date the contact cares about (the label says what).
    ImportantDate,
    /// A year (or more) since the account's purchase.
    PurchaseAnniversary,
}

impl DateKind {
    /// The stored string (`birthday`, `family_birthday`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DateKind::Birthday => "birthday",
            DateKind::FamilyBirthday => "family_birthday",
            DateKind::Anniversary => "anniversary",
            DateKind::ImportantDate => "important_date",
            DateKind::PurchaseAnniversary => "purchase_anniversary",
        }
    }
}

/// A stored enum string (as the index keeps it) as its type; a value this
/// build does not know (written by a newer or foreign client) reads as
/// `None`, like a field of the wrong type in a lenient record read.
pub(crate) fn stored_enum<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

pub(super) fn doc_id(s: String) -> rusqlite::Result<DocumentId> {
    s.parse().map_err(|e: crate::CoreError| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Turns what a user typed into an FTS5 prefix query: each word quoted
/// (so punctuation cannot inject FTS syntax) and matched as a prefix. An
/// e-mail address is searched the way the index keeps it (local part and
/// domain without its top-level part), so a whole pasted address finds its
/// contact.
pub(super) fn fts_query(q: &str) -> Option<String> {
    let terms: Vec<String> = q
        .split_whitespace()
        .flat_map(|t| {
            if t.contains('@') {
                super::index::searchable_email(t)
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect()
            } else {
                vec![t.to_owned()]
            }
        })
        .map(|t| t.replace('"', ""))
        .filter(|t| !t.is_empty())
        .map(|t| format!("\"{t}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

pub(super) const OPEN_STAGE_SQL: &str = "COALESCE(s.meaning, 'open')";

/// Who an account belongs to, for deciding who may sync it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountOwnership {
    pub doc_id: DocumentId,
    pub owner: Option<String>,
    pub territory: Option<String>,
}

mod catalogue;
mod funnel;
mod lists;
mod office;
mod planning;
mod reminders;
mod sales;

pub use catalogue::ProductHit;
pub use funnel::{
    ConversionReport, StageConversion, StageDays, StageThreshold, StalledDeal, StalledOptions,
    StalledReport, ThresholdSource,
};
pub use office::{ActivityRow, CaseRow, ContactRow, DealRow, OrderRow};
pub use sales::{Forecast, ForecastRow, ProductSales, SalesFilter};

/// Parses `YYYY-MM-DD` or `--MM-DD` (exposed for apps that show dates).
pub fn parse_crm_date(raw: &str) -> Option<(Option<i32>, u32, u32)> {
    parse_date(raw)
}

impl Store {
    /// Puts `docs` in the connection's temporary `outpost_scope` table, which
    /// the `*_within` queries restrict themselves to.
    pub(super) fn fill_scope(
        &self,
        docs: &std::collections::BTreeSet<DocumentId>,
    ) -> crate::error::Result<()> {
        let conn = self.conn();
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS outpost_scope (doc_id TEXT PRIMARY KEY);
             DELETE FROM temp.outpost_scope;",
        )?;
        let mut st =
            conn.prepare_cached("INSERT OR IGNORE INTO temp.outpost_scope(doc_id) VALUES (?1)")?;
        for d in docs {
            st.execute([d.to_string()])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::reminders::next_occurrence;
    use super::*;

    #[test]
    fn fts_queries_are_quoted_prefixes() {
        assert_eq!(fts_query("kar nord").as_deref(), Some("\"kar\"* \"nord\"*"));
        assert_eq!(fts_query("a\"b OR"), Some("\"ab\"* \"OR\"*".into()));
        assert_eq!(fts_query("   "), None);
        // a whole address, as the index keeps it
        assert_eq!(
            fts_query("Kari.Nordmann@fjordline.no").as_deref(),
            Some("\"Kari.Nordmann\"* \"fjordline\"*")
        );
    }

    #[test]
    fn leap_day_birthdays_fall_on_the_28th() {
        let d = NaiveDate::from_ymd_opt(2027, 2, 1).unwrap();
        assert_eq!(
            next_occurrence(d, 2, 29),
            NaiveDate::from_ymd_opt(2027, 2, 28)
        );
        let d = NaiveDate::from_ymd_opt(2027, 12, 30).unwrap();
        assert_eq!(
            next_occurrence(d, 1, 2),
            NaiveDate::from_ymd_opt(2028, 1, 2)
        );
    }

    #[test]
    fn day_bounds_follow_the_offset() {
        let day = Day {
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            utc_offset_minutes: 60,
        };
        assert_eq!(day.end_ms() - day.start_ms(), 86_400_000);
        assert_eq!(day.start_ms(), 1_795_388_400_000);
        assert_eq!(day.date_of(day.start_ms()), day.date);
        assert_eq!(
            day.date_of(day.start_ms() - 1),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        );
    }
}
