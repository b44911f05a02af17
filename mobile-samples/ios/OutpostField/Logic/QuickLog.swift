import Foundation

/// The quick-log sheet's rules; mirrors `logic/QuickLog.kt`.
enum QuickKind: String, CaseIterable, Identifiable {
    case visit, call
    var id: String { rawValue }
    var label: String { self == .visit ? "Visit" : "Call" }
}

struct QuickLogForm: Equatable {
    var kind: QuickKind = .visit
    var outcome: String?
    var contactId: String?
    var note = ""
    var followUpDays: Int?
}

enum QuickLog {
    static func outcomes(_ kind: QuickKind) -> [(value: String, label: String)] {
        switch kind {
        case .call: return [("connected", "Talked"), ("voicemail", "Voicemail"), ("no_answer", "No answer"), ("wrong_number", "Wrong number")]
        case .visit: return [("met", "Met"), ("order_taken", "Order taken"), ("not_available", "Not there")]
        }
    }

    static func canSave(_ f: QuickLogForm) -> Bool {
        guard let o = f.outcome, outcomes(f.kind).contains(where: { $0.value == o }) else { return false }
        return f.followUpDays.map { (1...365).contains($0) } ?? true
    }

    static func subject(_ f: QuickLogForm) -> String {
        guard let label = outcomes(f.kind).first(where: { $0.value == f.outcome })?.label else { return f.kind.label }
        return "\(f.kind.label) · \(label)"
    }

    /// 09:00 local time `days` after `nowMs`, for the follow-up call.
    static func followUpAt(nowMs: Int64, days: Int, utcOffsetMinutes: Int) -> Int64 {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: utcOffsetMinutes * 60)!
        let now = Date(timeIntervalSince1970: TimeInterval(nowMs) / 1000)
        let day = cal.date(byAdding: .day, value: days, to: cal.startOfDay(for: now))!
        let at = cal.date(bySettingHour: 9, minute: 0, second: 0, of: day)!
        return Int64(at.timeIntervalSince1970 * 1000)
    }
}
