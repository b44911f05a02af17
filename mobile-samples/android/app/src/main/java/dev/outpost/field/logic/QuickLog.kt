package dev.outpost.field.logic

import java.time.Instant
import java.time.LocalTime
import java.time.ZoneOffset

/** What the rep logs from the account card: a visit or a call. */
enum class QuickKind(val coreKind: String, val label: String) {
    VISIT("visit", "Visit"),
    CALL("call", "Call"),
}

/** The quick-log sheet: a kind, one outcome chip, an optional note and follow-up. */
data class QuickLogForm(
    val kind: QuickKind = QuickKind.VISIT,
    val outcome: String? = null,
    val contactId: String? = null,
    val note: String = "",
    /** Plan a follow-up call this many days from today (null: none). */
    val followUpDays: Int? = null,
)

/** An activity ready to be written, in the core's terms. */
data class PlannedWrite(
    val kind: String,
    val status: String,
    val subject: String,
    val outcome: String?,
    val contactIds: List<String>,
    val atMs: Long,
    val body: String,
)

object QuickLog {
    /** The outcome chips per kind: stored values (as the core's `outcome` field) to labels. */
    fun outcomes(kind: QuickKind): List<Pair<String, String>> = when (kind) {
        QuickKind.CALL -> listOf(
            "connected" to "Talked",
            "voicemail" to "Voicemail",
            "no_answer" to "No answer",
            "wrong_number" to "Wrong number",
        )
        QuickKind.VISIT -> listOf(
            "met" to "Met",
            "order_taken" to "Order taken",
            "not_available" to "Not there",
        )
    }

    fun canSave(form: QuickLogForm): Boolean =
        form.outcome != null && outcomes(form.kind).any { it.first == form.outcome } &&
            (form.followUpDays == null || form.followUpDays in 1..365)

    /** Picking another kind drops an outcome that does not belong to it. */
    fun withKind(form: QuickLogForm, kind: QuickKind): QuickLogForm =
        form.copy(kind = kind, outcome = form.outcome?.takeIf { o -> outcomes(kind).any { it.first == o } })

    /** "Visit · Order taken" */
    fun subject(form: QuickLogForm): String {
        val label = outcomes(form.kind).firstOrNull { it.first == form.outcome }?.second
        return if (label == null) form.kind.label else "${form.kind.label} · $label"
    }

    /**
     * The writes a save makes: the done activity now, plus a planned call at
     * 09:00 local time on the follow-up day when one was asked for.
     */
    fun writes(form: QuickLogForm, nowMs: Long, utcOffsetMinutes: Int): List<PlannedWrite> {
        require(canSave(form)) { "the form is not complete" }
        val contacts = listOfNotNull(form.contactId)
        val done = PlannedWrite(
            kind = form.kind.coreKind,
            status = "done",
            subject = subject(form),
            outcome = form.outcome,
            contactIds = contacts,
            atMs = nowMs,
            body = form.note.trim(),
        )
        val days = form.followUpDays ?: return listOf(done)
        val offset = ZoneOffset.ofTotalSeconds(utcOffsetMinutes * 60)
        val day = Instant.ofEpochMilli(nowMs).atOffset(offset).toLocalDate().plusDays(days.toLong())
        val at = day.atTime(LocalTime.of(9, 0)).toInstant(offset).toEpochMilli()
        val followUp = PlannedWrite(
            kind = QuickKind.CALL.coreKind,
            status = "planned",
            subject = "Follow up",
            outcome = null,
            contactIds = contacts,
            atMs = at,
            body = "",
        )
        return listOf(done, followUp)
    }
}
