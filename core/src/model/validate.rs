//! The one set of value rules: the ranges, formats and enums docs/SCHEMA.md
//! states, and custom field values against their definitions.
//!
//! Rules read a record as the JSON the document holds (the same view on
//! every path: an edit on the phone, a REST call, a change merged from
//! another replica), so a value a foreign client wrote is judged exactly like
//! one typed into the app. Only what a change touches is judged: a record
//! that already holds a bad value (written before a rule existed, or a stage
//! deleted since) does not block edits of its other fields.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{
    AccountType, ActivityKind, ActivityStatus, CaseKind, ContactMethod, CustomField,
    CustomFieldType, DealType, Direction, LifecycleStage, PaymentMethod, Pipeline, QuoteStatus,
    RecordKind, StageMeaning, TemplateFormat, TemplateKind,
};

/// One value that breaks a rule: where (a dotted path, e.g.
/// `emails.<id>.address`) and why (no personal data: never the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

/// What the rules need from the org's settings: pipelines (for stages) and
/// custom field definitions. Empty when the store has no settings document,
/// and then stage and custom-field checks are skipped.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub pipelines: Vec<Pipeline>,
    pub custom_fields: Vec<CustomField>,
}

/// The errors of the fields of `new` that differ from `old` (all of them
/// when `old` is `None`, a new record).
pub fn check_changed(
    kind: RecordKind,
    old: Option<&Map<String, Value>>,
    new: &Map<String, Value>,
    rules: &Rules,
) -> Vec<FieldError> {
    let mut errors = check(kind, new, rules);
    if let Some(old) = old {
        errors.retain(|e| {
            let top = e.field.split('.').next().unwrap_or_default();
            depends_on(kind, top)
                .iter()
                .chain([&top])
                .any(|k| old.get(*k) != new.get(*k))
        });
    }
    errors
}

/// The other fields a rule reported on `top` reads: a change of any of
/// them brings the rule into play.
fn depends_on(kind: RecordKind, top: &str) -> &'static [&'static str] {
    match (kind, top) {
        (RecordKind::Deal, "stage_id" | "pipeline_id") => &["stage_id", "pipeline_id"],
        (RecordKind::Contact, "first_name") => &["first_name", "last_name", "emails", "phones"],
        (RecordKind::Activity, "end_at") => &["start_at"],
        (RecordKind::Case, "closed_at") => &["opened_at"],
        // a template compiles as a whole: any part may break another
        (RecordKind::Template, "subject" | "body" | "format") => {
            &["kind", "format", "subject", "body", "locale"]
        }
        _ => &[],
    }
}

/// Every rule a record of `kind` breaks.
pub fn check(kind: RecordKind, r: &Map<String, Value>, rules: &Rules) -> Vec<FieldError> {
    let mut v = Checker {
        r,
        errors: Vec::new(),
    };
    match kind {
        RecordKind::Account => {
            v.non_empty("name");
            v.enumeration::<AccountType>("account_type");
            v.enumeration::<LifecycleStage>("lifecycle_stage");
            v.enumeration::<PaymentMethod>("preferred_payment_method");
            v.date("customer_since", false);
            v.currency("currency");
            v.min("credit_limit_minor", 0);
            v.items("phones", |c| c.phone());
            v.items("addresses", |c| c.country());
        }
        RecordKind::Contact => {
            let named = ["first_name", "last_name"].iter().any(|k| {
                r.get(*k)
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.trim().is_empty())
            });
            let reachable = ["emails", "phones"].iter().any(|k| {
                r.get(*k)
                    .and_then(Value::as_object)
                    .is_some_and(|m| !m.is_empty())
            });
            if !named && !reachable {
                v.error("first_name", "a contact needs a name, an e-mail or a phone");
            }
            v.enumeration::<ContactMethod>("preferred_contact_method");
            v.date("birthday", true);
            v.items("emails", |c| c.email());
            v.items("phones", |c| c.phone());
            v.items("addresses", |c| c.country());
            v.items("family", |c| {
                c.date("birthday", true);
                c.date("anniversary", true);
            });
            v.items("important_dates", |c| {
                c.non_empty("label");
                c.required_date("date", true);
            });
        }
        RecordKind::Deal => {
            v.non_empty("name");
            v.min("amount_minor", 0);
            v.currency("currency");
            v.range("probability", 0, 100);
            v.date("expected_close", false);
            v.enumeration::<DealType>("deal_type");
            v.items("line_items", |c| c.line_item());
            v.stage(rules);
        }
        RecordKind::Activity => {
            v.enumeration::<ActivityKind>("kind");
            v.enumeration::<ActivityStatus>("status");
            v.enumeration::<Direction>("direction");
            v.not_before("end_at", "start_at");
        }
        RecordKind::Order => {
            // a negative total is a credit note or a return: allowed
            v.currency("currency");
            v.enumeration::<PaymentMethod>("payment_method");
            v.min("credit_terms_days", 0);
            v.date("due_date", false);
            v.items("lines", |c| c.line_item());
            v.items("payments", |c| c.enumeration::<PaymentMethod>("method"));
        }
        RecordKind::Quote => {
            v.enumeration::<QuoteStatus>("status");
            v.currency("currency");
            v.date("valid_until", false);
            v.min("version", 0);
            v.items("lines", |c| {
                c.range("discount_bp", 0, 10_000);
                c.range("tax_bp", 0, 10_000);
                c.min("unit_price_minor", 0);
            });
        }
        RecordKind::Case => {
            v.enumeration::<CaseKind>("kind");
            v.range("satisfaction", 1, 5);
            v.not_before("closed_at", "opened_at");
        }
        RecordKind::Pipeline => {
            v.non_empty("name");
            v.items("stages", |c| {
                c.non_empty("name");
                c.range("probability", 0, 100);
                c.enumeration::<StageMeaning>("meaning");
            });
        }
        RecordKind::CustomField => {
            v.non_empty("key");
            v.non_empty("entity");
            v.enumeration::<CustomFieldType>("field_type");
        }
        RecordKind::Template => {
            v.non_empty("name");
            v.enumeration::<TemplateKind>("kind");
            v.enumeration::<TemplateFormat>("format");
            // the source compiles within the sandbox's limits, on every
            // path (an admin's phone, the API, a merge)
            if let Ok(t) = serde_json::from_value::<super::Template>(Value::Object(r.clone()))
                && let Err(e) = crate::templates::validate(&t)
            {
                v.error(e.field(), &e.to_string());
            }
        }
        RecordKind::Product => {
            v.non_empty("sku");
            v.non_empty("name");
            v.min("unit_price_minor", 0);
            v.currency("currency");
        }
        RecordKind::OrgSettings => {
            v.currency("default_currency");
        }
    }
    v.custom(kind, rules);
    v.errors
}

struct Checker<'a> {
    r: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Checker<'a> {
    fn error(&mut self, field: &str, reason: &str) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            reason: reason.to_owned(),
        });
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.r.get(field).filter(|v| !v.is_null())
    }

    fn non_empty(&mut self, field: &str) {
        if self
            .get(field)
            .and_then(Value::as_str)
            .is_none_or(|s| s.trim().is_empty())
        {
            self.error(field, "must not be empty");
        }
    }

    fn enumeration<E: DeserializeOwned>(&mut self, field: &str) {
        if let Some(v) = self.get(field)
            && serde_json::from_value::<E>(v.clone()).is_err()
        {
            self.error(field, "not one of the allowed values (docs/SCHEMA.md)");
        }
    }

    fn int(&mut self, field: &str) -> Option<i64> {
        let v = self.get(field)?;
        match v.as_i64() {
            Some(i) => Some(i),
            None => {
                self.error(field, "must be a whole number");
                None
            }
        }
    }

    fn min(&mut self, field: &str, min: i64) {
        if self.int(field).is_some_and(|i| i < min) {
            self.error(field, &format!("must be at least {min}"));
        }
    }

    fn range(&mut self, field: &str, lo: i64, hi: i64) {
        if self.int(field).is_some_and(|i| !(lo..=hi).contains(&i)) {
            self.error(field, &format!("must be from {lo} to {hi}"));
        }
    }

    fn not_before(&mut self, later: &str, earlier: &str) {
        if let (Some(a), Some(b)) = (
            self.get(later).and_then(Value::as_i64),
            self.get(earlier).and_then(Value::as_i64),
        ) && a < b
        {
            self.error(later, &format!("must not be before {earlier}"));
        }
    }

    /// ISO 4217: three capital letters (an empty string is "not set").
    fn currency(&mut self, field: &str) {
        if let Some(v) = self.get(field) {
            let ok = v.as_str().is_some_and(|s| {
                s.is_empty() || (s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()))
            });
            if !ok {
                self.error(
                    field,
                    "must be an ISO 4217 currency code such as EUR or NOK",
                );
            }
        }
    }

    fn date(&mut self, field: &str, yearless: bool) {
        if let Some(v) = self.get(field) {
            let ok = v.as_str().is_some_and(|s| is_date(s, yearless));
            if !ok {
                self.error(
                    field,
                    if yearless {
                        "must be a date YYYY-MM-DD or --MM-DD"
                    } else {
                        "must be a date YYYY-MM-DD"
                    },
                );
            }
        }
    }

    fn required_date(&mut self, field: &str, yearless: bool) {
        if self.get(field).is_none() {
            self.error(field, "must not be empty");
        }
        self.date(field, yearless);
    }

    fn email(&mut self) {
        let ok = self
            .get("address")
            .and_then(Value::as_str)
            .is_some_and(is_email);
        if !ok {
            self.error("address", "must be an e-mail address");
        }
    }

    fn phone(&mut self) {
        let ok = self.get("number").and_then(Value::as_str).is_some_and(|n| {
            n.chars().any(|c| c.is_ascii_digit())
                && n.chars()
                    .all(|c| c.is_ascii_digit() || " +-().,/#*pwxPWX".contains(c) || c == '\u{a0}')
        });
        if !ok {
            self.error(
                "number",
                "must be a phone number (digits, spaces, + - ( ) .)",
            );
        }
    }

    /// ISO 3166-1 alpha-2: two capital letters.
    fn country(&mut self) {
        if let Some(v) = self.get("country") {
            let ok = v
                .as_str()
                .is_some_and(|s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()));
            if !ok {
                self.error("country", "must be an ISO 3166-1 country code such as NO");
            }
        }
    }

    fn line_item(&mut self) {
        self.min("quantity_milli", 0);
        self.min("unit_price_minor", 0);
        if let Some(v) = self.get("discount_percent") {
            let ok = v.as_f64().is_some_and(|d| (0.0..=100.0).contains(&d));
            if !ok {
                self.error("discount_percent", "must be from 0 to 100");
            }
        }
    }

    /// Each item of the map `field` (item id → item), checked by `f`; errors
    /// are reported as `field.<id>.<item field>`.
    fn items(&mut self, field: &str, f: impl Fn(&mut Checker<'_>)) {
        let Some(items) = self.get(field).and_then(Value::as_object) else {
            return;
        };
        for (id, item) in items {
            let Some(item) = item.as_object() else {
                self.error(&format!("{field}.{id}"), "must be an object");
                continue;
            };
            let mut c = Checker {
                r: item,
                errors: Vec::new(),
            };
            f(&mut c);
            for e in c.errors {
                self.errors.push(FieldError {
                    field: format!("{field}.{id}.{}", e.field),
                    reason: e.reason,
                });
            }
        }
    }

    /// A deal's stage must be one of its pipeline's stages (when the org's
    /// settings define that pipeline).
    fn stage(&mut self, rules: &Rules) {
        if rules.pipelines.is_empty() {
            return;
        }
        let pipeline = self
            .get("pipeline_id")
            .and_then(Value::as_str)
            .unwrap_or("");
        let stage = self.get("stage_id").and_then(Value::as_str).unwrap_or("");
        match rules.pipelines.iter().find(|p| p.meta.id == pipeline) {
            None => self.error("pipeline_id", "no such pipeline in the org's settings"),
            Some(p) if !p.stages.iter().any(|s| s.id == stage) => {
                self.error("stage_id", "no such stage in the deal's pipeline")
            }
            Some(_) => {}
        }
    }

    /// Custom values against their definitions for this record kind; a key
    /// without a definition is left alone (the definition may come later).
    fn custom(&mut self, kind: RecordKind, rules: &Rules) {
        let Some(custom) = self.get("custom").and_then(Value::as_object) else {
            return;
        };
        for (key, value) in custom {
            let Some(def) = rules
                .custom_fields
                .iter()
                .find(|d| d.key == *key && d.entity == kind.name() && !d.meta.archived)
            else {
                continue;
            };
            let ok = match def.field_type {
                CustomFieldType::Text => value.is_string(),
                CustomFieldType::Number => value.is_number(),
                CustomFieldType::Integer => value.is_i64(),
                CustomFieldType::Bool => value.is_boolean(),
                CustomFieldType::Date => value.as_str().is_some_and(|s| is_date(s, false)),
                CustomFieldType::Choice => value
                    .as_str()
                    .is_some_and(|s| def.options.iter().any(|o| o == s)),
            };
            if !ok {
                let reason = match def.field_type {
                    CustomFieldType::Choice => "must be one of the field's options",
                    CustomFieldType::Date => "must be a date YYYY-MM-DD",
                    CustomFieldType::Integer => "must be a whole number",
                    CustomFieldType::Number => "must be a number",
                    CustomFieldType::Bool => "must be true or false",
                    CustomFieldType::Text => "must be text",
                };
                self.error(&format!("custom.{key}"), reason);
            }
        }
    }
}

/// `YYYY-MM-DD` (a real calendar date), or with `yearless` also `--MM-DD`.
pub fn is_date(s: &str, yearless: bool) -> bool {
    if let Some(md) = s.strip_prefix("--") {
        // a leap-year date, so 29 February is a valid yearly date
        return yearless
            && md.len() == 5
            && chrono::NaiveDate::parse_from_str(&format!("2000-{md}"), "%Y-%m-%d").is_ok();
    }
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// An e-mail address: one `@` with something on both sides, a dot in the
/// domain, no spaces. (Deliverability is not this check's business.)
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errs(kind: RecordKind, v: Value, rules: &Rules) -> Vec<String> {
        check(kind, v.as_object().unwrap(), rules)
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn the_issues_examples_are_refused_naming_the_field() {
        let none = Rules::default();
        assert_eq!(
            errs(
                RecordKind::Deal,
                json!({"name": "X", "probability": 200}),
                &none
            ),
            ["probability"]
        );
        assert_eq!(
            errs(
                RecordKind::Deal,
                json!({"name": "X", "currency": "EURO"}),
                &none
            ),
            ["currency"]
        );
        assert_eq!(
            errs(
                RecordKind::Deal,
                json!({"name": "X", "amount_minor": -5}),
                &none
            ),
            ["amount_minor"]
        );
        assert_eq!(
            errs(
                RecordKind::Contact,
                json!({"first_name": "Kari", "emails": {"e1": {"address": "nope"}}}),
                &none
            ),
            ["emails.e1.address"]
        );
        assert_eq!(
            errs(
                RecordKind::Contact,
                json!({"first_name": "Kari", "birthday": "31/12/1980"}),
                &none
            ),
            ["birthday"]
        );
        assert_eq!(errs(RecordKind::Contact, json!({}), &none), ["first_name"]);
        assert!(
            errs(
                RecordKind::Contact,
                json!({"last_name": "Соколова", "birthday": "--02-29"}),
                &none
            )
            .is_empty()
        );
    }

    #[test]
    fn stages_and_custom_fields_follow_the_settings() {
        let pipeline: Pipeline = serde_json::from_value(json!({
            "id": "sales", "name": "Sales",
            "stages": {"lead": {"name": "Lead", "probability": 10, "meaning": "open"}}
        }))
        .unwrap();
        let shoe: CustomField = serde_json::from_value(json!({
            "id": "f1", "entity": "contact", "key": "size", "label": "Size",
            "field_type": "choice", "options": ["S", "M"]
        }))
        .unwrap();
        let rules = Rules {
            pipelines: vec![pipeline],
            custom_fields: vec![shoe],
        };
        let deal = |stage: &str| json!({"name": "X", "pipeline_id": "sales", "stage_id": stage});
        assert!(errs(RecordKind::Deal, deal("lead"), &rules).is_empty());
        assert_eq!(
            errs(RecordKind::Deal, deal("nowhere"), &rules),
            ["stage_id"]
        );
        let c = |v: Value| json!({"first_name": "Ola", "custom": {"size": v, "free": 1}});
        assert!(errs(RecordKind::Contact, c(json!("M")), &rules).is_empty());
        assert_eq!(
            errs(RecordKind::Contact, c(json!("XL")), &rules),
            ["custom.size"]
        );
    }

    #[test]
    fn only_what_a_change_touches_is_judged() {
        let old = json!({"name": "X", "probability": 200, "amount_minor": 5});
        let new = json!({"name": "X", "probability": 200, "amount_minor": 6});
        let changed = check_changed(
            RecordKind::Deal,
            old.as_object(),
            new.as_object().unwrap(),
            &Rules::default(),
        );
        assert!(changed.is_empty(), "{changed:?}");
    }

    #[test]
    fn dates_and_emails() {
        assert!(is_date("2024-02-29", false));
        assert!(!is_date("2023-02-29", false));
        assert!(!is_date("2024-13-45", false));
        assert!(!is_date("--02-29", false));
        assert!(is_date("--02-29", true));
        assert!(is_email("kari@fjord.example"));
        for bad in ["nope", "@x.no", "a@b", "a b@c.no", "a@.no"] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
