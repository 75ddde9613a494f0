import Foundation

/// Wall-clock seeking: which revision a session had at a moment, found through the snapshots without
/// decoding documents (LOG.md §7 applied to time instead of revisions).
extension LogReader {
    /// The snapshots, oldest first, found from the tail by following `snapshot` fields (28-byte reads);
    /// by a scan of every frame when the tail or the chain is damaged.
    public func snapshotList() throws(LogError) -> [Index.Snapshot] {
        if let chain = try snapshotChain() { return chain }
        return try index().snapshots
    }

    /// The chain of snapshots from the tail back to revision 0, or nil if any link does not hold.
    private func snapshotChain() throws(LogError) -> [Index.Snapshot]? {
        guard let newest = try newestSnapshotByTail() else { return nil }
        var link = (offset: newest.offset, header: newest.header)
        var chain = [Index.Snapshot(revision: link.header.revision, offset: link.offset)]
        while link.header.revision > 0 || link.header.snapshot != 0 {
            guard let previous = try snapshot(before: link) else { return nil }
            link = previous
            chain.append(Index.Snapshot(revision: link.header.revision, offset: link.offset))
        }
        return chain.reversed()
    }

    /// The time of the operation that produced the snapshot's revision, or nil for the revision-0
    /// snapshot, which no operation made. That operation is among the few frames just before the snapshot,
    /// found backwards through their `end` fields; its time is read from the end of its payload
    /// (`…,"time":N}`, where a writer that sorts keys puts it), else by decoding the record. If it cannot be
    /// found that way, the snapshot's own time stands in: it is no earlier, so a search keyed on it only
    /// starts its scan sooner.
    func operationTime(before snapshot: Index.Snapshot) throws(LogError) -> Int64? {
        guard snapshot.revision > 0 else { return nil }
        var end = snapshot.offset
        for _ in 0..<8 {
            let raw = try file.read(count: 4, at: end - 4)
            guard raw.count == 4 else { break }
            let length = Int(raw.withUnsafeBytes { $0.loadLE(UInt32.self, at: 0) })
            let start = end - length
            guard length >= LogFormat.frameOverhead, let h = try frameHeader(at: start), h.frameSize == length,
                  h.revision == snapshot.revision
            else { break }
            if h.kind == .operation { return try recordTime(at: start, header: h) }
            end = start
        }
        return try recordTime(at: snapshot.offset, header: frameHeader(at: snapshot.offset))
    }

    /// The `time` of the operation or snapshot record at `offset`: from its payload's end when it is
    /// there, else decoded.
    private func recordTime(at offset: Int, header: FrameHeader?) throws(LogError) -> Int64 {
        guard let h = header else { throw LogError(.corruptFrame, "no frame at byte \(offset)", offset: offset) }
        let tailCount = min(h.length, 40)
        let payloadEnd = offset + LogFormat.frameHeaderSize + h.length
        if let time = Payload.trailingTime(try file.read(count: tailCount, at: payloadEnd - tailCount)) { return time }
        var scanner = FrameScanner(file: file, fileSize: size, offset: offset)
        guard case .frame(let at, let header) = try scanner.next() else {
            throw LogError(.corruptFrame, "the frame at byte \(offset) is damaged", offset: offset)
        }
        if header.kind == .snapshot {
            return try Payload.decodeSnapshot(scanner.payload(), revision: header.revision, offset: at, decoder: decoder).time
        }
        return try Payload.decodeOperation(scanner.payload(), revision: header.revision, offset: at, decoder: decoder).time
    }

    /// The operation record that produced `revision` (1 or more): who made it and when. Found from the
    /// latest snapshot before it, like `state(at:)`; `revision_not_found` past the log's end.
    public func entry(at revision: Int) throws(LogError) -> LogEntry {
        guard revision >= 1 else { throw LogError(.revisionNotFound, "revision \(revision) has no operation: revisions start at 1") }
        let snapshots = try snapshotList()
        let start = snapshots.last { $0.revision < revision } ?? Index.Snapshot(revision: 0, offset: LogFormat.firstFrameOffset)
        var scanner = FrameScanner(file: file, fileSize: size, offset: start.offset)
        while true {
            switch try scanner.next() {
            case .end(let at):
                throw LogError(.revisionNotFound, "revision \(revision) is not in the log", offset: at)
            case .damaged(let at, let reason):
                throw LogError(.corruptFrame, reason, offset: at)
            case .frame(let at, let h):
                guard h.kind == .operation, h.revision >= revision else { continue }
                guard h.revision == revision else {
                    throw LogError(.revisionMismatch, "expected the operation of revision \(revision), found revision \(h.revision)", offset: at)
                }
                return try Payload.decodeOperation(scanner.payload(), revision: h.revision, offset: at, decoder: decoder)
            }
        }
    }

    /// The revision the session had at wall-clock `time` (milliseconds since the Unix epoch): that of the
    /// last operation committed at or before it, 0 if none was. A binary search over the snapshots (by
    /// the time of the operation each one follows), then a forward scan of operation times from the one
    /// found: a few small reads and at most a snapshot interval of payloads. Assumes the server's clock
    /// did not go back; if it did, the answer is a revision around that moment. Stops at damage.
    public func revision(atTime time: Int64) throws(LogError) -> Int {
        let snapshots = try snapshotList()
        guard !snapshots.isEmpty else { return 0 }
        // Invariant: the operation before snapshots[low] (if any) was committed at or before `time`.
        var low = 0
        var high = snapshots.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if try operationTime(before: snapshots[middle]).map({ $0 <= time }) ?? true { low = middle } else { high = middle - 1 }
        }
        let start = snapshots[low]
        var scanner = FrameScanner(file: file, fileSize: size, offset: start.offset)
        var revision = start.revision
        while true {
            switch try scanner.next() {
            case .end, .damaged:
                return revision
            case .frame(let at, let h):
                guard h.kind == .operation else { continue }
                let payload = scanner.payload()
                let committed: Int64
                if let t = Payload.trailingTime(payload) {
                    committed = t
                } else {
                    committed = try Payload.decodeOperation(payload, revision: h.revision, offset: at, decoder: decoder).time
                }
                if committed > time { return revision }
                revision = h.revision
            }
        }
    }
}

extension Payload {
    /// The `time` of a payload that ends with `"time":DIGITS}`: then it is the top-level object's last
    /// key (the final brace closes the top-level object). nil for any other ending.
    static func trailingTime(_ bytes: some Collection<UInt8>) -> Int64? {
        let tail = Array(bytes.suffix(40))
        guard tail.last == UInt8(ascii: "}") else { return nil }
        var i = tail.count - 2
        var value: Int64 = 0
        var scale: Int64 = 1
        while i >= 0, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(tail[i]) {
            // 18 digits at most: Int64 holds them all, and no time in milliseconds needs more.
            guard scale < 1_000_000_000_000_000_000 else { return nil }
            value += Int64(tail[i] - UInt8(ascii: "0")) * scale
            scale *= 10
            i -= 1
        }
        let key = Array(#""time":"#.utf8)
        guard scale > 1, i + 1 >= key.count, Array(tail[(i + 1 - key.count)...i]) == key else { return nil }
        return value
    }
}
