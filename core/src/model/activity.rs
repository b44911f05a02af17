//! Activities: the one timeline of everything that happened or will happen.

use serde::{Deserialize, Serialize};

use super::serde_helpers::{impl_keyed, keyed, set};
use super::{RecordKind, record};

/// What happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Call,
    Meeting,
    Visit,
    Email,
    Sms,
    #[default]
    Note,
    Task,
}

impl ActivityKind {
    /// The stored string.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Call => "call",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Visit => "visit",
            ActivityKind::Email => "email",
            ActivityKind::Sms => "sms",
            ActivityKind::Note => "note",
            ActivityKind::Task => "task",
        }
    }
}

/// Planned, done or cancelled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    #[default]
    Planned,
    Done,
    Cancelled,
}

impl ActivityStatus {
    /// The stored string.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::Planned => "planned",
            ActivityStatus::Done => "done",
            ActivityStatus::Cancelled => "cancelled",
        }
    }
}

/// Who started the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

/// A place and time: a visit's check-in or check-out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct GeoStamp {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub at: Option<i64>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub lat: Option<f64>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub lon: Option<f64>,
    /// GPS accuracy in metres.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub accuracy_m: Option<f64>,
}

/// A photo taken on a visit (the file itself lives outside the document).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct Photo {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub uri: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub caption: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub taken_at: Option<i64>,
}

impl_keyed!(Photo);

record! {
    /// A call, meeting, visit, e-mail, SMS, note or task.
    pub struct Activity: RecordKind::Activity {
        required {
            pub kind: ActivityKind,
            pub status: ActivityStatus,
        }
        pub subject: String,
        /// Deadline (tasks) in ms since the epoch.
        pub due_at: Option<i64>,
        pub start_at: Option<i64>,
        pub end_at: Option<i64>,
        /// When it was marked done.
        pub completed_at: Option<i64>,
        pub direction: Option<Direction>,
        /// e.g. "connected", "voicemail", "no_answer".
        pub outcome: Option<String>,
        /// Contacts involved (a set of contact ids).
        #[serde(with = "set")]
        pub contact_ids: Vec<String>,
        pub deal_id: Option<String>,
        pub order_id: Option<String>,
        pub case_id: Option<String>,
        pub check_in: GeoStamp,
        pub check_out: GeoStamp,
        #[serde(with = "keyed")]
        pub photos: Vec<Photo>,
        /// Visit report (collaborative text).
        pub report: String,
        /// Body of a note, e-mail or SMS log (collaborative text).
        pub body: String,
    }
}
