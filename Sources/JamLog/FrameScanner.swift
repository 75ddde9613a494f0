/// Reads frames forward from an offset, checking each one's validity (LOG.md §2), through a large
/// read buffer so a scan costs a few big `pread`s rather than two per frame.
struct FrameScanner {
    enum Step {
        /// A valid frame at `offset`; its payload is `scanner.payload()` until the next step.
        case frame(offset: Int, header: FrameHeader)
        /// The file ends exactly here.
        case end(offset: Int)
        /// The frame at `offset` is not valid.
        case damaged(offset: Int, reason: String)
    }

    let file: LogFile
    let fileSize: Int
    private(set) var offset: Int
    private var buffer: [UInt8]
    private var bufferStart = 0
    private var bufferCount = 0
    private var payloadRange: Range<Int> = 0..<0  // within buffer

    static let chunk = 1 << 20

    init(file: LogFile, fileSize: Int, offset: Int = LogFormat.firstFrameOffset) {
        self.file = file
        self.fileSize = fileSize
        self.offset = offset
        self.buffer = []
    }

    /// Makes bytes `[at, at + count)` of the file available in `buffer`; false if the file is shorter.
    private mutating func ensure(_ at: Int, _ count: Int) throws(LogError) -> Bool {
        if at >= bufferStart && at + count <= bufferStart + bufferCount { return true }
        guard at + count <= fileSize else { return false }
        let want = min(max(count, Self.chunk), fileSize - at)
        if buffer.count < want { buffer = [UInt8](repeating: 0, count: want) }
        let got = try buffer.withUnsafeMutableBytes { b in
            Result { () throws(LogError) -> Int in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: b[0..<want]), at: at)
            }
        }.get()
        bufferStart = at
        bufferCount = got
        return got >= count
    }

    /// Reads and checks the frame at the current offset and moves past it if it is valid.
    mutating func next() throws(LogError) -> Step {
        let at = offset
        if at == fileSize { return .end(offset: at) }
        guard try ensure(at, LogFormat.frameHeaderSize) else {
            return .damaged(offset: at, reason: "only \(fileSize - at) bytes left, a frame header needs \(LogFormat.frameHeaderSize)")
        }
        let local = at - bufferStart
        let parsed = buffer.withUnsafeBytes { b in
            FrameHeader.parse(UnsafeRawBufferPointer(rebasing: b[local..<(local + LogFormat.frameHeaderSize)]))
        }
        let header: FrameHeader
        switch parsed {
        case .success(let h): header = h
        case .failure(let damage): return .damaged(offset: at, reason: damage.reason)
        }
        let size = header.frameSize
        guard try ensure(at, size) else {
            return .damaged(offset: at, reason: "the \(header.kind) frame needs \(size) bytes, the file has \(fileSize - at) left")
        }
        let start = at - bufferStart
        let (crc, end) = buffer.withUnsafeBytes { b in
            let headerCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[start..<(start + 24)]))
            let payload = UnsafeRawBufferPointer(rebasing: b[(start + 28)..<(start + 28 + header.length)])
            let crc = CRC32C.checksum(payload, continuing: headerCRC)
            let end = UnsafeRawBufferPointer(rebasing: b[(start + size - 4)..<(start + size)]).loadLE(UInt32.self, at: 0)
            return (crc, end)
        }
        guard crc == header.crc else {
            return .damaged(offset: at, reason: "checksum mismatch in the \(header.kind) frame (stored 0x\(hex(header.crc)), computed 0x\(hex(crc)))")
        }
        guard Int(end) == size else {
            return .damaged(offset: at, reason: "the \(header.kind) frame's end field is \(end), expected \(size)")
        }
        payloadRange = (start + 28)..<(start + 28 + header.length)
        offset = at + size
        return .frame(offset: at, header: header)
    }

    /// The payload of the frame the last `next()` returned.
    func payload() -> [UInt8] {
        Array(buffer[payloadRange])
    }
}

/// Checks rules 1–3 of LOG.md §3 frame by frame, from the header on.
struct SequenceChecker {
    private(set) var frames = 0
    /// The revision of the last frame.
    private(set) var revision = 0
    private(set) var lastSnapshotOffset = 0
    private(set) var lastSnapshotRevision = -1

    mutating func check(offset: Int, header h: FrameHeader) throws(LogError) {
        defer { frames += 1 }
        switch frames {
        case 0:
            guard h.kind == .header, offset == LogFormat.firstFrameOffset, h.revision == 0, h.snapshot == 0 else {
                throw LogError(.headerInvalid, "the first frame must be a header at offset 8 with revision 0; found a \(h.kind) with revision \(h.revision)", offset: offset)
            }
            return
        case 1:
            guard h.kind == .snapshot, h.revision == 0, h.snapshot == 0 else {
                throw LogError(.recordInvalid, "the second frame must be the revision-0 snapshot; found a \(h.kind) with revision \(h.revision)", offset: offset)
            }
        default:
            break
        }
        guard h.snapshot == lastSnapshotOffset else {
            throw LogError(.recordInvalid, "the \(h.kind) frame points to a snapshot at \(h.snapshot); the latest snapshot is at \(lastSnapshotOffset)", offset: offset)
        }
        switch h.kind {
        case .header:
            throw LogError(.recordInvalid, "a second header frame", offset: offset)
        case .operation:
            guard h.revision == revision + 1 else {
                throw LogError(.revisionMismatch, "operation frame has revision \(h.revision), expected \(revision + 1)", offset: offset)
            }
            revision = h.revision
        case .transport:
            guard h.revision == revision else {
                throw LogError(.revisionMismatch, "transport frame has revision \(h.revision), expected \(revision)", offset: offset)
            }
        case .snapshot:
            guard h.revision == revision, h.revision > lastSnapshotRevision else {
                throw LogError(.revisionMismatch, "snapshot frame has revision \(h.revision), expected \(revision) (the latest snapshot is at revision \(lastSnapshotRevision))", offset: offset)
            }
            lastSnapshotOffset = offset
            lastSnapshotRevision = h.revision
        }
    }
}

func hex(_ value: UInt32) -> String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}

/// Reads the magic; `not_a_log` unless the file starts with it.
func checkMagic(_ file: LogFile, size: Int) throws(LogError) {
    if size == 0 { throw LogError(.notALog, "\(file.path) is empty") }
    let head = try file.read(count: LogFormat.magic.count, at: 0)
    guard head == LogFormat.magic else {
        throw LogError(.notALog, "\(file.path) does not start with the Jam log magic", offset: 0)
    }
}
