package dev.outpost.tests

import dev.outpost.field.logic.Conflicts
import dev.outpost.field.logic.JsonText
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

/** How the conflict screen shows values and field paths. */
class JsonTextTest {
    @Test
    fun `JSON values read as text`() {
        assertEquals("CEO", JsonText.display("\"CEO\""))
        assertEquals("say \"hi\"\nÅse", JsonText.display("\"say \\\"hi\\\"\\n\\u00c5se\""))
        assertEquals("(empty)", JsonText.display("null"))
        assertEquals("yes", JsonText.display("true"))
        assertEquals("42", JsonText.display("42"))
        assertEquals("golf, chess, a,b", JsonText.display("[\"golf\",\"chess\",\"a,b\"]"))
        assertEquals("(none)", JsonText.display("[]"))
        assertEquals("{\"a\":1}", JsonText.display("{\"a\":1}"))
    }

    @Test
    fun `field paths become labels`() {
        assertEquals("Title", Conflicts.fieldLabel("title"))
        assertEquals("First name", Conflicts.fieldLabel("first_name"))
        assertEquals("E-mail address", Conflicts.fieldLabel("emails.019a-x.address"))
        assertEquals("Family member name", Conflicts.fieldLabel("family.f1.name"))
        assertEquals("Overdue", Conflicts.fieldLabel("balance.overdue_minor"))
        assertEquals("Stage", Conflicts.fieldLabel("stage_id"))
        assertEquals("Custom field", Conflicts.kindLabel("CUSTOM_FIELD"))
    }
}
