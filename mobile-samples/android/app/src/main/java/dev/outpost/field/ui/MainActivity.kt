package dev.outpost.field.ui

import android.os.Bundle
import android.util.Log
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.lifecycle.lifecycleScope
import dev.outpost.field.logic.FieldSession
import dev.outpost.field.logic.FunctionLogSink
import kotlinx.coroutines.launch
import uniffi.outpost.LogLevel
import uniffi.outpost.setLogSink

/**
 * Opens the rep's store in the app's private files and shows the app. All
 * logic lives in `logic/` (plain Kotlin, tested on the JVM); this file and the
 * screens only draw it.
 */
class MainActivity : ComponentActivity() {
    private var session: FieldSession? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        // the core's log (sync, refused changes, an observer that threw) to Logcat, tag "Outpost"
        setLogSink(FunctionLogSink { level, target, message -> Log.println(priority(level), "Outpost", "$target: $message") }, LogLevel.INFO)
        val prefs = getSharedPreferences("outpost", MODE_PRIVATE)
        lifecycleScope.launch {
            // disk work is async in the bindings: the UI thread never waits on it
            val s = FieldSession.open(
                path = filesDir.resolve("outpost.db").path,
                userId = prefs.getString("user", null) ?: "me",
                deviceId = DeviceId.get(prefs),
            )
            session = s
            setContent { FieldApp(s, prefs) }
        }
    }

    override fun onDestroy() {
        session?.close()
        super.onDestroy()
    }

    private fun priority(level: LogLevel): Int = when (level) {
        LogLevel.ERROR -> Log.ERROR
        LogLevel.WARN -> Log.WARN
        LogLevel.INFO -> Log.INFO
        LogLevel.DEBUG -> Log.DEBUG
        LogLevel.TRACE -> Log.VERBOSE
    }
}

/** A stable id for this install (the core stamps it on every change it makes). */
object DeviceId {
    fun get(prefs: android.content.SharedPreferences): String =
        prefs.getString("device", null) ?: java.util.UUID.randomUUID().toString().also {
            prefs.edit().putString("device", it).apply()
        }
}
