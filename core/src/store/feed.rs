//! The change feed: which documents changed (or were removed) after a
//! point, for an app that keeps its own cache or search index in step with
//! the store. Migration 8 keeps, per document, the value of a store-wide
//! counter at its last change; a caller remembers the counter it has seen
//! and asks for everything after it.

use rusqlite::{OptionalExtension, params};

use crate::error::Result;
use crate::ids::DocumentId;

use super::Store;

/// A document that changed after the position asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    pub doc: DocumentId,
    /// The counter at its last change.
    pub seq: i64,
    /// The document was removed from this store (e.g. access revoked).
    pub removed: bool,
}

impl Store {
    /// The documents whose last change came after `after` (0: every
    /// document this store has held since migration 8), oldest change first,
    /// at most `limit`. A document that changed several times is listed once.
    pub fn feed_after(&self, after: i64, limit: u32) -> Result<Vec<FeedEntry>> {
        let mut st = self.conn.prepare_cached(
            "SELECT doc_id, seq, removed FROM change_feed WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = st.query_map(params![after, limit], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (doc, seq, removed) = row?;
            out.push(FeedEntry {
                doc: doc.parse()?,
                seq,
                removed,
            });
        }
        Ok(out)
    }

    /// The counter now (the position after the last change).
    pub fn feed_position(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT seq FROM change_seq WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// This store's feed id: positions are only meaningful for the store
    /// that gave them (a store made again from scratch has another id).
    pub fn feed_id(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'change_feed_id'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::ids::Author;
    use crate::model::{Account, Contact};
    use crate::store::{Store, StoreOptions};

    fn store() -> Store {
        let me = Author {
            user_id: "kari".into(),
            device_id: "phone".into(),
        };
        Store::open_in_memory(me, StoreOptions::default()).unwrap()
    }

    fn named(name: &str) -> Account {
        Account {
            name: name.into(),
            ..Account::default()
        }
    }

    #[test]
    fn the_feed_lists_each_changed_document_once_after_a_position() {
        let mut s = store();
        assert_eq!(s.feed_position().unwrap(), 0);
        let a = s.create_account(named("A")).unwrap();
        let b = s.create_account(named("B")).unwrap();
        let seen = s.feed_position().unwrap();
        let all = s.feed_after(0, 100).unwrap();
        assert_eq!(all.iter().map(|e| e.doc).collect::<Vec<_>>(), [a, b]);

        // A changes twice, then B: after `seen`, A once, then B
        for name in ["Kari", "Ola"] {
            s.create(
                a,
                Contact {
                    first_name: name.into(),
                    ..Contact::default()
                },
            )
            .unwrap();
        }
        s.create(
            b,
            Contact {
                first_name: "Per".into(),
                ..Contact::default()
            },
        )
        .unwrap();
        let after = s.feed_after(seen, 100).unwrap();
        assert_eq!(after.iter().map(|e| e.doc).collect::<Vec<_>>(), [a, b]);
        assert!(after.iter().all(|e| !e.removed));
        // paging: one at a time, from the last position seen
        let first = s.feed_after(seen, 1).unwrap();
        let second = s.feed_after(first[0].seq, 1).unwrap();
        assert_eq!((first[0].doc, second[0].doc), (a, b));
        assert!(s.feed_after(second[0].seq, 1).unwrap().is_empty());

        // a removal is a change too
        s.remove_document(a).unwrap();
        let last = s.feed_after(second[0].seq, 10).unwrap();
        assert_eq!(last.len(), 1);
        assert!(last[0].removed && last[0].doc == a);
        assert_eq!(s.feed_position().unwrap(), last[0].seq);
        assert_eq!(s.feed_id().unwrap().len(), 16);
    }

    #[test]
    fn documents_of_a_store_made_before_migration_8_enter_the_feed_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v7.db");
        let me = Author {
            user_id: "kari".into(),
            device_id: "phone".into(),
        };
        let (a, b) = {
            let mut s = Store::open(&path, me.clone(), StoreOptions::default()).unwrap();
            let a = s.create_account(named("A")).unwrap();
            let b = s.create_account(named("B")).unwrap();
            (a, b)
        };
        // what a version-7 store holds: the same, without what migrations 8
        // and 9 made (this build's index writes need migration 9's tables,
        // so a version-7 store cannot be written by it directly)
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(
                "DROP TRIGGER change_feed_on_insert; DROP TRIGGER change_feed_on_update;
                 DROP TRIGGER change_feed_on_delete; DROP TABLE change_feed; DROP TABLE change_seq;
                 DELETE FROM meta WHERE key = 'change_feed_id';
                 DROP TABLE idx_stage_moves; DROP TABLE idx_order_lines; DROP TABLE idx_products;
                 PRAGMA user_version = 7;",
            )
            .unwrap();
        let s = Store::open(&path, me, StoreOptions::default()).unwrap();
        let mut ids = [a, b];
        ids.sort_by_key(|d| d.to_string());
        let feed = s.feed_after(0, 10).unwrap();
        assert_eq!(feed.iter().map(|e| e.doc).collect::<Vec<_>>(), ids);
        assert_eq!(feed.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(s.feed_position().unwrap(), 2);
    }

    #[test]
    fn a_rolled_back_write_is_not_in_the_feed() {
        let mut s = store();
        let a = s.create_account(named("A")).unwrap();
        let seen = s.feed_position().unwrap();
        let _ = s.atomically(|s| {
            s.create(
                a,
                Contact {
                    first_name: "Kari".into(),
                    ..Contact::default()
                },
            )?;
            Err::<(), _>(crate::CoreError::Invalid("stop".into()))
        });
        assert_eq!(s.feed_position().unwrap(), seen);
        assert!(s.feed_after(seen, 10).unwrap().is_empty());
    }
}
