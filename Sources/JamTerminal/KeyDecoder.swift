/// Turns the bytes a terminal sends into keys: UTF-8 characters, control keys and the escape sequences
/// of arrows and editing keys (both `ESC [` and `ESC O` forms, as terminals send them in either cursor
/// mode).
///
/// Reads may split a sequence anywhere; the decoder keeps an unfinished one until the next read.
/// A lone Escape cannot be told from the start of a sequence, so it stays pending too: whoever reads
/// calls ``flush()`` when no byte followed for a moment (``Terminal`` waits 30 ms), which turns
/// whatever is pending into keys.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Whether bytes wait for the rest of a sequence.
    public var hasPending: Bool { !pending.isEmpty }

    /// The keys the bytes complete, in order.
    public mutating func decode(_ bytes: some Sequence<UInt8>) -> [KeyPress] {
        pending.append(contentsOf: bytes)
        var keys: [KeyPress] = []
        var index = 0
        while index < pending.count {
            switch Self.parse(pending, from: index, final: false) {
            case .key(let key, let length):
                if let key { keys.append(key) }
                index += length
            case .incomplete:
                pending.removeFirst(index)
                return keys
            }
        }
        pending.removeAll()
        return keys
    }

    /// The keys of whatever is pending, taking an unfinished sequence for what it starts with: a lone
    /// `ESC` is Escape; a cut UTF-8 character is U+FFFD.
    public mutating func flush() -> [KeyPress] {
        var keys: [KeyPress] = []
        var index = 0
        while index < pending.count {
            if case .key(let key, let length) = Self.parse(pending, from: index, final: true) {
                if let key { keys.append(key) }
                index += length
            }
        }
        pending.removeAll()
        return keys
    }

    /// What the bytes from `start` begin with: a key (nil for a sequence recognised and dropped) and how
    /// many bytes it took, or incomplete. With `final`, never incomplete.
    private enum Parse {
        case key(KeyPress?, length: Int)
        case incomplete
    }

    /// Longest escape sequence kept waiting for its final byte; longer ones are dropped.
    private static let longestSequence = 32

    private static func parse(_ bytes: [UInt8], from start: Int, final: Bool) -> Parse {
        let byte = bytes[start]
        switch byte {
        case 0x1B:
            return escape(bytes, from: start, final: final)
        case 0x0D, 0x0A:
            return .key(.enter, length: 1)
        case 0x09:
            return .key(.tab, length: 1)
        case 0x7F, 0x08:
            return .key(.backspace, length: 1)
        case 0x00:
            return .key(.control("@"), length: 1)
        case 0x01...0x1A:
            return .key(.control(Character(Unicode.Scalar(byte - 1 + UInt8(ascii: "a")))), length: 1)
        case 0x1C...0x1F:
            return .key(.control(Character(Unicode.Scalar(byte + 0x40))), length: 1)
        case 0x20..<0x7F:
            return .key(.character(Character(Unicode.Scalar(byte))), length: 1)
        default:
            return utf8(bytes, from: start, final: final)
        }
    }

    private static func escape(_ bytes: [UInt8], from start: Int, final: Bool) -> Parse {
        let waitOrEscape: Parse = final ? .key(.escape, length: 1) : .incomplete
        guard start + 1 < bytes.count else { return waitOrEscape }
        switch bytes[start + 1] {
        case UInt8(ascii: "O"):
            guard start + 2 < bytes.count else { return waitOrEscape }
            guard let key = ss3(final: bytes[start + 2]) else { return .key(.escape, length: 1) }
            return .key(key, length: 3)
        case UInt8(ascii: "["):
            return csi(bytes, from: start, final: final)
        default:
            // Escape, then whatever follows is a key of its own (ESC ESC is two Escapes).
            return .key(.escape, length: 1)
        }
    }

    /// `ESC [`, parameters 0x30–0x3F, intermediates 0x20–0x2F, a final byte 0x40–0x7E; and the Linux
    /// console's F1–F5, `ESC [ [ A…E`.
    private static func csi(_ bytes: [UInt8], from start: Int, final: Bool) -> Parse {
        let waitOrEscape: Parse = final ? .key(.escape, length: 1) : .incomplete
        var index = start + 2
        if index < bytes.count && bytes[index] == UInt8(ascii: "[") {
            guard index + 1 < bytes.count else { return waitOrEscape }
            let letter = bytes[index + 1]
            let key: KeyPress? = (UInt8(ascii: "A")...UInt8(ascii: "E")).contains(letter)
                ? .function(Int(letter - UInt8(ascii: "A")) + 1) : nil
            return .key(key, length: 4)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if (0x40...0x7E).contains(byte) {
                let parameters = String(decoding: bytes[(start + 2)..<index], as: UTF8.self)
                return .key(csiKey(parameters: parameters, final: byte), length: index - start + 1)
            }
            // Not a sequence after all: Escape, and the rest as keys of their own.
            guard (0x20...0x3F).contains(byte) else { return .key(.escape, length: 1) }
            if index - start >= longestSequence { return .key(nil, length: index - start + 1) }
            index += 1
        }
        return waitOrEscape
    }

    /// `ESC O x`: the arrows, Home and End in application cursor mode, and F1–F4.
    private static func ss3(final: UInt8) -> KeyPress? {
        switch final {
        case UInt8(ascii: "A"): .up
        case UInt8(ascii: "B"): .down
        case UInt8(ascii: "C"): .right
        case UInt8(ascii: "D"): .left
        case UInt8(ascii: "H"): .home
        case UInt8(ascii: "F"): .end
        case UInt8(ascii: "M"): .enter
        case UInt8(ascii: "P"): .function(1)
        case UInt8(ascii: "Q"): .function(2)
        case UInt8(ascii: "R"): .function(3)
        case UInt8(ascii: "S"): .function(4)
        default: nil
        }
    }

    /// `ESC [ params final`. Modifiers (`ESC [ 1 ; 5 A`) are ignored: Ctrl-Up is Up.
    private static func csiKey(parameters: String, final: UInt8) -> KeyPress? {
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "Z"): return .backTab
        case UInt8(ascii: "~"):
            let first = parameters.split(separator: ";").first.flatMap { Int($0) }
            switch first {
            case 1, 7: return .home
            case 2: return .insert
            case 3: return .delete
            case 4, 8: return .end
            case 5: return .pageUp
            case 6: return .pageDown
            case 11, 12, 13, 14, 15: return .function(first! - 10)
            case 17, 18, 19, 20, 21: return .function(first! - 11)
            case 23, 24: return .function(first! - 12)
            default: return nil
            }
        default:
            return nil
        }
    }

    private static func utf8(_ bytes: [UInt8], from start: Int, final: Bool) -> Parse {
        let lead = bytes[start]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return .key(.character(DisplayWidth.replacement), length: 1)
        }
        var index = start + 1
        while index < start + length {
            guard index < bytes.count else {
                return final ? .key(.character(DisplayWidth.replacement), length: index - start) : .incomplete
            }
            guard bytes[index] & 0xC0 == 0x80 else {
                return .key(.character(DisplayWidth.replacement), length: index - start)
            }
            index += 1
        }
        var decoded = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
        if decoded.isEmpty { decoded = String(DisplayWidth.replacement) }
        return .key(.character(decoded.first!), length: length)
    }
}
