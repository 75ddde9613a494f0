#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import JamCore

/// The durable log of one session (LOG.md): the writer side.
///
/// **Threads.** Every method does blocking file I/O (`append` waits for `fdatasync`), so call them
/// off the event loop — on a dedicated thread or a thread pool — never on a NIO event loop or
/// inside an actor's executor that also serves network traffic. The class is `Sendable`: one internal
/// lock serializes all calls, so an `append` that arrives while another is syncing waits for it.
///
/// **Group commit.** `append(_:)` is the group-commit primitive: it writes a whole batch with one
/// `pwrite` and makes it durable with one `fdatasync` before returning. The server commits operations
/// in memory on the session's actor, queues them, and whenever no `append` is running hands everything
/// queued to one `append`; it acknowledges and broadcasts those operations only after that `append`
/// returns. Under load, batches grow and each sync covers more operations.
///
/// **Checking.** The log keeps its own copy of the document and refuses (whole) a batch whose entries
/// do not follow on (revision), repeat an author's seq, or do not apply, so a bug upstream can never make
/// the log unreplayable. It takes a snapshot after a batch when `snapshotInterval` revisions have passed
/// since the latest one and the operations since then fill at least `snapshotBytesRatio` of that
/// snapshot's size (so a large document is not copied every interval; LOG.md §6).
///
/// **Failure.** If a write or sync fails, the log truncates back to where the batch began (if it can)
/// and refuses every later `append` with `log_failed`: reopen it, which runs recovery.
public final class SessionLog: @unchecked Sendable {
    public struct Options: Sendable, Hashable {
        /// Take a snapshot after a batch once this many revisions have passed since the latest one.
        public var snapshotInterval: Int
        /// …and once the operation frames written since the latest snapshot add up to at least this
        /// fraction of that snapshot's frame. Bounds snapshots to 1 / (1 + ratio) of the log.
        public var snapshotBytesRatio: Double
        /// On recovery, copy a cut-off tail to `S.jamlog.cut-OFFSET` before truncating.
        public var saveCutTail: Bool
        /// Sync after every batch. Turning it off loses durability: for tests and benchmarks only.
        public var sync: Bool

        public init(
            snapshotInterval: Int = 1000, snapshotBytesRatio: Double = 0.25, saveCutTail: Bool = true, sync: Bool = true
        ) {
            self.snapshotInterval = max(1, snapshotInterval)
            self.snapshotBytesRatio = snapshotBytesRatio.isFinite ? max(0, snapshotBytesRatio) : 0
            self.saveCutTail = saveCutTail
            self.sync = sync
        }
    }

    /// What opening a log found.
    public struct Recovery: Sendable {
        /// The document, revision and exactly-once memory after the last kept record.
        public var state: LogState
        /// What recovery did that a person should know: a cut tail (with its offset), a session mismatch.
        public var warnings: [LogWarning]
        /// True if this call created the log.
        public var created: Bool
        public var header: LogHeader
        /// The session's shared transport: that of the last transport record kept, if any.
        public var transport: Transport? = nil

        public var document: Document { state.document }
        public var revision: Int { state.revision }
        public var clients: ClientCommits { state.clients }
    }

    /// What an `append` wrote.
    public struct AppendResult: Sendable, Hashable {
        /// The log's revision after the batch.
        public var revision: Int
        /// Bytes written (operations and any snapshot).
        public var bytes: Int
        /// True if a snapshot was written after the batch.
        public var snapshotWritten: Bool
    }

    public let session: String
    public let path: String
    public let options: Options

    private let lock = NSLock()
    private var file: LogFile?
    private var end: Int
    private var state: LogState
    private var lastSnapshotOffset: Int
    private var lastSnapshotRevision: Int
    /// The latest snapshot's frame size, and the operation frame bytes written after it.
    private var lastSnapshotSize: Int
    private var bytesSinceSnapshot: Int
    private var failure: LogError?
    private let encoder = Payload.makeEncoder()

    private init(session: String, path: String, options: Options, file: LogFile, scan: Recovered) {
        self.session = session
        self.path = path
        self.options = options
        self.file = file
        self.end = scan.end
        self.state = scan.state
        self.lastSnapshotOffset = scan.lastSnapshotOffset
        self.lastSnapshotRevision = scan.lastSnapshotRevision
        self.lastSnapshotSize = scan.lastSnapshotSize
        self.bytesSinceSnapshot = scan.bytesSinceSnapshot
    }

    deinit {
        file?.close()
    }

    // MARK: Opening

    /// Opens the log of `session` in `directory`, running recovery (LOG.md §5). `not_found` if there is none.
    public static func open(
        directory: String, session: String, options: Options = Options()
    ) throws(LogError) -> (log: SessionLog, recovery: Recovery) {
        let path = try SessionName.logPath(directory: directory, session: session)
        let file = try LogFile.open(path, mode: .readWrite)
        do {
            try file.lockExclusive()
            let scan = try recover(file: file, path: path, session: session, options: options)
            let log = SessionLog(session: session, path: path, options: options, file: file, scan: scan)
            return (log, Recovery(state: scan.state, warnings: scan.warnings, created: false, header: scan.header, transport: scan.transport))
        } catch {
            file.close()
            throw error
        }
    }

    /// Creates the log of `session` in `directory` (which must exist) with `document` as revision 0.
    /// `already_exists` if there is one.
    public static func create(
        directory: String, session: String, document: Document = Document(), options: Options = Options(),
        time: Int64 = LogClock.now()
    ) throws(LogError) -> (log: SessionLog, recovery: Recovery) {
        let path = try SessionName.logPath(directory: directory, session: session)
        let problems = document.validate()
        if let first = problems.first {
            throw LogError(.invalidEntry, "the initial document is invalid: \(first)")
        }
        let bytes = initialBytes(session: session, document: document, time: time)
        let tmp = path + ".tmp"
        let file = try LogFile.create(tmp)
        do {
            try file.write(bytes, at: 0)
            try file.sync()
        } catch {
            file.close()
            _ = unlink(tmp)
            throw error
        }
        file.close()
        if link(tmp, path) != 0 {
            let e = errno
            _ = unlink(tmp)
            if e == EEXIST { throw LogError(.alreadyExists, "a log for session \(session) exists at \(path)") }
            throw LogError.ioError("link", path, e)
        }
        _ = unlink(tmp)
        try LogFile.syncDirectory(directory)
        var opened = try open(directory: directory, session: session, options: options)
        opened.recovery.created = true
        return opened
    }

    /// Opens the log of `session`, creating it with `initialDocument` if there is none.
    public static func openOrCreate(
        directory: String, session: String, initialDocument: Document = Document(), options: Options = Options()
    ) throws(LogError) -> (log: SessionLog, recovery: Recovery) {
        let path = try SessionName.logPath(directory: directory, session: session)
        if LogFile.exists(path) {
            return try open(directory: directory, session: session, options: options)
        }
        do {
            return try create(directory: directory, session: session, document: initialDocument, options: options)
        } catch where error.code == .alreadyExists {
            return try open(directory: directory, session: session, options: options)
        }
    }

    /// The magic, header and revision-0 snapshot of a new log.
    static func initialBytes(session: String, document: Document, time: Int64) -> [UInt8] {
        let encoder = Payload.makeEncoder()
        var bytes = LogFormat.magic
        let header = Payload.encodeHeader(LogHeader(format: LogFormat.version, session: session, created: time), encoder: encoder)
        FrameHeader.appendFrame(kind: .header, revision: 0, snapshot: 0, payload: header, to: &bytes)
        let snapshot = Payload.encodeSnapshot(document: document, clients: [:], time: time, encoder: encoder)
        FrameHeader.appendFrame(kind: .snapshot, revision: 0, snapshot: 0, payload: snapshot.payload, to: &bytes)
        return bytes
    }

    // MARK: Recovery

    struct Recovered {
        var header: LogHeader
        var state: LogState
        var end: Int
        var lastSnapshotOffset: Int
        var lastSnapshotRevision: Int
        var lastSnapshotSize: Int
        var bytesSinceSnapshot: Int
        var warnings: [LogWarning]
        var transport: Transport?
    }

    /// Scans the whole log, checks every frame, rebuilds the state from the latest snapshot, and cuts a
    /// damaged tail (LOG.md §5).
    static func recover(file: LogFile, path: String, session: String, options: Options) throws(LogError) -> Recovered {
        let size = try file.size()
        try checkMagic(file, size: size)
        var scanner = FrameScanner(file: file, fileSize: size)
        var checker = SequenceChecker()
        let decoder = JSONDecoder()
        var header: LogHeader?
        var snapshot: (offset: Int, revision: Int, payload: [UInt8])?
        var pending: [(offset: Int, revision: Int, payload: [UInt8])] = []
        var cut: (offset: Int, reason: String)?
        var transport: (offset: Int, payload: [UInt8])?

        scan: while true {
            switch try scanner.next() {
            case .end:
                break scan
            case .damaged(let offset, let reason):
                if checker.frames == 0 { throw LogError(.headerInvalid, "the header frame is damaged: \(reason)", offset: offset) }
                if checker.frames == 1 { throw LogError(.corruptFrame, "the revision-0 snapshot frame is damaged: \(reason)", offset: offset) }
                cut = (offset, reason)
                break scan
            case .frame(let offset, let h):
                try checker.check(offset: offset, header: h)
                switch h.kind {
                case .header:
                    header = try Payload.decodeHeader(scanner.payload(), offset: offset, decoder: decoder)
                case .snapshot:
                    snapshot = (offset, h.revision, scanner.payload())
                    pending.removeAll(keepingCapacity: true)
                case .operation:
                    pending.append((offset, h.revision, scanner.payload()))
                case .transport:
                    transport = (offset, scanner.payload())
                }
            }
        }
        guard let header else {
            throw LogError(.headerInvalid, "\(path) has no header frame", offset: LogFormat.firstFrameOffset)
        }
        guard header.format == LogFormat.version else {
            throw LogError(.unsupportedFormat, "\(path) has format \(header.format); this build reads format \(LogFormat.version)", offset: LogFormat.firstFrameOffset)
        }
        guard let snapshot else {
            throw LogError(.corruptFrame, "\(path) ends before its revision-0 snapshot", offset: scanner.offset)
        }
        var warnings: [LogWarning] = []
        if header.session != session {
            warnings.append(LogWarning(.sessionMismatch, "\(path) says it is session \(header.session.debugDescription)"))
        }

        let decoded = try Payload.decodeSnapshot(snapshot.payload, revision: snapshot.revision, offset: snapshot.offset, decoder: decoder)
        var state = LogState(decoded)
        for op in pending {
            let entry = try Payload.decodeOperation(op.payload, revision: op.revision, offset: op.offset, decoder: decoder)
            try state.apply(entry, offset: op.offset)
        }

        var end = size
        if let cut {
            var savedTo: String?
            if options.saveCutTail {
                savedTo = try saveTail(of: file, from: cut.offset, size: size, logPath: path)
            }
            try file.truncate(to: cut.offset)
            try file.sync()
            end = cut.offset
            let bytes = size - cut.offset
            var message = "cut \(bytes) bytes at byte \(cut.offset) (\(cut.reason)); kept revisions up to \(state.revision)"
            if let savedTo { message += "; the cut bytes are in \(savedTo)" }
            warnings.append(LogWarning(.tailCut, message, offset: cut.offset, bytesCut: bytes, savedTo: savedTo))
        }
        return Recovered(
            header: header, state: state, end: end, lastSnapshotOffset: checker.lastSnapshotOffset,
            lastSnapshotRevision: checker.lastSnapshotRevision,
            lastSnapshotSize: snapshot.payload.count + LogFormat.frameOverhead,
            bytesSinceSnapshot: pending.reduce(0) { $0 + $1.payload.count + LogFormat.frameOverhead },
            warnings: warnings,
            transport: try transport.map { t throws(LogError) in try Payload.decodeTransport(t.payload, offset: t.offset, decoder: decoder) })
    }

    /// Copies bytes `[from, size)` of the log to a new file beside it and returns that file's path.
    private static func saveTail(of file: LogFile, from: Int, size: Int, logPath: String) throws(LogError) -> String {
        var out: LogFile?
        for attempt in 0..<1000 where out == nil {
            let target = attempt == 0 ? "\(logPath).cut-\(from)" : "\(logPath).cut-\(from).\(attempt)"
            out = try LogFile.createNew(target)
        }
        guard let out else { throw LogError(.ioError, "no free name for \(logPath).cut-\(from)") }
        let target = out.path
        defer { out.close() }
        var at = from
        while at < size {
            let chunk = try file.read(count: min(FrameScanner.chunk, size - at), at: at)
            if chunk.isEmpty { break }
            try out.write(chunk, at: at - from)
            at += chunk.count
        }
        try out.sync()
        try LogFile.syncDirectory(directoryOf(logPath))
        return target
    }

    private static func directoryOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    // MARK: Writing

    /// Appends a batch of committed operations and makes them durable (one write, one sync) before
    /// returning. Entries must continue the log: `entries[0].revision == revision + 1`, then consecutive.
    /// Refuses the whole batch, writing nothing, if any entry is out of order, repeats its author's seq,
    /// or does not apply. An empty batch does nothing. Blocking: call it off the event loop.
    @discardableResult
    public func append(_ entries: [LogEntry]) throws(LogError) -> AppendResult {
        lock.lock()
        defer { lock.unlock() }
        guard let file else { throw LogError(.closed, "the log of \(session) is closed") }
        if let failure {
            throw LogError(.logFailed, "an earlier write failed (\(failure)); reopen the log of \(session)")
        }
        guard !entries.isEmpty else {
            return AppendResult(revision: state.revision, bytes: 0, snapshotWritten: false)
        }

        let before = (revision: state.revision, clients: state.clients)
        var applied = 0
        var buffer: [UInt8] = []
        buffer.reserveCapacity(entries.count * 256)
        do throws(LogError) {
            for entry in entries {
                try state.apply(entry)
                applied += 1
                let payload = try Payload.encodeOperation(entry, encoder: encoder)
                guard payload.count <= LogFormat.maxPayload else {
                    throw LogError(.recordTooLarge, "operation at revision \(entry.revision) encodes to \(payload.count) bytes, more than \(LogFormat.maxPayload)")
                }
                FrameHeader.appendFrame(kind: .operation, revision: entry.revision, snapshot: lastSnapshotOffset, payload: payload, to: &buffer)
            }
        } catch {
            rollBack(entries[..<applied], to: before)
            throw error
        }

        var newSnapshot: Int?
        let opBytes = buffer.count
        if state.revision - lastSnapshotRevision >= options.snapshotInterval,
           Double(bytesSinceSnapshot + opBytes) >= Double(lastSnapshotSize) * options.snapshotBytesRatio {
            newSnapshot = appendSnapshotFrame(to: &buffer, at: end + buffer.count)
        }
        try writeDurably(buffer, to: file)
        if let newSnapshot {
            lastSnapshotOffset = newSnapshot
            lastSnapshotRevision = state.revision
            lastSnapshotSize = buffer.count - opBytes
            bytesSinceSnapshot = 0
        } else {
            bytesSinceSnapshot += opBytes
        }
        return AppendResult(revision: state.revision, bytes: buffer.count, snapshotWritten: newSnapshot != nil)
    }

    /// Appends a transport record at the current revision and makes it durable (LOG.md §3.4); recovery
    /// restores the last one. Blocking: call it off the event loop.
    public func appendTransport(_ transport: Transport) throws(LogError) {
        lock.lock()
        defer { lock.unlock() }
        guard let file else { throw LogError(.closed, "the log of \(session) is closed") }
        if let failure {
            throw LogError(.logFailed, "an earlier write failed (\(failure)); reopen the log of \(session)")
        }
        var buffer: [UInt8] = []
        let payload = try Payload.encodeTransport(transport, encoder: encoder)
        FrameHeader.appendFrame(kind: .transport, revision: state.revision, snapshot: lastSnapshotOffset, payload: payload, to: &buffer)
        try writeDurably(buffer, to: file)
        bytesSinceSnapshot += buffer.count
    }

    /// Writes `buffer` at the end and syncs it (unless `options.sync` is off); on failure the log
    /// refuses every later write.
    private func writeDurably(_ buffer: [UInt8], to file: LogFile) throws(LogError) {
        do {
            try file.write(buffer, at: end)
            if options.sync { try file.sync() }
        } catch {
            fail(file, error)
            throw error
        }
        end += buffer.count
    }

    /// Writes (and syncs) a snapshot of the current revision unless the latest snapshot is at it, e.g.
    /// before a clean shutdown so that the next open replays nothing. Returns true if it wrote one.
    @discardableResult
    public func writeSnapshot() throws(LogError) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let file else { throw LogError(.closed, "the log of \(session) is closed") }
        if let failure {
            throw LogError(.logFailed, "an earlier write failed (\(failure)); reopen the log of \(session)")
        }
        guard state.revision > lastSnapshotRevision else { return false }
        var buffer: [UInt8] = []
        guard let offset = appendSnapshotFrame(to: &buffer, at: end) else { return false }
        try writeDurably(buffer, to: file)
        lastSnapshotOffset = offset
        lastSnapshotRevision = state.revision
        lastSnapshotSize = buffer.count
        bytesSinceSnapshot = 0
        return true
    }

    /// The log's revision: that of the last durable operation.
    public var revision: Int {
        lock.lock()
        defer { lock.unlock() }
        return state.revision
    }

    /// The exactly-once memory as of the last durable operation.
    public var clients: ClientCommits {
        lock.lock()
        defer { lock.unlock() }
        return state.clients
    }

    /// The log's size in bytes.
    public var size: Int {
        lock.lock()
        defer { lock.unlock() }
        return end
    }

    /// Closes the file and releases the writer's lock. Later calls fail with `closed`. Idempotent.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        file?.close()
        file = nil
    }

    // MARK: Internals (called with the lock held)

    /// Encodes a snapshot of the current state as a frame at file offset `offset`; nil if it is too large.
    private func appendSnapshotFrame(to buffer: inout [UInt8], at offset: Int) -> Int? {
        let snapshot = Payload.encodeSnapshot(document: state.document, clients: state.clients, time: LogClock.now(), encoder: encoder)
        guard snapshot.payload.count <= LogFormat.maxPayload else { return nil }
        FrameHeader.appendFrame(kind: .snapshot, revision: state.revision, snapshot: lastSnapshotOffset, payload: snapshot.payload, to: &buffer)
        return offset
    }

    /// Undoes entries already applied to `state` for a refused batch.
    private func rollBack(_ applied: ArraySlice<LogEntry>, to before: (revision: Int, clients: ClientCommits)) {
        do {
            for entry in applied.reversed() {
                try state.document.apply(entry.operation.inverse)
            }
        } catch {
            failure = LogError(.operationFailed, "could not undo a refused batch: \(error)")
        }
        state.revision = before.revision
        state.clients = before.clients
    }

    /// After a failed write or sync: cut the partial batch if possible and refuse later appends.
    private func fail(_ file: LogFile, _ error: LogError) {
        failure = error
        try? file.truncate(to: end)
    }
}
