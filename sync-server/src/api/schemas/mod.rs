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

mod answers;
mod messages;
mod records;
mod reports;
#[cfg(test)]
mod tests;

pub use answers::*;
pub use messages::*;
pub use records::*;
pub use reports::*;
