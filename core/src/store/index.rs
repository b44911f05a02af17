//! Keeps the query index in step with a document: every write and every
//! merge re-derives the document's rows inside the same SQLite transaction
//! that stores its changes, so the index can never disagree with the data.

use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, params};

use crate::doc::CrmDoc;
use crate::error::Result;
use crate::model::{
    Account, Activity, Case, Contact, Deal, DocKind, Order, OrgSettings, Pipeline, Product,
};
use crate::phone;

/// Every index table's rows of one document, as statements (cacheable).
const DELETES: &[&str] = &[
    "DELETE FROM idx_accounts WHERE doc_id = ?1",
    "DELETE FROM idx_tags WHERE doc_id = ?1",
    "DELETE FROM idx_contacts WHERE doc_id = ?1",
    "DELETE FROM idx_phones WHERE doc_id = ?1",
    "DELETE FROM idx_deals WHERE doc_id = ?1",
    "DELETE FROM idx_stages WHERE doc_id = ?1",
    "DELETE FROM idx_org WHERE doc_id = ?1",
    "DELETE FROM idx_activities WHERE doc_id = ?1",
    "DELETE FROM idx_activity_contacts WHERE doc_id = ?1",
    "DELETE FROM idx_orders WHERE doc_id = ?1",
    "DELETE FROM idx_dates WHERE doc_id = ?1",
    "DELETE FROM idx_cases WHERE doc_id = ?1",
    "DELETE FROM idx_stage_moves WHERE doc_id = ?1",
    "DELETE FROM idx_order_lines WHERE doc_id = ?1",
    "DELETE FROM idx_products WHERE doc_id = ?1",
];

/// Removes every index row of a document.
pub(crate) fn remove(tx: &Connection, doc_id: &str) -> Result<()> {
    // search rows carry the rowid of their contact row (see index_account)
    // cached statements: this runs on every merge, and parsing these
    // statements anew was 15 % of the writer thread (BENCHMARKS.md)
    tx.prepare_cached(
        "DELETE FROM idx_contacts_fts WHERE rowid IN (SELECT rowid FROM idx_contacts WHERE doc_id = ?1)",
    )?
    .execute([doc_id])?;
    for sql in DELETES {
        tx.prepare_cached(sql)?.execute([doc_id])?;
    }
    Ok(())
}

/// Rebuilds the index rows of one document.
pub(crate) fn reindex(tx: &Connection, doc: &CrmDoc, phone_region: &str) -> Result<()> {
    let id = doc.id().to_string();
    remove(tx, &id)?;
    match doc.kind() {
        DocKind::Account => index_account(tx, doc, &id, phone_region),
        // only the org's one settings document is indexed (see `org`); no
        // pin yet means this one is about to be pinned by its insert
        DocKind::Settings => match super::org::pinned(tx)? {
            Some(p) if p != doc.id() => Ok(()),
            _ => index_settings(tx, doc, &id),
        },
    }
}

fn b(v: bool) -> i64 {
    i64::from(v)
}

fn index_account(tx: &Connection, doc: &CrmDoc, id: &str, region: &str) -> Result<()> {
    let account: Account = doc.account().map(|r| r.record).unwrap_or_default();
    tx.prepare_cached(
        "INSERT INTO idx_accounts VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
    )?
    .execute(params![
        id,
        account.meta.id,
        account.name,
        enum_str(&account.account_type),
        account.meta.owner,
        account.territory,
        account.lifecycle_stage.map(|l| l.as_str()),
        account.value_tier,
        account.industry,
        b(account.meta.archived),
        account.meta.created_at,
        account.meta.updated_at,
        account
            .currency
            .clone()
            .or(account.balance.currency.clone()),
        account.balance.balance_minor,
        account.balance.overdue_minor,
    ])?;
    insert_tags(tx, id, "account", &account.meta.id, &account.meta.tags)?;
    let mut phones = tx.prepare_cached("INSERT INTO idx_phones VALUES (?1,?2,?3,?4)")?;
    for p in &account.phones {
        if let Some(e164) = phone::normalize(&p.number, region) {
            phones.execute(params![e164, id, Option::<String>::None, p.label])?;
        }
    }

    let mut contacts =
        tx.prepare_cached("INSERT INTO idx_contacts VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)")?;
    let mut fts = tx.prepare_cached(
        "INSERT INTO idx_contacts_fts(rowid, name, emails, company, doc_id, contact_id) VALUES (?1,?2,?3,?4,?5,?6)",
    )?;
    let mut dates = tx.prepare_cached("INSERT INTO idx_dates VALUES (?1,?2,?3,?4,?5,?6,?7)")?;
    for c in doc.list::<Contact>().into_iter().map(|r| r.record) {
        let cid = &c.meta.id;
        contacts.execute(params![
            id,
            cid,
            c.full_name(),
            c.title,
            c.primary_email().map(|e| e.address.clone()),
            c.primary_phone().map(|p| p.number.clone()),
            c.meta.owner,
            b(c.meta.archived),
            c.meta.created_at,
        ])?;
        if c.meta.archived {
            continue;
        }
        let rowid = tx.last_insert_rowid();
        let emails: Vec<String> = c
            .emails
            .iter()
            .map(|e| searchable_email(&e.address))
            .collect();
        fts.execute(params![
            rowid,
            c.full_name(),
            emails.join(" "),
            account.name,
            id,
            cid
        ])?;
        for p in &c.phones {
            if let Some(e164) = phone::normalize(&p.number, region) {
                phones.execute(params![e164, id, cid, p.label])?;
            }
        }
        let mut date = |kind: &str, label: Option<&str>, raw: &str| -> Result<()> {
            if let Some((y, m, d)) = parse_date(raw) {
                dates.execute(params![id, cid, kind, label, m, d, y])?;
            }
            Ok(())
        };
        if let Some(bd) = &c.birthday {
            date("birthday", None, bd)?;
        }
        for f in &c.family {
            if let Some(bd) = &f.birthday {
                date("family_birthday", Some(&f.name), bd)?;
            }
            if let Some(an) = &f.anniversary {
                date("anniversary", Some(&f.name), an)?;
            }
        }
        for d in c.important_dates.iter().filter(|d| !d.one_off) {
            date("important_date", Some(&d.label), &d.date)?;
        }
        insert_tags(tx, id, "contact", cid, &c.meta.tags)?;
    }

    let mut deals = tx.prepare_cached(
        "INSERT INTO idx_deals VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
    )?;
    let mut moves =
        tx.prepare_cached("INSERT OR IGNORE INTO idx_stage_moves VALUES (?1,?2,?3,?4,?5,?6)")?;
    for d in doc.list::<Deal>().into_iter().map(|r| r.record) {
        for m in &d.stage_history {
            moves.execute(params![id, d.meta.id, m.id, m.from_stage, m.to_stage, m.at])?;
        }
        let changed = d
            .stage_history
            .iter()
            .filter(|s| s.to_stage == d.stage_id)
            .map(|s| s.at)
            .max()
            .unwrap_or(d.meta.created_at);
        deals.execute(params![
            id,
            d.meta.id,
            d.name,
            d.pipeline_id,
            d.stage_id,
            d.amount_minor,
            d.currency,
            d.probability.map(i64::from),
            d.expected_close,
            d.meta.owner,
            b(d.meta.archived),
            d.meta.created_at,
            changed,
        ])?;
    }

    let mut acts = tx.prepare_cached(
        "INSERT INTO idx_activities VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
    )?;
    let mut act_contacts =
        tx.prepare_cached("INSERT INTO idx_activity_contacts VALUES (?1,?2,?3)")?;
    for a in doc.list::<Activity>().into_iter().map(|r| r.record) {
        acts.execute(params![
            id,
            a.meta.id,
            a.kind.as_str(),
            a.status.as_str(),
            a.subject,
            a.due_at,
            a.start_at.or(a.check_in.at),
            a.end_at.or(a.check_out.at),
            a.completed_at,
            enum_str(&a.direction),
            a.meta.owner,
            a.deal_id,
            b(a.meta.archived),
            a.meta.created_at,
        ])?;
        for c in &a.contact_ids {
            act_contacts.execute(params![id, a.meta.id, c])?;
        }
    }

    let mut orders = tx.prepare_cached("INSERT INTO idx_orders VALUES (?1,?2,?3,?4,?5,?6,?7)")?;
    let mut lines = tx
        .prepare_cached("INSERT OR IGNORE INTO idx_order_lines VALUES (?1,?2,?3,?4,?5,?6,?7,?8)")?;
    for o in doc.list::<Order>().into_iter().map(|r| r.record) {
        for l in &o.lines {
            lines.execute(params![
                id,
                o.meta.id,
                l.id,
                o.status,
                l.product_id,
                l.description,
                l.quantity_milli,
                l.total_minor(),
            ])?;
        }
        orders.execute(params![
            id,
            o.meta.id,
            o.ordered_at,
            o.effective_total_minor(),
            o.outstanding_minor(),
            o.currency,
            b(o.meta.archived),
        ])?;
    }

    let mut cases = tx.prepare_cached("INSERT INTO idx_cases VALUES (?1,?2,?3,?4,?5,?6,?7)")?;
    for c in doc.list::<Case>().into_iter().map(|r| r.record) {
        cases.execute(params![
            id,
            c.meta.id,
            enum_str(&c.kind),
            c.status,
            c.opened_at,
            c.closed_at,
            b(c.meta.archived),
        ])?;
    }
    Ok(())
}

fn index_settings(tx: &Connection, doc: &CrmDoc, id: &str) -> Result<()> {
    let org: OrgSettings = doc.org_settings().map(|r| r.record).unwrap_or_default();
    tx.prepare_cached("INSERT INTO idx_org VALUES (?1,?2,?3)")?
        .execute(params![
            id,
            (!org.default_currency.is_empty()).then_some(org.default_currency),
            org.default_pipeline_id
        ])?;
    let mut stages =
        tx.prepare_cached("INSERT INTO idx_stages VALUES (?1,?2,?3,?4,?5,?6,?7,?8)")?;
    for p in doc.list::<Pipeline>().into_iter().map(|r| r.record) {
        if p.meta.archived {
            continue;
        }
        for s in &p.stages {
            stages.execute(params![
                id,
                p.meta.id,
                p.name,
                s.id,
                s.name,
                s.position,
                i64::from(s.probability),
                s.meaning.as_str(),
            ])?;
        }
    }
    let mut products = tx.prepare_cached(
        "INSERT OR IGNORE INTO idx_products VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    )?;
    for p in doc.list::<Product>().into_iter().map(|r| r.record) {
        products.execute(params![
            id,
            p.meta.id,
            p.sku,
            p.name,
            format!("{} {}", p.name, p.sku).to_lowercase(),
            p.unit_price_minor,
            p.currency,
            p.stock,
            p.stock_at,
            b(p.meta.archived),
        ])?;
    }
    Ok(())
}

fn insert_tags(
    tx: &Connection,
    doc: &str,
    kind: &str,
    record: &str,
    tags: &[String],
) -> Result<()> {
    let mut st = tx.prepare_cached("INSERT INTO idx_tags VALUES (?1,?2,?3,?4)")?;
    for t in tags {
        st.execute(params![doc, kind, record, t])?;
    }
    Ok(())
}

/// What of an e-mail address is worth searching: the local part and the
/// domain without its top-level label (`kari@fjord-fisk.no` → `kari
/// fjord-fisk`). The TLD would make a prefix like "no" match every contact.
pub(crate) fn searchable_email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let domain = domain.rsplit_once('.').map_or(domain, |(d, _)| d);
            format!("{local} {domain}")
        }
        None => address.to_owned(),
    }
}

/// The serde name of a unit enum value (`Some(AccountType::Customer)` → "customer").
fn enum_str<T: serde::Serialize>(v: &Option<T>) -> Option<String> {
    v.as_ref()
        .and_then(|v| serde_json::to_value(v).ok())
        .and_then(|j| j.as_str().map(str::to_owned))
}

/// Parses `YYYY-MM-DD` or `--MM-DD` into (year, month, day).
pub(crate) fn parse_date(raw: &str) -> Option<(Option<i32>, u32, u32)> {
    if let Some(md) = raw.strip_prefix("--") {
        let (m, d) = md.split_once('-')?;
        let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
        // validate against a leap year so 29 February is allowed
        NaiveDate::from_ymd_opt(2000, m, d)?;
        return Some((None, m, d));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    Some((Some(date.year()), date.month(), date.day()))
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_with_and_without_year() {
        assert_eq!(parse_date("1980-02-29"), Some((Some(1980), 2, 29)));
        assert_eq!(parse_date("--02-29"), Some((None, 2, 29)));
        assert_eq!(parse_date("--13-01"), None);
        assert_eq!(parse_date("1981-02-29"), None);
        assert_eq!(parse_date("soon"), None);
    }
}
