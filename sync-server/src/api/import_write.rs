//! CSV import, writing: how a row's fields land on a record, and the
//! batched writer of an import plan.

use std::collections::BTreeMap;
use std::sync::Mutex;

use outpost_core::model::{Account, Address, Contact, Deal, Email, Phone};
use outpost_core::{DocumentId, new_record_id};

use super::auth::Caller;
use super::errors::ApiError;
use super::import::{BATCH_ROWS, JobView, RowError, lock};
use super::import_rows::{Action, Fields, Op, Plan, Target};
use crate::state::Shared;

fn push_phone(phones: &mut Vec<Phone>, number: &str, label: &str) {
    if !phones.iter().any(|p| p.number == number) {
        let primary = phones.is_empty();
        phones.push(Phone {
            id: new_record_id(),
            number: number.into(),
            label: Some(label.into()),
            primary,
            opted_out: false,
        });
    }
}

fn set_external(meta: &mut outpost_core::model::RecordMeta, f: &Fields) {
    if let Some(x) = f.get("external_id") {
        meta.external_ids.insert("import".into(), x.clone());
    }
}

pub(super) fn apply_account(a: &mut Account, f: &Fields) {
    if let Some(v) = f.get("name") {
        a.name = v.clone();
    }
    if let Some(v) = f.get("website") {
        a.website = Some(v.clone());
    }
    if let Some(v) = f.get("industry") {
        a.industry = Some(v.clone());
    }
    if let Some(v) = f.get("territory") {
        a.territory = Some(v.clone());
    }
    if let Some(v) = f.get("owner") {
        a.meta.owner = Some(v.clone());
    }
    if let Some(v) = f.get("notes") {
        a.notes = v.clone();
    }
    if let Some(v) = f.get("phone") {
        push_phone(&mut a.phones, v, "work");
    }
    if ["street", "city", "postal_code", "country"]
        .iter()
        .any(|k| f.contains_key(*k))
    {
        if a.addresses.is_empty() {
            a.addresses.push(Address {
                id: new_record_id(),
                label: Some("billing".into()),
                primary: true,
                ..Address::default()
            });
        }
        let ad = &mut a.addresses[0];
        if let Some(v) = f.get("street") {
            ad.street = Some(v.clone());
        }
        if let Some(v) = f.get("city") {
            ad.city = Some(v.clone());
        }
        if let Some(v) = f.get("postal_code") {
            ad.postal_code = Some(v.clone());
        }
        if let Some(v) = f.get("country") {
            ad.country = Some(v.clone());
        }
    }
    set_external(&mut a.meta, f);
}

fn apply_contact(c: &mut Contact, f: &Fields) {
    if let Some(v) = f.get("first_name") {
        c.first_name = v.clone();
    }
    if let Some(v) = f.get("last_name") {
        c.last_name = v.clone();
    }
    if let Some(v) = f.get("title") {
        c.title = Some(v.clone());
    }
    if let Some(v) = f.get("owner") {
        c.meta.owner = Some(v.clone());
    }
    if let Some(v) = f.get("notes") {
        c.notes = v.clone();
    }
    if let Some(v) = f.get("email")
        && !c.emails.iter().any(|e| e.address.eq_ignore_ascii_case(v))
    {
        let primary = c.emails.is_empty();
        c.emails.push(Email {
            id: new_record_id(),
            address: v.clone(),
            label: Some("work".into()),
            primary,
            opted_out: false,
        });
    }
    if let Some(v) = f.get("phone") {
        push_phone(&mut c.phones, v, "work");
    }
    if let Some(v) = f.get("mobile") {
        push_phone(&mut c.phones, v, "mobile");
    }
    set_external(&mut c.meta, f);
}

/// Everything but the stage (moves go through `move_deal_stage`).
fn apply_deal(d: &mut Deal, f: &Fields) {
    if let Some(v) = f.get("name") {
        d.name = v.clone();
    }
    if let Some(v) = f.get("pipeline_id") {
        d.pipeline_id = v.clone();
    }
    if let Some(v) = f.get("amount_minor").and_then(|v| v.parse().ok()) {
        d.amount_minor = v;
    }
    if let Some(v) = f.get("currency") {
        d.currency = v.clone();
    }
    if let Some(v) = f.get("expected_close") {
        d.expected_close = Some(v.clone());
    }
    if let Some(v) = f.get("probability").and_then(|v| v.parse().ok()) {
        d.probability = Some(v);
    }
    if let Some(v) = f.get("owner") {
        d.meta.owner = Some(v.clone());
    }
    set_external(&mut d.meta, f);
}

fn run_op(e: &mut outpost_core::Editor<'_>, op: &Op) -> outpost_core::Result<()> {
    match &op.action {
        Action::None => Ok(()),
        Action::UpdateAccount(f) => e.modify::<Account>("", |a| apply_account(a, f)).map(|_| ()),
        Action::CreateContact(f) => {
            let mut c = Contact::default();
            apply_contact(&mut c, f);
            e.create(c).map(|_| ())
        }
        Action::UpdateContact(id, f) => {
            e.modify::<Contact>(id, |c| apply_contact(c, f)).map(|_| ())
        }
        Action::CreateDeal(f) => {
            let mut d = Deal::default();
            apply_deal(&mut d, f);
            d.stage_id = f.get("stage_id").cloned().unwrap_or_default();
            e.create(d).map(|_| ())
        }
        Action::UpdateDeal(id, f) => {
            e.modify::<Deal>(id, |d| apply_deal(d, f))?;
            match f.get("stage_id") {
                Some(s) => e.move_deal_stage(id, s),
                None => Ok(()),
            }
        }
    }
}

/// Writes the plan in batches of [`BATCH_ROWS`] rows: new accounts first,
/// then one change per account for the batch's rows; devices are told after
/// every batch.
pub fn write_plan(
    app: &Shared,
    caller: &Caller,
    plan: Plan,
    job: &Mutex<JobView>,
) -> Result<(), ApiError> {
    let author = caller.author();
    let mut made: Vec<Option<DocumentId>> = vec![None; plan.new_accounts.len()];
    for batch in plan.ops.chunks(BATCH_ROWS) {
        let (mut created, mut updated, mut failed) = (0, 0, Vec::new());
        let mut touched = Vec::new();
        let mut new_docs = false;
        {
            let mut store = app.store();
            let mut groups: BTreeMap<DocumentId, Vec<&Op>> = BTreeMap::new();
            for op in batch {
                let doc = match op.target {
                    Target::Existing(d) => d,
                    Target::New(i) => match made[i] {
                        Some(d) => d,
                        None => {
                            let account = plan.new_accounts[i].clone();
                            match store.with_author(author.clone(), |s| s.create_account(account)) {
                                Ok(d) => {
                                    made[i] = Some(d);
                                    new_docs = true;
                                    if matches!(op.action, Action::None) {
                                        created += 1;
                                    }
                                    d
                                }
                                Err(_) => {
                                    failed.push(op.row);
                                    continue;
                                }
                            }
                        }
                    },
                };
                groups.entry(doc).or_default().push(op);
            }
            for (doc, ops) in groups {
                let r = store.with_author(author.clone(), |s| {
                    s.edit(doc, |e| {
                        for op in &ops {
                            run_op(e, op)?;
                        }
                        Ok(())
                    })
                });
                match r {
                    Ok(()) => {
                        touched.push(doc);
                        for op in &ops {
                            match op.action {
                                Action::CreateContact(_) | Action::CreateDeal(_) => created += 1,
                                Action::UpdateAccount(_)
                                | Action::UpdateContact(..)
                                | Action::UpdateDeal(..) => updated += 1,
                                Action::None => {}
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(doc = %doc, error = %e, "import batch refused");
                        failed.extend(ops.iter().map(|o| o.row));
                    }
                }
            }
        }
        for doc in &touched {
            super::auth::changed(app, *doc);
        }
        if new_docs {
            app.hub.scope_changed();
        }
        let mut j = lock(job);
        j.processed += batch.len();
        j.created += created;
        j.updated += updated;
        for row in failed {
            j.errors.push(RowError {
                row,
                field: None,
                code: "write_failed".into(),
                message: "the row could not be written".into(),
            });
        }
    }
    Ok(())
}
