//! Lists, search and caller lookup.

use rusqlite::{params, params_from_iter};

use super::*;
use crate::error::Result;
use crate::phone;

impl Store {
    /// Owner and territory of every account (archived ones included).
    pub fn account_ownership(&self) -> Result<Vec<AccountOwnership>> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT doc_id, owner, territory FROM idx_accounts ORDER BY doc_id")?;
        let rows = st.query_map([], |r| {
            Ok(AccountOwnership {
                doc_id: doc_id(r.get(0)?)?,
                owner: r.get(1)?,
                territory: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Accounts, filtered and sorted.
    pub fn list_accounts(&self, f: &AccountFilter) -> Result<Vec<AccountSummary>> {
        let mut sql = String::from(
            "SELECT a.doc_id, a.name, a.account_type, a.owner, a.territory, a.lifecycle, a.tier,
                    a.archived, a.updated_at, a.balance_minor, a.overdue_minor, a.currency
             FROM idx_accounts a WHERE 1=1",
        );
        let mut args: Vec<String> = Vec::new();
        let mut add = |clause: &str, v: &Option<String>, sql: &mut String| {
            if let Some(v) = v {
                args.push(v.clone());
                sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
            }
        };
        add(" AND a.owner = ?", &f.owner, &mut sql);
        add(" AND a.lifecycle = ?", &f.lifecycle_stage, &mut sql);
        add(" AND a.territory = ?", &f.territory, &mut sql);
        add(
            " AND EXISTS (SELECT 1 FROM idx_tags t WHERE t.doc_id = a.doc_id AND t.kind = 'account' AND t.tag = ?)",
            &f.tag,
            &mut sql,
        );
        add(
            " AND a.name LIKE '%' || ? || '%' COLLATE NOCASE",
            &f.name_contains.as_ref().map(|s| s.replace(['%', '_'], "")),
            &mut sql,
        );
        if !f.include_archived {
            sql.push_str(" AND a.archived = 0");
        }
        sql.push_str(match f.sort {
            AccountSort::Name => " ORDER BY a.name COLLATE NOCASE, a.doc_id",
            AccountSort::RecentlyUpdated => " ORDER BY a.updated_at DESC, a.doc_id",
            AccountSort::RecentlyCreated => " ORDER BY a.created_at DESC, a.doc_id",
        });
        sql.push_str(&format!(
            " LIMIT {} OFFSET {}",
            f.limit.map_or(-1, i64::from),
            f.offset
        ));
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args.iter()), |r| {
            Ok(AccountSummary {
                doc_id: doc_id(r.get(0)?)?,
                name: r.get(1)?,
                account_type: r.get(2)?,
                owner: r.get(3)?,
                territory: r.get(4)?,
                lifecycle_stage: r.get(5)?,
                value_tier: r.get(6)?,
                archived: r.get::<_, i64>(7)? != 0,
                updated_at: r.get(8)?,
                balance_minor: r.get(9)?,
                overdue_minor: r.get(10)?,
                currency: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Contacts whose name, e-mail or company match every word of `query`
    /// as a prefix, best match first. Archived contacts are not searched.
    pub fn search_contacts(&self, query: &str, limit: u32) -> Result<Vec<ContactHit>> {
        self.search_contacts_page(query, limit, 0)
    }

    /// [`Store::search_contacts`] from the `offset`-th hit on (paging: the
    /// order is stable while the contacts do not change).
    pub fn search_contacts_page(
        &self,
        query: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<ContactHit>> {
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let mut st = self.conn().prepare_cached(
            // rank and cut inside FTS5 first, then join only the rows kept
            "SELECT c.doc_id, c.id, c.full_name, c.title, c.email, c.phone, f.company
             FROM (SELECT rowid, company, rank FROM idx_contacts_fts
                   WHERE idx_contacts_fts MATCH ?1 ORDER BY rank, rowid LIMIT ?2 OFFSET ?3) f
             JOIN idx_contacts c ON c.rowid = f.rowid
             ORDER BY f.rank, c.full_name",
        )?;
        let rows = st.query_map(params![q, limit, offset], |r| {
            Ok(ContactHit {
                doc_id: doc_id(r.get(0)?)?,
                contact_id: r.get(1)?,
                full_name: r.get(2)?,
                title: r.get(3)?,
                email: r.get(4)?,
                phone: r.get(5)?,
                account_name: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Who has this phone number (the caller "screen pop"). The number is
    /// normalised the same way stored numbers are.
    pub fn lookup_phone(&self, raw: &str) -> Result<Vec<PhoneMatch>> {
        let Some(e164) = phone::normalize(raw, &self.options().phone_region) else {
            return Ok(Vec::new());
        };
        let mut st = self.conn().prepare_cached(
            "SELECT p.doc_id, a.name, p.contact_id, c.full_name, p.label, p.e164
             FROM idx_phones p
             JOIN idx_accounts a ON a.doc_id = p.doc_id
             LEFT JOIN idx_contacts c ON c.doc_id = p.doc_id AND c.id = p.contact_id
             WHERE p.e164 = ?1 AND a.archived = 0
             ORDER BY p.contact_id IS NULL, a.name",
        )?;
        let rows = st.query_map([e164], |r| {
            Ok(PhoneMatch {
                doc_id: doc_id(r.get(0)?)?,
                account_name: r.get(1)?,
                contact_id: r.get(2)?,
                contact_name: r.get(3)?,
                label: r.get(4)?,
                e164: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
