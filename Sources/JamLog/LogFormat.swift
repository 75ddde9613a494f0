/// The byte layout of a log file (LOG.md §2): the magic, then frames.
public enum LogFormat {
    /// The format version this code writes and reads (the header's `format`).
    public static let version = 1
    /// The first 8 bytes of every log: `\x89JAMLOG\n`.
    public static let magic: [UInt8] = [0x89, 0x4A, 0x41, 0x4D, 0x4C, 0x4F, 0x47, 0x0A]
    /// The offset of the first frame (the header).
    public static let firstFrameOffset = 8
    /// Bytes before a frame's payload.
    public static let frameHeaderSize = 28
    /// Bytes a frame adds to its payload (header and `end` field).
    public static let frameOverhead = 32
    /// The largest payload a frame may carry.
    public static let maxPayload = 1 << 28
    /// Revisions and seqs stay below 2^53 so that every JSON reader holds them exactly.
    static let maxInteger: UInt64 = 1 << 53
}

/// The kind of record a frame holds.
public enum LogRecordKind: UInt8, Sendable, Hashable, CustomStringConvertible {
    case header = 0x48     // H
    case snapshot = 0x53   // S
    case operation = 0x4F  // O
    case transport = 0x54  // T

    public var description: String {
        switch self {
        case .header: "header"
        case .snapshot: "snapshot"
        case .operation: "operation"
        case .transport: "transport"
        }
    }
}

/// The fixed 28 bytes that start a frame.
struct FrameHeader: Hashable, Sendable {
    var kind: LogRecordKind
    var length: Int
    var revision: Int
    /// Offset of the latest snapshot frame before this one, 0 if none.
    var snapshot: Int
    var crc: UInt32

    var frameSize: Int { length + LogFormat.frameOverhead }

    /// Parses and checks the fixed fields (not the checksum). Returns a reason on failure.
    static func parse(_ raw: UnsafeRawBufferPointer) -> Result<FrameHeader, FrameDamage> {
        precondition(raw.count >= LogFormat.frameHeaderSize)
        guard let kind = LogRecordKind(rawValue: raw[0]) else {
            return .failure(FrameDamage("unknown record kind 0x\(String(raw[0], radix: 16))"))
        }
        guard raw[1] == 0, raw[2] == 0, raw[3] == 0 else {
            return .failure(FrameDamage("reserved bytes are not zero"))
        }
        let length = Int(raw.loadLE(UInt32.self, at: 4))
        guard length <= LogFormat.maxPayload else {
            return .failure(FrameDamage("payload length \(length) exceeds \(LogFormat.maxPayload)"))
        }
        let revision = raw.loadLE(UInt64.self, at: 8)
        let snapshot = raw.loadLE(UInt64.self, at: 16)
        guard revision < LogFormat.maxInteger else {
            return .failure(FrameDamage("revision \(revision) is out of range"))
        }
        guard snapshot < LogFormat.maxInteger else {
            return .failure(FrameDamage("snapshot offset \(snapshot) is out of range"))
        }
        return .success(FrameHeader(
            kind: kind, length: length, revision: Int(revision), snapshot: Int(snapshot),
            crc: raw.loadLE(UInt32.self, at: 24)))
    }

    /// Appends a whole frame (header, payload, end field) to `buffer`.
    static func appendFrame(
        kind: LogRecordKind, revision: Int, snapshot: Int, payload: some Collection<UInt8>,
        to buffer: inout [UInt8]
    ) {
        let start = buffer.count
        buffer.append(kind.rawValue)
        buffer.append(contentsOf: [0, 0, 0])
        buffer.appendLE(UInt32(payload.count))
        buffer.appendLE(UInt64(revision))
        buffer.appendLE(UInt64(snapshot))
        let headerCRC = buffer.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<(start + 24)])) }
        let crc = CRC32C.checksum(payload, continuing: headerCRC)
        buffer.appendLE(crc)
        buffer.append(contentsOf: payload)
        buffer.appendLE(UInt32(payload.count + LogFormat.frameOverhead))
    }
}

/// Why a frame is not valid (LOG.md §2).
struct FrameDamage: Error, Hashable, Sendable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

extension UnsafeRawBufferPointer {
    func loadLE<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
