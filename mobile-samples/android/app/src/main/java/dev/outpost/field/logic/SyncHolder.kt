package dev.outpost.field.logic

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.outpost.SyncObserver
import uniffi.outpost.DocSync
import uniffi.outpost.SyncEvent
import uniffi.outpost.SyncStatus

/** The core's sync status condensed for the banner rules in [SyncStatusModel]. */
fun SyncStatus.snapshot(enabled: Boolean) = SyncSnapshot(
    enabled = enabled,
    connected = connected,
    scopeReceived = scopeReceived,
    pending = documents.values.count { it is DocSync.Pending },
    needsAttention = documents.values.count { it is DocSync.NeedsAttention },
    documentsTotal = progress.documentsTotal.toInt(),
    documentsDone = progress.documentsDone.toInt(),
    bytesReceived = progress.bytesReceived,
    bytesTotal = progress.bytesTotal,
    lastError = lastError,
)

/**
 * Starts and stops sync and keeps the banner current: a [SyncObserver]
 * registered with the store turns every status event into a new [badge].
 * The observer is called on a background thread; StateFlow is thread-safe
 * and Compose collects it on the UI thread.
 */
class SyncHolder(private val session: FieldSession) : AutoCloseable {
    private var enabled = false
    private val _snapshot = MutableStateFlow(SyncSnapshot(enabled = false, connected = false))
    val snapshot: StateFlow<SyncSnapshot> = _snapshot.asStateFlow()
    private val _badge = MutableStateFlow(SyncStatusModel.badge(_snapshot.value))
    val badge: StateFlow<SyncBadge> = _badge.asStateFlow()

    private val handle = session.store.addSyncObserver(object : SyncObserver {
        override fun onSyncEvent(event: SyncEvent) {
            when (event) {
                // a Status event carries only the accounts whose state changed:
                // the banner reads the whole status
                is SyncEvent.Status, is SyncEvent.Connected, is SyncEvent.Disconnected ->
                    publish(session.store.syncStatus())
                else -> Unit
            }
        }
    })

    suspend fun start(url: String, token: String) {
        enabled = true
        session.store.startSync(url, token)
        publish(session.store.syncStatus())
    }

    suspend fun stop() {
        enabled = false
        session.store.stopSync()
        publish(session.store.syncStatus())
    }

    private fun publish(status: SyncStatus) {
        val s = status.snapshot(enabled)
        _snapshot.value = s
        _badge.value = SyncStatusModel.badge(s)
    }

    override fun close() {
        session.store.removeObserver(handle)
    }
}
