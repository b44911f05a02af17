package dev.outpost.tests

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import java.io.File

/**
 * A test class with one real `outpost-server` for all its tests and a temp
 * directory for its phones' store files; both go when the class is done.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WithServer(dirPrefix: String) {
    protected lateinit var server: OutpostServer
    protected val dir: File = tempDir(dirPrefix)

    @BeforeAll
    fun startServer() {
        server = OutpostServer.start()
    }

    @AfterAll
    fun stopServer() {
        server.close()
        dir.deleteRecursively()
    }
}
