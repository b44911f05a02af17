package dev.outpost.field.logic

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import uniffi.outpost.RecordRef
import uniffi.outpost.DataObserver
import uniffi.outpost.OutpostException
import uniffi.outpost.OutpostStore
import uniffi.outpost.SyncEvent
import uniffi.outpost.SyncObserver

/** What happened to a document, as the data observer reports it. */
sealed interface DocEvent {
    val docId: String

    /** Changed here or by sync; [records] names what an edit made here touched (empty for sync). */
    data class Changed(override val docId: String, val records: List<RecordRef> = emptyList()) : DocEvent

    /** Removed from this device (access revoked). */
    data class Removed(override val docId: String) : DocEvent
}

/**
 * The store's data changes as a cold [Flow]: collecting registers a
 * [DataObserver], cancelling removes it. The library calls observers on one
 * thread per store, in order; the buffer hands events to the collector's
 * dispatcher in that order and never blocks the library's thread.
 */
fun OutpostStore.dataEvents(): Flow<DocEvent> = callbackFlow {
    val handle = addDataObserver(object : DataObserver {
        override fun onDocumentChanged(documentId: String, records: List<RecordRef>) {
            trySend(DocEvent.Changed(documentId, records))
        }

        override fun onDocumentRemoved(documentId: String) {
            trySend(DocEvent.Removed(documentId))
        }
    })
    awaitClose { removeObserverQuietly(handle) }
}.buffer(Channel.UNLIMITED)

/** The store's sync events as a cold [Flow] (see [dataEvents]). */
fun OutpostStore.syncEvents(): Flow<SyncEvent> = callbackFlow {
    val handle = addSyncObserver(object : SyncObserver {
        override fun onSyncEvent(event: SyncEvent) {
            trySend(event)
        }
    })
    awaitClose { removeObserverQuietly(handle) }
}.buffer(Channel.UNLIMITED)

/** A store closed meanwhile has no observers left to remove. */
private fun OutpostStore.removeObserverQuietly(handle: Long) {
    try {
        removeObserver(handle)
    } catch (_: IllegalStateException) {
        // the Kotlin handle was closed (destroyed): nothing to remove
    } catch (_: OutpostException) {
    }
}
