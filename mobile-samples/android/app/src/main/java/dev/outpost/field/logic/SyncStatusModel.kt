package dev.outpost.field.logic

/**
 * What the sync banner needs to know, condensed from the bindings' sync
 * status (see [BindingsMapping]) so the rules below are plain and testable.
 */
data class SyncSnapshot(
    /** Sync was started with a server and token (false: the rep works only locally). */
    val enabled: Boolean,
    val connected: Boolean,
    /**
     * The server has named the accounts this phone may have: until then the
     * totals are unknown, and "up to date" would be a guess.
     */
    val scopeReceived: Boolean = true,
    /** Accounts with edits made here that the server has not acknowledged yet. */
    val pending: Int = 0,
    /** Accounts where the server refused a change; the edits wait as a draft. */
    val needsAttention: Int = 0,
    val documentsTotal: Int = 0,
    val documentsDone: Int = 0,
    val bytesReceived: Long = 0,
    val bytesTotal: Long = 0,
    /** The last connection error, already free of personal data (the core guarantees it). */
    val lastError: String? = null,
)

/** The banner's colour family; the UI maps it to its theme. */
enum class SyncTone(val argb: Long) {
    UP_TO_DATE(0xFF2E7D32),
    WORKING(0xFF1565C0),
    OFFLINE(0xFF616161),
    ATTENTION(0xFFE65100),
}

/** What the sync banner shows. [progress] is 0..1 while an initial sync runs. */
data class SyncBadge(
    val text: String,
    val tone: SyncTone,
    val progress: Float? = null,
    /** Whether tapping the banner should open the "needs attention" list. */
    val actionable: Boolean = false,
)

object SyncStatusModel {
    fun badge(s: SyncSnapshot): SyncBadge {
        if (s.needsAttention > 0) {
            val what = plural(s.needsAttention, "account needs", "accounts need")
            return SyncBadge("$what attention", SyncTone.ATTENTION, actionable = true)
        }
        if (!s.enabled) return SyncBadge("Sync off · saved on this phone", SyncTone.OFFLINE)
        if (!s.connected) {
            val waiting = if (s.pending > 0) " · ${plural(s.pending, "account", "accounts")} waiting to send" else " · saved on this phone"
            return SyncBadge("Offline$waiting", SyncTone.OFFLINE)
        }
        if (!s.scopeReceived) return SyncBadge("Checking for changes…", SyncTone.WORKING)
        if (s.documentsTotal > 0 && s.documentsDone < s.documentsTotal) {
            return SyncBadge(
                "Syncing ${s.documentsDone} of ${plural(s.documentsTotal, "account", "accounts")}",
                SyncTone.WORKING,
                progress = progress(s),
            )
        }
        if (s.pending > 0) {
            return SyncBadge("Sending ${plural(s.pending, "account", "accounts")}…", SyncTone.WORKING)
        }
        return SyncBadge("Up to date", SyncTone.UP_TO_DATE)
    }

    /**
     * Initial-sync progress: bytes against the server's estimate when it sent
     * one (clamped, it is an estimate), else documents done of total.
     */
    fun progress(s: SyncSnapshot): Float {
        val f = if (s.bytesTotal > 0) {
            s.bytesReceived.toDouble() / s.bytesTotal.toDouble()
        } else if (s.documentsTotal > 0) {
            s.documentsDone.toDouble() / s.documentsTotal.toDouble()
        } else {
            0.0
        }
        return f.coerceIn(0.0, 1.0).toFloat()
    }

    private fun plural(n: Int, one: String, many: String) = if (n == 1) "1 $one" else "$n $many"
}
