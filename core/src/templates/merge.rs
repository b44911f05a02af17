//! The merge context as template values: the records go through serde into
//! JSON, get their friendly extras (`contact.full_name`, `deal.amount`, ...),
//! and become objects that answer a lookup of anything absent with a
//! [`Missing`] placeholder instead of an error.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, State, Value};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::MergeContext;
use super::format::Formatter;
use crate::model::{Account, Contact, Deal};

/// Placeholder paths stop growing past this many bytes, so a template that
/// chains lookups on a missing value in a loop cannot build huge strings.
const MAX_PATH_BYTES: usize = 120;

/// JSON nested deeper than this (a quote) is cut off: the rest reads as missing.
const MAX_DEPTH: usize = 32;

/// The merge fields that were missing and written as placeholders, in the
/// order they first appeared.
#[derive(Debug, Default)]
pub(crate) struct MissingFields {
    seen: BTreeSet<String>,
    order: Vec<String>,
}

/// Shared between every value of one render.
pub(crate) type Collector = Arc<Mutex<MissingFields>>;

/// `Rendered::missing` lists at most this many fields (the placeholders
/// are all in the text).
const MAX_MISSING: usize = 100;

fn record_missing(collector: &Collector, path: &str) {
    let mut fields = collector.lock().unwrap_or_else(|e| e.into_inner());
    if fields.order.len() < MAX_MISSING && fields.seen.insert(path.to_owned()) {
        fields.order.push(path.to_owned());
    }
}

/// The missing fields recorded so far.
pub(crate) fn missing_fields(collector: &Collector) -> Vec<String> {
    collector
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .order
        .clone()
}

fn child_path(path: &str, key: &Value) -> String {
    if path.len() > MAX_PATH_BYTES {
        return path.to_owned();
    }
    // only text and numbers name a field; never print a container here
    let key: String = match (key.as_str(), key.as_i64()) {
        (Some(s), _) => s.chars().take(MAX_PATH_BYTES).collect(),
        (None, Some(i)) => i.to_string(),
        (None, None) => "?".to_owned(),
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// An absent merge field. Prints as `[path]` (and is then listed in
/// `Rendered::missing`), is false in `{% if %}`, iterates as empty, and any
/// lookup or method on it gives another placeholder, so a sentence never
/// stops half-way.
#[derive(Debug)]
pub(crate) struct Missing {
    path: String,
    collector: Collector,
}

impl Missing {
    pub(crate) fn value(path: String, collector: &Collector) -> Value {
        Value::from_object(Missing {
            path,
            collector: collector.clone(),
        })
    }
}

/// Whether a value is a [`Missing`] placeholder.
pub(crate) fn is_missing(value: &Value) -> bool {
    value.downcast_object_ref::<Missing>().is_some()
}

impl Object for Missing {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(Missing::value(child_path(&self.path, key), &self.collector))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Empty
    }

    fn is_true(self: &Arc<Self>) -> bool {
        false
    }

    /// `{{ shout() }}`: a name that is neither a merge field nor a function
    /// is an unknown function (the trial render of `validate` finds it).
    fn call(self: &Arc<Self>, _: &mut State<'_, '_>, _: &[Value]) -> Result<Value, Error> {
        Err(Error::new(
            ErrorKind::UnknownFunction,
            format!("function {} is unknown", self.path),
        ))
    }

    fn call_method(
        self: &Arc<Self>,
        _: &mut State<'_, '_>,
        _: &str,
        _: &[Value],
    ) -> Result<Value, Error> {
        Ok(Value::from_dyn_object(self.clone()))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        record_missing(&self.collector, &self.path);
        write!(f, "[{}]", self.path)
    }
}

/// A map of merge fields (a record, a sub-item, a quote): an absent key
/// reads as [`Missing`].
#[derive(Debug)]
pub(crate) struct Node {
    path: String,
    fields: BTreeMap<String, Value>,
    collector: Collector,
}

impl Node {
    pub(crate) fn value(path: String, fields: BTreeMap<String, Value>, c: &Collector) -> Value {
        Value::from_object(Node {
            path,
            fields,
            collector: c.clone(),
        })
    }
}

impl Object for Node {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(v) = key.as_str().and_then(|k| self.fields.get(k)) {
            return Some(v.clone());
        }
        Some(Missing::value(child_path(&self.path, key), &self.collector))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(
            self.fields
                .keys()
                .map(|k| Value::from(k.as_str()))
                .collect(),
        )
    }
}

/// A list of merge values (e-mails, line items): an index past the end
/// reads as [`Missing`].
#[derive(Debug)]
struct List {
    path: String,
    items: Vec<Value>,
    collector: Collector,
}

impl Object for List {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let Some(index) = key.as_i64() else {
            return Some(Missing::value(child_path(&self.path, key), &self.collector));
        };
        let len = self.items.len() as i64;
        let at = if index < 0 { len + index } else { index };
        match usize::try_from(at).ok().and_then(|i| self.items.get(i)) {
            Some(v) => Some(v.clone()),
            None => Some(Missing::value(child_path(&self.path, key), &self.collector)),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.items.len())
    }
}

/// The top of the context: `contact`, `account`, `deal`, `rep`, `quote`,
/// `today`, `today_iso`. Any other name is missing, except the engine's
/// global functions (`range`, `dict`, ...), which must fall through to the
/// environment.
#[derive(Debug)]
struct Root {
    fields: BTreeMap<String, Value>,
    globals: BTreeSet<String>,
    collector: Collector,
}

impl Object for Root {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        if let Some(v) = self.fields.get(name) {
            return Some(v.clone());
        }
        if self.globals.contains(name) {
            return None;
        }
        Some(Missing::value(child_path("", key), &self.collector))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(
            self.fields
                .keys()
                .map(|k| Value::from(k.as_str()))
                .collect(),
        )
    }
}

/// JSON to template values. `null` and blank strings are missing: a
/// greeting to "[contact.first_name]" is caught before sending, one to ""
/// is not.
pub(crate) fn convert(json: &Json, path: String, depth: usize, c: &Collector) -> Value {
    match json {
        Json::Null => Missing::value(path, c),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Json::String(s) if s.trim().is_empty() => Missing::value(path, c),
        Json::String(s) => Value::from(s.as_str()),
        _ if depth >= MAX_DEPTH => Missing::value(path, c),
        Json::Array(items) => {
            let items = items
                .iter()
                .enumerate()
                .map(|(i, v)| convert(v, child_path(&path, &Value::from(i)), depth + 1, c))
                .collect();
            Value::from_object(List {
                path,
                items,
                collector: c.clone(),
            })
        }
        Json::Object(map) => {
            let fields = map
                .iter()
                .map(|(k, v)| {
                    let child = child_path(&path, &Value::from(k.as_str()));
                    (k.clone(), convert(v, child, depth + 1, c))
                })
                .collect();
            Node::value(path, fields, c)
        }
    }
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Json {
    serde_json::to_value(value).unwrap_or(Json::Null)
}

/// A record as a JSON object (the document layout), to add extras to.
fn object<T: Serialize>(record: &T) -> Map<String, Json> {
    match to_json(record) {
        Json::Object(map) => map,
        _ => Map::new(),
    }
}

/// The document stores lists of items as maps keyed by id and sets as maps
/// to `true`; templates get them back as plain lists, in the record's order.
fn set_list<T: Serialize>(map: &mut Map<String, Json>, key: &str, items: &[T]) {
    map.insert(key.to_owned(), to_json(items));
}

fn contact_json(c: &Contact) -> Json {
    let mut m = object(c);
    set_list(&mut m, "emails", &c.emails);
    set_list(&mut m, "phones", &c.phones);
    set_list(&mut m, "addresses", &c.addresses);
    set_list(&mut m, "social", &c.social);
    set_list(&mut m, "family", &c.family);
    set_list(&mut m, "important_dates", &c.important_dates);
    set_list(&mut m, "hobbies", &c.hobbies);
    set_list(&mut m, "memberships", &c.memberships);
    set_list(&mut m, "tags", &c.meta.tags);
    m.insert("full_name".into(), to_json(&c.full_name()));
    m.insert(
        "email".into(),
        to_json(&c.primary_email().map(|e| &e.address)),
    );
    m.insert(
        "phone".into(),
        to_json(&c.primary_phone().map(|p| &p.number)),
    );
    Json::Object(m)
}

fn account_json(a: &Account) -> Json {
    let mut m = object(a);
    set_list(&mut m, "addresses", &a.addresses);
    set_list(&mut m, "phones", &a.phones);
    set_list(&mut m, "tags", &a.meta.tags);
    let phone = a.phones.iter().find(|p| p.primary).or(a.phones.first());
    m.insert("phone".into(), to_json(&phone.map(|p| &p.number)));
    Json::Object(m)
}

fn deal_json(d: &Deal, fmt: Formatter) -> Json {
    let mut m = object(d);
    let has_currency = !d.currency.trim().is_empty();
    let money = |minor: i64| has_currency.then(|| fmt.money(minor, &d.currency));
    let lines: Vec<Json> = d
        .line_items
        .iter()
        .map(|li| {
            let mut l = object(li);
            let total = li.total_minor();
            l.insert("total_minor".into(), to_json(&total));
            l.insert("total".into(), to_json(&money(total)));
            l.insert("unit_price".into(), to_json(&money(li.unit_price_minor)));
            l.insert("quantity".into(), to_json(&fmt.quantity(li.quantity_milli)));
            Json::Object(l)
        })
        .collect();
    m.insert("line_items".into(), Json::Array(lines));
    set_list(&mut m, "stage_history", &d.stage_history);
    set_list(&mut m, "tags", &d.meta.tags);
    m.insert("amount".into(), to_json(&money(d.amount_minor)));
    Json::Object(m)
}

/// The context of one render.
pub(crate) fn root(
    ctx: &MergeContext<'_>,
    fmt: Formatter,
    today: NaiveDate,
    globals: BTreeSet<String>,
    c: &Collector,
) -> Value {
    let mut top: Vec<(&str, Json)> = vec![
        ("today", to_json(&fmt.locale.date(today))),
        ("today_iso", to_json(&today.format("%Y-%m-%d").to_string())),
    ];
    if let Some(contact) = ctx.contact {
        top.push(("contact", contact_json(contact)));
    }
    if let Some(account) = ctx.account {
        top.push(("account", account_json(account)));
    }
    if let Some(deal) = ctx.deal {
        top.push(("deal", deal_json(deal, fmt)));
    }
    if let Some(rep) = &ctx.rep {
        top.push(("rep", to_json(rep)));
    }
    if let Some(quote @ Json::Object(_)) = &ctx.quote {
        top.push(("quote", quote.clone()));
    }
    let fields = top
        .into_iter()
        .map(|(k, v)| (k.to_owned(), convert(&v, k.to_owned(), 0, c)))
        .collect();
    Value::from_object(Root {
        fields,
        globals,
        collector: c.clone(),
    })
}
