//! E-mail, SMS and proposal templates: records of the org's settings
//! document (collection `templates`), written by admins, rendered on any
//! device by `crate::templates`.

use serde::{Deserialize, Serialize};

use super::{RecordKind, record};

/// What a template is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// An e-mail: has a subject.
    #[default]
    Email,
    /// A text message: plain text only.
    Sms,
    /// A proposal or quote letter.
    Proposal,
}

/// How the body is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum TemplateFormat {
    /// Plain text: merged values go in as they are.
    #[default]
    Text,
    /// HTML: every merged value is HTML-escaped.
    Html,
}

record! {
    /// An e-mail, SMS or proposal template, kept in the org settings.
    pub struct Template: RecordKind::Template {
        required {
            /// What it is for.
            pub kind: TemplateKind,
            /// Text or HTML body.
            pub format: TemplateFormat,
        }
        /// What reps see in the template picker.
        pub name: String,
        /// The subject line: e-mail templates only.
        pub subject: Option<String>,
        /// The Jinja source of the body (`crate::templates` says what it may hold).
        pub body: String,
        /// BCP 47 tag of the language the template is written in; when set
        /// its dates and amounts follow it, whatever the phone's locale.
        pub locale: Option<String>,
    }
}
