package dev.outpost.tests

import dev.outpost.field.logic.DocEvent
import dev.outpost.field.logic.FunctionLogSink
import dev.outpost.field.logic.dataEvents
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import uniffi.outpost.Account
import uniffi.outpost.RecordRef
import uniffi.outpost.Contact
import uniffi.outpost.DataObserver
import uniffi.outpost.LogLevel
import uniffi.outpost.RecordKind
import uniffi.outpost.removeLogSink
import uniffi.outpost.setLogSink
import java.util.Collections
import java.util.concurrent.CopyOnWriteArrayList

/**
 * Observers as an Android app uses them: one library thread per store calls
 * them in order (not a thread per event); an observer that throws is logged
 * once through the log sink and the next observer still runs; the Flow
 * adapter of the sample's logic delivers the same events in the same order.
 */
class ObserverTest {
    private val dir = tempDir("outpost-kt-observers-")

    @AfterEach
    fun cleanUp() {
        removeLogSink()
        dir.deleteRecursively()
    }

    private class Threads : DataObserver {
        val names: MutableSet<String> = Collections.synchronizedSet(mutableSetOf())
        val records = CopyOnWriteArrayList<RecordRef>()

        override fun onDocumentChanged(documentId: String, records: List<RecordRef>) {
            names += Thread.currentThread().name
            this.records += records
        }

        override fun onDocumentRemoved(documentId: String) = Unit
    }

    private class Throwing : DataObserver {
        var calls = 0

        override fun onDocumentChanged(documentId: String, records: List<RecordRef>) {
            calls++
            throw IllegalStateException("observer bug")
        }

        override fun onDocumentRemoved(documentId: String) = throw IllegalStateException("observer bug")
    }

    @Test
    fun `observers are called on one thread per store, in order, with the records touched`(): Unit = runBlocking {
        openDevice(dir, "kari", "phone").use { store ->
            val seen = Threads()
            store.addDataObserver(seen)
            val doc = store.createAccount(Account(name = "Bakeriet"))
            val ids = (1..100).map { store.createContact(doc, Contact(firstName = "K$it")) }
            assertEquals(setOf("outpost-observers"), seen.names.toSet())
            assertEquals(ids, seen.records.filter { it.kind == RecordKind.CONTACT }.map { it.id })
        }
    }

    @Test
    fun `an observer that throws is logged once and the next one still runs`(): Unit = runBlocking {
        val lines = CopyOnWriteArrayList<String>()
        setLogSink(FunctionLogSink { level, target, message -> lines += "$level $target $message" }, LogLevel.WARN)
        openDevice(dir, "kari", "phone").use { store ->
            val bad = Throwing()
            val good = ChangeQueue()
            store.addDataObserver(bad)
            store.addDataObserver(good)
            val doc = store.createAccount(Account(name = "Bakeriet"))
            good.nextChangeOf(doc)
            store.createContact(doc, Contact(firstName = "Ola"))
            good.nextChangeOf(doc)
            assertEquals(2, bad.calls)
            withTimeout(WAIT_MS) { while (lines.size < 2) yield() }
            assertEquals(2, lines.size, lines.toString())
            assertTrue(
                lines.all { it == "WARN outpost::observer data observer failed: java.lang.IllegalStateException: observer bug" },
                lines.toString(),
            )
        }
    }

    @Test
    fun `the Flow adapter delivers every change in order`(): Unit = runBlocking {
        openDevice(dir, "kari", "phone").use { store ->
            val events = async(start = CoroutineStart.UNDISPATCHED) { store.dataEvents().take(21).toList() }
            // let the collector's producer run and register its observer before the first write
            repeat(3) { yield() }
            val doc = store.createAccount(Account(name = "Bakeriet"))
            val ids = (1..20).map { store.createContact(doc, Contact(firstName = "K$it")) }
            val got = withTimeout(WAIT_MS) { events.await() }
            assertTrue(got.all { it is DocEvent.Changed && it.docId == doc })
            assertEquals(ids, got.drop(1).map { (it as DocEvent.Changed).records.single().id })
        }
    }
}
