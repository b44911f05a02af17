package dev.outpost.tests

import dev.outpost.field.logic.OutpostThreads
import org.junit.jupiter.api.extension.BeforeAllCallback
import org.junit.jupiter.api.extension.ExtensionContext

/**
 * Runs [OutpostThreads.install] before any test class touches the library:
 * JNA reads a callback's thread settings when the callback is first handed to
 * native code (when the library loads), as in the app, where
 * `FieldSession.open` installs them first. Registered for every class through
 * JUnit's extension auto-detection (src/test/resources).
 */
class InstallThreads : BeforeAllCallback {
    override fun beforeAll(context: ExtensionContext) = OutpostThreads.install()
}
