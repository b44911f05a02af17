//! CSV import, row by row: validation and matching against existing
//! records and earlier rows, giving the plan that `import_write` writes.

use std::collections::HashMap;
use std::sync::Mutex;

use outpost_core::DocumentId;
use outpost_core::model::{Account, Contact, Deal, Pipeline};
use outpost_core::store::Store;
use outpost_core::store::queries::AccountFilter;
use serde_json::json;

use super::auth::Caller;
use super::errors::ApiError;
use super::import::{Duplicate, JobView, RowError, lock};
use super::import_map::ImportKind;
use super::import_write::apply_account;
use super::settings::pipelines;
use crate::state::Shared;

pub type Fields = HashMap<String, String>;

/// Which account a row writes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Existing(DocumentId),
    /// An account this import creates (index into `Plan::new_accounts`).
    New(usize),
}

/// What a row does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Nothing beyond creating its (new) account.
    None,
    UpdateAccount(Fields),
    CreateContact(Fields),
    UpdateContact(String, Fields),
    CreateDeal(Fields),
    UpdateDeal(String, Fields),
}

#[derive(Debug, Clone)]
pub struct Op {
    pub row: usize,
    pub target: Target,
    pub action: Action,
}

/// Everything an import will write.
#[derive(Debug, Default)]
pub struct Plan {
    pub new_accounts: Vec<Account>,
    pub ops: Vec<Op>,
}

fn lower(s: &str) -> String {
    s.trim().to_lowercase()
}

fn err(row: usize, field: &str, code: &str, message: &str) -> RowError {
    RowError {
        row,
        field: Some(field.into()),
        code: code.into(),
        message: message.into(),
    }
}

fn valid_email(s: &str) -> bool {
    let Some((user, domain)) = s.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
}

/// "1,234.50", "1234,5", "$ 99" → minor units.
fn parse_amount(s: &str) -> Option<i64> {
    let mut t: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || ".,-".contains(*c))
        .collect();
    if t.contains(',') && t.contains('.') {
        t = t.replace(',', "");
    } else {
        t = t.replace(',', ".");
    }
    let v: f64 = t.parse().ok()?;
    v.is_finite().then(|| (v * 100.0).round() as i64)
}

/// A date in a common export format → `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<String> {
    let head = s.get(..10).unwrap_or(s);
    for f in ["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d"] {
        for cand in [s, head] {
            if let Ok(d) = chrono::NaiveDate::parse_from_str(cand.trim(), f) {
                return Some(d.to_string());
            }
        }
    }
    None
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Indexes of what already exists in the caller's scope.
struct Existing {
    account_by_name: HashMap<String, DocumentId>,
    account_by_ext: HashMap<String, DocumentId>,
    contact_by_email: HashMap<String, (DocumentId, String)>,
    contact_by_ext: HashMap<String, (DocumentId, String)>,
    deal_by_ext: HashMap<String, (DocumentId, String)>,
    deal_by_name: HashMap<(DocumentId, String), String>,
    pipelines: Vec<Pipeline>,
    default_pipeline: Option<String>,
    default_currency: Option<String>,
}

fn existing(
    store: &mut Store,
    scope: crate::access::Scope,
    external_ids: bool,
) -> Result<Existing, ApiError> {
    let mine = |d: &DocumentId| scope.get(*d).is_some_and(|a| a.writable);
    let accounts: Vec<_> = store
        .list_accounts(&AccountFilter::default())?
        .into_iter()
        .filter(|a| mine(&a.doc_id))
        .collect();
    let mut e = Existing {
        account_by_name: accounts
            .iter()
            .map(|a| (lower(&a.name), a.doc_id))
            .collect(),
        account_by_ext: HashMap::new(),
        contact_by_email: HashMap::new(),
        contact_by_ext: HashMap::new(),
        deal_by_ext: HashMap::new(),
        deal_by_name: HashMap::new(),
        pipelines: Vec::new(),
        default_pipeline: None,
        default_currency: None,
    };
    for c in store.all_contacts(false)? {
        if let (true, Some(email)) = (mine(&c.doc_id), &c.email) {
            e.contact_by_email
                .entry(lower(email))
                .or_insert((c.doc_id, c.id));
        }
    }
    for d in store.all_deals(false)? {
        if mine(&d.doc_id) {
            e.deal_by_name
                .entry((d.doc_id, lower(&d.name)))
                .or_insert(d.id);
        }
    }
    // external ids are not indexed: read the documents in scope, only when
    // the file matches on them
    for a in accounts.iter().filter(|_| external_ids) {
        let doc = store.doc(a.doc_id)?;
        if let Some(acc) = doc.account() {
            for v in acc.record.meta.external_ids.values() {
                e.account_by_ext.entry(v.clone()).or_insert(a.doc_id);
            }
        }
        for c in doc.list::<Contact>() {
            for v in c.record.meta.external_ids.values() {
                e.contact_by_ext
                    .entry(v.clone())
                    .or_insert((a.doc_id, c.record.meta.id.clone()));
            }
        }
        for d in doc.list::<Deal>() {
            for v in d.record.meta.external_ids.values() {
                e.deal_by_ext
                    .entry(v.clone())
                    .or_insert((a.doc_id, d.record.meta.id.clone()));
            }
        }
    }
    let (org, pipes) = pipelines(store)?;
    e.default_pipeline = org.as_ref().and_then(|o| o.default_pipeline_id.clone());
    e.default_currency = org.map(|o| o.default_currency).filter(|c| !c.is_empty());
    e.pipelines = pipes;
    Ok(e)
}

/// Validates and matches every row; records errors and duplicates in the
/// job and, for a dry run, the counts.
pub fn plan_rows(
    app: &Shared,
    caller: &Caller,
    kind: ImportKind,
    rows: Vec<Fields>,
    by_external_id: bool,
    job: &Mutex<JobView>,
) -> Result<Plan, ApiError> {
    let scope = caller.scope_now(app)?;
    let need_ext = by_external_id || rows.iter().any(|r| r.contains_key("account_external_id"));
    let ex = {
        let mut store = app.store();
        existing(&mut store, scope, need_ext)?
    };
    let mut plan = Plan::default();
    let mut new_by_name: HashMap<String, usize> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let (mut errors, mut dups, mut created, mut updated) = (Vec::new(), Vec::new(), 0, 0);
    for (i, mut f) in rows.into_iter().enumerate() {
        let row = i + 1;
        // the file's own duplicates, by the match key
        let key_field = match (kind, by_external_id) {
            (_, true) => "external_id",
            (ImportKind::Contacts, false) => "email",
            (_, false) => "name",
        };
        let key = f.get(key_field).map(|k| lower(k));
        if by_external_id && key.is_none() {
            errors.push(err(
                row,
                "external_id",
                "missing_key",
                "no external id to match on",
            ));
            continue;
        }
        if let Some(e) = f.get("email")
            && !valid_email(e)
        {
            errors.push(err(row, "email", "invalid_email", "not an e-mail address"));
            continue;
        }
        let dedupe_key = match (kind, &key) {
            (ImportKind::Deals, Some(k)) if !by_external_id => {
                let acct = f
                    .get("account_external_id")
                    .or(f.get("account_name"))
                    .map(|a| lower(a))
                    .unwrap_or_default();
                Some(format!("{acct}\u{1}{k}"))
            }
            (_, k) => k.clone(),
        };
        if let Some(k) = &dedupe_key {
            if let Some(first) = seen.get(k) {
                dups.push(Duplicate {
                    row,
                    key: key_field.into(),
                    duplicate_of_row: Some(*first),
                    existing: None,
                });
                continue;
            }
            seen.insert(k.clone(), row);
        }
        let op = match kind {
            ImportKind::Accounts => {
                let found = match (by_external_id, &key) {
                    (true, Some(k)) => ex
                        .account_by_ext
                        .get(k.as_str())
                        .or_else(|| f.get("external_id").and_then(|x| ex.account_by_ext.get(x))),
                    (false, Some(k)) => ex.account_by_name.get(k),
                    _ => None,
                };
                match found {
                    Some(doc) => {
                        dups.push(Duplicate {
                            row,
                            key: key_field.into(),
                            duplicate_of_row: None,
                            existing: Some(json!({"account": doc.to_string()})),
                        });
                        updated += 1;
                        Op {
                            row,
                            target: Target::Existing(*doc),
                            action: Action::UpdateAccount(f),
                        }
                    }
                    None => {
                        if !f.contains_key("name") {
                            errors.push(err(
                                row,
                                "name",
                                "missing_name",
                                "an account needs a name",
                            ));
                            continue;
                        }
                        let mut a = Account::default();
                        apply_account(&mut a, &f);
                        plan.new_accounts.push(a);
                        created += 1;
                        Op {
                            row,
                            target: Target::New(plan.new_accounts.len() - 1),
                            action: Action::None,
                        }
                    }
                }
            }
            ImportKind::Contacts | ImportKind::Deals => {
                if kind == ImportKind::Contacts
                    && !["first_name", "last_name", "email"]
                        .iter()
                        .any(|k| f.contains_key(*k))
                {
                    errors.push(err(
                        row,
                        "last_name",
                        "missing_name",
                        "a contact needs a name or an e-mail address",
                    ));
                    continue;
                }
                if kind == ImportKind::Deals {
                    if !f.contains_key("name") {
                        errors.push(err(row, "name", "missing_name", "a deal needs a name"));
                        continue;
                    }
                    if let Err(e) = resolve_deal(&ex, &mut f, row) {
                        errors.push(e);
                        continue;
                    }
                }
                // the record itself, if it exists
                let found = match (kind, by_external_id, &key) {
                    (ImportKind::Contacts, true, Some(k)) => ex
                        .contact_by_ext
                        .get(f.get("external_id").map_or(k.as_str(), |v| v.as_str()))
                        .cloned(),
                    (ImportKind::Contacts, false, Some(k)) => ex.contact_by_email.get(k).cloned(),
                    (ImportKind::Deals, true, Some(_)) => f
                        .get("external_id")
                        .and_then(|x| ex.deal_by_ext.get(x))
                        .cloned(),
                    _ => None,
                };
                // its account
                let account = f
                    .get("account_external_id")
                    .and_then(|x| ex.account_by_ext.get(x))
                    .or_else(|| {
                        f.get("account_name")
                            .and_then(|n| ex.account_by_name.get(&lower(n)))
                    })
                    .copied();
                let found = found.or_else(|| {
                    // a deal of the same name in the same account is the same deal
                    let doc = account?;
                    let name = f.get("name")?;
                    (kind == ImportKind::Deals && !by_external_id)
                        .then(|| {
                            ex.deal_by_name
                                .get(&(doc, lower(name)))
                                .map(|id| (doc, id.clone()))
                        })
                        .flatten()
                });
                if let Some((doc, id)) = found {
                    dups.push(Duplicate {
                        row,
                        key: key_field.into(),
                        duplicate_of_row: None,
                        existing: Some(json!({"account": doc.to_string(), "id": id})),
                    });
                    updated += 1;
                    let action = if kind == ImportKind::Contacts {
                        Action::UpdateContact(id, f)
                    } else {
                        Action::UpdateDeal(id, f)
                    };
                    Op {
                        row,
                        target: Target::Existing(doc),
                        action,
                    }
                } else {
                    let target = match account {
                        Some(doc) => Target::Existing(doc),
                        None => {
                            let Some(name) = f.get("account_name").cloned() else {
                                errors.push(err(
                                    row,
                                    "account_name",
                                    "missing_account",
                                    "no account name or known account id",
                                ));
                                continue;
                            };
                            let idx = *new_by_name.entry(lower(&name)).or_insert_with(|| {
                                let mut a = Account {
                                    name: name.clone(),
                                    ..Account::default()
                                };
                                if let Some(x) = f.get("account_external_id") {
                                    a.meta.external_ids.insert("import".into(), x.clone());
                                }
                                plan.new_accounts.push(a);
                                plan.new_accounts.len() - 1
                            });
                            Target::New(idx)
                        }
                    };
                    created += 1;
                    let action = if kind == ImportKind::Contacts {
                        Action::CreateContact(f)
                    } else {
                        Action::CreateDeal(f)
                    };
                    Op {
                        row,
                        target,
                        action,
                    }
                }
            }
        };
        plan.ops.push(op);
    }
    let mut j = lock(job);
    j.errors = errors;
    j.duplicates = dups;
    if j.dry_run {
        j.created = created;
        j.updated = updated;
    }
    Ok(plan)
}

/// Resolves pipeline, stage, amount, date and probability of a deal row
/// into the values the record stores (`pipeline_id`, `stage_id`, `amount_minor`, …).
fn resolve_deal(ex: &Existing, f: &mut Fields, row: usize) -> Result<(), RowError> {
    let pipeline = match f.get("pipeline") {
        Some(p) => ex
            .pipelines
            .iter()
            .find(|x| x.meta.id == *p || norm(&x.name) == norm(p)),
        None => ex
            .default_pipeline
            .as_ref()
            .and_then(|d| ex.pipelines.iter().find(|x| &x.meta.id == d))
            .or(ex.pipelines.first()),
    }
    .ok_or_else(|| err(row, "pipeline", "unknown_pipeline", "no such pipeline"))?;
    let stages = pipeline.sorted_stages();
    let stage = match f.get("stage") {
        Some(s) => stages
            .iter()
            .find(|x| x.id == *s || norm(&x.name) == norm(s)),
        None => stages.first(),
    }
    .ok_or_else(|| {
        err(
            row,
            "stage",
            "unknown_stage",
            "no such stage in the pipeline",
        )
    })?;
    f.insert("pipeline_id".into(), pipeline.meta.id.clone());
    f.insert("stage_id".into(), stage.id.clone());
    if let Some(a) = f.get("amount") {
        let minor =
            parse_amount(a).ok_or_else(|| err(row, "amount", "invalid_amount", "not an amount"))?;
        f.insert("amount_minor".into(), minor.to_string());
    }
    if let Some(d) = f.get("expected_close") {
        let d = parse_date(d)
            .ok_or_else(|| err(row, "expected_close", "invalid_date", "not a date"))?;
        f.insert("expected_close".into(), d);
    }
    if let Some(p) = f.get("probability") {
        let v: f64 = p.trim_end_matches('%').trim().parse().map_err(|_| {
            err(
                row,
                "probability",
                "invalid_probability",
                "a percentage 0-100",
            )
        })?;
        // HubSpot exports probability as 0.0-1.0
        let v = if v > 0.0 && v <= 1.0 && p.contains('.') {
            v * 100.0
        } else {
            v
        };
        if !(0.0..=100.0).contains(&v) {
            return Err(err(
                row,
                "probability",
                "invalid_probability",
                "a percentage 0-100",
            ));
        }
        f.insert("probability".into(), (v.round() as u8).to_string());
    }
    if f.get("currency").is_none() {
        f.insert(
            "currency".into(),
            ex.default_currency.clone().unwrap_or_else(|| "USD".into()),
        );
    }
    Ok(())
}
