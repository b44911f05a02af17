package dev.outpost.tests

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.withTimeout
import uniffi.outpost.RecordRef
import uniffi.outpost.DataObserver
import uniffi.outpost.OutpostStore
import uniffi.outpost.newId
import uniffi.outpost.openStore
import java.io.File
import java.nio.file.Files

/** Upper bound for anything the tests wait for (a hang guard, never a speed assertion). */
const val WAIT_MS = 60_000L

/** A phone: its own store file in a temp dir, for one user, with a fresh device id. */
suspend fun openDevice(dir: File, userId: String, name: String): OutpostStore =
    openStore(File(dir, "$name.db").path, userId, newId(), "NO")

fun tempDir(prefix: String): File = Files.createTempDirectory(prefix).toFile()

/** A data observer that queues every change it is told about. */
class ChangeQueue : DataObserver {
    val changed = Channel<String>(Channel.UNLIMITED)
    val records = Channel<List<RecordRef>>(Channel.UNLIMITED)
    val removed = Channel<String>(Channel.UNLIMITED)

    override fun onDocumentChanged(documentId: String, records: List<RecordRef>) {
        this.records.trySend(records)
        changed.trySend(documentId)
    }

    override fun onDocumentRemoved(documentId: String) {
        removed.trySend(documentId)
    }

    /** Waits for the next change of `doc` (other documents' changes are skipped). */
    suspend fun nextChangeOf(doc: String) = withTimeout(WAIT_MS) {
        while (changed.receive() != doc) Unit
    }

    /**
     * Waits until `check` holds, re-checking after every change of `doc`.
     * Returns the value `check` produced.
     */
    suspend fun <T : Any> awaitChange(doc: String, check: suspend () -> T?): T = withTimeout(WAIT_MS) {
        var v = check()
        while (v == null) {
            while (changed.receive() != doc) Unit
            v = check()
        }
        v
    }
}
