import Foundation
import JamCore
import Testing
@testable import JamLog

/// A log with snapshots every `interval` revisions and the expected state at every revision.
private struct History {
    let dir = TempDir()
    var states: [LogState] = []
    var path: String { dir.file("hist.jamlog") }

    init(count: Int, batch: Int, interval: Int, seed: UInt64 = 17) throws {
        var gen = OpGenerator(seed: seed)
        var state = LogState(document: gen.document)
        states = [state]
        let (log, _) = try SessionLog.create(directory: dir.path, session: "hist", options: SessionLog.Options(snapshotInterval: interval, sync: false))
        var pending: [LogEntry] = []
        for i in 0..<count {
            let author = ["alice", "bob", "carol"][i % 3]
            let entry = gen.entry(author: author, seq: (state.clients[author]?.seq ?? 0) + 1 + i % 2)
            try state.apply(entry)
            states.append(state)
            pending.append(entry)
            if pending.count == batch {
                try log.append(pending)
                pending = []
            }
        }
        if !pending.isEmpty { try log.append(pending) }
        log.close()
    }
}

@Suite struct ReaderTests {
    @Test func seekingThroughSnapshotsEqualsFullReplay() throws {
        let history = try History(count: 95, batch: 3, interval: 10)
        defer { history.dir.remove() }
        let reader = try LogReader(path: history.path)
        #expect(reader.header.session == "hist")
        #expect(try reader.lastRevision() == 95)
        #expect(try reader.index().snapshots.map(\.revision) == [0, 12, 24, 36, 48, 60, 72, 84, 95])
        for revision in 0...95 {
            let state = try reader.state(at: revision)
            #expect(state.revision == revision)
            #expect(state.document.contentHash == history.states[revision].document.contentHash, "revision \(revision)")
            #expect(state == history.states[revision])
        }
        for beyond in [96, 1000, -1] {
            do {
                _ = try reader.state(at: beyond)
                Issue.record("found revision \(beyond)")
            } catch {
                #expect(error.code == .revisionNotFound)
            }
        }
    }

    @Test func seekingFallsBackToAScanWhenTheTailIsTorn() throws {
        let history = try History(count: 40, batch: 4, interval: 8)
        defer { history.dir.remove() }
        let size = history.dir.read("hist.jamlog").count
        // A torn frame at the end, as a crash mid-append leaves it.
        let handle = try #require(FileHandle(forWritingAtPath: history.path))
        handle.seekToEndOfFile()
        handle.write(Data([0x4F, 0, 0, 0, 0x20, 0, 0, 0, 41, 0, 0]))
        handle.closeFile()

        let reader = try LogReader(path: history.path)
        #expect(try reader.lastRevision() == 40)
        let index = try reader.index()
        #expect(index.damage?.code == .corruptFrame)
        #expect(index.damage?.offset == size)
        #expect(index.validEnd == size)
        for revision in [0, 1, 7, 8, 9, 23, 39, 40] {
            #expect(try reader.state(at: revision) == history.states[revision])
        }
        do {
            _ = try reader.state(at: 41)
            Issue.record("found revision 41")
        } catch {
            #expect(error.code == .revisionNotFound)
            #expect(error.offset == size)
        }
        let report = reader.verify()
        #expect(report.error?.code == .corruptFrame)
        #expect(report.error?.offset == size)
        #expect(report.revision == 40)
        #expect(report.validEnd == size)
    }

    @Test func verifyAcceptsASoundLog() throws {
        let history = try History(count: 50, batch: 5, interval: 10)
        defer { history.dir.remove() }
        let report = try LogReader(path: history.path).verify()
        #expect(report.isValid)
        #expect(report.error == nil)
        #expect(report.operations == 50)
        #expect(report.snapshots == 6)
        #expect(report.frames == 1 + 6 + 50)
        #expect(report.revision == 50)
        #expect(report.validEnd == history.dir.read("hist.jamlog").count)
        #expect(report.hash == history.states[50].document.contentHash)
    }

    @Test func verifyNamesTheFirstBadRecord() throws {
        var gen = OpGenerator(seed: 4)
        var state = LogState(document: gen.document)
        var base = LogBuilder()
        for seq in 1...4 {
            let entry = gen.entry(author: "a", seq: seq)
            try state.apply(entry)
            base.operation(entry)
        }
        let dir = TempDir()
        defer { dir.remove() }
        func verify(_ builder: LogBuilder) throws -> LogVerification {
            dir.write("v.jamlog", builder.bytes)
            return try LogReader(path: dir.file("v.jamlog")).verify()
        }
        #expect(try verify(base).isValid)

        // A snapshot whose document is valid and matches its own hash, but not the replay.
        var wrongDocument = base
        let off1 = wrongDocument.snapshot(Document(title: "something else"), clients: state.clients)
        wrongDocument.operation(LogEntry(revision: 5, author: "a", seq: 5, operation: []))
        var report = try verify(wrongDocument)
        #expect(report.error?.code == .snapshotMismatch)
        #expect(report.error?.offset == off1)
        #expect(report.revision == 4)
        #expect(report.validEnd == off1)

        // A snapshot that forgets a client (sharedb#355).
        var forgetful = base
        let off2 = forgetful.snapshot(state.document, clients: [:])
        report = try verify(forgetful)
        #expect(report.error?.code == .snapshotMismatch)
        #expect(report.error?.offset == off2)

        // An operation that does not apply, hidden before a later snapshot (an open would not see it).
        var hidden = base
        let badOp = op(#"[{"type":"session.set","field":"tempo","value":100,"old":77}]"#)
        let off3 = hidden.operation(LogEntry(revision: 5, author: "a", seq: 5, operation: badOp))
        hidden.snapshot(state.document, clients: state.clients)
        report = try verify(hidden)
        #expect(report.error?.code == .operationFailed)
        #expect(report.error?.offset == off3)
        #expect(report.operations == 4)

        // A repeated seq.
        var repeated = base
        let off4 = repeated.operation(LogEntry(revision: 5, author: "a", seq: 4, operation: []))
        report = try verify(repeated)
        #expect(report.error?.code == .duplicateSeq)
        #expect(report.error?.offset == off4)

        // A damaged byte in the third operation's payload.
        var damaged = base
        let third = damaged.offsets[4]
        damaged.bytes[third + 30] ^= 1
        report = try verify(damaged)
        #expect(report.error?.code == .corruptFrame)
        #expect(report.error?.offset == third)
        #expect(report.error?.message.contains("checksum") == true)
        #expect(report.revision == 2)
        #expect(report.hash == Optional(try LogReader(path: dir.file("v.jamlog")).state(at: 2).document.contentHash))
    }

    @Test func readerSeesWhatAWriterHasWritten() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var gen = OpGenerator(seed: 8)
        let (log, _) = try SessionLog.create(directory: dir.path, session: "live", options: fast)
        try log.append([gen.entry(author: "a", seq: 1)])
        let first = try LogReader(directory: dir.path, session: "live")
        try log.append([gen.entry(author: "a", seq: 2)])
        // A reader sees the file as it was when it opened.
        #expect(try first.lastRevision() == 1)
        let second = try LogReader(directory: dir.path, session: "live")
        #expect(try second.lastRevision() == 2)
        #expect(try second.lastState().document == gen.document)
        log.close()
    }
}
