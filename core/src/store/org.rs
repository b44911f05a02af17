//! The org's one settings document.
//!
//! An org has exactly one settings document (pipelines, custom fields,
//! products, default currency). Its id is pinned in the store's `meta` table
//! (`settings_doc`), and everything that reads settings — the query index,
//! pipelines, defaults, the server's API and every user's sync scope — uses
//! the pinned document only. Another document of kind `outpost.settings` in
//! the store (one a tampered phone tried to plant, or a stale copy) is kept
//! but never indexed and never read as the org's settings.
//!
//! The first settings document a store receives or creates is pinned
//! automatically; a device re-pins to the one its server names
//! ([`Store::pin_settings`]).

use rusqlite::{Connection, OptionalExtension};

use super::{Store, index, load_from_db};
use crate::doc::CrmDoc;
use crate::error::{CoreError, Result};
use crate::ids::DocumentId;
use crate::model::{DocKind, OrgSettings};

const PIN_KEY: &str = "settings_doc";

/// The pinned settings document, read inside a transaction or not.
pub(crate) fn pinned(conn: &Connection) -> Result<Option<DocumentId>> {
    let v: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([PIN_KEY], |r| r.get(0))
        .optional()?;
    v.map(|s| s.parse()).transpose()
}

pub(crate) fn write_pin(conn: &Connection, id: DocumentId) -> Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
        rusqlite::params![PIN_KEY, id.to_string()],
    )?;
    Ok(())
}

impl Store {
    /// The org's settings document, if the store has one.
    pub fn settings_doc(&self) -> Result<Option<DocumentId>> {
        pinned(self.conn())
    }

    /// Creates the org's settings document. Refused when the store already
    /// has one (an org has exactly one). Durable when this returns.
    pub fn create_settings(&mut self, settings: OrgSettings) -> Result<DocumentId> {
        if self.settings_doc()?.is_some() {
            return Err(CoreError::Invalid(
                "the org already has a settings document".into(),
            ));
        }
        let now = self.now();
        let doc = CrmDoc::new_settings(DocumentId::random(), self.author(), now, settings)?;
        self.insert_new(doc, true)
    }

    /// Makes `id` (a settings document in this store) the org's settings
    /// document: the index is rebuilt from it alone, in one transaction.
    pub fn pin_settings(&mut self, id: DocumentId) -> Result<()> {
        if self.settings_doc()? == Some(id) {
            return Ok(());
        }
        let settings: Vec<DocumentId> = self
            .document_ids()?
            .into_iter()
            .filter(|(_, k)| *k == DocKind::Settings)
            .map(|(d, _)| d)
            .collect();
        if !settings.contains(&id) {
            return Err(CoreError::Invalid(format!(
                "document {id} is not a settings document of this store"
            )));
        }
        let region = self.options().phone_region.clone();
        let tx = self.conn.savepoint()?;
        write_pin(&tx, id)?;
        for doc in settings {
            // the pinned one is indexed, every other one loses its rows
            let loaded = load_from_db(&tx, doc)?;
            index::reindex(&tx, &loaded, &region)?;
        }
        tx.commit()?;
        tracing::info!(doc = %id, "settings document pinned");
        Ok(())
    }
}
