package dev.outpost.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import uniffi.outpost.OutpostException
import uniffi.outpost.today
import uniffi.outpost.Account
import uniffi.outpost.AccountFilter
import uniffi.outpost.AccountSort
import uniffi.outpost.Activity
import uniffi.outpost.ActivityKind
import uniffi.outpost.ActivityStatus
import uniffi.outpost.Contact
import uniffi.outpost.Phone
import uniffi.outpost.RecordKind

/**
 * The generated Kotlin on a real store file through the real cdylib (JNA):
 * records in and out, queries, the data observer, errors, persistence.
 */
class StoreBindingsTest {
    private val dir = tempDir("outpost-kt-store-")

    @AfterEach
    fun cleanUp() {
        dir.deleteRecursively()
    }

    private fun filter(name: String? = null) = AccountFilter(nameContains = name, sort = AccountSort.NAME)

    @Test
    fun `account, contact and visit are written, searched and survive a reopen`(): Unit = runBlocking {
        val doc: String
        val kari: String
        openDevice(dir, "u-kari", "phone").use { store ->
            doc = store.createAccount(Account(name = "Fjordfisk AS", territory = "west"))
            kari = store.createContact(
                doc,
                Contact(
                    firstName = "Kari", lastName = "Nordmann", title = "Innkjøpssjef",
                    phones = listOf(Phone(number = "22 33 44 55", primary = true)),
                    hobbies = listOf("sailing"),
                ),
            )
            val day = today(60)
            val visit = store.createActivity(
                doc,
                Activity(
                    kind = ActivityKind.VISIT, status = ActivityStatus.PLANNED, subject = "Quarterly visit",
                    contactIds = listOf(kari), startAt = System.currentTimeMillis(),
                ),
            )
            assertTrue(kari.isNotEmpty() && visit.isNotEmpty())

            // the same record comes back, with the metadata the core stamped on it
            val read = checkNotNull(store.getContact(doc, kari))
            assertEquals("Nordmann", read.lastName)
            assertEquals(listOf("sailing"), read.hobbies)
            assertEquals("u-kari", read.meta.createdBy)

            // queries
            val hits = store.searchContacts("nordm", 10)
            assertEquals(listOf(kari), hits.map { it.contactId })
            assertEquals("Fjordfisk AS", hits.single().accountName)
            val callers = store.lookupPhone("+47 22334455")
            assertEquals(kari, callers.single().contactId)
            assertEquals("+4722334455", callers.single().e164)
            assertEquals(listOf(doc), store.listAccounts(filter("fjord")).map { it.docId })
            assertTrue(store.listAccounts(filter("nothing like it")).isEmpty())
            val agenda = store.agenda(today(0), null)
            assertEquals(listOf(visit), (agenda.today + agenda.overdue).map { it.activityId })

            // archive is soft and restorable
            store.archive(doc, RecordKind.CONTACT, kari)
            assertTrue(store.getContact(doc, kari)!!.meta.archived)
            assertTrue(store.searchContacts("nordm", 10).isEmpty())
            store.restore(doc, RecordKind.CONTACT, kari)
            assertFalse(store.getContact(doc, kari)!!.meta.archived)
        }
        // a new process would open the same file: everything is there
        openDevice(dir, "u-kari", "phone").use { store ->
            assertEquals("Fjordfisk AS", store.getAccount(doc)?.name)
            assertEquals("Kari", store.getContact(doc, kari)?.firstName)
            assertEquals(1, store.listActivities(doc).size)
        }
    }

    @Test
    fun `the data observer is told about every edit until it is removed`(): Unit = runBlocking {
        openDevice(dir, "u-kari", "phone").use { store ->
            val changes = ChangeQueue()
            val handle = store.addDataObserver(changes)
            val doc = store.createAccount(Account(name = "Bakeriet"))
            changes.nextChangeOf(doc)
            val id = store.createContact(doc, Contact(firstName = "Ola"))
            changes.nextChangeOf(doc)
            store.updateContact(doc, store.getContact(doc, id)!!.copy(title = "Owner"))
            changes.nextChangeOf(doc)

            store.removeObserver(handle)
            store.updateContact(doc, store.getContact(doc, id)!!.copy(title = "CEO"))
            // edits are durable on return and observers are called before it
            assertNull(changes.changed.tryReceive().getOrNull())
            assertEquals("CEO", store.getContact(doc, id)?.title)
        }
    }

    @Test
    fun `errors arrive as OutpostException variants without personal data`(): Unit = runBlocking {
        openDevice(dir, "u-kari", "phone").use { store ->
            val doc = store.createAccount(Account(name = "Secret Customer Name"))
            val id = store.createContact(doc, Contact(firstName = "Hemmelig", lastName = "Person"))
            val e = assertThrows(OutpostException.NotFound::class.java) {
                runBlocking { store.updateContact(doc, Contact(firstName = "X").also { it.meta.id = "no-such-contact" }) }
            }
            assertTrue(e.message!!.contains("no-such-contact"), e.message)
            assertFalse(e.message!!.contains("Hemmelig") || e.message!!.contains("Secret"), e.message)
            assertNull(store.getContact(doc, "no-such-contact"))

            // a document id from another store is not here
            val other = openDevice(dir, "u-ola", "other").use { it.createAccount(Account(name = "Elsewhere")) }
            assertThrows(OutpostException.NotFound::class.java) { runBlocking { store.listContacts(other) } }
            assertEquals(id, store.listContacts(doc).single().meta.id)
        }
    }
}
