//! The tokio runtime the bindings own: blocking store work runs on its
//! blocking pool and the sync client on its workers, so a foreign caller's
//! thread (a UI thread, an asyncio loop) only ever awaits.

use std::sync::LazyLock;

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
