import Foundation
import OutpostKit
import os

/// What happened to a document, as the data observer reports it.
enum DocEvent: Sendable {
    /// Changed here or through sync; `records` names what the change touched.
    case changed(DocumentId, [RecordRef])
    /// Removed from this device (access revoked).
    case removed(DocumentId)
}

extension OutpostStore {
    /// The store's data changes as an `AsyncStream` (mirrors the Android
    /// sample's `dataEvents()` Flow). The library calls observers on one
    /// thread per store, in order; the stream buffers them for the consuming
    /// task in that order. Ending the iteration removes the observer.
    func dataEvents() throws -> AsyncStream<DocEvent> {
        var continuation: AsyncStream<DocEvent>.Continuation!
        let stream = AsyncStream<DocEvent>(bufferingPolicy: .unbounded) { continuation = $0 }
        let handle = try addDataObserver(observer: StreamObserver(continuation))
        continuation.onTermination = { [weak self] _ in self?.removeObserver(handle: handle) }
        return stream
    }

    /// The store's sync events as an `AsyncStream`.
    func syncEvents() throws -> AsyncStream<SyncEvent> {
        var continuation: AsyncStream<SyncEvent>.Continuation!
        let stream = AsyncStream<SyncEvent>(bufferingPolicy: .unbounded) { continuation = $0 }
        let handle = try addSyncObserver(observer: StreamSyncObserver(continuation))
        continuation.onTermination = { [weak self] _ in self?.removeObserver(handle: handle) }
        return stream
    }
}

private final class StreamObserver: DataObserver, @unchecked Sendable {
    let out: AsyncStream<DocEvent>.Continuation
    init(_ out: AsyncStream<DocEvent>.Continuation) { self.out = out }
    func onDocumentChanged(documentId: DocumentId, records: [RecordRef]) { out.yield(.changed(documentId, records)) }
    func onDocumentRemoved(documentId: DocumentId) { out.yield(.removed(documentId)) }
}

private final class StreamSyncObserver: SyncObserver, @unchecked Sendable {
    let out: AsyncStream<SyncEvent>.Continuation
    init(_ out: AsyncStream<SyncEvent>.Continuation) { self.out = out }
    func onSyncEvent(event: SyncEvent) { out.yield(event) }
}

/// The library's log messages to the unified log (Console.app, `log stream
/// --predicate 'subsystem == "dev.outpost"'`), category = the Rust module.
final class OSLogSink: LogSink, @unchecked Sendable {
    func log(level: LogLevel, target: String, message: String) {
        let logger = Logger(subsystem: "dev.outpost", category: target)
        switch level {
        case .error: logger.error("\(message, privacy: .public)")
        case .warn: logger.warning("\(message, privacy: .public)")
        case .info: logger.info("\(message, privacy: .public)")
        case .debug, .trace: logger.debug("\(message, privacy: .public)")
        }
    }
}
