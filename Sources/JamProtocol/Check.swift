/// Checks of field values shared by the messages; each failure is `invalid_value` naming the field.
enum Check {
    /// The largest count a field may hold: integers above 2^53 do not survive every JSON reader.
    static let maxInteger = 1 << 53
    /// The latest tick (DOCUMENT.md §1).
    static let maxTick = 1 << 40

    static func range(_ value: Int, _ range: ClosedRange<Int>, field: String) throws(ProtocolError) {
        guard range.contains(value) else {
            throw ProtocolError(
                .invalidValue, "\(field) is \(value); it must be within \(range.lowerBound)…\(range.upperBound)")
        }
    }

    /// A string of 1…`max` UTF-8 bytes.
    static func text(_ value: String, field: String, max: Int) throws(ProtocolError) {
        let count = value.utf8.count
        guard count >= 1 else { throw ProtocolError(.invalidValue, "\(field) is empty") }
        guard count <= max else {
            throw ProtocolError(.invalidValue, "\(field) is \(count) bytes long; at most \(max)")
        }
    }

    /// A display name: 1…`nameBytes` UTF-8 bytes without control characters.
    static func displayName(_ value: String, field: String, limits: Limits) throws(ProtocolError) {
        try text(value, field: field, max: limits.nameBytes)
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ProtocolError(.invalidValue, "\(field) contains a control character")
        }
    }

    /// A track id: 1–64 characters from `A–Z a–z 0–9 . _ : -` (DOCUMENT.md §1).
    static func trackID(_ value: String, field: String) throws(ProtocolError) {
        let bytes = value.utf8
        guard (1...64).contains(bytes.count), bytes.allSatisfy(isIDByte) else {
            throw ProtocolError(
                .invalidValue, "\(field) \(Quoted(value)) is not an id: 1–64 of A–Z a–z 0–9 . _ : -")
        }
    }

    private static func isIDByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
            UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}

/// Session names: `[a-z0-9][a-z0-9_-]{0,63}` (PROTOCOL.md §2.2). (JamLog has its own public check,
/// for the log's file names; this one stays internal so that the two never clash.)
enum SessionName {
    /// Whether `name` is a valid session name.
    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 64, isLowerAlnum(first) else { return false }
        return bytes.dropFirst().allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlnum(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
    }
}

/// A string quoted for an error message, cut to 40 characters.
struct Quoted: CustomStringConvertible {
    var value: String
    init(_ value: String) { self.value = value }
    var description: String {
        let cut = value.count > 40 ? value.prefix(40) + "…" : Substring(value)
        return "\"\(cut)\""
    }
}
