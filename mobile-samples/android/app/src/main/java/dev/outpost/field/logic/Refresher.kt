package dev.outpost.field.logic

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import uniffi.outpost.OutpostException

/**
 * Keeps a holder's state current: re-runs [reload] after data changes that
 * match [matches]. Bursts of changes (a sync delivering many) collapse into
 * one reload; reloads never overlap, so the last state published is from the
 * newest read.
 */
internal class Refresher(
    scope: CoroutineScope,
    session: FieldSession,
    private val matches: (DocEvent) -> Boolean = { true },
    private val reload: suspend () -> Unit,
) : AutoCloseable {
    private val mutex = Mutex()
    private val signals = Channel<Unit>(Channel.CONFLATED)
    private val job = scope.launch {
        for (s in signals) {
            try {
                run()
            } catch (e: OutpostException.Closed) {
                break // the session closed the store while a change was queued
            } catch (e: IllegalStateException) {
                break // the same, seen through the generated handle ("already destroyed")
            }
        }
    }
    private val watch = session.watch { if (matches(it)) signals.trySend(Unit) }

    /** Runs the reload now (serialised with the automatic ones). */
    suspend fun run() = mutex.withLock { reload() }

    override fun close() {
        watch.close()
        signals.close()
        job.cancel()
    }
}
