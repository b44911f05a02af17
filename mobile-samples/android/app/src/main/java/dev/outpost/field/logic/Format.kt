package dev.outpost.field.logic

import java.math.BigDecimal
import java.text.NumberFormat
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.format.TextStyle
import java.util.Currency
import java.util.Locale

/**
 * Formatting of what the core stores (integer minor units, ms since the
 * epoch, ISO dates, E.164 numbers) for the screens. Plain Kotlin on
 * java.text / java.time, so the JVM tests run it as the phone does.
 */
object Format {
    /** An enum constant's name as a label: `VISIT` -> "Visit", `FAMILY_BIRTHDAY` -> "Family birthday". */
    fun label(enumName: String): String =
        enumName.lowercase(Locale.ROOT).replace('_', ' ').replaceFirstChar { it.titlecase(Locale.ROOT) }

    /**
     * An amount in minor units (cents) in its currency, e.g. 123450 EUR in
     * Locale.US -> "€1,234.50". Never goes through a floating-point number.
     * An unknown or missing currency code shows the plain amount and the code.
     */
    fun money(minor: Long, currency: String?, locale: Locale = Locale.getDefault()): String {
        val cur = currency?.let { runCatching { Currency.getInstance(it.uppercase(Locale.ROOT)) }.getOrNull() }
        val digits = cur?.defaultFractionDigits?.takeIf { it >= 0 } ?: 2
        val amount = BigDecimal.valueOf(minor).movePointLeft(digits)
        if (cur == null) {
            val plain = NumberFormat.getNumberInstance(locale).apply {
                minimumFractionDigits = digits
                maximumFractionDigits = digits
            }.format(amount)
            return if (currency.isNullOrBlank()) plain else "$plain ${currency.uppercase(Locale.ROOT)}"
        }
        val f = NumberFormat.getCurrencyInstance(locale).apply {
            this.currency = cur
            minimumFractionDigits = digits
            maximumFractionDigits = digits
        }
        return f.format(amount)
    }

    /** "Tue 14 Oct, 09:30" in the user's UTC offset. */
    fun dayAndTime(ms: Long, utcOffsetMinutes: Int, locale: Locale = Locale.getDefault()): String {
        val t = Instant.ofEpochMilli(ms).atOffset(ZoneOffset.ofTotalSeconds(utcOffsetMinutes * 60))
        return DateTimeFormatter.ofPattern("EEE d MMM, HH:mm", locale).format(t)
    }

    /** "09:30" in the user's UTC offset. */
    fun time(ms: Long, utcOffsetMinutes: Int, locale: Locale = Locale.getDefault()): String {
        val t = Instant.ofEpochMilli(ms).atOffset(ZoneOffset.ofTotalSeconds(utcOffsetMinutes * 60))
        return DateTimeFormatter.ofPattern("HH:mm", locale).format(t)
    }

    /** "today", "tomorrow", "in 3 days", "yesterday", "5 days ago". */
    fun relativeDays(days: Long): String = when {
        days == 0L -> "today"
        days == 1L -> "tomorrow"
        days == -1L -> "yesterday"
        days > 1 -> "in $days days"
        else -> "${-days} days ago"
    }

    /**
     * A CRM date as the core stores it, `YYYY-MM-DD` or `--MM-DD` (year
     * unknown, e.g. a birthday), as "14 Oct" / "14 Oct 1980". Anything else
     * is shown as it was typed.
     */
    fun crmDate(raw: String, withYear: Boolean = false, locale: Locale = Locale.getDefault()): String {
        val parts = parseCrmDate(raw) ?: return raw
        val (year, month, day) = parts
        val monthName = java.time.Month.of(month).getDisplayName(TextStyle.SHORT, locale)
        return if (withYear && year != null) "$day $monthName $year" else "$day $monthName"
    }

    /** (year or null, month, day) of `YYYY-MM-DD` or `--MM-DD`; null if neither. */
    fun parseCrmDate(raw: String): Triple<Int?, Int, Int>? {
        val s = raw.trim()
        return if (s.startsWith("--")) {
            val md = s.removePrefix("--").split('-')
            if (md.size != 2) return null
            val m = md[0].toIntOrNull() ?: return null
            val d = md[1].toIntOrNull() ?: return null
            // 2000 is a leap year, so 29 February is a valid year-less date
            runCatching { LocalDate.of(2000, m, d) }.getOrNull() ?: return null
            Triple(null, m, d)
        } else {
            val date = runCatching { LocalDate.parse(s) }.getOrNull() ?: return null
            Triple(date.year, date.monthValue, date.dayOfMonth)
        }
    }

    /**
     * An E.164 number (`+4722334455`) grouped for reading: "+47 22 33 44 55".
     * Numbers not in E.164 are shown as typed.
     *
     * Hand-rolled on purpose: the only job is visual grouping, and the core
     * already validates and normalises numbers with libphonenumber's data
     * (outpost_core::phone); shipping that metadata a second time in the app
     * for spacing is not worth it. The calling-code length follows ITU-T
     * E.164's assignment (1 and 7 are one digit; the listed prefixes two).
     */
    fun phone(number: String): String {
        val n = number.trim()
        if (!n.startsWith("+") || n.length < 8 || !n.drop(1).all { it.isDigit() }) return n
        val digits = n.drop(1)
        val ccLen = when {
            digits[0] == '1' || digits[0] == '7' -> 1
            digits.take(2) in TWO_DIGIT_CODES -> 2
            else -> 3
        }
        val cc = digits.take(ccLen)
        val national = digits.drop(ccLen)
        // North America: the fixed 3-3-4 plan; elsewhere pairs
        if (cc == "1" && national.length == 10) {
            return "+1 ${national.substring(0, 3)} ${national.substring(3, 6)} ${national.substring(6)}"
        }
        return "+$cc " + group(national)
    }

    /** Dial string for a `tel:` link: '+' and digits only. */
    fun dialable(number: String): String =
        number.trim().filterIndexed { i, c -> c.isDigit() || (c == '+' && i == 0) }

    private fun group(national: String): String {
        // pairs, with a leading group of three when the length is odd
        val out = StringBuilder()
        var i = 0
        if (national.length % 2 == 1) {
            out.append(national, 0, minOf(3, national.length))
            i = 3
        }
        while (i < national.length) {
            if (out.isNotEmpty()) out.append(' ')
            out.append(national, i, minOf(i + 2, national.length))
            i += 2
        }
        return out.toString()
    }

    private val TWO_DIGIT_CODES = setOf(
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    )
}
