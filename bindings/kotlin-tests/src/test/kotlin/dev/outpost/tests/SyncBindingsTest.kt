package dev.outpost.tests

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import uniffi.outpost.OutpostException
import uniffi.outpost.SyncObserver
import uniffi.outpost.Account
import uniffi.outpost.Contact
import uniffi.outpost.DocSync
import uniffi.outpost.SyncEvent

/**
 * Two devices of one rep sync through the real `outpost-server` binary on
 * loopback: what one phone writes (offline first) arrives on the other, and
 * the observers on both sides fire.
 */
class SyncBindingsTest : WithServer("outpost-kt-sync-") {

    /** Queues sync events (called on a bindings thread). */
    private class Events : SyncObserver {
        val events = Channel<SyncEvent>(Channel.UNLIMITED)

        override fun onSyncEvent(event: SyncEvent) {
            events.trySend(event)
        }

        suspend fun await(what: String, match: (SyncEvent) -> Boolean): SyncEvent = withTimeout(WAIT_MS) {
            var e = events.receive()
            while (!match(e)) e = events.receive()
            e
        }.also { check(match(it)) { what } }
    }

    @Test
    fun `an edit made on one phone arrives on the other`(): Unit = runBlocking {
        val phoneToken = server.addUser("kari", "rep")
        val tabletToken = server.issueToken("kari")
        openDevice(dir, "kari", "phone").use { phone ->
            openDevice(dir, "kari", "tablet").use { tablet ->
                // written offline, before sync ever ran
                val doc = phone.createAccount(Account(name = "Fjordfisk AS"))
                val kari = phone.createContact(doc, Contact(firstName = "Kari", lastName = "Nordmann"))

                val phoneEvents = Events()
                phone.addSyncObserver(phoneEvents)
                phone.startSync(server.url, phoneToken)
                phoneEvents.await("phone connects") { it is SyncEvent.Connected }
                phone.waitUntilSynced(WAIT_MS)
                assertTrue(phone.syncStatus().connected)
                assertEquals(DocSync.Synced, phone.syncStatus().documents[doc])

                val tabletChanges = ChangeQueue()
                tablet.addDataObserver(tabletChanges)
                tablet.startSync(server.url, tabletToken)
                tablet.waitUntilSynced(WAIT_MS)
                // the account reached the tablet through the server, and its observer said so
                tabletChanges.nextChangeOf(doc)
                assertEquals("Fjordfisk AS", tablet.getAccount(doc)?.name)
                assertEquals("Nordmann", tablet.getContact(doc, kari)?.lastName)
                assertEquals(listOf(doc), tablet.searchContacts("kari", 5).map { it.docId })

                // a live edit on the phone while both are connected
                val before = checkNotNull(phone.getContact(doc, kari))
                phone.updateContact(doc, before.copy(title = "Innkjøpssjef"))
                val arrived = tabletChanges.awaitChange(doc) { tablet.getContact(doc, kari)?.title }
                assertEquals("Innkjøpssjef", arrived)

                // and back the other way: the tablet's edit reaches the phone
                val phoneChanges = ChangeQueue()
                phone.addDataObserver(phoneChanges)
                tablet.updateAccount(doc, checkNotNull(tablet.getAccount(doc)).copy(industry = "seafood"))
                assertEquals("seafood", phoneChanges.awaitChange(doc) { phone.getAccount(doc)?.industry })

                phone.stopSync()
                tablet.stopSync()
                assertEquals(false, phone.syncStatus().connected)
            }
        }
    }

    @Test
    fun `a refused token is reported as Unauthorized`(): Unit = runBlocking {
        openDevice(dir, "mallory", "phone").use { phone ->
            phone.startSync(server.url, "not-a-token")
            assertThrows(OutpostException.Unauthorized::class.java) {
                runBlocking { phone.waitUntilSynced(WAIT_MS) }
            }
            phone.stopSync()
        }
    }
}
