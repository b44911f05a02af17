//! The product catalogue as the phone and the office search it: by name or
//! SKU, any script, with the stock level and when it was read.

use rusqlite::params;
use serde::Serialize;

use crate::error::Result;
use crate::store::Store;

/// A product of the org's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProductHit {
    pub id: String,
    pub sku: String,
    pub name: String,
    pub unit_price_minor: i64,
    pub currency: String,
    /// Units in stock when last read (`None`: not tracked).
    pub stock: Option<i64>,
    /// When the stock level was read (ms since the epoch): "12 in stock as of 08:00".
    pub stock_at: Option<i64>,
    pub archived: bool,
}

impl Store {
    /// Products whose name or SKU contains every word of `query` (any case,
    /// any script; an empty query lists them all), by name. Archived
    /// products only when asked for.
    pub fn search_products(
        &self,
        query: &str,
        include_archived: bool,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<ProductHit>> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let mut st = self.conn().prepare_cached(
            "SELECT id, sku, name, unit_price_minor, currency, stock, stock_at, archived, folded
             FROM idx_products WHERE (?1 OR archived = 0)
             ORDER BY name COLLATE NOCASE, sku, id",
        )?;
        let rows = st.query_map(params![include_archived], |r| {
            Ok((
                ProductHit {
                    id: r.get(0)?,
                    sku: r.get(1)?,
                    name: r.get(2)?,
                    unit_price_minor: r.get(3)?,
                    currency: r.get(4)?,
                    stock: r.get(5)?,
                    stock_at: r.get(6)?,
                    archived: r.get::<_, i64>(7)? != 0,
                },
                r.get::<_, String>(8)?,
            ))
        })?;
        // the catalogue is the org's one list (hundreds to a few thousand
        // products): matched here, in Rust, so every script folds alike
        let mut out = Vec::new();
        let mut skipped = 0;
        for row in rows {
            let (hit, folded) = row?;
            if !words.iter().all(|w| folded.contains(w.as_str())) {
                continue;
            }
            if skipped < offset {
                skipped += 1;
                continue;
            }
            if out.len() >= limit as usize {
                break;
            }
            out.push(hit);
        }
        Ok(out)
    }
}
