package dev.outpost.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import uniffi.outpost.Account
import uniffi.outpost.newId
import uniffi.outpost.openStore
import java.io.ByteArrayOutputStream
import java.io.File
import java.io.PrintStream

/**
 * bindings/README.md's Kotlin examples are the files in src/test/kotlin/readme
 * (each below a `package` line): this checks the text is the same, and runs
 * them, the first sync against the real server.
 */
class ReadmeTest : WithServer("outpost-kt-readme-") {
    private val root = File(System.getProperty("user.dir")).resolve("../..").canonicalFile

    private fun blocks(): List<String> =
        Regex("```kotlin\n(.*?)```", RegexOption.DOT_MATCHES_ALL)
            .findAll(root.resolve("bindings/README.md").readText())
            .map { it.groupValues[1] }
            .toList()

    private fun snippet(name: String): String =
        root.resolve("bindings/kotlin-tests/src/test/kotlin/readme/$name").readText().substringAfter("\n\n")

    @Test
    fun `the README shows exactly the compiled examples`() {
        assertEquals(listOf(snippet("FirstDay.kt"), snippet("FirstSync.kt")), blocks())
    }

    private fun captured(block: () -> Unit): String {
        val out = ByteArrayOutputStream()
        val old = System.out
        System.setOut(PrintStream(out, true))
        try {
            block()
        } finally {
            System.setOut(old)
        }
        return out.toString()
    }

    @Test
    fun `the first day example runs`() {
        val text = captured { runBlocking { readme.firstday.firstDay(File(dir, "day.db").path, newId()) } }
        assertTrue(text.contains("Kari Nordmann at Acme"), text)
        assertTrue(text.contains("title is now Buyer, set by u-42"), text)
        assertTrue(text.contains("invalid: date: not a calendar date"), text)
    }

    @Test
    fun `the first sync example shows progress and waits until up to date`(): Unit = runBlocking {
        val token = server.addUser("rita", "rep")
        // three accounts on the server, from another phone of the same rep
        openDevice(dir, "rita", "old-phone").use { old ->
            repeat(3) { old.createAccount(Account(name = "Account $it")) }
            old.startSync(server.url, token)
            old.waitUntilSynced(WAIT_MS)
        }
        openStore(File(dir, "new-phone.db").path, "rita", newId()).use { phone ->
            var synced = false
            val text = captured { runBlocking { synced = readme.firstsync.firstSync(phone, server.url, token) } }
            assertTrue(synced, text)
            assertEquals(3, phone.documents().size)
            // the observer heard the whole scope before the wait returned
            assertTrue(text.lines().any { it.startsWith("3 of 3 accounts") }, text)
        }
    }
}
