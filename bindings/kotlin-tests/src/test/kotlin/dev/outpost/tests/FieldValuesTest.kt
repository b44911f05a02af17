package dev.outpost.tests

import dev.outpost.field.logic.FieldValues
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import uniffi.outpost.FieldValue

/** The conflict screen's value text, from the core's typed field values. */
class FieldValuesTest {
    @Test
    fun `values read as a person reads them`() {
        assertEquals("CEO", FieldValues.display(FieldValue.Text("CEO")))
        assertEquals("say \"hi\"\nÅse", FieldValues.display(FieldValue.Text("say \"hi\"\nÅse")))
        assertEquals("(empty)", FieldValues.display(FieldValue.Null))
        assertEquals("yes", FieldValues.display(FieldValue.Bool(true)))
        assertEquals("42", FieldValues.display(FieldValue.Int(42)))
        assertEquals("golf, chess, a,b", FieldValues.display(FieldValue.Array(listOf(FieldValue.Text("golf"), FieldValue.Text("chess"), FieldValue.Text("a,b")))))
        assertEquals("(none)", FieldValues.display(FieldValue.Array(emptyList())))
        assertEquals("a: 1, b: no", FieldValues.display(FieldValue.Object(mapOf("b" to FieldValue.Bool(false), "a" to FieldValue.Int(1)))))
    }
}
