package dev.outpost.tests

import dev.outpost.field.logic.SyncSnapshot
import dev.outpost.field.logic.SyncStatusModel
import dev.outpost.field.logic.SyncTone
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** The sync banner's rules: which state wins and what it says. */
class SyncStatusModelTest {
    @Test
    fun `refused edits win over everything else and are actionable`() {
        val b = SyncStatusModel.badge(SyncSnapshot(enabled = true, connected = true, pending = 3, needsAttention = 2))
        assertEquals("2 accounts need attention", b.text)
        assertEquals(SyncTone.ATTENTION, b.tone)
        assertTrue(b.actionable)
        assertEquals("1 account needs attention", SyncStatusModel.badge(SyncSnapshot(false, false, needsAttention = 1)).text)
    }

    @Test
    fun `offline says whether anything waits to be sent`() {
        assertEquals("Offline · saved on this phone", SyncStatusModel.badge(SyncSnapshot(true, false)).text)
        val b = SyncStatusModel.badge(SyncSnapshot(true, false, pending = 1))
        assertEquals("Offline · 1 account waiting to send", b.text)
        assertEquals(SyncTone.OFFLINE, b.tone)
        assertEquals("Sync off · saved on this phone", SyncStatusModel.badge(SyncSnapshot(false, false)).text)
    }

    @Test
    fun `initial sync shows documents and a clamped byte progress`() {
        val s = SyncSnapshot(true, true, documentsTotal = 40, documentsDone = 10, bytesReceived = 500, bytesTotal = 2000)
        val b = SyncStatusModel.badge(s)
        assertEquals("Syncing 10 of 40 accounts", b.text)
        assertEquals(SyncTone.WORKING, b.tone)
        assertEquals(0.25f, b.progress)
        // the byte total is an estimate: never more than 100 %
        assertEquals(1.0f, SyncStatusModel.progress(s.copy(bytesReceived = 2600)))
        // without a byte estimate, documents count
        assertEquals(0.5f, SyncStatusModel.progress(s.copy(bytesTotal = 0, documentsDone = 20)))
    }

    @Test
    fun `connected before the server named the scope is not yet up to date`() {
        val b = SyncStatusModel.badge(SyncSnapshot(true, true, scopeReceived = false))
        assertEquals("Checking for changes…", b.text)
        assertEquals(SyncTone.WORKING, b.tone)
    }

    @Test
    fun `connected with nothing pending is up to date`() {
        val b = SyncStatusModel.badge(SyncSnapshot(true, true, documentsTotal = 3, documentsDone = 3))
        assertEquals("Up to date", b.text)
        assertEquals(SyncTone.UP_TO_DATE, b.tone)
        assertNull(b.progress)
        assertEquals("Sending 2 accounts…", SyncStatusModel.badge(SyncSnapshot(true, true, pending = 2)).text)
    }
}
