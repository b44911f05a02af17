package dev.outpost.field.logic

import uniffi.outpost.RecordRef
import uniffi.outpost.DataObserver
import uniffi.outpost.OutpostStore
import uniffi.outpost.openStore
import uniffi.outpost.Day
import java.time.Instant
import java.time.ZoneId
import java.util.Locale

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
    private val lock = Any()
    private var closed = false

    fun utcOffsetMinutes(): Int = zone.rules.getOffset(Instant.now()).totalSeconds / 60

    fun today(): Day = uniffi.outpost.today(utcOffsetMinutes())

    fun nowMs(): Long = System.currentTimeMillis()

    /**
     * Calls [listener] for every changed or removed document, from edits made
     * here and from sync, until the returned handle is closed. Registered
     * before this returns, so a holder that watches first and reads second
     * misses nothing. Called on the library's observer thread for this
     * store, one event at a time, in order (for a Flow, see [dataEvents]).
     */
    fun watch(listener: (DocEvent) -> Unit): AutoCloseable {
        val observer = object : DataObserver {
            override fun onDocumentChanged(documentId: String, records: List<RecordRef>) =
                listener(DocEvent.Changed(documentId, records))

            override fun onDocumentRemoved(documentId: String) = listener(DocEvent.Removed(documentId))
        }
        // a holder may start or stop watching after the session closed: never touch a closed store
        val handle = synchronized(lock) { if (closed) null else store.addDataObserver(observer) }
        return AutoCloseable {
            synchronized(lock) { if (!closed && handle != null) store.removeObserver(handle) }
        }
    }

    /** Closes the store; holders still watching just stop hearing about changes. */
    override fun close() {
        synchronized(lock) {
            if (closed) return
            closed = true
            store.close()
        }
    }

    companion object {
        /** Opens (or creates) the store file; the work runs off the caller's thread. */
        suspend fun open(path: String, userId: String, deviceId: String, locale: Locale = Locale.getDefault()): FieldSession {
            OutpostThreads.install()
            return FieldSession(openStore(path, userId, deviceId, null), userId, locale)
        }
    }
}
