package dev.outpost.field.logic

import java.util.Locale

/** One value of a conflicted field, as the resolve screen lists it. */
data class ConflictOption(
    /** Pass back to the core to keep this value. */
    val valueId: String,
    val text: String,
    /** "by u-17 on Tue 10 Mar, 09:30" (ids only: the core never names people here). */
    val byline: String,
    /** The value reads show now (the core's first value). */
    val current: Boolean,
)

data class ConflictUi(
    val recordKind: String,
    val recordId: String,
    val field: String,
    /** "Contact · Title", "Contact · E-mail address". */
    val title: String,
    val options: List<ConflictOption>,
)

object Conflicts {
    fun ui(c: uniffi.outpost.Conflict, utcOffsetMinutes: Int, locale: Locale): ConflictUi = ConflictUi(
        recordKind = kindLabel(c.kind.name),
        recordId = c.recordId,
        field = c.field,
        title = "${kindLabel(c.kind.name)} · ${fieldLabel(c.field)}",
        options = c.values.mapIndexed { i, v ->
            ConflictOption(
                valueId = v.valueId,
                text = FieldValues.display(v.value),
                byline = "by ${v.author?.userId ?: "another app"} on ${Format.dayAndTime(v.at, utcOffsetMinutes, locale)}",
                current = i == 0,
            )
        },
    )

    /** `ACCOUNT` / `Account` / `custom_field` -> "Account", "Custom field". */
    fun kindLabel(kind: String): String = humanise(kind.lowercase(Locale.ROOT))

    /**
     * A dotted field path as a label: `title` -> "Title",
     * `emails.<id>.address` -> "E-mail address", `balance.overdue_minor` -> "Overdue".
     * Keyed-list ids in the path are dropped.
     */
    fun fieldLabel(path: String): String {
        val parts = path.split('.')
        val last = parts.last()
        val parent = parts.first()
        val leaf = FIELD_NAMES[last] ?: humanise(last.removeSuffix("_minor").removeSuffix("_at"))
        return when {
            parts.size == 1 -> FIELD_NAMES[parent] ?: humanise(parent)
            parent in LIST_NAMES -> "${LIST_NAMES.getValue(parent)} ${leaf.lowercase(Locale.ROOT)}"
            else -> leaf
        }
    }

    private fun humanise(s: String): String =
        s.replace('_', ' ').trim().replaceFirstChar { it.titlecase(Locale.ROOT) }

    private val FIELD_NAMES = mapOf(
        "first_name" to "First name",
        "last_name" to "Last name",
        "stage_id" to "Stage",
        "amount_minor" to "Amount",
        "due_at" to "Due",
        "start_at" to "Start",
    )

    private val LIST_NAMES = mapOf(
        "emails" to "E-mail",
        "phones" to "Phone",
        "addresses" to "Address",
        "family" to "Family member",
        "line_items" to "Line",
        "important_dates" to "Date",
    )
}
