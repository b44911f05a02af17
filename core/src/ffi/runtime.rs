//! The tokio runtime the bindings own: blocking store work runs on its
//! blocking pool and the sync client on its workers, so a foreign caller's
//! thread (a UI thread, an asyncio loop) only ever awaits. Its threads
//! never call into the app (see `dispatch`).

use std::sync::LazyLock;
use std::time::Duration;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("outpost")
        .enable_all()
        .build()
        .expect("the operating system refused to start the Outpost runtime threads")
});

pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    &RUNTIME
}

/// Whether the caller is a thread of a tokio runtime (where blocking on a
/// future would panic or stall a worker).
pub(crate) fn on_runtime_thread() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

/// Runs `fut` to completion (at most `limit`) from a thread outside the
/// runtime; from a runtime thread it is spawned instead and not waited for.
pub(crate) fn block_on_or_spawn(fut: impl Future<Output = ()> + Send + 'static, limit: Duration) {
    if on_runtime_thread() {
        runtime().spawn(fut);
    } else {
        runtime().block_on(async move {
            let _ = tokio::time::timeout(limit, fut).await;
        });
    }
}
