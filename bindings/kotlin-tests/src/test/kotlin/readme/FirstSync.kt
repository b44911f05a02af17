package readme.firstsync

import uniffi.outpost.*

/** Syncs a (new) phone with its server, printing progress; true once up to date. */
suspend fun firstSync(store: OutpostStore, url: String, token: String): Boolean {
    val progress = object : SyncObserver {
        override fun onSyncEvent(event: SyncEvent) {
            if (event !is SyncEvent.Status) return
            // progress and flags are whole; `documents` holds only what changed
            val s = event.status
            val p = s.progress
            println("${p.documentsDone} of ${p.documentsTotal} accounts, " +
                "${p.bytesReceived} of ${p.bytesTotal} bytes, ${s.pendingEdits} edits to send")
        }
    }
    val handle = store.addSyncObserver(progress)
    try {
        store.startSync(url, token)
        store.waitUntilSynced(timeoutMs = 120_000)
        return true
    } catch (e: OutpostException.Unauthorized) {
        println("the server refused the token: ${e.message}")
        return false
    } catch (e: OutpostException.Timeout) {
        println("still syncing: ${e.message}") // sync goes on in the background
        return false
    } finally {
        store.removeObserver(handle)
    }
}
