package dev.outpost.field.logic

import uniffi.outpost.FieldValue

/**
 * Shows one field's value from the core (a conflicting value, a value in a
 * field's history: a typed [FieldValue]) as a person reads it:
 * text as it is, `null` -> "(empty)", a list -> "a, b", yes/no for booleans.
 */
object FieldValues {
    fun display(v: FieldValue): String = when (v) {
        is FieldValue.Null -> "(empty)"
        is FieldValue.Bool -> if (v.value) "yes" else "no"
        is FieldValue.Int -> v.value.toString()
        is FieldValue.Float -> v.value.toString()
        is FieldValue.Text -> v.value
        is FieldValue.Array -> if (v.items.isEmpty()) "(none)" else v.items.joinToString(", ") { display(it) }
        is FieldValue.Object -> v.entries.entries.sortedBy { it.key }.joinToString(", ") { "${it.key}: ${display(it.value)}" }
    }
}
