package dev.outpost.field.logic

/**
 * Shows a JSON value from the core (a conflicting value or a field's value in
 * the history, which the bindings carry as JSON text) as a person reads it:
 * `"CEO"` -> CEO, `null` -> "(empty)", `["a","b"]` -> "a, b".
 *
 * Hand-rolled on purpose: the values are single fields (strings, numbers,
 * booleans, short lists), only shown, never parsed back; a JSON library in
 * the app for this would be the only reason to carry one. Anything this does
 * not recognise is shown as the raw text.
 */
object JsonText {
    fun display(json: String): String {
        val s = json.trim()
        return when {
            s == "null" || s.isEmpty() -> "(empty)"
            s == "true" -> "yes"
            s == "false" -> "no"
            s.startsWith("\"") && s.endsWith("\"") && s.length >= 2 -> unquote(s) ?: s
            s.startsWith("[") && s.endsWith("]") -> list(s.substring(1, s.length - 1)) ?: s
            else -> s
        }
    }

    /** A JSON string literal's text, or null when it is not one. */
    fun unquote(s: String): String? {
        if (s.length < 2 || s.first() != '"' || s.last() != '"') return null
        val out = StringBuilder()
        var i = 1
        while (i < s.length - 1) {
            val c = s[i]
            if (c == '"') return null
            if (c != '\\') {
                out.append(c)
                i++
                continue
            }
            if (i + 1 >= s.length - 1) return null
            when (val e = s[i + 1]) {
                '"', '\\', '/' -> out.append(e)
                'n' -> out.append('\n')
                't' -> out.append('\t')
                'r' -> out.append('\r')
                'b' -> out.append('\b')
                'f' -> out.append('\u000C')
                'u' -> {
                    if (i + 6 > s.length - 1) return null
                    val code = s.substring(i + 2, i + 6).toIntOrNull(16) ?: return null
                    out.append(code.toChar())
                    i += 4
                }
                else -> return null
            }
            i += 2
        }
        return out.toString()
    }

    /** A list of scalars, "a, b"; null for nested or odd content. */
    private fun list(inner: String): String? {
        if (inner.isBlank()) return "(none)"
        if (inner.contains('[') || inner.contains('{')) return null
        // split on commas outside string literals
        val items = mutableListOf<String>()
        val cur = StringBuilder()
        var inStr = false
        var esc = false
        for (c in inner) {
            when {
                esc -> { cur.append(c); esc = false }
                c == '\\' && inStr -> { cur.append(c); esc = true }
                c == '"' -> { cur.append(c); inStr = !inStr }
                c == ',' && !inStr -> { items += cur.toString(); cur.clear() }
                else -> cur.append(c)
            }
        }
        items += cur.toString()
        return items.joinToString(", ") { display(it) }
    }
}
