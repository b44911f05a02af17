//! The records a CRM account document holds, and the org-wide settings.
//!
//! Every record kind shares the same metadata (id, owner, created/updated by
//! and when, archived, tags, custom fields, external ids); the `record!`
//! macro adds those fields so the document layout stays uniform.

mod account;
mod activity;
mod common;
mod contact;
mod deal;
mod quote;
mod sales;
pub(crate) mod serde_helpers;
mod settings;
mod template;
pub mod validate;

pub use account::*;
pub use activity::*;
pub use common::*;
pub use contact::*;
pub use deal::*;
pub use quote::*;
pub use sales::*;
pub use settings::*;
pub use template::*;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Which kind of document a record lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// One CRM account (customer company or household) and all it owns.
    Account,
    /// Org-wide settings: pipelines, custom field definitions, products.
    Settings,
}

impl DocKind {
    /// The value of the root `type` key.
    pub fn type_tag(self) -> &'static str {
        match self {
            DocKind::Account => "outpost.account",
            DocKind::Settings => "outpost.settings",
        }
    }

    /// Parses the root `type` key.
    pub fn from_type_tag(tag: &str) -> Option<Self> {
        match tag {
            "outpost.account" => Some(DocKind::Account),
            "outpost.settings" => Some(DocKind::Settings),
            _ => None,
        }
    }

    /// The one record at the root of a document of this kind.
    pub fn singleton(self) -> RecordKind {
        match self {
            DocKind::Account => RecordKind::Account,
            DocKind::Settings => RecordKind::OrgSettings,
        }
    }

    /// The record collections at the root of a document of this kind.
    pub fn collections(self) -> &'static [RecordKind] {
        match self {
            DocKind::Account => &[
                RecordKind::Contact,
                RecordKind::Deal,
                RecordKind::Activity,
                RecordKind::Order,
                RecordKind::Case,
                RecordKind::Quote,
            ],
            DocKind::Settings => &[
                RecordKind::Pipeline,
                RecordKind::CustomField,
                RecordKind::Product,
                RecordKind::Template,
            ],
        }
    }
}

/// Every kind of record, and where it lives in its document.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Account,
    Contact,
    Deal,
    Activity,
    Order,
    Case,
    Quote,
    Pipeline,
    CustomField,
    Product,
    Template,
    OrgSettings,
}

impl RecordKind {
    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Account => "account",
            RecordKind::Contact => "contact",
            RecordKind::Deal => "deal",
            RecordKind::Activity => "activity",
            RecordKind::Order => "order",
            RecordKind::Case => "case",
            RecordKind::Quote => "quote",
            RecordKind::Pipeline => "pipeline",
            RecordKind::CustomField => "custom field",
            RecordKind::Product => "product",
            RecordKind::Template => "template",
            RecordKind::OrgSettings => "settings",
        }
    }

    /// The document kind the record lives in.
    pub fn doc_kind(self) -> DocKind {
        match self {
            RecordKind::Account
            | RecordKind::Contact
            | RecordKind::Deal
            | RecordKind::Activity
            | RecordKind::Order
            | RecordKind::Case
            | RecordKind::Quote => DocKind::Account,
            _ => DocKind::Settings,
        }
    }

    /// Where the record lives: a singleton record at a root key, or a map of
    /// records keyed by id at a root key.
    pub fn location(self) -> Location {
        match self {
            RecordKind::Account => Location::Singleton("account"),
            RecordKind::OrgSettings => Location::Singleton("settings"),
            RecordKind::Contact => Location::Collection("contacts"),
            RecordKind::Deal => Location::Collection("deals"),
            RecordKind::Activity => Location::Collection("activities"),
            RecordKind::Order => Location::Collection("orders"),
            RecordKind::Case => Location::Collection("cases"),
            RecordKind::Quote => Location::Collection("quotes"),
            RecordKind::Pipeline => Location::Collection("pipelines"),
            RecordKind::CustomField => Location::Collection("custom_fields"),
            RecordKind::Product => Location::Collection("products"),
            RecordKind::Template => Location::Collection("templates"),
        }
    }
}

/// One record of a document, by kind and id (the singleton account or
/// settings record has id `""`): what a change touched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RecordRef {
    pub kind: RecordKind,
    pub id: String,
}

/// Where records of a kind live in their document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// One record at this root key.
    Singleton(&'static str),
    /// A map of records keyed by record id at this root key.
    Collection(&'static str),
}

/// A record stored in a document.
pub trait Record:
    Serialize + DeserializeOwned + Default + Clone + PartialEq + std::fmt::Debug
{
    /// The kind of record.
    const KIND: RecordKind;
    /// The shared metadata.
    fn meta(&self) -> &RecordMeta;
    /// The shared metadata, mutable.
    fn meta_mut(&mut self) -> &mut RecordMeta;
}

/// Fields of every record that the core maintains itself; they never show
/// as user-facing conflicts.
pub const BOOKKEEPING_FIELDS: &[&str] = &["updated_at", "updated_by"];

/// Fields that hold long free text, stored as collaborative Automerge text
/// so concurrent edits to the same note merge character by character.
pub const TEXT_FIELDS: &[&str] = &["notes", "report", "body", "description"];

/// Declares a record struct with the shared metadata flattened in.
///
/// With the `uniffi` feature every field gets a default in the generated
/// Kotlin/Swift/Python constructors, except the fields in the optional
/// leading `required { ... }` block (enums without an `Option`, for which
/// uniffi has no default from proc-macros).
macro_rules! record {
    (
        $(#[$m:meta])*
        pub struct $name:ident : $kind:path {
            $( required { $( $(#[$rm:meta])* pub $rf:ident : $rt:ty ),* $(,)? } )?
            $( $(#[$fm:meta])* pub $f:ident : $t:ty ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
        #[serde(default)]
        pub struct $name {
            $($( $(#[$rm])* pub $rf : $rt, )*)?
            /// Shared metadata (id, owner, audit fields, archive flag, tags, custom fields).
            #[serde(flatten)]
            #[cfg_attr(feature = "uniffi", uniffi(default))]
            pub meta: $crate::model::RecordMeta,
            $( $(#[$fm])* #[cfg_attr(feature = "uniffi", uniffi(default))] pub $f : $t, )*
        }

        impl $crate::model::Record for $name {
            const KIND: $crate::model::RecordKind = $kind;
            fn meta(&self) -> &$crate::model::RecordMeta { &self.meta }
            fn meta_mut(&mut self) -> &mut $crate::model::RecordMeta { &mut self.meta }
        }
    };
}
pub(crate) use record;
