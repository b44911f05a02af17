//! All or nothing: several writes (a visit and its follow-up task, an
//! account and its first contact) in one SQLite transaction that is rolled
//! back, on disk and in memory, when any of them fails. The bindings'
//! `WriteBatch` runs on this. (`Store::batch` is the server's group commit:
//! it commits whatever its closure wrote unless it panics.)

use crate::doc::CrmDoc;
use crate::error::{CoreError, Result};
use crate::ids::DocumentId;
use crate::model::Account;

use super::Store;

impl Store {
    /// Runs `f` inside one transaction and commits only if it returns `Ok`.
    /// On an error (or a panic, as [`CoreError::Aborted`]) nothing `f` wrote
    /// is kept: the transaction is rolled back and the loaded documents are
    /// dropped from memory, to be read again from disk. The change listener
    /// may have fired for writes inside `f` that were rolled back (it fires
    /// before commit, as in `batch`).
    pub fn atomically<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)))
            .unwrap_or(Err(CoreError::Aborted));
        let out = out.and_then(|v| {
            self.conn.execute_batch("COMMIT")?;
            Ok(v)
        });
        if out.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.cache.clear();
            self.lru.clear();
            self.pending.clear();
        }
        out
    }

    /// Creates an account document with a document id chosen beforehand (a
    /// batch names the new account in the writes that follow it).
    pub fn create_account_with_id(
        &mut self,
        id: DocumentId,
        account: Account,
    ) -> Result<DocumentId> {
        if self.contains(id)? {
            return Err(CoreError::Invalid(format!("document {id} already exists")));
        }
        let now = self.now();
        let doc = CrmDoc::new_account(id, &self.author, now, account)?;
        self.insert_new(doc, true)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::ids::Author;
    use crate::model::{Account, Activity, ActivityKind, ActivityStatus, Contact};
    use crate::store::{Store, StoreOptions};

    fn acme() -> Account {
        Account {
            name: "Acme".into(),
            ..Account::default()
        }
    }

    fn kari() -> Contact {
        Contact {
            first_name: "Kari".into(),
            ..Contact::default()
        }
    }

    fn store() -> Store {
        let me = Author {
            user_id: "kari".into(),
            device_id: "phone".into(),
        };
        Store::open_in_memory(me, StoreOptions::default()).unwrap()
    }

    #[test]
    fn a_failing_write_leaves_nothing_of_the_batch() {
        let mut s = store();
        let doc = s.create_account(acme()).unwrap();
        let before = s.list::<Activity>(doc).unwrap().len();
        let err = s.atomically(|s| {
            s.create(
                doc,
                Activity {
                    kind: ActivityKind::Visit,
                    status: ActivityStatus::Done,
                    subject: "Visit".into(),
                    ..Activity::default()
                },
            )?;
            // a record that does not exist: the second write fails
            s.update(
                doc,
                Contact {
                    meta: crate::model::RecordMeta {
                        id: "no-such-contact".into(),
                        ..Default::default()
                    },
                    ..kari()
                },
            )
        });
        assert!(err.is_err());
        // neither in memory nor on disk, nor in the index
        assert_eq!(s.list::<Activity>(doc).unwrap().len(), before);
        assert!(
            s.agenda(
                crate::store::queries::Day {
                    date: chrono::Utc::now().date_naive(),
                    utc_offset_minutes: 0,
                },
                None
            )
            .unwrap()
            .today
            .is_empty()
        );
        // and the store goes on working
        s.create(doc, kari()).unwrap();
        assert_eq!(s.list::<Contact>(doc).unwrap().len(), 1);
    }

    #[test]
    fn a_batch_that_succeeds_is_all_there_and_an_account_can_be_named_first() {
        let mut s = store();
        let id = crate::ids::DocumentId::random();
        s.atomically(|s| {
            s.create_account_with_id(id, acme())?;
            s.create(id, kari())?;
            Ok(())
        })
        .unwrap();
        assert_eq!(s.list::<Contact>(id).unwrap().len(), 1);
        assert!(s.create_account_with_id(id, acme()).is_err());
    }
}
