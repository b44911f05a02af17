package dev.outpost.tests

import dev.outpost.field.logic.ConflictsHolder
import dev.outpost.field.logic.FieldSession
import dev.outpost.field.logic.SyncHolder
import dev.outpost.field.logic.SyncTone
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import uniffi.outpost.Account
import uniffi.outpost.Contact
import java.time.ZoneOffset
import java.util.Locale

/**
 * The sample's sync banner and conflict screen against the real server:
 * two phones of one rep edit the same field while offline, sync, and the rep
 * keeps one value on one phone; the other phone gets the resolution.
 */
class SampleSyncTest : WithServer("outpost-kt-sample-sync-") {

    private suspend fun session(name: String) =
        FieldSession(openDevice(dir, "kari", name), "kari", Locale.UK, ZoneOffset.UTC)

    @Test
    fun `the banner follows sync and a conflict is resolved from the conflict screen`(): Unit = runBlocking {
        val token = server.addUser("kari", "rep")
        session("phone").use { phone ->
            session("tablet").use { tablet ->
                val doc = phone.store.createAccount(Account(name = "Fjordfisk AS"))
                val kari = phone.store.createContact(doc, Contact(firstName = "Kari", title = "Buyer"))

                val phoneSync = SyncHolder(phone)
                val tabletSync = SyncHolder(tablet)
                assertEquals("Sync off · saved on this phone", phoneSync.badge.value.text)
                // the phone sends its offline work first; then the tablet's scope
                // holds the account, and waiting until synced means it is there
                phoneSync.start(server.url, token)
                phone.store.waitUntilSynced(WAIT_MS)
                tabletSync.start(server.url, token)
                tablet.store.waitUntilSynced(WAIT_MS)
                // the observer turned the core's status events into the banner
                withTimeout(WAIT_MS) { phoneSync.badge.first { it.text == "Up to date" } }
                assertEquals(SyncTone.UP_TO_DATE, phoneSync.badge.value.tone)
                withTimeout(WAIT_MS) { tabletSync.snapshot.first { it.connected && it.documentsTotal >= 1 } }
                assertEquals("Buyer", tablet.store.getContact(doc, kari)?.title)

                // both go offline and change the same field differently
                phoneSync.stop()
                tabletSync.stop()
                assertEquals("Sync off · saved on this phone", phoneSync.badge.value.text)
                phone.store.updateContact(doc, checkNotNull(phone.store.getContact(doc, kari)).copy(title = "Head buyer"))
                tablet.store.updateContact(doc, checkNotNull(tablet.store.getContact(doc, kari)).copy(title = "CEO"))

                // back online: both values meet on both devices
                phoneSync.start(server.url, token)
                tabletSync.start(server.url, token)
                val changes = ChangeQueue()
                phone.store.addDataObserver(changes)
                changes.awaitChange(doc) { phone.store.conflicts(doc).takeIf { c -> c.any { it.values.size == 2 } } }

                val screen = ConflictsHolder(phone, doc)
                screen.load()
                val conflict = screen.state.value.single()
                assertEquals("Contact · Title", conflict.title)
                assertEquals(setOf("Head buyer", "CEO"), conflict.options.map { it.text }.toSet())
                assertTrue(conflict.options.all { it.byline.startsWith("by kari on ") }, conflict.options.toString())
                assertEquals(1, conflict.options.count { it.current })

                // keep the tablet's value on the phone
                screen.keep(conflict, conflict.options.first { it.text == "CEO" }.valueId)
                assertTrue(screen.state.value.isEmpty())
                assertEquals("CEO", phone.store.getContact(doc, kari)?.title)

                // the resolution syncs: the tablet ends with one value and no conflict
                val tabletChanges = ChangeQueue()
                tablet.store.addDataObserver(tabletChanges)
                tabletChanges.awaitChange(doc) {
                    tablet.store.conflicts(doc).isEmpty().takeIf { it && tablet.store.getContact(doc, kari)?.title == "CEO" }
                }
                phoneSync.stop()
                tabletSync.stop()
                phoneSync.close()
                tabletSync.close()
            }
        }
    }
}
