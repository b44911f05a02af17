package dev.outpost.tests

import java.io.File
import java.nio.file.Files
import java.security.SecureRandom
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit

/**
 * The real `outpost-server` binary on an ephemeral loopback port, in a temp
 * data directory; the Kotlin twin of `outpost_e2e::Server` in
 * tests/src/lib.rs. Reads the bound port from the server's
 * "outpost-server listening on http://…" line, drives the admin CLI for users
 * and tokens, and kills the process by its pid in [close].
 */
class OutpostServer private constructor(
    private val bin: File,
    val dir: File,
    private val process: Process,
    val port: Int,
) : AutoCloseable {
    val url: String get() = "ws://127.0.0.1:$port/sync"
    val pid: Long get() = process.pid()

    /** Adds a user (`rep`, `manager`, `admin`, `viewer`) and returns a fresh token. */
    fun addUser(id: String, role: String = "rep"): String {
        cli("user", "add", id, "--role", role)
        return issueToken(id)
    }

    /** Issues another token for an existing user. */
    fun issueToken(user: String): String =
        cli("token", "issue", user).trim().also { check(it.isNotEmpty()) { "token issue printed nothing" } }

    fun assign(user: String, docId: String) {
        cli("assign", user, docId)
    }

    /** Runs `outpost-server --data-dir DIR ARGS...` and returns its stdout; fails on a non-zero exit. */
    fun cli(vararg args: String): String {
        val p = command(*args).redirectErrorStream(false).start()
        p.outputStream.close()
        val out = CompletableFuture.supplyAsync { p.inputStream.bufferedReader().readText() }
        val err = CompletableFuture.supplyAsync { p.errorStream.bufferedReader().readText() }
        check(p.waitFor(60, TimeUnit.SECONDS)) { "outpost-server ${args.toList()} did not finish" }
        check(p.exitValue() == 0) {
            "outpost-server ${args.toList()} failed (${p.exitValue()}):\nstdout: ${out.get()}\nstderr: ${err.get()}"
        }
        return out.get()
    }

    fun log(): String = File(dir, "server.log").takeIf { it.exists() }?.readText() ?: ""

    private fun command(vararg args: String): ProcessBuilder = command(bin, dir, *args)

    /** Kills the server by its pid (SIGKILL) and removes its temp directory. */
    override fun close() {
        ProcessHandle.of(process.pid()).ifPresent { it.destroyForcibly() }
        process.waitFor(30, TimeUnit.SECONDS)
        dir.deleteRecursively()
    }

    companion object {
        private const val LISTENING = "outpost-server listening on http://"

        /** Environment the server reads as flag defaults: removed so a developer's shell cannot change a test. */
        private val SERVER_ENV = listOf(
            "OUTPOST_DATA_DIR", "OUTPOST_LISTEN", "OUTPOST_MAX_FRAME_BYTES", "OUTPOST_OUTBOUND_QUEUE",
            "OUTPOST_SEND_TIMEOUT_SECS", "OUTPOST_PING_SECS", "OUTPOST_IDLE_TIMEOUT_SECS",
            "OUTPOST_CACHE_DOCS", "OUTPOST_ADMIN_TOKEN",
        )

        /** The binary: system property `outpost.server.bin` (set by the pom) or `OUTPOST_SERVER_BIN`. */
        fun binary(): File {
            val path = System.getProperty("outpost.server.bin") ?: System.getenv("OUTPOST_SERVER_BIN")
                ?: error("set -Doutpost.server.bin (bindings/kotlin-tests/run.sh does)")
            return File(path).also { check(it.canExecute()) { "outpost-server not found at $it (cargo build -p outpost-server)" } }
        }

        private fun command(bin: File, dir: File, vararg args: String): ProcessBuilder {
            val pb = ProcessBuilder(listOf(bin.path, "--data-dir", File(dir, "data").path) + args)
            SERVER_ENV.forEach { pb.environment().remove(it) }
            return pb
        }

        fun start(): OutpostServer {
            val bin = binary()
            val dir = Files.createTempDirectory("outpost-kt-").toFile()
            val adminToken = "kt_admin_" + ByteArray(24).also { SecureRandom().nextBytes(it) }
                .joinToString("") { "%02x".format(it) }
            val pb = command(bin, dir, "serve", "--listen", "127.0.0.1:0")
            pb.environment()["OUTPOST_ADMIN_TOKEN"] = adminToken
            if (System.getenv("RUST_LOG") == null) pb.environment()["RUST_LOG"] = "info"
            pb.redirectError(ProcessBuilder.Redirect.appendTo(File(dir, "server.log")))
            pb.redirectInput(ProcessBuilder.Redirect.PIPE)
            val process = pb.start()
            process.outputStream.close()
            val port = CompletableFuture<Int>()
            // keeps reading stdout until the process exits, so it never blocks on a full pipe
            Thread({
                process.inputStream.bufferedReader().useLines { lines ->
                    for (line in lines) {
                        if (!port.isDone && line.startsWith(LISTENING)) {
                            val p = line.removePrefix(LISTENING).substringAfterLast(':').trim().toIntOrNull()
                            if (p != null) port.complete(p) else port.completeExceptionally(IllegalStateException("odd line: $line"))
                        }
                    }
                }
                port.completeExceptionally(IllegalStateException("outpost-server exited before listening"))
            }, "outpost-server-stdout").apply { isDaemon = true }.start()
            val bound = try {
                port.get(60, TimeUnit.SECONDS)
            } catch (e: Exception) {
                ProcessHandle.of(process.pid()).ifPresent { it.destroyForcibly() }
                val log = File(dir, "server.log").takeIf { it.exists() }?.readText()
                dir.deleteRecursively()
                throw IllegalStateException("outpost-server did not start: ${e.message}\n$log", e)
            }
            return OutpostServer(bin, dir, process, bound)
        }
    }
}
