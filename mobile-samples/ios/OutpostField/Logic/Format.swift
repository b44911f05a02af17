import Foundation

/// Formatting of what the core stores (integer minor units, ms since the
/// epoch, ISO dates, E.164 numbers) for the screens. Mirrors the Android
/// sample's `logic/Format.kt` (tested on the JVM); no UI imports.
enum Format {
    /// An enum case of the bindings as a label: `.visit` -> "Visit", `.familyBirthday` -> "Family birthday".
    static func label<T>(_ value: T) -> String {
        var out = ""
        for ch in String(describing: value) {
            if ch.isUppercase { out += " " + ch.lowercased() } else { out.append(ch) }
        }
        return out.prefix(1).uppercased() + out.dropFirst()
    }

    /// An amount in minor units in its currency, never through a Double:
    /// 123450 EUR (en_US) -> "€1,234.50".
    static func money(_ minor: Int64, currency: String?, locale: Locale = .current) -> String {
        let code = currency?.uppercased()
        let f = NumberFormatter()
        f.locale = locale
        f.numberStyle = code == nil ? .decimal : .currency
        if let code { f.currencyCode = code }
        let digits = code.map(fractionDigits) ?? 2
        f.minimumFractionDigits = digits
        f.maximumFractionDigits = digits
        let amount = NSDecimalNumber(mantissa: UInt64(minor.magnitude), exponent: Int16(-digits), isNegative: minor < 0)
        return f.string(from: amount) ?? "\(amount) \(code ?? "")"
    }

    /// ISO 4217 minor-unit digits (JPY 0, BHD 3, most 2).
    static func fractionDigits(_ code: String) -> Int {
        let f = NumberFormatter()
        f.numberStyle = .currency
        f.currencyCode = code
        return f.maximumFractionDigits
    }

    /// "Tue 14 Oct, 09:30" in the rep's UTC offset.
    static func dayAndTime(_ ms: Int64, utcOffsetMinutes: Int, locale: Locale = .current) -> String {
        let f = DateFormatter()
        f.locale = locale
        f.timeZone = TimeZone(secondsFromGMT: utcOffsetMinutes * 60)
        f.dateFormat = "EEE d MMM, HH:mm"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(ms) / 1000))
    }

    static func relativeDays(_ days: Int64) -> String {
        switch days {
        case 0: return "today"
        case 1: return "tomorrow"
        case -1: return "yesterday"
        case let d where d > 1: return "in \(d) days"
        default: return "\(-days) days ago"
        }
    }

    /// `YYYY-MM-DD` or `--MM-DD` as "14 Oct" (or "14 Oct 1980"); anything else as typed.
    static func crmDate(_ raw: String, withYear: Bool = false, locale: Locale = .current) -> String {
        let parts = raw.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: true)
        let yearless = raw.hasPrefix("--")
        guard (yearless && parts.count == 2) || (!yearless && parts.count == 3),
              let m = Int(parts[parts.count - 2]), let d = Int(parts[parts.count - 1]), (1...12).contains(m), (1...31).contains(d)
        else { return raw }
        let f = DateFormatter()
        f.locale = locale
        let month = f.shortMonthSymbols[m - 1]
        if withYear, !yearless, let y = Int(parts[0]) { return "\(d) \(month) \(y)" }
        return "\(d) \(month)"
    }

    /// An E.164 number grouped for reading ("+47 22 33 44 55"); see Format.kt for the rule.
    static func phone(_ number: String) -> String {
        let n = number.trimmingCharacters(in: .whitespaces)
        guard n.hasPrefix("+"), n.count >= 8, n.dropFirst().allSatisfy(\.isNumber) else { return n }
        let digits = Array(n.dropFirst())
        let first2 = String(digits.prefix(2))
        let ccLen = digits[0] == "1" || digits[0] == "7" ? 1 : (twoDigitCodes.contains(first2) ? 2 : 3)
        let cc = String(digits.prefix(ccLen))
        let national = Array(digits.dropFirst(ccLen))
        if cc == "1" && national.count == 10 {
            return "+1 \(String(national[0..<3])) \(String(national[3..<6])) \(String(national[6...]))"
        }
        var groups: [String] = []
        var i = 0
        if national.count % 2 == 1 { groups.append(String(national.prefix(3))); i = 3 }
        while i < national.count { groups.append(String(national[i..<min(i + 2, national.count)])); i += 2 }
        return "+\(cc) " + groups.joined(separator: " ")
    }

    static func dialable(_ number: String) -> String {
        let t = number.trimmingCharacters(in: .whitespaces)
        return String(t.enumerated().filter { $0.element.isNumber || ($0.element == "+" && $0.offset == 0) }.map(\.element))
    }

    private static let twoDigitCodes: Set<String> = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ]
}
