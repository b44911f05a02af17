package dev.outpost.field.logic

import com.sun.jna.Callback
import com.sun.jna.CallbackThreadInitializer
import com.sun.jna.Native
import uniffi.outpost.uniffiCallbackInterfaceDataObserver
import uniffi.outpost.uniffiCallbackInterfaceLogSink
import uniffi.outpost.uniffiCallbackInterfaceSyncObserver
import uniffi.outpost.uniffiRustFutureContinuationCallbackImpl

/**
 * The library calls observers from one thread per store (and the log sink
 * from one thread), in order. JNA, by default, attaches such a native thread
 * to the VM for each call and detaches it after, so every call shows up as a
 * new Java thread ("Thread-185", "Thread-188", …). [install] keeps the
 * library's threads attached, as daemon threads with their own names
 * (`outpost-observers`, `outpost-log`, `outpost-runtime`), so an app sees
 * one thread per store in debuggers, logs and thread dumps.
 *
 * It names uniffi's generated callback objects (internal to the module that
 * compiles the generated Kotlin, as the app does); call it once, before the
 * first store opens ([FieldSession.open] does).
 */
object OutpostThreads {
    @Volatile
    private var installed = false

    fun install() {
        if (installed) return
        synchronized(this) {
            if (installed) return
            fun keep(name: String, vararg callbacks: Callback) {
                val init = CallbackThreadInitializer(true, false, name)
                for (cb in callbacks) Native.setCallbackThreadInitializer(cb, init)
            }
            keep(
                "outpost-observers",
                uniffiCallbackInterfaceDataObserver.onDocumentChanged,
                uniffiCallbackInterfaceDataObserver.onDocumentRemoved,
                uniffiCallbackInterfaceDataObserver.uniffiFree,
                uniffiCallbackInterfaceDataObserver.uniffiClone,
                uniffiCallbackInterfaceSyncObserver.onSyncEvent,
                uniffiCallbackInterfaceSyncObserver.uniffiFree,
                uniffiCallbackInterfaceSyncObserver.uniffiClone,
            )
            keep(
                "outpost-log",
                uniffiCallbackInterfaceLogSink.log,
                uniffiCallbackInterfaceLogSink.uniffiFree,
                uniffiCallbackInterfaceLogSink.uniffiClone,
            )
            // the completion of every suspend call, from the library's runtime threads
            keep("outpost-runtime", uniffiRustFutureContinuationCallbackImpl)
            installed = true
        }
    }
}
