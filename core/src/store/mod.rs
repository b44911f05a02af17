//! The durable local store: documents in SQLite (WAL) as a snapshot plus
//! incremental change chunks, and a query index kept in the same
//! transaction as every change.
//!
//! One writer: every call that changes data commits one SQLite transaction
//! (with `synchronous = FULL`) before it returns, so an acknowledged edit
//! survives a crash or power loss.

mod atomic;
mod capture;
mod drafts;
pub mod feed;
mod file;
mod index;
mod messages;
mod migrations;
mod org;
mod pending;
pub mod queries;
mod records;
mod rules;
mod sync;

pub use capture::CapturedMatch;
pub use drafts::{Draft, DraftContents};
pub use messages::MergeRecords;
pub use pending::Retained;
pub use sync::SyncReceived;

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use automerge::ChangeHash;
use rusqlite::{Connection, OptionalExtension, params};

use crate::doc::{CrmDoc, Editor};
use crate::error::{CoreError, Result};
use crate::ids::{Author, DocumentId};
use crate::model::{Account, DocKind};

/// Settings of a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Region (ISO 3166-1 alpha-2) for phone numbers typed without a country code.
    pub phone_region: String,
    /// How many documents to keep loaded in memory.
    pub cache_docs: usize,
    /// Fold change chunks into a new snapshot after this many chunks.
    pub compact_after_chunks: i64,
    /// Most bytes the changes of one sync message (or one `apply`) may
    /// inflate to; compressed chunks are inflated through a bounded reader
    /// before Automerge sees them (`doc::bounded`).
    pub max_inflated_bytes: u64,
    /// Judge the values of merged changes by the rules of
    /// `model::validate` (the server does; a device trusts its server).
    /// Local edits are always judged.
    pub validate_merges: bool,
    /// Count edits made here until the server acknowledges them
    /// (`Store::pending_edits`): a device does, a server does not.
    pub track_pending_edits: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            phone_region: "US".into(),
            cache_docs: 32,
            compact_after_chunks: 64,
            max_inflated_bytes: 256 * 1024 * 1024,
            validate_merges: false,
            track_pending_edits: true,
        }
    }
}

/// What merging bytes from another replica did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOutcome {
    /// The document was new to this store.
    pub created: bool,
    /// How many changes were new.
    pub new_changes: usize,
}

/// The local store of one device.
pub struct Store {
    conn: Connection,
    author: Author,
    opts: StoreOptions,
    cache: HashMap<DocumentId, CrmDoc>,
    lru: VecDeque<DocumentId>,
    /// Documents being received for the first time, not yet valid.
    pending: HashMap<DocumentId, automerge::Automerge>,
    clock: Box<dyn Fn() -> i64 + Send>,
    listener: Option<Box<dyn Fn(DocumentId) + Send>>,
    /// The settings' value rules, with the settings document's heads they
    /// were read at (`rules`).
    rules_cache: Option<(DocumentId, Vec<ChangeHash>, crate::model::validate::Rules)>,
    /// The exclusive lock on the store file (`store::file`), held until drop.
    lock: Option<std::fs::File>,
    /// This installation's actor salt (`store::file`).
    actor_salt: Option<[u8; 8]>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("author", &self.author)
            .field("cached_docs", &self.cache.len())
            .finish()
    }
}

fn system_now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store {
    /// Opens (creating and migrating as needed) the store at `path`.
    ///
    /// The store holds an exclusive lock on the file while it is open: a
    /// second open of the same path (another handle, another process) is
    /// refused with [`CoreError::Locked`] (see `store::file`).
    pub fn open(path: impl AsRef<Path>, author: Author, opts: StoreOptions) -> Result<Self> {
        let path = path.as_ref();
        let lock = file::lock(path)?;
        let mut store = Self::from_connection(
            Connection::open(path)?,
            author,
            opts,
            migrations::LATEST,
            Some(path),
        )?;
        store.lock = Some(lock);
        Ok(store)
    }

    /// A store in memory (tests, previews).
    pub fn open_in_memory(author: Author, opts: StoreOptions) -> Result<Self> {
        Self::from_connection(
            Connection::open_in_memory()?,
            author,
            opts,
            migrations::LATEST,
            None,
        )
    }

    /// Opens a store migrated only up to `version` (for upgrade tests).
    #[doc(hidden)]
    pub fn open_at_version(path: impl AsRef<Path>, author: Author, version: i64) -> Result<Self> {
        let path = path.as_ref();
        let lock = file::lock(path)?;
        let mut store = Self::from_connection(
            Connection::open(path)?,
            author,
            StoreOptions::default(),
            version,
            Some(path),
        )?;
        store.lock = Some(lock);
        Ok(store)
    }

    fn from_connection(
        mut conn: Connection,
        author: Author,
        opts: StoreOptions,
        version: i64,
        path: Option<&Path>,
    ) -> Result<Self> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // every merge runs ~30 statements (chunks, index deletes and
        // inserts); rusqlite's default cache of 16 would evict them each time
        conn.set_prepared_statement_cache_capacity(128);
        migrations::migrate_to(&mut conn, version)?;
        // per connection, never on disk: the documents a `*_within` query
        // is restricted to (see `queries::fill_scope`)
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS outpost_scope (doc_id TEXT PRIMARY KEY)",
        )?;
        // before any document is loaded (a schema migration writes too)
        let actor_salt = if version >= 1 {
            file::actor_salt(&conn, path)?
        } else {
            None
        };
        let mut store = Self {
            conn,
            author,
            opts,
            cache: HashMap::new(),
            lru: VecDeque::new(),
            pending: HashMap::new(),
            clock: Box::new(system_now),
            listener: None,
            rules_cache: None,
            lock: None,
            actor_salt,
        };
        if version >= 2 {
            store.reindex_if_needed()?;
        }
        Ok(store)
    }

    /// Replaces the clock (ms since the epoch); tests use a fixed one.
    pub fn set_clock(&mut self, clock: impl Fn() -> i64 + Send + 'static) {
        self.clock = Box::new(clock);
    }

    /// Calls `f` with the document id after every change that reached disk
    /// (local edits, merges, documents created or received). The sync
    /// client uses it to push local edits; apps use it to refresh screens.
    /// `f` runs while the store is busy: it must be quick (e.g. send on a channel).
    pub fn set_change_listener(&mut self, f: impl Fn(DocumentId) + Send + 'static) {
        self.listener = Some(Box::new(f));
    }

    fn changed(&self, id: DocumentId) {
        if let Some(f) = &self.listener {
            f(id);
        }
    }

    /// Now, by the store's clock.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Who this store writes as.
    pub fn author(&self) -> &Author {
        &self.author
    }

    /// Runs `f` with the store writing as `author` (e.g. an office user
    /// editing through the server's REST API): every change `f` makes is
    /// attributed to that user and device. The store's own author is
    /// restored afterwards, whatever `f` returns.
    pub fn with_author<T>(&mut self, author: Author, f: impl FnOnce(&mut Store) -> T) -> T {
        let own = std::mem::replace(&mut self.author, author);
        // restored even if `f` panics (a server recovers a poisoned store lock)
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        self.author = own;
        out.unwrap_or_else(|p| std::panic::resume_unwind(p))
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &StoreOptions {
        &self.opts
    }

    /// How many documents are loaded in memory now.
    pub fn loaded_documents(&self) -> usize {
        self.cache.len() + self.pending.len()
    }

    /// The raw connection, for the query module.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    fn reindex_if_needed(&mut self) -> Result<()> {
        let flag: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'reindex'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if flag.as_deref() != Some("1") {
            return Ok(());
        }
        let ids = self.document_ids()?;
        tracing::info!(documents = ids.len(), "rebuilding query index");
        let tx = self.conn.transaction()?;
        for (id, _) in &ids {
            let doc = load_from_db(&tx, *id)?;
            index::reindex(&tx, &doc, &self.opts.phone_region)?;
        }
        tx.execute("DELETE FROM meta WHERE key = 'reindex'", [])?;
        tx.commit()?;
        Ok(())
    }

    /// Every document in the store.
    pub fn document_ids(&self) -> Result<Vec<(DocumentId, DocKind)>> {
        let mut st = self
            .conn
            .prepare("SELECT doc_id, kind FROM documents ORDER BY doc_id")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind) = row?;
            let kind = if kind == "settings" {
                DocKind::Settings
            } else {
                DocKind::Account
            };
            out.push((id.parse()?, kind));
        }
        Ok(out)
    }

    /// The stored size of every document in bytes (snapshot plus change
    /// chunks): what a device has to download, roughly.
    pub fn document_sizes(&self) -> Result<HashMap<DocumentId, u64>> {
        let mut st = self.conn.prepare_cached(
            "SELECT doc_id, COALESCE(length(snapshot), 0) + chunk_bytes FROM documents",
        )?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, size) = row?;
            out.insert(id.parse()?, size.max(0) as u64);
        }
        Ok(out)
    }

    /// Whether the store holds a document.
    pub fn contains(&self, id: DocumentId) -> Result<bool> {
        // a cached document is on disk (the cache only holds stored ones,
        // and is emptied when a transaction rolls back)
        if self.cache.contains_key(&id) {
            return Ok(true);
        }
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM documents WHERE doc_id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// A loaded document (from the cache or the database).
    pub fn doc(&mut self, id: DocumentId) -> Result<&CrmDoc> {
        self.load(id)?;
        self.cache.get(&id).ok_or(CoreError::DocumentNotFound(id))
    }

    fn load(&mut self, id: DocumentId) -> Result<()> {
        if self.cache.contains_key(&id) {
            self.touch(id);
            return Ok(());
        }
        let mut doc = load_from_db(&self.conn, id)?;
        let before = doc.heads();
        let migrated = doc.migrate(&self.author, (self.clock)())?;
        self.cache_insert(id, doc);
        if migrated {
            tracing::info!(doc = %id, "document migrated to the current schema");
            self.persist_changes(id, &before, false)?;
        }
        Ok(())
    }

    /// Puts a document in the cache, unloading the least recently used ones
    /// beyond `cache_docs` (they are on disk; memory stays bounded).
    fn cache_insert(&mut self, id: DocumentId, mut doc: CrmDoc) {
        // every edit runs on a cached document: this installation's actor
        doc.set_actor_salt(self.actor_salt);
        self.cache.insert(id, doc);
        self.touch(id);
        while self.lru.len() > self.opts.cache_docs.max(1) {
            if let Some(old) = self.lru.pop_front() {
                self.cache.remove(&old);
            }
        }
    }

    fn touch(&mut self, id: DocumentId) {
        self.lru.retain(|d| *d != id);
        self.lru.push_back(id);
    }

    fn forget(&mut self, id: DocumentId) {
        self.cache.remove(&id);
        self.lru.retain(|d| *d != id);
    }

    /// Creates a new account document. Durable when this returns.
    pub fn create_account(&mut self, account: Account) -> Result<DocumentId> {
        let now = self.now();
        let doc = CrmDoc::new_account(DocumentId::random(), &self.author, now, account)?;
        self.insert_new(doc, true)
    }

    /// Stores a new document; `local`: made here (a pending edit until the
    /// server has it), not received from elsewhere.
    fn insert_new(&mut self, doc: CrmDoc, local: bool) -> Result<DocumentId> {
        let id = doc.id();
        let now = self.now();
        // a savepoint: its own transaction, or part of a `batch`
        let tx = self.conn.savepoint()?;
        insert_document(&tx, &doc, now)?;
        if local && self.opts.track_pending_edits {
            pending::count_edit(&tx, id)?;
        }
        if doc.kind() == DocKind::Settings && org::pinned(&tx)?.is_none() {
            // the first settings document a store holds is the org's
            org::write_pin(&tx, id)?;
        }
        index::reindex(&tx, &doc, &self.opts.phone_region)?;
        tx.commit()?;
        self.cache_insert(id, doc);
        self.changed(id);
        Ok(id)
    }

    /// Runs `f` with every write inside one SQLite transaction: group
    /// commit, one fsync for many merges (the sync server batches the sync
    /// messages that arrive together). Nothing `f` wrote is durable before
    /// this returns `Ok`; a caller must not acknowledge anything (send
    /// heads) before then. Reads inside `f` see `f`'s writes, so queries
    /// stay read-your-writes. If the commit fails, everything is rolled back
    /// and the document cache is emptied (memory may hold merges the disk
    /// does not). The change listener fires inside `f`, before the commit.
    ///
    /// A panic inside `f` rolls the whole batch back and returns
    /// [`CoreError::Aborted`]: a transaction left open would swallow every
    /// later write (acknowledged, then never committed).
    pub fn batch<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        let committed = match &out {
            Ok(_) => self.conn.execute_batch("COMMIT").map_err(CoreError::from),
            Err(_) => Err(CoreError::Aborted),
        };
        if let Err(e) = committed {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.cache.clear();
            self.lru.clear();
            self.pending.clear();
            return Err(e);
        }
        out.map_err(|_| CoreError::Aborted)
    }

    /// Makes changes to one document in one transaction. The changes and the
    /// updated index are committed to disk before this returns; if anything
    /// fails, nothing is kept, in memory or on disk.
    pub fn edit<T>(
        &mut self,
        id: DocumentId,
        f: impl FnOnce(&mut Editor<'_>) -> Result<T>,
    ) -> Result<T> {
        let rules = self.rules()?;
        self.load(id)?;
        let now = self.now();
        let author = self.author.clone();
        let doc = self
            .cache
            .get_mut(&id)
            .ok_or(CoreError::DocumentNotFound(id))?;
        let before = doc.heads();
        let out = doc.edit_with_rules(&author, now, &rules, f)?;
        if let Err(e) = self.persist_changes(id, &before, true) {
            self.forget(id);
            return Err(e);
        }
        Ok(out)
    }

    /// Writes the changes of a cached document made since `before`, with its
    /// index; `local`: an edit made here (counted as pending, see `pending`).
    fn persist_changes(
        &mut self,
        id: DocumentId,
        before: &[ChangeHash],
        local: bool,
    ) -> Result<()> {
        let now = self.now();
        let doc = self.cache.get(&id).ok_or(CoreError::DocumentNotFound(id))?;
        if doc.heads() == before {
            return Ok(());
        }
        let chunk = doc.save_after(before);
        // a savepoint: its own transaction, or part of a `batch`
        let tx = self.conn.savepoint()?;
        append_chunk(&tx, doc, &chunk, now, self.opts.compact_after_chunks)?;
        index::reindex(&tx, doc, &self.opts.phone_region)?;
        if local && self.opts.track_pending_edits {
            pending::count_edit(&tx, id)?;
        }
        tx.commit()?;
        self.changed(id);
        Ok(())
    }

    /// Merges bytes from another replica (a saved document or change chunks)
    /// into document `id`, creating it if it is new here. Bad bytes or a
    /// result that breaks the schema give an error and change nothing.
    pub fn apply(&mut self, id: DocumentId, bytes: &[u8]) -> Result<ApplyOutcome> {
        let mut budget = crate::doc::bounded::Budget::new(self.opts.max_inflated_bytes);
        let bounded = crate::doc::bounded::bound_chunks(bytes, &mut budget)
            .map_err(|e| bound_error(id, e, self.opts.max_inflated_bytes))?;
        let bytes: &[u8] = &bounded;
        let rules = self.merge_rules()?;
        if !self.contains(id)? {
            let doc = CrmDoc::load(id, bytes)?;
            if let Some(r) = &rules {
                doc.check_all_values(r)?;
            }
            let new_changes = doc.automerge().get_changes_meta(&[]).len();
            self.insert_new(doc, false)?;
            return Ok(ApplyOutcome {
                created: true,
                new_changes,
            });
        }
        self.load(id)?;
        let doc = self
            .cache
            .get_mut(&id)
            .ok_or(CoreError::DocumentNotFound(id))?;
        let before = doc.heads();
        let new = doc.merge_bytes_checked(bytes, rules.as_ref())?;
        if let Err(e) = self.persist_changes(id, &before, false) {
            self.forget(id);
            return Err(e);
        }
        Ok(ApplyOutcome {
            created: false,
            new_changes: new.len(),
        })
    }

    /// Stores a document validated elsewhere (e.g. assembled from a device's
    /// sync messages) that this store does not hold yet. Durable when this
    /// returns; an existing id is refused and nothing changes.
    pub fn adopt(&mut self, doc: CrmDoc) -> Result<ApplyOutcome> {
        if let Some(r) = self.merge_rules()? {
            doc.check_all_values(&r)?;
        }
        if self.contains(doc.id())? {
            return Err(CoreError::Invalid(format!(
                "document {} already exists",
                doc.id()
            )));
        }
        let new_changes = doc.automerge().get_changes_meta(&[]).len();
        self.insert_new(doc, false)?;
        Ok(ApplyOutcome {
            created: true,
            new_changes,
        })
    }

    /// The whole document as bytes (what another replica needs to catch up).
    pub fn export(&mut self, id: DocumentId) -> Result<Vec<u8>> {
        Ok(self.doc(id)?.save())
    }

    /// The changes since `heads`, as bytes.
    pub fn changes_since(&mut self, id: DocumentId, heads: &[ChangeHash]) -> Result<Vec<u8>> {
        Ok(self.doc(id)?.save_after(heads))
    }

    /// The current heads of a document.
    pub fn heads(&mut self, id: DocumentId) -> Result<Vec<ChangeHash>> {
        Ok(self.doc(id)?.heads())
    }

    /// Removes a document and its index rows (e.g. when access is revoked).
    pub fn remove_document(&mut self, id: DocumentId) -> Result<()> {
        let tx = self.conn.transaction()?;
        index::remove(&tx, &id.to_string())?;
        tx.execute("DELETE FROM documents WHERE doc_id = ?1", [id.to_string()])?;
        tx.commit()?;
        self.forget(id);
        Ok(())
    }

    /// Folds a document's change chunks into one snapshot now.
    pub fn compact(&mut self, id: DocumentId) -> Result<()> {
        self.load(id)?;
        let now = self.now();
        let doc = self.cache.get(&id).ok_or(CoreError::DocumentNotFound(id))?;
        let tx = self.conn.transaction()?;
        write_snapshot(&tx, doc, now)?;
        tx.commit()?;
        Ok(())
    }
}

/// A refusal of untrusted bytes as a core error.
pub(crate) fn bound_error(
    doc: DocumentId,
    e: crate::doc::bounded::BoundError,
    limit: u64,
) -> CoreError {
    match e {
        crate::doc::bounded::BoundError::TooLarge { .. } => CoreError::TooLarge {
            what: "the changes, inflated,",
            limit,
        },
        crate::doc::bounded::BoundError::Malformed(reason) => {
            tracing::debug!(doc = %doc, reason, "malformed Automerge bytes");
            CoreError::NotAutomerge {
                doc,
                source: Box::new(automerge::AutomergeError::Fail),
            }
        }
    }
}

fn load_from_db(conn: &Connection, id: DocumentId) -> Result<CrmDoc> {
    let key = id.to_string();
    let (snapshot, generation): (Option<Vec<u8>>, u32) = conn
        .query_row(
            "SELECT snapshot, generation FROM documents WHERE doc_id = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or(CoreError::DocumentNotFound(id))?;
    let mut bytes = snapshot.unwrap_or_default();
    let mut st = conn.prepare_cached("SELECT data FROM chunks WHERE doc_id = ?1 ORDER BY seq")?;
    let chunks = st.query_map([&key], |r| r.get::<_, Vec<u8>>(0))?;
    for c in chunks {
        bytes.extend_from_slice(&c?);
    }
    let mut doc = CrmDoc::load(id, &bytes)?;
    doc.set_generation(generation);
    Ok(doc)
}

fn kind_str(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Account => "account",
        DocKind::Settings => "settings",
    }
}

fn insert_document(tx: &Connection, doc: &CrmDoc, now: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO documents(doc_id, kind, snapshot, updated_at) VALUES (?1, ?2, ?3, ?4)",
        params![doc.id().to_string(), kind_str(doc.kind()), doc.save(), now],
    )?;
    Ok(())
}

fn append_chunk(
    tx: &Connection,
    doc: &CrmDoc,
    chunk: &[u8],
    now: i64,
    compact_after: i64,
) -> Result<()> {
    let key = doc.id().to_string();
    let (count, seq): (i64, i64) = tx
        .prepare_cached(
            "SELECT chunk_count, COALESCE((SELECT MAX(seq) FROM chunks WHERE doc_id = ?1), 0)
             FROM documents WHERE doc_id = ?1",
        )?
        .query_row([&key], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if count + 1 >= compact_after {
        return write_snapshot(tx, doc, now);
    }
    tx.prepare_cached("INSERT INTO chunks(doc_id, seq, data) VALUES (?1, ?2, ?3)")?
        .execute(params![key, seq + 1, chunk])?;
    tx.prepare_cached(
        "UPDATE documents SET chunk_count = chunk_count + 1, chunk_bytes = chunk_bytes + ?2, updated_at = ?3
         WHERE doc_id = ?1",
    )?
    .execute(params![key, chunk.len() as i64, now])?;
    Ok(())
}

fn write_snapshot(tx: &Connection, doc: &CrmDoc, now: i64) -> Result<()> {
    let key = doc.id().to_string();
    tx.execute(
        "UPDATE documents SET snapshot = ?2, chunk_count = 0, chunk_bytes = 0, updated_at = ?3 WHERE doc_id = ?1",
        params![key, doc.save(), now],
    )?;
    tx.execute("DELETE FROM chunks WHERE doc_id = ?1", [&key])?;
    Ok(())
}
