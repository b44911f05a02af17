import Foundation

/// What the sync banner needs; mirrors `logic/SyncStatusModel.kt`.
struct SyncSnapshot: Equatable {
    var enabled: Bool
    var connected: Bool
    /// The server has named this phone's accounts (until then totals are unknown).
    var scopeReceived = true
    var pending = 0
    var needsAttention = 0
    var documentsTotal = 0
    var documentsDone = 0
    var bytesReceived: UInt64 = 0
    var bytesTotal: UInt64 = 0
    var lastError: String?
}

enum SyncTone {
    case upToDate, working, offline, attention
}

struct SyncBadge: Equatable {
    var text: String
    var tone: SyncTone
    var progress: Double?
    var actionable = false
}

enum SyncStatusModel {
    static func badge(_ s: SyncSnapshot) -> SyncBadge {
        if s.needsAttention > 0 {
            return SyncBadge(text: "\(plural(s.needsAttention, "account needs", "accounts need")) attention", tone: .attention, actionable: true)
        }
        if !s.enabled { return SyncBadge(text: "Sync off · saved on this phone", tone: .offline) }
        if !s.connected {
            let tail = s.pending > 0 ? " · \(plural(s.pending, "account", "accounts")) waiting to send" : " · saved on this phone"
            return SyncBadge(text: "Offline" + tail, tone: .offline)
        }
        if !s.scopeReceived { return SyncBadge(text: "Checking for changes…", tone: .working) }
        if s.documentsTotal > 0 && s.documentsDone < s.documentsTotal {
            return SyncBadge(text: "Syncing \(s.documentsDone) of \(plural(s.documentsTotal, "account", "accounts"))",
                             tone: .working, progress: progress(s))
        }
        if s.pending > 0 { return SyncBadge(text: "Sending \(plural(s.pending, "account", "accounts"))…", tone: .working) }
        return SyncBadge(text: "Up to date", tone: .upToDate)
    }

    static func progress(_ s: SyncSnapshot) -> Double {
        let f: Double
        if s.bytesTotal > 0 { f = Double(s.bytesReceived) / Double(s.bytesTotal) }
        else if s.documentsTotal > 0 { f = Double(s.documentsDone) / Double(s.documentsTotal) }
        else { f = 0 }
        return min(max(f, 0), 1)
    }

    private static func plural(_ n: Int, _ one: String, _ many: String) -> String { n == 1 ? "1 \(one)" : "\(n) \(many)" }
}
