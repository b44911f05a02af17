package dev.outpost.tests

import kotlinx.coroutines.*
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import uniffi.outpost.*

/**
 * The API as an app sees it with the one star import the README shows
 * (`uniffi.outpost.*`, next to kotlinx.coroutines.*): the names that used to
 * be ambiguous between two generated packages resolve, counts are `Int`,
 * timeouts `Long`, no unsigned literal anywhere, errors read as their text,
 * rows carry enums and history values are typed.
 */
class SurfaceTest {
    private val dir = tempDir("outpost-kt-surface-")

    @AfterEach
    fun cleanUp() {
        dir.deleteRecursively()
    }

    @Test
    fun `one star import resolves every public name of the bindings`() {
        // each of these was ambiguous with two star imports (uniffi.outpost + uniffi.outpost_core)
        val names = listOf(
            InternalException::class, Disposable::class, FfiConverter::class, RustBuffer::class,
            OutpostException::class, OutpostStore::class, FieldValue::class, LocalDate::class,
        )
        assertEquals(8, names.size)
    }

    @Test
    fun `everyday calls take Int and Long, errors read as text, values are typed`(): Unit = runBlocking {
        openDevice(dir, "u-kari", "phone").use { store ->
            val doc = store.createAccount(Account(name = "Fjordfisk AS", lifecycleStage = LifecycleStage.RETENTION))
            val kari = store.createContact(doc, Contact(firstName = "Kari", lastName = "Nordmann"))
            val limit: Int = 10
            assertEquals(listOf(kari), store.searchContacts("nordm", limit).map { it.contactId })
            assertEquals(listOf(kari), store.searchContacts("nordm", 10, offset = 0).map { it.contactId })
            assertEquals(listOf(kari), store.listContacts(doc, limit = 5, offset = 0).map { it.meta.id })
            val accounts = store.listAccounts(AccountFilter(lifecycleStage = LifecycleStage.RETENTION, limit = 20))
            assertEquals(LifecycleStage.RETENTION, accounts.single().lifecycleStage)

            val visit = store.createActivity(
                doc,
                Activity(kind = ActivityKind.VISIT, status = ActivityStatus.PLANNED, subject = "Visit",
                    startAt = System.currentTimeMillis()),
            )
            val item = store.agenda(today(0)).today.single()
            assertEquals(visit, item.activityId)
            assertEquals(ActivityKind.VISIT, item.kind)
            assertEquals(ActivityStatus.PLANNED, item.status)

            store.updateContact(doc, checkNotNull(store.getContact(doc, kari)).copy(title = "Buyer"))
            val title = store.history(doc, RecordKind.CONTACT, kari, field = "title").single()
            assertEquals(FieldValue.Text("Buyer"), title.newValue)
            assertEquals(FieldValue.Null, title.oldValue)

            // the message is the error's text, not "detail=…"
            val e = assertThrows(OutpostException.Invalid::class.java) {
                runBlocking { store.agenda(Day(date = "2024-13-45", utcOffsetMinutes = 0)) }
            }
            assertTrue(e.message!!.startsWith("invalid: date"), e.message)
            val neg = assertThrows(OutpostException.Invalid::class.java) {
                runBlocking { store.searchContacts("kari", -1) }
            }
            assertEquals("invalid: limit: must not be negative", neg.message)
            assertThrows(OutpostException.Invalid::class.java) { runBlocking { store.getAccount("not-an-id") } }
            assertThrows(OutpostException.Invalid::class.java) { runBlocking { store.waitUntilSynced(-1L) } }
        }
    }
}
