package dev.outpost.tests

import dev.outpost.field.logic.QuickKind
import dev.outpost.field.logic.QuickLog
import dev.outpost.field.logic.QuickLogForm
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.OffsetDateTime
import java.time.ZoneOffset

/** The quick-log sheet's rules (the writes themselves are tested in SampleLogicTest against a real store). */
class QuickLogTest {
    @Test
    fun `a form needs an outcome of its own kind`() {
        assertFalse(QuickLog.canSave(QuickLogForm()))
        assertTrue(QuickLog.canSave(QuickLogForm(QuickKind.CALL, outcome = "voicemail")))
        assertFalse(QuickLog.canSave(QuickLogForm(QuickKind.VISIT, outcome = "voicemail")))
        assertFalse(QuickLog.canSave(QuickLogForm(QuickKind.CALL, outcome = "voicemail", followUpDays = 0)))
    }

    @Test
    fun `switching kind keeps only an outcome that still fits`() {
        val call = QuickLogForm(QuickKind.CALL, outcome = "voicemail", note = "n")
        val visit = QuickLog.withKind(call, QuickKind.VISIT)
        assertNull(visit.outcome)
        assertEquals("n", visit.note)
        assertEquals("met", QuickLog.withKind(QuickLogForm(QuickKind.VISIT, outcome = "met"), QuickKind.VISIT).outcome)
    }

    @Test
    fun `a save writes the done activity and a follow-up call at nine local time`() {
        // 2026-03-10 22:30 at UTC+1 = 21:30Z
        val now = OffsetDateTime.of(2026, 3, 10, 21, 30, 0, 0, ZoneOffset.UTC).toInstant().toEpochMilli()
        val form = QuickLogForm(QuickKind.VISIT, outcome = "order_taken", contactId = "c1", note = "  big order  ", followUpDays = 7)
        val writes = QuickLog.writes(form, now, utcOffsetMinutes = 60)
        assertEquals(2, writes.size)
        val done = writes[0]
        assertEquals("visit", done.kind)
        assertEquals("done", done.status)
        assertEquals("Visit · Order taken", done.subject)
        assertEquals(listOf("c1"), done.contactIds)
        assertEquals("big order", done.body)
        assertEquals(now, done.atMs)
        val follow = writes[1]
        assertEquals("call", follow.kind)
        assertEquals("planned", follow.status)
        // the local date was 10 March, so the follow-up is 17 March 09:00 +01:00
        val expected = OffsetDateTime.of(2026, 3, 17, 9, 0, 0, 0, ZoneOffset.ofHours(1)).toInstant().toEpochMilli()
        assertEquals(expected, follow.atMs)
        assertThrows(IllegalArgumentException::class.java) { QuickLog.writes(QuickLogForm(), now, 0) }
    }
}
