//! Group commit: one writer thread merges the sync messages that arrive
//! together and commits them in one SQLite transaction (one fsync) before
//! any reply is released. Replies carry new heads, so they must wait for the
//! commit; they are generated inside the batch and handed back after it.
//!
//! Under load many connections have a message waiting at once: the batch
//! grows with the load and the fsync cost per merge falls. A lone message
//! is a batch of one, committed at once (no waiting for company).

use std::sync::OnceLock;
use std::sync::mpsc;

use automerge::sync::State;
use outpost_core::{CoreError, DocumentId};
use tokio::sync::oneshot;

use crate::state::Shared;

/// Most sync messages merged in one transaction.
const MAX_BATCH: usize = 256;

/// What merging one sync message gave: the state, and the reply plus
/// whether the message brought new changes.
pub type Outcome = (State, Result<(Option<Vec<u8>>, bool), CoreError>);

/// One sync message to merge.
pub struct Request {
    pub app: Shared,
    pub doc: DocumentId,
    /// The connection's sync state, if it has one in memory.
    pub known: Option<State>,
    /// Where this device's saved sync state lives (persistent peers).
    pub peer_key: Option<String>,
    /// The message, decoded with its changes inflated within the limit.
    pub message: automerge::sync::Message,
    /// How many bytes its changes hold, inflated.
    pub inflated: u64,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("doc", &self.doc)
            .field("inflated", &self.inflated)
            .finish_non_exhaustive()
    }
}

struct Job {
    req: Request,
    reply: oneshot::Sender<Outcome>,
}

fn sender() -> &'static mpsc::Sender<Job> {
    static TX: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    TX.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("outpost-writer".into())
            .spawn(move || run(rx))
            .expect("spawn the writer thread");
        tx
    })
}

/// Merges a sync message in the next group commit; resolves after the
/// commit with the reply to send. `None` if the writer is gone.
pub async fn merge(req: Request) -> Option<Outcome> {
    let (reply, rx) = oneshot::channel();
    sender().send(Job { req, reply }).ok()?;
    rx.await.ok()
}

fn run(rx: mpsc::Receiver<Job>) {
    let mut carry: Option<Job> = None;
    loop {
        let first = match carry.take() {
            Some(j) => j,
            None => match rx.recv() {
                Ok(j) => j,
                Err(_) => return,
            },
        };
        let app = first.req.app.clone();
        // a batch holds at most this many inflated bytes (and always one
        // message): many large messages arriving together are merged over
        // several commits instead of all at once
        let budget = app.cfg.max_batch_inflated_bytes;
        let mut bytes = first.req.inflated;
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                // one batch per store (one per process outside unit tests)
                Ok(j)
                    if std::sync::Arc::ptr_eq(&j.req.app, &app)
                        && bytes.saturating_add(j.req.inflated) <= budget =>
                {
                    bytes += j.req.inflated;
                    jobs.push(j);
                }
                Ok(j) => {
                    carry = Some(j);
                    break;
                }
                Err(_) => break,
            }
        }
        metrics::histogram!("outpost_commit_batch_size").record(jobs.len() as f64);
        let started = std::time::Instant::now();
        let mut merged_at = started;
        let mut store = app.store();
        let mut done: Vec<(oneshot::Sender<Outcome>, Outcome)> = Vec::with_capacity(jobs.len());
        let committed = store.batch(|s| {
            for Job { req: j, reply } in jobs {
                let mut state = match (j.known, &j.peer_key) {
                    (Some(st), _) => st,
                    (None, Some(k)) => s.sync_state(k, j.doc).unwrap_or_default(),
                    (None, None) => State::new(),
                };
                let outcome = match s.receive_decoded(j.doc, &mut state, j.message) {
                    Err(e) => Err(e),
                    Ok(received) => s
                        .generate_sync_message(j.doc, &mut state)
                        .map(|r| (r, !received.new_changes.is_empty())),
                };
                done.push((reply, (state, outcome)));
            }
            merged_at = std::time::Instant::now();
        });
        drop(store);
        // where a batch's time goes: merging (CPU) vs the commit (fsync)
        metrics::histogram!("outpost_batch_merge_seconds")
            .record(merged_at.duration_since(started).as_secs_f64());
        metrics::histogram!("outpost_commit_seconds").record(merged_at.elapsed().as_secs_f64());
        let failed = committed.is_err();
        if let Err(e) = committed {
            tracing::error!(error = %e, "group commit failed");
        }
        for (reply, (state, outcome)) in done {
            let outcome = if failed {
                Err(CoreError::Invalid("the group commit failed".into()))
            } else {
                outcome
            };
            let _ = reply.send((state, outcome));
        }
    }
}
