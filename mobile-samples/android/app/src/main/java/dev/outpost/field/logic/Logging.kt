package dev.outpost.field.logic

import uniffi.outpost.LogLevel
import uniffi.outpost.LogSink

/**
 * The library's log messages to a function: the Android app passes one that
 * writes to Logcat (`ui/MainActivity.kt`), tests one that collects lines.
 * Called on the library's log thread, in order.
 */
class FunctionLogSink(private val emit: (level: LogLevel, target: String, message: String) -> Unit) : LogSink {
    override fun log(level: LogLevel, target: String, message: String) = emit(level, target, message)
}
