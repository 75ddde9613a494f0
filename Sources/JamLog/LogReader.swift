import Foundation
import JamCore

/// Reads a log offline (LOG.md §7): iterates its records, rebuilds the state at any revision through
/// its snapshots, and verifies it. Never writes and takes no lock, so it can read a log a server is
/// writing (it sees the frames that were complete when it looked). Never traps on damaged input:
/// every problem is a `LogError` naming the frame's byte offset.
///
/// Not thread-safe: use one reader per thread.
public final class LogReader {
    public let path: String
    /// The file's size when the reader opened it; the reader looks no further.
    public let size: Int
    public let header: LogHeader

    let file: LogFile
    let decoder = JSONDecoder()

    /// Opens the log at `path` and reads its magic and header (`not_found`, `not_a_log`,
    /// `header_invalid`, `unsupported_format`).
    public init(path: String) throws(LogError) {
        let file = try LogFile.open(path, mode: .readOnly)
        do throws(LogError) {
            let size = try file.size()
            try checkMagic(file, size: size)
            var scanner = FrameScanner(file: file, fileSize: size)
            var checker = SequenceChecker()
            switch try scanner.next() {
            case .end(let offset):
                throw LogError(.headerInvalid, "\(path) ends after its magic", offset: offset)
            case .damaged(let offset, let reason):
                throw LogError(.headerInvalid, "the header frame is damaged: \(reason)", offset: offset)
            case .frame(let offset, let h):
                try checker.check(offset: offset, header: h)
                let header = try Payload.decodeHeader(scanner.payload(), offset: offset, decoder: decoder)
                guard header.format == LogFormat.version else {
                    throw LogError(.unsupportedFormat, "\(path) has format \(header.format); this build reads format \(LogFormat.version)", offset: offset)
                }
                self.header = header
            }
            self.path = path
            self.size = size
            self.file = file
        } catch {
            file.close()
            throw error
        }
    }

    /// Opens the log of `session` in `directory`, validating the name first.
    public convenience init(directory: String, session: String) throws(LogError) {
        try self.init(path: SessionName.logPath(directory: directory, session: session))
    }

    deinit {
        file.close()
    }

    // MARK: Records

    /// A decoded record and where it is.
    public struct LocatedRecord: Hashable, Sendable {
        /// Byte offset of the record's frame.
        public var offset: Int
        /// The frame's total size in bytes.
        public var frameSize: Int
        /// The frame's revision field.
        public var revision: Int
        public var record: LogRecord
        public var kind: LogRecordKind { record.kind }
    }

    /// Iterates the records from the header on, checking each frame and the log's order (rules 1–3)
    /// as it goes. `next()` returns nil at the end of the file and throws at the first damaged or
    /// misplaced frame (`corrupt_frame`, `record_invalid`, `revision_mismatch`, …, with its offset).
    public struct RecordCursor {
        let reader: LogReader
        var scanner: FrameScanner
        var checker = SequenceChecker()
        var finished = false

        public mutating func next() throws(LogError) -> LocatedRecord? {
            guard !finished else { return nil }
            do throws(LogError) {
                switch try scanner.next() {
                case .end:
                    finished = true
                    return nil
                case .damaged(let offset, let reason):
                    throw LogError(.corruptFrame, reason, offset: offset)
                case .frame(let offset, let h):
                    try checker.check(offset: offset, header: h)
                    let record = try reader.decode(scanner.payload(), header: h, offset: offset)
                    return LocatedRecord(offset: offset, frameSize: h.frameSize, revision: h.revision, record: record)
                }
            } catch {
                finished = true
                throw error
            }
        }
    }

    public func records() -> RecordCursor {
        RecordCursor(reader: self, scanner: FrameScanner(file: file, fileSize: size))
    }

    func decode(_ payload: [UInt8], header h: FrameHeader, offset: Int) throws(LogError) -> LogRecord {
        switch h.kind {
        case .header: .header(try Payload.decodeHeader(payload, offset: offset, decoder: decoder))
        case .snapshot: .snapshot(try Payload.decodeSnapshot(payload, revision: h.revision, offset: offset, decoder: decoder))
        case .operation: .operation(try Payload.decodeOperation(payload, revision: h.revision, offset: offset, decoder: decoder))
        case .transport: .transport(try Payload.decodeTransport(payload, offset: offset, decoder: decoder))
        }
    }

    // MARK: Index

    /// Where the snapshots are, found by checking every frame (checksums included) without decoding
    /// payloads.
    public struct Index: Hashable, Sendable {
        public struct Snapshot: Hashable, Sendable {
            public var revision: Int
            public var offset: Int
        }
        /// In log order.
        public var snapshots: [Snapshot]
        /// The revision of the last valid frame.
        public var lastRevision: Int
        /// The offset just past the last valid frame (the file's size if nothing is damaged).
        public var validEnd: Int
        /// The first damaged or misplaced frame, if any: what recovery would cut (or refuse).
        public var damage: LogError?
    }

    /// Scans every frame (LOG.md §7's slow path).
    public func index() throws(LogError) -> Index {
        var scanner = FrameScanner(file: file, fileSize: size)
        var checker = SequenceChecker()
        var snapshots: [Index.Snapshot] = []
        var damage: LogError?
        scan: while true {
            switch try scanner.next() {
            case .end:
                break scan
            case .damaged(let offset, let reason):
                damage = LogError(.corruptFrame, reason, offset: offset)
                break scan
            case .frame(let offset, let h):
                do {
                    try checker.check(offset: offset, header: h)
                } catch {
                    damage = error
                    break scan
                }
                if h.kind == .snapshot { snapshots.append(Index.Snapshot(revision: h.revision, offset: offset)) }
            }
        }
        let validEnd = damage?.offset ?? size
        return Index(snapshots: snapshots, lastRevision: checker.revision, validEnd: validEnd, damage: damage)
    }

    // MARK: Seeking

    /// The revision of the log's last operation (through the tail when it is intact, else by a scan
    /// that stops at the first damaged frame).
    public func lastRevision() throws(LogError) -> Int {
        if let tail = try tailFrame() { return tail.header.revision }
        return try index().lastRevision
    }

    /// The document, revision and exactly-once memory at `revision` (LOG.md §7): from the latest
    /// snapshot at or before it, plus the operations after that snapshot. `revision_not_found` if the
    /// log (or its undamaged part) does not reach it.
    public func state(at revision: Int) throws(LogError) -> LogState {
        guard revision >= 0 else { throw LogError(.revisionNotFound, "revision \(revision) is negative") }
        if let found = try snapshotThroughTail(atOrBefore: revision) {
            // The chain of snapshot pointers is read without checksums; if what it led to does not
            // replay, the scan below gives the authoritative answer.
            if let state = try? replay(fromSnapshotAt: found, to: revision) { return state }
        }
        let index = try index()
        guard revision <= index.lastRevision else {
            var message = "the log ends at revision \(index.lastRevision)"
            if let damage = index.damage { message += " (it is damaged: \(damage))" }
            throw LogError(.revisionNotFound, "revision \(revision) is not in the log: \(message)", offset: index.damage?.offset)
        }
        guard let snapshot = index.snapshots.last(where: { $0.revision <= revision }) else {
            throw LogError(.corruptFrame, "the log has no revision-0 snapshot", offset: LogFormat.firstFrameOffset)
        }
        return try replay(fromSnapshotAt: snapshot.offset, to: revision)
    }

    /// The document at the log's last revision.
    public func lastState() throws(LogError) -> LogState {
        try state(at: lastRevision())
    }

    /// The last frame, if the file ends with a valid frame where its `end` field says it starts.
    func tailFrame() throws(LogError) -> (offset: Int, header: FrameHeader)? {
        guard size >= LogFormat.firstFrameOffset + 2 * LogFormat.frameOverhead else { return nil }
        let raw = try file.read(count: 4, at: size - 4)
        guard raw.count == 4 else { return nil }
        let length = Int(raw.withUnsafeBytes { $0.loadLE(UInt32.self, at: 0) })
        let start = size - length
        guard length >= LogFormat.frameOverhead, start >= LogFormat.firstFrameOffset else { return nil }
        var scanner = FrameScanner(file: file, fileSize: size, offset: start)
        guard case .frame(let offset, let header) = try scanner.next(), offset + header.frameSize == size else { return nil }
        return (offset, header)
    }

    /// The fixed fields of the frame at `offset`, if they parse.
    func frameHeader(at offset: Int) throws(LogError) -> FrameHeader? {
        guard offset >= LogFormat.firstFrameOffset, offset + LogFormat.frameHeaderSize <= size else { return nil }
        let raw = try file.read(count: LogFormat.frameHeaderSize, at: offset)
        guard raw.count == LogFormat.frameHeaderSize else { return nil }
        return try? raw.withUnsafeBytes { FrameHeader.parse($0) }.get()
    }

    /// LOG.md §7 steps 1–2: the offset of the latest snapshot at or before `revision`, found from the
    /// tail by following `snapshot` fields; nil if the tail or the chain is not intact (then scan).
    private func snapshotThroughTail(atOrBefore revision: Int) throws(LogError) -> Int? {
        guard let newest = try newestSnapshotByTail() else { return nil }
        guard revision <= newest.tailRevision else {
            throw LogError(.revisionNotFound, "revision \(revision) is not in the log: it ends at revision \(newest.tailRevision)")
        }
        var link = (offset: newest.offset, header: newest.header)
        while link.header.revision > revision {
            guard let previous = try snapshot(before: link) else { return nil }
            link = previous
        }
        return link.offset
    }

    /// The newest snapshot by the tail's link (the tail itself when it is one), with the tail's revision;
    /// nil when the tail or that link does not hold.
    func newestSnapshotByTail() throws(LogError) -> (tailRevision: Int, offset: Int, header: FrameHeader)? {
        guard let tail = try tailFrame() else { return nil }
        switch tail.header.kind {
        case .snapshot:
            return (tail.header.revision, tail.offset, tail.header)
        case .operation, .transport:
            let offset = tail.header.snapshot
            // A transport frame may follow its snapshot at the same revision; an operation frame may not.
            let after = tail.header.kind == .transport ? tail.header.revision + 1 : tail.header.revision
            guard let h = try frameHeader(at: offset), h.kind == .snapshot, h.revision < after else { return nil }
            return (tail.header.revision, offset, h)
        case .header:
            return nil
        }
    }

    /// The snapshot a snapshot's `snapshot` field links back to; nil when that link does not hold.
    func snapshot(before link: (offset: Int, header: FrameHeader)) throws(LogError) -> (offset: Int, header: FrameHeader)? {
        let previous = link.header.snapshot
        guard previous < link.offset, let h = try frameHeader(at: previous), h.kind == .snapshot, h.revision < link.header.revision else {
            return nil
        }
        return (previous, h)
    }

    /// LOG.md §7 step 3: decodes the snapshot at `offset` and applies the operations after it up to `revision`.
    private func replay(fromSnapshotAt offset: Int, to revision: Int) throws(LogError) -> LogState {
        var scanner = FrameScanner(file: file, fileSize: size, offset: offset)
        var state: LogState
        switch try scanner.next() {
        case .end(let at):
            throw LogError(.corruptFrame, "expected a snapshot frame, found the end of the file", offset: at)
        case .damaged(let at, let reason):
            throw LogError(.corruptFrame, reason, offset: at)
        case .frame(let at, let h):
            guard h.kind == .snapshot else {
                throw LogError(.recordInvalid, "expected a snapshot frame, found a \(h.kind)", offset: at)
            }
            state = LogState(try Payload.decodeSnapshot(scanner.payload(), revision: h.revision, offset: at, decoder: decoder))
        }
        // `state` is mutated in place below: a copy would make every operation copy the document.
        while state.revision < revision {
            switch try scanner.next() {
            case .end(let at):
                throw LogError(.revisionNotFound, "the log ends at revision \(state.revision) before revision \(revision)", offset: at)
            case .damaged(let at, let reason):
                throw LogError(.corruptFrame, reason, offset: at)
            case .frame(let at, let h):
                switch h.kind {
                case .operation:
                    let entry = try Payload.decodeOperation(scanner.payload(), revision: h.revision, offset: at, decoder: decoder)
                    try state.apply(entry, offset: at)
                case .transport:
                    break
                case .snapshot:
                    guard h.revision == state.revision else {
                        throw LogError(.revisionMismatch, "snapshot frame has revision \(h.revision), expected \(state.revision)", offset: at)
                    }
                case .header:
                    throw LogError(.recordInvalid, "a second header frame", offset: at)
                }
            }
        }
        guard state.revision == revision else {
            throw LogError(.revisionNotFound, "the snapshot at byte \(offset) is at revision \(state.revision), after \(revision)", offset: offset)
        }
        return state
    }

    // MARK: Verifying

    /// Checks the whole log (LOG.md §3's rules 1–5): every frame's checksum and fields, the order of
    /// revisions and snapshot pointers, every payload, that every operation applies, that each author's
    /// seq increases, and that every snapshot equals the replayed document (by hash) and memory.
    /// Stops at the first problem. Never throws: I/O errors are reported too.
    public func verify() -> LogVerification {
        var report = LogVerification(header: header)
        var scanner = FrameScanner(file: file, fileSize: size)
        var checker = SequenceChecker()
        var state: LogState?
        do throws(LogError) {
            while true {
                switch try scanner.next() {
                case .end(let at):
                    guard state != nil else {
                        throw LogError(.recordInvalid, "the log ends before its revision-0 snapshot (LOG.md §3 rule 1)", offset: at)
                    }
                    report.validEnd = at
                    report.hash = state.map { Payload.hexSHA256($0.document.canonicalJSON()) }
                    return report
                case .damaged(let at, let reason):
                    throw LogError(.corruptFrame, reason, offset: at)
                case .frame(let at, let h):
                    try checker.check(offset: at, header: h)
                    switch try decode(scanner.payload(), header: h, offset: at) {
                    case .header:
                        break
                    case .snapshot(let snapshot):
                        if let current = state {
                            // The snapshot's own hash was checked when it was decoded; equal documents have
                            // equal canonical JSON, so comparing values spares hashing the replay each time.
                            guard current.document == snapshot.document else {
                                let replayed = Payload.hexSHA256(current.document.canonicalJSON())
                                throw LogError(.snapshotMismatch, "snapshot at revision \(h.revision) has hash \(snapshot.hash); replaying the log gives \(replayed)", offset: at)
                            }
                            guard current.clients == snapshot.clients else {
                                throw LogError(.snapshotMismatch, "snapshot at revision \(h.revision) remembers \(snapshot.clients.count) clients that differ from the \(current.clients.count) replaying the log gives", offset: at)
                            }
                        } else {
                            state = LogState(snapshot)
                        }
                        report.snapshots += 1
                    case .operation(let entry):
                        // The checker guarantees a snapshot came first.
                        try state!.apply(entry, offset: at)
                        report.operations += 1
                    case .transport:
                        break
                    }
                    report.frames += 1
                    report.revision = checker.revision
                    report.validEnd = at + h.frameSize
                }
            }
        } catch {
            report.error = error
            report.hash = state.map { Payload.hexSHA256($0.document.canonicalJSON()) }
            return report
        }
    }
}

/// What `LogReader.verify()` found.
public struct LogVerification: Hashable, Sendable {
    public var header: LogHeader
    /// The first problem, with the byte offset of its frame; nil if the log is sound.
    public var error: LogError?
    /// Frames checked and found good (before `error`).
    public var frames = 0
    public var operations = 0
    public var snapshots = 0
    /// The last good revision.
    public var revision = 0
    /// The offset just past the last good frame.
    public var validEnd = LogFormat.firstFrameOffset
    /// The hash of the document at `revision`.
    public var hash: String?

    public var isValid: Bool { error == nil }

    init(header: LogHeader) {
        self.header = header
    }
}
