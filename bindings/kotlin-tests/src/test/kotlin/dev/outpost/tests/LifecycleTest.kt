package dev.outpost.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Test
import uniffi.outpost.Account
import uniffi.outpost.OutpostException
import uniffi.outpost.openStore
import java.io.File

/**
 * `OutpostStore` is `AutoCloseable`: `use {}` (or `close()`) stops sync and
 * lets go of the store file, so another handle (a WorkManager worker, a
 * widget) can open it; while it is open, a second open is `Locked`.
 */
class LifecycleTest {
    private val dir = tempDir("outpost-kt-lifecycle-")

    @AfterEach
    fun cleanUp() {
        dir.deleteRecursively()
    }

    @Test
    fun `use releases the store file, a second open while it is open is Locked`(): Unit = runBlocking {
        val path = File(dir, "phone.db").path
        val doc = openStore(path, "kari", "phone-1").use { store ->
            assertThrows(OutpostException.Locked::class.java) { runBlocking { openStore(path, "kari", "phone-1") } }
            store.startSync("ws://127.0.0.1:9/sync", "not-used")
            store.createAccount(Account(name = "Bakeriet"))
        }
        // closed: sync stopped, the file is free
        openStore(path, "kari", "phone-1").use { again ->
            assertEquals("Bakeriet", again.getAccount(doc)?.name)
        }
        val closed = openStore(path, "kari", "phone-1")
        closed.close()
        closed.close() // idempotent
        assertThrows(IllegalStateException::class.java) { runBlocking { closed.getAccount(doc) } }
        Unit
    }
}
