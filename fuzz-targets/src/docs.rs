//! Automerge bytes from another replica: sync messages received by a store,
//! and documents loaded or merged from bytes.

use automerge::sync::State;
use outpost_core::store::{Store, StoreOptions};
use outpost_core::{Author, CoreError, CrmDoc, DocumentId};

/// The account document the targets merge into: an account with a
/// contact, a deal, an activity, an order and a case, made by
/// `seeds::make_account` (committed so its change hashes, which the seed
/// messages build on, stay the same).
pub const ACCOUNT: &[u8] = include_bytes!("../data/account.automerge");

/// The id the store holds [`ACCOUNT`] under.
pub fn account_id() -> DocumentId {
    DocumentId::from_bytes(*b"outpost-fuzz-acc")
}

/// A document id the store does not hold.
pub fn new_id() -> DocumentId {
    DocumentId::from_bytes(*b"outpost-fuzz-new")
}

/// The server's default limit on the inflated bytes of one message.
pub const MAX_INFLATED: u64 = 32 * 1024 * 1024;

/// The time every store here runs at (ms).
pub const NOW: i64 = 1_760_000_000_000;

/// An empty store in memory, as the server opens its own (same inflation
/// limit), with a fixed clock.
pub fn empty_store(device: &str) -> Store {
    let mut s = Store::open_in_memory(
        Author {
            user_id: "fuzz".into(),
            device_id: device.into(),
        },
        StoreOptions {
            max_inflated_bytes: MAX_INFLATED,
            ..StoreOptions::default()
        },
    )
    .expect("an in-memory store opens");
    s.set_clock(|| NOW);
    s
}

/// A store holding [`ACCOUNT`] under [`account_id`].
pub fn store_with_account(device: &str) -> Store {
    let mut s = empty_store(device);
    s.apply(account_id(), ACCOUNT)
        .expect("the account document loads");
    s
}

/// Errors a store gives for bad bytes from a peer. Anything else (an SQLite
/// failure, a panic) is a finding.
fn expected(e: &CoreError) -> bool {
    matches!(
        e,
        CoreError::NotAutomerge { .. }
            | CoreError::SchemaViolation { .. }
            | CoreError::UnsupportedSchemaVersion { .. }
            | CoreError::TooLarge { .. }
            | CoreError::InvalidField { .. }
            | CoreError::Automerge(_)
    )
}

fn check<T>(what: &str, r: Result<T, CoreError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) if expected(&e) => None,
        Err(e) => panic!("{what}: unexpected error {e:?}"),
    }
}

/// Reads everything a device or the server reads from a merged document:
/// records of every kind, conflicts, and the index the store rebuilt.
fn read_all(store: &mut Store, id: DocumentId) {
    use outpost_core::model::{Account, Activity, Case, Contact, Deal, Order};
    if !store.contains(id).expect("contains") {
        return;
    }
    let _ = store.list::<Account>(id).expect("accounts");
    let _ = store.list::<Contact>(id).expect("contacts");
    let _ = store.list::<Deal>(id).expect("deals");
    let _ = store.list::<Activity>(id).expect("activities");
    let _ = store.list::<Order>(id).expect("orders");
    let _ = store.list::<Case>(id).expect("cases");
    let _ = store.conflicts(id).expect("conflicts");
}

thread_local! {
    /// A store holding the account, kept between executions while the
    /// account is unchanged (a fresh store costs ~2 ms of migrations).
    static HELD: std::cell::RefCell<Option<Store>> = const { std::cell::RefCell::new(None) };
    /// An empty store for `Store::apply` of a new document, emptied after each use.
    static EMPTY: std::cell::RefCell<Option<Store>> = const { std::cell::RefCell::new(None) };
    /// A store receiving new documents, each execution under an id of its
    /// own (the store keeps what is pending per id), and how many it took.
    static PENDING: std::cell::RefCell<(Option<Store>, u64)> = const { std::cell::RefCell::new((None, 0)) };
}

/// New documents one store receives before it is replaced (what stays
/// pending is kept in memory per id).
const PENDING_PER_STORE: u64 = 2000;

/// Runs `f` on a store that never saw the document id it is given.
fn with_pending<T>(f: impl FnOnce(&mut Store, DocumentId) -> T) -> T {
    PENDING.with(|cell| {
        let mut slot = cell.borrow_mut();
        let (store, n) = &mut *slot;
        *n += 1;
        if *n % PENDING_PER_STORE == 1 {
            *store = None;
        }
        let store = store.get_or_insert_with(|| empty_store("fuzz-server"));
        let mut id = *b"outpost-fuzz-new";
        id[8..].copy_from_slice(&n.to_be_bytes());
        let id = DocumentId::from_bytes(id);
        let out = f(store, id);
        if store.contains(id).unwrap_or(false) {
            store.remove_document(id).expect("remove");
        }
        out
    })
}

/// Runs `f` on the store holding the account as it was made; afterwards
/// the store is kept for the next execution only if the account is still
/// exactly [`ACCOUNT`] (same heads, nothing else stored).
fn with_held<T>(f: impl FnOnce(&mut Store) -> T) -> T {
    HELD.with(|cell| {
        let mut slot = cell.borrow_mut();
        let mut store = slot
            .take()
            .unwrap_or_else(|| store_with_account("fuzz-server"));
        let heads = store.heads(account_id()).expect("heads");
        let out = f(&mut store);
        let untouched = store.heads(account_id()).ok() == Some(heads)
            && store.document_ids().map(|d| d.len()).ok() == Some(1);
        // changed: put the account back as it was (cheaper than a new store)
        let restored = untouched
            || (store.remove_document(account_id()).is_ok()
                && store.document_ids().map(|d| d.is_empty()).ok() == Some(true)
                && store.apply(account_id(), ACCOUNT).is_ok());
        if restored {
            *slot = Some(store);
        }
        out
    })
}

/// Runs `f` on an empty store; it is kept for the next execution once the
/// new document is removed again.
fn with_empty<T>(f: impl FnOnce(&mut Store) -> T) -> T {
    EMPTY.with(|cell| {
        let mut slot = cell.borrow_mut();
        let mut store = slot.take().unwrap_or_else(|| empty_store("fuzz-server"));
        let out = f(&mut store);
        if store.remove_document(new_id()).is_ok()
            && store.document_ids().map(|d| d.is_empty()).ok() == Some(true)
        {
            *slot = Some(store);
        }
        out
    })
}

/// A sync message from a peer, received by a store as the server's writer
/// and the device client receive one, then the reply generated.
///
/// The first byte picks the store: even, it holds the account and the
/// message is about it; odd, the message is about a document the store
/// does not hold (a device creating an account: the pending path, under a
/// document id new to the store each time). The rest
/// is the sync message (V1 or V2; compressed change chunks and deflated
/// document columns go through `doc::bounded`).
pub fn sync_message(data: &[u8]) {
    let Some((&mode, msg)) = data.split_first() else {
        return;
    };
    let receive = |store: &mut Store, doc: DocumentId| {
        let mut state = State::new();
        if check("receive", store.receive_sync_message(doc, &mut state, msg)).is_none() {
            return;
        }
        let _ = store
            .generate_sync_message(doc, &mut state)
            .expect("a reply is generated");
        read_all(store, doc);
    };
    if mode % 2 == 0 {
        with_held(|store| receive(store, account_id()));
    } else {
        with_pending(receive);
    }
}

/// Bytes loaded as a document. The first byte picks how: 0 `CrmDoc::load`
/// (after `bounded::bound_chunks`, as the server loads a document a device
/// created), 1 `Store::apply` into an empty store (a new document), 2
/// `Store::apply` into a store holding the account (a merge); the rest are
/// the bytes.
pub fn doc_load(data: &[u8]) {
    let Some((&mode, bytes)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            let mut budget = outpost_core::doc::bounded::Budget::new(MAX_INFLATED);
            let Ok(bounded) = outpost_core::doc::bounded::bound_chunks(bytes, &mut budget) else {
                return;
            };
            if let Some(doc) = check("load", CrmDoc::load(new_id(), &bounded)) {
                let _ = (doc.kind(), doc.heads(), doc.conflicts(), doc.save());
            }
        }
        1 => with_empty(|store| {
            if check("apply", store.apply(new_id(), bytes)).is_some() {
                read_all(store, new_id());
            }
        }),
        _ => with_held(|store| {
            let before = store.heads(account_id()).expect("heads");
            match check("apply", store.apply(account_id(), bytes)) {
                Some(_) => read_all(store, account_id()),
                // refused: nothing changed
                None => assert_eq!(store.heads(account_id()).expect("heads"), before),
            }
        }),
    }
}
