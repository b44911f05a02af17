package dev.outpost.tests

import dev.outpost.field.logic.Format
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import java.util.Locale

/** The Android sample's formatting, run on the JVM as the phone runs it. */
class FormatTest {
    @Test
    fun `money is formatted from minor units without floating point`() {
        assertEquals("€1,234.50", Format.money(123450, "EUR", Locale.US))
        assertEquals("$0.05", Format.money(5, "USD", Locale.US))
        assertEquals("-$12.00", Format.money(-1200, "USD", Locale.US))
        // a value a Double cannot hold exactly in cents
        assertEquals("$90,071,992,547,409.93", Format.money(9007199254740993, "USD", Locale.US))
    }

    @Test
    fun `money uses the currency's own number of decimals`() {
        assertEquals("¥1,234", Format.money(1234, "JPY", Locale.US))
        assertEquals("BHD1.234", Format.money(1234, "BHD", Locale.US).replace("\u00A0", ""))
    }

    @Test
    fun `money in a German locale groups and separates the German way`() {
        val s = Format.money(123450, "EUR", Locale.GERMANY).replace('\u00A0', ' ')
        assertEquals("1.234,50 €", s)
    }

    @Test
    fun `money with an unknown or missing currency shows the plain amount`() {
        assertEquals("12.34 XQQ", Format.money(1234, "XQQ", Locale.US))
        assertEquals("12.34", Format.money(1234, null, Locale.US))
    }

    @Test
    fun `times are shown in the rep's UTC offset`() {
        // 2026-03-10T08:30:00Z
        val ms = 1773131400000L
        assertEquals("Tue 10 Mar, 09:30", Format.dayAndTime(ms, 60, Locale.UK))
        assertEquals("03:30", Format.time(ms, -300, Locale.UK))
    }

    @Test
    fun `relative days read naturally`() {
        assertEquals("today", Format.relativeDays(0))
        assertEquals("tomorrow", Format.relativeDays(1))
        assertEquals("in 12 days", Format.relativeDays(12))
        assertEquals("yesterday", Format.relativeDays(-1))
        assertEquals("3 days ago", Format.relativeDays(-3))
    }

    @Test
    fun `CRM dates with and without a year`() {
        assertEquals("14 Oct", Format.crmDate("--10-14", locale = Locale.UK))
        assertEquals("29 Feb", Format.crmDate("--02-29", locale = Locale.UK))
        assertEquals("3 May 1980", Format.crmDate("1980-05-03", withYear = true, locale = Locale.UK))
        assertEquals("3 May", Format.crmDate("1980-05-03", locale = Locale.UK))
        assertEquals("sometime in May", Format.crmDate("sometime in May", locale = Locale.UK))
        assertNull(Format.parseCrmDate("--13-01"))
        assertNull(Format.parseCrmDate("2023-02-29"))
    }

    @Test
    fun `E164 numbers are grouped by calling code`() {
        assertEquals("+47 22 33 44 55", Format.phone("+4722334455"))
        assertEquals("+1 415 555 2671", Format.phone("+14155552671"))
        assertEquals("+358 40 123 45 67".length, Format.phone("+358401234567").length)
        assertEquals("+358 ", Format.phone("+358401234567").take(5))
        // not E.164: shown as typed
        assertEquals("ext. 12", Format.phone("ext. 12"))
        assertEquals("+47 (0) 22", Format.phone("+47 (0) 22"))
    }

    @Test
    fun `dial strings keep only a leading plus and digits`() {
        assertEquals("+4722334455", Format.dialable(" +47 22-33 44 55 "))
        assertEquals("004722334455", Format.dialable("0047 (22) 33 44 55"))
    }
}
