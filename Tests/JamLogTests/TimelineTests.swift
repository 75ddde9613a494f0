import Foundation
import JamCore
import Testing
@testable import JamLog

/// Seeking by wall-clock time, the snapshot list, the summary and the optional author kind.
@Suite struct TimelineTests {
    /// A log of `count` operations committed 10 ms apart from `t0`, by two people and an AI.
    private func makeLog(_ dir: TempDir, count: Int, interval: Int, batch: Int = 3) throws -> (path: String, t0: Int64) {
        let t0: Int64 = 1_700_000_000_000
        var gen = OpGenerator(seed: 23)
        let (log, _) = try SessionLog.create(directory: dir.path, session: "times", options: SessionLog.Options(snapshotInterval: interval, sync: false), time: t0 - 5000)
        var pending: [LogEntry] = []
        var seqs: [String: Int] = [:]
        for i in 0..<count {
            let author = ["ana", "ben", "drummer"][i % 3]
            seqs[author, default: 0] += 1
            var entry = gen.entry(author: author, seq: seqs[author]!)
            entry.time = t0 + Int64(10 * entry.revision)
            entry.kind = author == "drummer" ? .ai : (author == "ana" ? .human : nil)
            pending.append(entry)
            if pending.count == batch {
                try log.append(pending)
                pending = []
            }
        }
        if !pending.isEmpty { try log.append(pending) }
        log.close()
        return (dir.file("times.jamlog"), t0)
    }

    @Test func seekingByTimeFindsTheLastOperationAtOrBefore() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (path, t0) = try makeLog(dir, count: 200, interval: 20)
        let reader = try LogReader(path: path)
        #expect(try reader.snapshotList() == reader.index().snapshots)
        #expect(try reader.snapshotList().count > 5)
        #expect(try reader.revision(atTime: 0) == 0)
        #expect(try reader.revision(atTime: t0) == 0)
        #expect(try reader.revision(atTime: .max) == 200)
        for revision in 1...200 {
            let committed = t0 + Int64(10 * revision)
            #expect(try reader.revision(atTime: committed) == revision)
            #expect(try reader.revision(atTime: committed - 1) == revision - 1)
            #expect(try reader.revision(atTime: committed + 9) == revision)
            let entry = try reader.entry(at: revision)
            #expect(entry.revision == revision && entry.time == committed)
        }
        #expect(throws: LogError.self) { try reader.entry(at: 201) }
        #expect(throws: LogError.self) { try reader.entry(at: 0) }
    }

    @Test func seekingByTimeSurvivesATornTail() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (path, t0) = try makeLog(dir, count: 60, interval: 10)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data([0x4F, 0, 0, 0, 0x20, 0, 0]))
        handle.closeFile()
        let reader = try LogReader(path: path)
        #expect(try reader.snapshotList() == reader.index().snapshots)
        for revision in [1, 10, 11, 35, 60] {
            #expect(try reader.revision(atTime: t0 + Int64(10 * revision)) == revision)
        }
        #expect(try reader.revision(atTime: .max) == 60)
    }

    @Test func summaryCountsParticipantsAndKinds() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (path, t0) = try makeLog(dir, count: 30, interval: 10)
        let summary = try LogReader(path: path).summary()
        #expect(summary.header.session == "times")
        #expect(summary.header.created == t0 - 5000)
        #expect(summary.revision == 30)
        #expect(summary.operations == 30)
        #expect(summary.snapshotRevisions == (try LogReader(path: path).index().snapshots.map(\.revision)))
        #expect(summary.participants.map(\.author) == ["ana", "ben", "drummer"])
        #expect(summary.participants.map(\.kind) == [.human, nil, .ai])
        #expect(summary.participants.map(\.operations) == [10, 10, 10])
        #expect(summary.participants[0].first == t0 + 10)
        #expect(summary.participants[2].last == t0 + 300)
        #expect(summary.firstOperation == t0 + 10)
        #expect(summary.lastOperation == t0 + 300)
        #expect(summary.damage == nil)
        #expect(summary.size == dir.read("times.jamlog").count)

        // Damage: the summary covers what is before it and names it.
        var bytes = dir.read("times.jamlog")
        bytes[bytes.count - 10] ^= 0xFF
        dir.write("times.jamlog", bytes)
        let damaged = try LogReader(path: path).summary()
        #expect(damaged.damage?.code == .corruptFrame)
        #expect(damaged.operations == 29)
    }

    @Test func kindIsOptionalAndUnknownKindsReadAsUnknown() throws {
        var builder = LogBuilder()
        builder.operation(LogEntry(revision: 1, author: "a", seq: 1, operation: [], time: 5, kind: .ai))
        builder.frame(.operation, revision: 2, payload: Array(#"{"author":"b","kind":"robot","op":[],"seq":1,"time":6}"#.utf8))
        builder.frame(.operation, revision: 3, payload: Array(#"{"time":7,"seq":2,"op":[],"author":"b"}"#.utf8))
        let dir = TempDir()
        defer { dir.remove() }
        dir.write("k.jamlog", builder.bytes)
        let reader = try LogReader(path: dir.file("k.jamlog"))
        var cursor = reader.records()
        var kinds: [AuthorKind?] = []
        while let located = try cursor.next() {
            if case .operation(let entry) = located.record { kinds.append(entry.kind) }
        }
        #expect(kinds == [.ai, nil, nil])
        #expect(reader.verify().isValid)
        // Keys in another order: the time is found by decoding.
        #expect(try reader.revision(atTime: 6) == 2)
        #expect(try reader.revision(atTime: 7) == 3)
        let written = try Payload.encodeOperation(LogEntry(revision: 1, author: "a", seq: 1, operation: [], time: 5, kind: .human), encoder: Payload.makeEncoder())
        #expect(String(decoding: written, as: UTF8.self) == #"{"author":"a","kind":"human","op":[],"seq":1,"time":5}"#)
        let without = try Payload.encodeOperation(LogEntry(revision: 1, author: "a", seq: 1, operation: [], time: 5), encoder: Payload.makeEncoder())
        #expect(String(decoding: without, as: UTF8.self) == #"{"author":"a","op":[],"seq":1,"time":5}"#)
    }

    @Test func verifyRefusesALogWithoutItsFirstSnapshot() throws {
        let builder = LogBuilder()
        let dir = TempDir()
        defer { dir.remove() }
        let headerOnly = Array(builder.bytes[0..<builder.offsets[1]])
        dir.write("h.jamlog", headerOnly)
        let report = try LogReader(path: dir.file("h.jamlog")).verify()
        #expect(report.error?.code == .recordInvalid)
        #expect(report.error?.offset == headerOnly.count)
        #expect(try LogReader(path: dir.file("h.jamlog")).summary().snapshotRevisions.isEmpty)
    }

    @Test(arguments: [
        (#"{"a":1,"time":1732482791234}"#, Int64(1_732_482_791_234) as Int64?),
        (#"{"time":0}"#, 0),
        (#"{"x":{"time":5}}"#, nil),
        (#"{"time":5,"seq":1}"#, nil),
        (#"{"time":}"#, nil),
        (#"{"xtime":5}"#, nil),
        (#"{"time":99999999999999999999999}"#, nil),
        ("", nil),
    ] as [(String, Int64?)])
    func trailingTime(payload: String, expected: Int64?) {
        #expect(Payload.trailingTime(Array(payload.utf8)) == expected)
    }
}
