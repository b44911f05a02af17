//! People at an account and their profile.

use serde::{Deserialize, Serialize};

use super::serde_helpers::{impl_keyed, keyed, set};
use super::{Address, Email, Phone, RecordKind, record};

/// How a person likes to be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    Phone,
    Email,
    Sms,
    Visit,
    Messaging,
}

/// A family member, for greetings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct FamilyMember {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: String,
    /// e.g. "spouse", "child".
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub relation: Option<String>,
    /// ISO date `YYYY-MM-DD`, or `--MM-DD` when the year is unknown.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub birthday: Option<String>,
    /// Wedding anniversary, same format.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub anniversary: Option<String>,
}

/// A date worth a reminder (work anniversary, name day, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct ImportantDate {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub label: String,
    /// `YYYY-MM-DD` or `--MM-DD`.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub date: String,
    /// A one-off date; by default (false) the date repeats every year.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub one_off: bool,
}

/// A social profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct SocialProfile {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub network: String,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub handle: String,
}

/// Consent flags.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(default)]
pub struct Consent {
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub email_marketing: bool,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sms_marketing: bool,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub phone_marketing: bool,
    /// When consent was last recorded.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub recorded_at: Option<i64>,
}

impl_keyed!(FamilyMember, ImportantDate, SocialProfile);

record! {
    /// A person at the account.
    pub struct Contact: RecordKind::Contact {
        pub first_name: String,
        pub last_name: String,
        pub title: Option<String>,
        /// Role at the account (decision maker, buyer, user...).
        pub role: Option<String>,
        #[serde(with = "keyed")]
        pub emails: Vec<Email>,
        #[serde(with = "keyed")]
        pub phones: Vec<Phone>,
        #[serde(with = "keyed")]
        pub addresses: Vec<Address>,
        #[serde(with = "keyed")]
        pub social: Vec<SocialProfile>,
        pub preferred_contact_method: Option<ContactMethod>,
        /// Free text such as "mornings before 10".
        pub preferred_contact_time: Option<String>,
        /// BCP 47 language tag.
        pub language: Option<String>,
        /// `YYYY-MM-DD` or `--MM-DD`.
        pub birthday: Option<String>,
        #[serde(with = "keyed")]
        pub family: Vec<FamilyMember>,
        #[serde(with = "set")]
        pub hobbies: Vec<String>,
        #[serde(with = "set")]
        pub memberships: Vec<String>,
        #[serde(with = "keyed")]
        pub important_dates: Vec<ImportantDate>,
        pub consent: Consent,
        /// Long free text (collaborative).
        pub notes: String,
    }
}

impl Contact {
    /// "First Last", trimmed.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }

    /// The primary e-mail address, or the first one.
    pub fn primary_email(&self) -> Option<&Email> {
        self.emails
            .iter()
            .find(|e| e.primary)
            .or(self.emails.first())
    }

    /// The primary phone, or the first one.
    pub fn primary_phone(&self) -> Option<&Phone> {
        self.phones
            .iter()
            .find(|p| p.primary)
            .or(self.phones.first())
    }
}
