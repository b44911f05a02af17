import Foundation
import OutpostKit

/// The open store, the sync client and the banner, for every screen. The
/// bindings' work is `async` (it runs on the core's own threads); observers
/// are called on a background thread and hop to the main actor here.
@MainActor
final class FieldModel: ObservableObject {
    @Published private(set) var ready = false
    @Published private(set) var openError: String?
    @Published private(set) var syncBadge = SyncStatusModel.badge(SyncSnapshot(enabled: false, connected: false))
    /// Bumped on every data change; screens re-read in `.task(id: model.revision)`.
    @Published private(set) var revision = 0

    private(set) var store: OutpostStore?
    private var syncEnabled = false
    let userId: String
    let locale = Locale.current

    init() {
        let defaults = UserDefaults.standard
        userId = defaults.string(forKey: "user") ?? "me"
    }

    var utcOffsetMinutes: Int { TimeZone.current.secondsFromGMT() / 60 }
    /// Today here (the offset comes from the system, always within ±18 h).
    var today: Day { (try? OutpostKit.today(utcOffsetMinutes: Int32(utcOffsetMinutes))) ?? Day(date: "1970-01-01", utcOffsetMinutes: 0) }

    func open() async {
        guard store == nil else { return }
        // the core's log (ids only, never personal data) to os_log
        setLogSink(sink: OSLogSink(), minLevel: .info)
        do {
            let dir = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            let store = try await openStore(path: dir.appendingPathComponent("outpost.db").path,
                                            userId: userId, deviceId: Self.deviceId())
            let changes = try store.dataEvents()
            Task { [weak self] in
                // one event at a time, in order (the AsyncSequence adapter, Support/Observe.swift)
                for await _ in changes { self?.revision += 1 }
            }
            _ = try store.addSyncObserver(observer: SyncBridge { [weak self] in
                Task { @MainActor in self?.publishSync() }
            })
            self.store = store
            ready = true
        } catch {
            openError = "\(error)"
        }
    }

    func startSync(url: String, token: String) async {
        guard let store else { return }
        syncEnabled = true
        try? await store.startSync(url: url, token: token)
        publishSync()
    }

    func stopSync() async {
        syncEnabled = false
        try? await store?.stopSync()
        publishSync()
    }

    private func publishSync() {
        guard let s = try? store?.syncStatus() else { return }
        let states = Array(s.documents.values)
        let snapshot = SyncSnapshot(
            enabled: syncEnabled, connected: s.connected, scopeReceived: s.scopeReceived,
            pending: states.filter { if case .pending = $0 { return true } else { return false } }.count,
            needsAttention: states.filter { if case .needsAttention = $0 { return true } else { return false } }.count,
            documentsTotal: Int(s.progress.documentsTotal), documentsDone: Int(s.progress.documentsDone),
            bytesReceived: s.progress.bytesReceived, bytesTotal: s.progress.bytesTotal, lastError: s.lastError)
        syncBadge = SyncStatusModel.badge(snapshot)
    }

    /// A stable id for this installation (the core stamps it on every change).
    private static func deviceId() -> String {
        let defaults = UserDefaults.standard
        if let id = defaults.string(forKey: "device") { return id }
        let id = newId()
        defaults.set(id, forKey: "device")
        return id
    }
}

/// Sync observer → closure (called on the store's observer thread, in order).
private final class SyncBridge: SyncObserver, @unchecked Sendable {
    let changed: () -> Void
    init(_ changed: @escaping () -> Void) { self.changed = changed }
    func onSyncEvent(event: SyncEvent) { changed() }
}
