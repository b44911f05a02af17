package dev.outpost.field.logic

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import uniffi.outpost.DataObserver
import uniffi.outpost.OutpostStore
import uniffi.outpost.openStore
import uniffi.outpost_core.Day
import java.time.Instant
import java.time.ZoneId
import java.util.Locale

/** What happened to a document, as the data observer reports it. */
sealed interface DocEvent {
    val docId: String

    data class Changed(override val docId: String) : DocEvent
    data class Removed(override val docId: String) : DocEvent
}

/**
 * The rep's open store and the device's clock and locale: what every state
 * holder needs. No Android imports; the activity opens one per process.
 */
class FieldSession(
    val store: OutpostStore,
    val userId: String,
    val locale: Locale = Locale.getDefault(),
    private val zone: ZoneId = ZoneId.systemDefault(),
) : AutoCloseable {
    /** The device's current offset from UTC, in minutes (it changes with DST and travel). */
    fun utcOffsetMinutes(): Int = zone.rules.getOffset(Instant.now()).totalSeconds / 60

    fun today(): Day = uniffi.outpost.today(utcOffsetMinutes())

    fun nowMs(): Long = System.currentTimeMillis()

    /**
     * Data changes as a flow: one element per changed or removed document,
     * from edits made here and from sync. The observer is registered while
     * the flow is collected.
     */
    fun changes(): Flow<DocEvent> = callbackFlow {
        val handle = store.addDataObserver(object : DataObserver {
            override fun onDocumentChanged(documentId: String) {
                trySend(DocEvent.Changed(documentId))
            }

            override fun onDocumentRemoved(documentId: String) {
                trySend(DocEvent.Removed(documentId))
            }
        })
        awaitClose { store.removeDataObserver(handle) }
    }

    override fun close() {
        store.close()
    }

    companion object {
        /** Opens (or creates) the store file; the work runs off the caller's thread. */
        suspend fun open(path: String, userId: String, deviceId: String, locale: Locale = Locale.getDefault()): FieldSession =
            FieldSession(openStore(path, userId, deviceId, null), userId, locale)
    }
}
