//! One CRM document (an account, or the org-wide settings) on top of
//! Automerge. Pure: no I/O, time is passed in.

pub mod bounded;
mod checks;
mod codec;
mod conflicts;
mod history;
mod lenient;
mod merge;
mod quotes;
pub mod schema;

pub use conflicts::{Conflict, ConflictValue};
pub use history::FieldChange;
pub use lenient::Read;
pub use quotes::order_id_for_quote;

use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{Automerge, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value as AmValue};
use serde_json::{Map, Value};

use crate::error::{CoreError, Result};
use crate::ids::{Author, DocumentId, new_record_id};
use crate::model::validate::Rules;
use crate::model::{Account, DocKind, Location, OrgSettings, Record, RecordKind};
use schema::SCHEMA_VERSION;

/// A CRM document: an account with everything it owns, or the settings.
#[derive(Debug, Clone)]
pub struct CrmDoc {
    id: DocumentId,
    kind: DocKind,
    am: Automerge,
    /// How often this device rebuilt the document after refused changes.
    generation: u32,
    /// The writing store's installation salt (set by the store).
    salt: Option<[u8; 8]>,
}

impl CrmDoc {
    /// A new account document holding `account`.
    pub fn new_account(
        id: DocumentId,
        author: &Author,
        now: i64,
        account: Account,
    ) -> Result<Self> {
        let mut doc = Self::empty(id, DocKind::Account, author, now)?;
        doc.edit(author, now, |e| e.create(account).map(|_| ()))?;
        Ok(doc)
    }

    /// A new settings document.
    pub fn new_settings(
        id: DocumentId,
        author: &Author,
        now: i64,
        settings: OrgSettings,
    ) -> Result<Self> {
        let mut doc = Self::empty(id, DocKind::Settings, author, now)?;
        doc.edit(author, now, |e| e.create(settings).map(|_| ()))?;
        Ok(doc)
    }

    fn empty(id: DocumentId, kind: DocKind, author: &Author, now: i64) -> Result<Self> {
        let mut am = Automerge::new().with_actor(author.actor());
        let mut tx = am.transaction();
        tx.put(ROOT, "type", kind.type_tag())?;
        tx.put(ROOT, "schema_version", SCHEMA_VERSION)?;
        for k in kind.collections() {
            if let Location::Collection(key) = k.location() {
                tx.put_object(ROOT, key, ObjType::Map)?;
            }
        }
        tx.commit_with(
            CommitOptions::default()
                .with_message(author.commit_message())
                .with_time(now),
        );
        Ok(Self {
            id,
            kind,
            am,
            generation: 0,
            salt: None,
        })
    }

    /// Loads and validates a saved document (or concatenated change chunks).
    /// Bad bytes, an unknown type or a newer schema give a typed error.
    pub fn load(id: DocumentId, bytes: &[u8]) -> Result<Self> {
        let am = Automerge::load(bytes).map_err(|source| CoreError::NotAutomerge {
            doc: id,
            source: Box::new(source),
        })?;
        Self::from_automerge(id, am)
    }

    /// Wraps a validated Automerge document.
    pub fn from_automerge(id: DocumentId, am: Automerge) -> Result<Self> {
        let (kind, _) = schema::validate(&am, id)?;
        Ok(Self {
            id,
            kind,
            am,
            generation: 0,
            salt: None,
        })
    }

    /// The next sync message for a peer, if there is anything to say.
    pub fn generate_sync_message(
        &self,
        state: &mut automerge::sync::State,
    ) -> Option<automerge::sync::Message> {
        use automerge::sync::SyncDoc;
        self.am.generate_sync_message(state)
    }

    /// The rebuild generation (see [`Author::actor_for`]).
    pub fn generation(&self) -> u32 {
        self.generation
    }

    pub(crate) fn set_generation(&mut self, generation: u32) {
        self.generation = generation;
    }

    /// The store installation's actor salt (see [`Author::actor_salted`]).
    pub(crate) fn set_actor_salt(&mut self, salt: Option<[u8; 8]>) {
        self.salt = salt;
    }

    /// This document as it was at `heads`, as the next generation: what a
    /// device keeps after the server refused the changes made since.
    pub fn rebuilt_at(&self, heads: &[ChangeHash]) -> Result<CrmDoc> {
        let am = self.am.fork_at(heads)?;
        let (kind, _) = schema::validate(&am, self.id)?;
        Ok(CrmDoc {
            id: self.id,
            kind,
            am,
            generation: self.generation + 1,
            salt: self.salt,
        })
    }

    /// The document id.
    pub fn id(&self) -> DocumentId {
        self.id
    }

    /// Account or settings.
    pub fn kind(&self) -> DocKind {
        self.kind
    }

    /// The underlying Automerge document (read-only).
    pub fn automerge(&self) -> &Automerge {
        &self.am
    }

    /// The current heads.
    pub fn heads(&self) -> Vec<ChangeHash> {
        self.am.get_heads()
    }

    /// The whole document, compacted.
    pub fn save(&self) -> Vec<u8> {
        self.am.save()
    }

    /// The changes made since `heads`, as bytes another replica can merge.
    pub fn save_after(&self, heads: &[ChangeHash]) -> Vec<u8> {
        self.am.save_after(heads)
    }

    /// The schema version stored in the document.
    pub fn schema_version(&self) -> i64 {
        match self.am.get(ROOT, "schema_version") {
            Ok(Some((AmValue::Scalar(s), _))) => s.as_i64().unwrap_or(0),
            _ => 0,
        }
    }

    /// The account record (account documents only).
    pub fn account(&self) -> Option<Read<Account>> {
        self.get::<Account>("")
    }

    /// The settings record (settings documents only).
    pub fn org_settings(&self) -> Option<Read<OrgSettings>> {
        self.get::<OrgSettings>("")
    }

    /// One record by id (the id is ignored for the account and settings singletons).
    pub fn get<R: Record>(&self, id: &str) -> Option<Read<R>> {
        let obj = record_obj(&self.am, R::KIND, id)?;
        let json = codec::read_json(&self.am, &obj, None).ok()?;
        let mut read = lenient::read_lenient::<R>(json);
        // the collection key is the record's id, whatever a foreign client wrote inside
        if matches!(R::KIND.location(), Location::Collection(_)) {
            read.record.meta_mut().id = id.to_owned();
        }
        Some(read)
    }

    /// Every record of a kind, archived ones included, in id (creation) order.
    pub fn list<R: Record>(&self) -> Vec<Read<R>> {
        let Location::Collection(key) = R::KIND.location() else {
            return self.get::<R>("").into_iter().collect();
        };
        // every map of the collection (see `collection_objs`), ids in order
        let ids: std::collections::BTreeSet<String> = collection_objs(&self.am, key)
            .iter()
            .flat_map(|coll| self.am.keys(coll).collect::<Vec<_>>())
            .collect();
        ids.into_iter()
            .filter_map(|id| self.get::<R>(&id))
            .collect()
    }

    /// The whole document as JSON (for debugging, golden files and exports).
    pub fn to_json(&self) -> Value {
        codec::read_json(&self.am, &ROOT, None).unwrap_or(Value::Null)
    }

    /// Makes changes in one Automerge transaction, attributed to `author` at
    /// `now` (ms since the epoch). If `f` fails nothing is committed.
    ///
    /// Every value written is judged by the rules of `model::validate`
    /// (formats, ranges, enums); without the org's settings, stages and
    /// custom fields are not checked (see [`CrmDoc::edit_with_rules`]).
    pub fn edit<T>(
        &mut self,
        author: &Author,
        now: i64,
        f: impl FnOnce(&mut Editor<'_>) -> Result<T>,
    ) -> Result<T> {
        static NO_SETTINGS: Rules = Rules {
            pipelines: Vec::new(),
            custom_fields: Vec::new(),
        };
        self.edit_with_rules(author, now, &NO_SETTINGS, f)
    }

    /// [`CrmDoc::edit`] judging stages and custom fields against `rules`
    /// (the org's settings) too.
    pub fn edit_with_rules<T>(
        &mut self,
        author: &Author,
        now: i64,
        rules: &Rules,
        f: impl FnOnce(&mut Editor<'_>) -> Result<T>,
    ) -> Result<T> {
        self.am
            .set_actor(author.actor_salted(self.generation, self.salt));
        let doc = self.id;
        let kind = self.kind;
        let mut editor = Editor {
            tx: self.am.transaction(),
            author,
            now,
            doc,
            kind,
            rules,
        };
        match f(&mut editor) {
            Ok(out) => {
                let Editor { tx, .. } = editor;
                tx.commit_with(
                    CommitOptions::default()
                        .with_message(author.commit_message())
                        .with_time(now),
                );
                Ok(out)
            }
            Err(e) => {
                editor.tx.rollback();
                Err(e)
            }
        }
    }

    /// Brings an older document up to [`SCHEMA_VERSION`] (a no-op at the
    /// current version). Returns whether a migration ran.
    pub fn migrate(&mut self, author: &Author, now: i64) -> Result<bool> {
        self.migrate_with(author, now, schema::MIGRATIONS, SCHEMA_VERSION)
    }

    pub(crate) fn migrate_with(
        &mut self,
        author: &Author,
        now: i64,
        steps: &[schema::Migration],
        target: i64,
    ) -> Result<bool> {
        let version = self.schema_version();
        if version >= target {
            return Ok(false);
        }
        self.edit(author, now, |e| {
            schema::run_migrations(&mut e.tx, version, target, steps)
        })
    }

    /// A read-only view of the document as it was at `at` (ms): every change
    /// made at or before that time whose dependencies were too.
    pub fn as_of(&self, at: i64) -> Result<CrmDoc> {
        let heads = history::heads_at_time(&self.am, at);
        let am = self.am.fork_at(&heads)?;
        Ok(CrmDoc {
            id: self.id,
            kind: self.kind,
            am,
            generation: self.generation,
            salt: None,
        })
    }
}

/// Parses bytes strictly (`load_incremental` would skip what it cannot
/// parse; bad input must be an error instead). Returns the loaded document,
/// or `None` for change chunks whose dependencies are not in the bytes.
fn parse_strict(id: DocumentId, bytes: &[u8]) -> Result<Option<Automerge>> {
    use automerge::{LoadOptions, OnPartialLoad, VerificationMode};
    let strict = LoadOptions::new()
        .on_partial_load(OnPartialLoad::Error)
        .verification_mode(VerificationMode::Check);
    match Automerge::load_with_options(bytes, strict) {
        Ok(doc) => Ok(Some(doc)),
        Err(automerge::AutomergeError::MissingDeps) => Ok(None),
        Err(source) => Err(CoreError::NotAutomerge {
            doc: id,
            source: Box::new(source),
        }),
    }
}

/// Every map at the root key of a collection, the one Automerge shows first.
///
/// A collection added to the schema after a document was made (`quotes` in
/// an older account) is created by the first device that writes a record
/// of it. Two devices doing that offline each create a map at the same root
/// key: Automerge keeps both as a conflict and shows one. Records are read
/// from all of them, so neither device's records are hidden; new records go
/// into the one shown.
pub(crate) fn collection_objs<R: ReadDoc>(doc: &R, key: &str) -> Vec<ObjId> {
    let mut maps: Vec<ObjId> = doc
        .get_all(ROOT, key)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(v, obj)| matches!(v, AmValue::Object(ObjType::Map)).then_some(obj))
        .collect();
    // get_all lists the values in op order; the one shown (`get`) is the last
    maps.reverse();
    maps
}

/// Finds the map of a record.
pub(crate) fn record_obj<R: ReadDoc>(doc: &R, kind: RecordKind, id: &str) -> Option<ObjId> {
    match kind.location() {
        Location::Singleton(key) => match doc.get(ROOT, key).ok()?? {
            (AmValue::Object(ObjType::Map), obj) => Some(obj),
            _ => None,
        },
        Location::Collection(key) => {
            collection_objs(doc, key).into_iter().find_map(|coll| {
                match doc.get(&coll, id).ok()?? {
                    (AmValue::Object(ObjType::Map), obj) => Some(obj),
                    _ => None,
                }
            })
        }
    }
}

/// Changes to one document inside one transaction.
#[derive(Debug)]
pub struct Editor<'a> {
    tx: Transaction<'a>,
    author: &'a Author,
    now: i64,
    doc: DocumentId,
    kind: DocKind,
    rules: &'a Rules,
}

impl Editor<'_> {
    fn check_kind(&self, kind: RecordKind) -> Result<()> {
        if kind.doc_kind() != self.kind {
            return Err(CoreError::Invalid(format!(
                "a {} does not belong in this document",
                kind.name()
            )));
        }
        Ok(())
    }

    /// Reads a record inside the transaction.
    pub fn get<R: Record>(&self, id: &str) -> Option<Read<R>> {
        let obj = record_obj(&self.tx, R::KIND, id)?;
        let json = codec::read_json(&self.tx, &obj, None).ok()?;
        let mut read = lenient::read_lenient::<R>(json);
        if matches!(R::KIND.location(), Location::Collection(_)) {
            read.record.meta_mut().id = id.to_owned();
        }
        Some(read)
    }

    /// Adds a new record. An empty id gets a fresh UUID v7; owner defaults to
    /// the author. Returns the record id.
    pub fn create<R: Record>(&mut self, mut record: R) -> Result<String> {
        self.check_kind(R::KIND)?;
        let meta = record.meta_mut();
        if meta.id.is_empty() {
            meta.id = new_record_id();
        }
        meta.created_at = self.now;
        meta.created_by = Some(self.author.user_id.clone());
        meta.updated_at = self.now;
        meta.updated_by = Some(self.author.user_id.clone());
        if meta.owner.is_none() {
            meta.owner = Some(self.author.user_id.clone());
        }
        let id = meta.id.clone();
        let obj = match R::KIND.location() {
            Location::Singleton(key) => {
                if self.tx.get(ROOT, key)?.is_some() {
                    return Err(self.exists::<R>(&id));
                }
                self.tx.put_object(ROOT, key, ObjType::Map)?
            }
            Location::Collection(key) => {
                if record_obj(&self.tx, R::KIND, &id).is_some() {
                    return Err(self.exists::<R>(&id));
                }
                let coll = match collection_objs(&self.tx, key).into_iter().next() {
                    Some(c) => c,
                    None => self.tx.put_object(ROOT, key, ObjType::Map)?,
                };
                if self.tx.get(&coll, id.as_str())?.is_some() {
                    return Err(self.exists::<R>(&id));
                }
                self.tx.put_object(&coll, id.as_str(), ObjType::Map)?
            }
        };
        let new = to_map(&record)?;
        self.judge(R::KIND, None, &new)?;
        codec::apply_diff(&mut self.tx, &obj, &Map::new(), &new, 0)?;
        Ok(id)
    }

    /// Refuses values that break a rule (`model::validate`), naming the field.
    fn judge(
        &self,
        kind: RecordKind,
        old: Option<&Map<String, Value>>,
        new: &Map<String, Value>,
    ) -> Result<()> {
        let errors = crate::model::validate::check_changed(kind, old, new, self.rules);
        match errors.into_iter().next() {
            None => Ok(()),
            Some(e) => Err(CoreError::InvalidField {
                record: kind.name(),
                field: e.field,
                reason: e.reason,
            }),
        }
    }

    fn exists<R: Record>(&self, id: &str) -> CoreError {
        CoreError::RecordExists {
            doc: self.doc,
            kind: R::KIND.name(),
            id: id.to_owned(),
        }
    }

    fn not_found(&self, kind: RecordKind, id: &str) -> CoreError {
        CoreError::RecordNotFound {
            doc: self.doc,
            kind: kind.name(),
            id: id.to_owned(),
        }
    }

    /// Saves `record` over the stored one: only fields that differ from the
    /// stored record are written, so concurrent edits of other fields on other
    /// devices survive. Creation metadata cannot be changed this way.
    pub fn update<R: Record>(&mut self, mut record: R) -> Result<()> {
        self.check_kind(R::KIND)?;
        let id = record.meta().id.clone();
        let obj = record_obj(&self.tx, R::KIND, &id).ok_or_else(|| self.not_found(R::KIND, &id))?;
        let mut current =
            lenient::read_lenient::<R>(codec::read_json(&self.tx, &obj, None)?).record;
        if matches!(R::KIND.location(), Location::Collection(_)) {
            current.meta_mut().id = id.clone();
        }
        {
            let (cur, meta) = (current.meta(), record.meta_mut());
            meta.created_at = cur.created_at;
            meta.created_by = cur.created_by.clone();
            meta.updated_at = self.now;
            meta.updated_by = Some(self.author.user_id.clone());
        }
        let old = to_map(&current)?;
        let new = to_map(&record)?;
        if strip_bookkeeping(&old) == strip_bookkeeping(&new) {
            return Ok(());
        }
        self.judge(R::KIND, Some(&old), &new)?;
        codec::apply_diff(&mut self.tx, &obj, &old, &new, 0)?;
        Ok(())
    }

    /// Reads a record, lets `f` change it, and saves the difference.
    pub fn modify<R: Record>(&mut self, id: &str, f: impl FnOnce(&mut R)) -> Result<R> {
        let mut record = self
            .get::<R>(id)
            .ok_or_else(|| self.not_found(R::KIND, id))?
            .record;
        if matches!(R::KIND.location(), Location::Singleton(_)) && record.meta().id.is_empty() {
            record.meta_mut().id = id.to_owned();
        }
        f(&mut record);
        self.update(record)?;
        // as written: sub-items added without ids have theirs now
        self.get::<R>(id)
            .map(|r| r.record)
            .ok_or_else(|| self.not_found(R::KIND, id))
    }

    /// Archives (soft-deletes) or restores a record of any kind.
    pub fn set_archived(&mut self, kind: RecordKind, id: &str, archived: bool) -> Result<()> {
        self.check_kind(kind)?;
        let obj = record_obj(&self.tx, kind, id).ok_or_else(|| self.not_found(kind, id))?;
        let current = self
            .tx
            .get(&obj, "archived")?
            .and_then(|(v, _)| v.as_bool());
        if current == Some(archived) {
            return Ok(());
        }
        self.tx.put(&obj, "archived", archived)?;
        if archived {
            self.tx.put(&obj, "archived_at", self.now)?;
        } else if self.tx.get(&obj, "archived_at")?.is_some() {
            self.tx.delete(&obj, "archived_at")?;
        }
        self.tx.put(&obj, "updated_at", self.now)?;
        self.tx
            .put(&obj, "updated_by", self.author.user_id.as_str())?;
        Ok(())
    }

    /// Moves a deal to another stage and appends the move to its stage history.
    pub fn move_deal_stage(&mut self, deal_id: &str, to_stage: &str) -> Result<()> {
        let (now, by) = (self.now, self.author.user_id.clone());
        self.modify::<crate::model::Deal>(deal_id, |d| {
            if d.stage_id == to_stage {
                return;
            }
            d.stage_history.push(crate::model::StageChange {
                id: new_record_id(),
                from_stage: (!d.stage_id.is_empty()).then(|| d.stage_id.clone()),
                to_stage: to_stage.to_owned(),
                at: now,
                by: Some(by),
            });
            d.stage_id = to_stage.to_owned();
        })
        .map(|_| ())
    }

    /// The author of this transaction.
    pub fn author(&self) -> &Author {
        self.author
    }

    /// The time of this transaction.
    pub fn now(&self) -> i64 {
        self.now
    }
}

fn to_map<R: Record>(r: &R) -> Result<Map<String, Value>> {
    match serde_json::to_value(r)? {
        Value::Object(m) => Ok(m),
        _ => Err(CoreError::Invalid(
            "a record must serialise to an object".into(),
        )),
    }
}

fn strip_bookkeeping(m: &Map<String, Value>) -> Map<String, Value> {
    let mut m = m.clone();
    for k in crate::model::BOOKKEEPING_FIELDS {
        m.remove(*k);
    }
    m
}

#[cfg(test)]
mod tests;
