import Foundation
import JamCore
import Testing
@testable import JamLog

@Suite struct SessionLogTests {
    @Test func createsAndReopensEmpty() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let initial = Document(title: "Tuesday jam", tempo: 96.5)
        let (log, recovery) = try SessionLog.openOrCreate(directory: dir.path, session: "tuesday", initialDocument: initial)
        #expect(recovery.created)
        #expect(recovery.revision == 0)
        #expect(recovery.document == initial)
        #expect(recovery.clients.isEmpty)
        #expect(recovery.warnings.isEmpty)
        #expect(recovery.header.session == "tuesday")
        #expect(recovery.header.format == 1)
        log.close()
        #expect(dir.list() == ["tuesday.jamlog"])

        let (again, second) = try SessionLog.openOrCreate(directory: dir.path, session: "tuesday")
        defer { again.close() }
        #expect(!second.created)
        #expect(second.document == initial)
        #expect(second.document.contentHash == initial.contentHash)
    }

    @Test func appendReopenRoundTrip() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var gen = OpGenerator(seed: 7)
        var seqs: [String: Int] = [:]
        let (log, _) = try SessionLog.create(directory: dir.path, session: "s1", options: fast)
        try fill(log, &gen, count: 300, batch: 7, seqs: &seqs)
        #expect(log.revision == 300)
        log.close()

        let (reopened, recovery) = try SessionLog.open(directory: dir.path, session: "s1")
        defer { reopened.close() }
        #expect(recovery.revision == 300)
        #expect(recovery.document.contentHash == gen.document.contentHash)
        #expect(recovery.document == gen.document)
        #expect(recovery.warnings.isEmpty)
        #expect(recovery.clients["alice"] == ClientCommit(seq: seqs["alice"]!, revision: 300))
        #expect(recovery.clients["bob"] == ClientCommit(seq: seqs["bob"]!, revision: 298))

        // Appending continues where the log left off, and the reader agrees.
        try fill(reopened, &gen, count: 20, batch: 20, seqs: &seqs)
        reopened.close()
        let reader = try LogReader(directory: dir.path, session: "s1")
        let last = try reader.lastState()
        #expect(last.revision == 320)
        #expect(last.document.contentHash == gen.document.contentHash)
        #expect(reader.verify().isValid)
    }

    @Test func everyRecordIsReadBackAsWritten() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var gen = OpGenerator(seed: 3)
        var seqs: [String: Int] = [:]
        let (log, _) = try SessionLog.create(directory: dir.path, session: "rt", options: SessionLog.Options(snapshotInterval: 10, sync: false))
        let written = try fill(log, &gen, count: 25, batch: 4, seqs: &seqs)
        log.close()

        let reader = try LogReader(directory: dir.path, session: "rt")
        var cursor = reader.records()
        var ops: [LogEntry] = []
        var kinds: [LogRecordKind] = []
        while let r = try cursor.next() {
            kinds.append(r.kind)
            if case .operation(let entry) = r.record { ops.append(entry) }
        }
        #expect(ops == written)
        #expect(kinds.first == .header)
        #expect(kinds.dropFirst().first == .snapshot)
        #expect(kinds.filter { $0 == .snapshot }.count == 1 + 2)  // revision 0, then after the batches ending at 12 and 24
    }

    @Test func exactlyOnceMemorySurvivesReopenAndSnapshots() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let options = SessionLog.Options(snapshotInterval: 5, sync: false)
        var gen = OpGenerator(seed: 11)
        let (log, _) = try SessionLog.create(directory: dir.path, session: "dedup", options: options)
        // carol commits once, early; then only alice and bob, past several snapshots.
        try log.append([gen.entry(author: "carol", seq: 41)])
        var seqs: [String: Int] = [:]
        try fill(log, &gen, count: 23, batch: 3, seqs: &seqs)
        log.close()

        let index = try LogReader(directory: dir.path, session: "dedup").index()
        #expect(index.snapshots.count > 3)
        #expect(index.snapshots.last!.revision > 1)

        let (reopened, recovery) = try SessionLog.open(directory: dir.path, session: "dedup", options: options)
        #expect(recovery.clients["carol"] == ClientCommit(seq: 41, revision: 1))
        #expect(recovery.clients["alice"]?.seq == seqs["alice"])
        #expect(recovery.clients["bob"]?.seq == seqs["bob"])
        #expect(recovery.clients.status(author: "carol", seq: 41) == .duplicate(latest: ClientCommit(seq: 41, revision: 1)))
        #expect(recovery.clients.status(author: "carol", seq: 40) == .duplicate(latest: ClientCommit(seq: 41, revision: 1)))
        #expect(recovery.clients.status(author: "carol", seq: 42) == .new)
        #expect(recovery.clients.status(author: "dave", seq: 0) == .new)
        #expect(reopened.clients == recovery.clients)

        // The log itself refuses to commit a seq twice, even after the restart.
        let repeatEntry = LogEntry(revision: recovery.revision + 1, author: "carol", seq: 41, operation: [])
        #expect(throws: LogError.self) { try reopened.append([repeatEntry]) }
        do {
            try reopened.append([repeatEntry])
        } catch {
            #expect(error.code == .duplicateSeq)
        }
        reopened.close()

        // The memory in each snapshot equals the one rebuilt by replaying.
        let reader = try LogReader(directory: dir.path, session: "dedup")
        #expect(reader.verify().isValid)
        #expect(try reader.state(at: 1).clients == ["carol": ClientCommit(seq: 41, revision: 1)])
    }

    @Test func refusedBatchesWriteNothingAndChangeNothing() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var gen = OpGenerator(seed: 5)
        let (log, _) = try SessionLog.create(directory: dir.path, session: "refuse", options: fast)
        defer { log.close() }
        try log.append([gen.entry(author: "a", seq: 1), gen.entry(author: "a", seq: 2)])
        let size = log.size
        let good = gen.document

        func expectRefused(_ entries: [LogEntry], _ code: LogError.Code, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                try log.append(entries)
                Issue.record("appended", sourceLocation: sourceLocation)
            } catch {
                #expect(error.code == code, sourceLocation: sourceLocation)
            }
            #expect(log.size == size, sourceLocation: sourceLocation)
            #expect(log.revision == 2, sourceLocation: sourceLocation)
        }
        let noop = JamCore.Operation()
        expectRefused([LogEntry(revision: 4, author: "a", seq: 3, operation: noop)], .revisionMismatch)
        expectRefused([LogEntry(revision: 2, author: "a", seq: 3, operation: noop)], .revisionMismatch)
        expectRefused([LogEntry(revision: 3, author: "a", seq: 2, operation: noop)], .duplicateSeq)
        expectRefused([LogEntry(revision: 3, author: "", seq: 9, operation: noop)], .invalidEntry)
        expectRefused([LogEntry(revision: 3, author: String(repeating: "x", count: 257), seq: 9, operation: noop)], .invalidEntry)
        expectRefused([LogEntry(revision: 3, author: "b", seq: -1, operation: noop)], .invalidEntry)
        // A batch whose third entry does not apply is refused whole, and the first two are undone.
        var probe = gen
        let e3 = probe.entry(author: "b", seq: 1)
        let e4 = probe.entry(author: "b", seq: 2)
        let bad = LogEntry(revision: 5, author: "b", seq: 3, operation: op(#"[{"type":"note.add","track":"nope","note":{"id":"x","tick":0,"duration":1,"pitch":60,"velocity":1}}]"#))
        expectRefused([e3, e4, bad], .operationFailed)
        // The same seq twice inside one batch.
        expectRefused([e3, LogEntry(revision: 4, author: "b", seq: 1, operation: noop)], .duplicateSeq)

        // The log is still usable and its document unchanged by the refusals.
        try log.append([e3, e4])
        #expect(log.revision == 4)
        log.close()
        let state = try LogReader(directory: dir.path, session: "refuse").lastState()
        #expect(state.document == probe.document)
        #expect(state.document != good)
        #expect(state.clients["b"] == ClientCommit(seq: 2, revision: 4))
    }

    @Test func snapshotsFollowTheInterval() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var gen = OpGenerator(seed: 9)
        var seqs: [String: Int] = [:]
        let (log, _) = try SessionLog.create(directory: dir.path, session: "snap", options: SessionLog.Options(snapshotInterval: 10, sync: false))
        var results: [SessionLog.AppendResult] = []
        for _ in 0..<11 {
            var batch: [LogEntry] = []
            for _ in 0..<3 {
                let author = "alice"
                seqs[author, default: 0] += 1
                batch.append(gen.entry(author: author, seq: seqs[author]!))
            }
            results.append(try log.append(batch))
        }
        #expect(results.map(\.snapshotWritten) == [false, false, false, true, false, false, false, true, false, false, false])
        #expect(results.last?.revision == 33)
        #expect(try log.writeSnapshot())
        #expect(try !log.writeSnapshot())
        log.close()
        let index = try LogReader(directory: dir.path, session: "snap").index()
        #expect(index.snapshots.map(\.revision) == [0, 12, 24, 33])
        #expect(index.damage == nil)
        #expect(index.lastRevision == 33)
    }

    @Test func aLargeDocumentIsSnapshottedLessOften() throws {
        let dir = TempDir()
        defer { dir.remove() }
        // A document of 400 notes: its snapshot frame is about 25 KB; one velocity change is about 200 bytes.
        var notes = ""
        for i in 0..<400 {
            notes += (i == 0 ? "" : ",") + #"{"id":"n\#(i)","tick":\#(i * 120),"duration":120,"pitch":60,"velocity":64}"#
        }
        let track = #"{"id":"t1","name":"Keys","instrument":0,"channel":0,"volume":100,"pan":0,"mute":false,"solo":false,"owner":"","notes":[\#(notes)]}"#
        var document = Document()
        try document.apply(op(#"[{"type":"track.add","index":0,"track":\#(track)}]"#))
        let options = SessionLog.Options(snapshotInterval: 10, snapshotBytesRatio: 0.25, sync: false)
        let (log, _) = try SessionLog.create(directory: dir.path, session: "big", document: document, options: options)
        var snapshots: [Int] = []
        for revision in 1...120 {
            let old = revision == 1 ? 64 : 1 + (revision - 1) % 127
            let value = 1 + revision % 127
            let set = op(#"[{"type":"note.set","track":"t1","note":"n0","field":"velocity","value":\#(value),"old":\#(old)}]"#)
            if try log.append([LogEntry(revision: revision, author: "a", seq: revision, operation: set)]).snapshotWritten {
                snapshots.append(revision)
            }
        }
        log.close()
        let reader = try LogReader(directory: dir.path, session: "big")
        let index = try reader.index()
        // Ten revisions of ~200 bytes are far less than a quarter of the snapshot: snapshots come only
        // once about 6 KB of operations have accumulated.
        #expect(!snapshots.isEmpty)
        #expect(snapshots.first! > 20)
        #expect(zip(snapshots, snapshots.dropFirst()).allSatisfy { $1 - $0 > 20 })
        #expect(index.snapshots.map(\.revision) == [0] + snapshots)
        #expect(reader.verify().isValid)
        // With the ratio off, every interval.
        let (plain, _) = try SessionLog.create(directory: dir.path, session: "plain", document: document,
                                               options: SessionLog.Options(snapshotInterval: 10, snapshotBytesRatio: 0, sync: false))
        for revision in 1...30 {
            let old = revision == 1 ? 64 : 1 + (revision - 1) % 127
            let set = op(#"[{"type":"note.set","track":"t1","note":"n0","field":"velocity","value":\#(1 + revision % 127),"old":\#(old)}]"#)
            try plain.append([LogEntry(revision: revision, author: "a", seq: revision, operation: set)])
        }
        plain.close()
        #expect(try LogReader(directory: dir.path, session: "plain").index().snapshots.map(\.revision) == [0, 10, 20, 30])
    }

    @Test func secondWriterIsLockedOut() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (log, _) = try SessionLog.create(directory: dir.path, session: "busy", options: fast)
        do {
            _ = try SessionLog.open(directory: dir.path, session: "busy")
            Issue.record("a second writer opened the log")
        } catch {
            #expect(error.code == .locked)
        }
        // A reader is welcome.
        #expect(try LogReader(directory: dir.path, session: "busy").lastRevision() == 0)
        log.close()
        let (again, _) = try SessionLog.open(directory: dir.path, session: "busy")
        again.close()
    }

    @Test func closedLogRefusesAppends() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (log, _) = try SessionLog.create(directory: dir.path, session: "closed", options: fast)
        log.close()
        log.close()
        do {
            try log.append([LogEntry(revision: 1, author: "a", seq: 1, operation: [])])
            Issue.record("appended to a closed log")
        } catch {
            #expect(error.code == .closed)
        }
    }

    @Test func createRefusesAnExistingLogAndOpenAMissingOne() throws {
        let dir = TempDir()
        defer { dir.remove() }
        do {
            _ = try SessionLog.open(directory: dir.path, session: "none")
            Issue.record("opened a missing log")
        } catch {
            #expect(error.code == .notFound)
        }
        let (log, _) = try SessionLog.create(directory: dir.path, session: "once", options: fast)
        log.close()
        do {
            _ = try SessionLog.create(directory: dir.path, session: "once")
            Issue.record("created twice")
        } catch {
            #expect(error.code == .alreadyExists)
        }
        #expect(dir.list() == ["once.jamlog"])
        do {
            _ = try SessionLog.openOrCreate(directory: dir.file("no-such-dir"), session: "x")
            Issue.record("created in a missing directory")
        } catch {
            #expect(error.code == .notFound)
        }
        // An invalid initial document is refused.
        do {
            _ = try SessionLog.create(directory: dir.path, session: "bad-doc", document: Document(tempo: 1000))
            Issue.record("created with an invalid document")
        } catch {
            #expect(error.code == .invalidEntry)
        }
        #expect(!dir.exists("bad-doc.jamlog"))
    }

    @Test func concurrentCallersAreSerialized() async throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (log, _) = try SessionLog.create(directory: dir.path, session: "conc", options: fast)
        var gen = OpGenerator(seed: 13)
        var batches: [[LogEntry]] = []
        for b in 0..<50 { batches.append((0..<4).map { i in gen.entry(author: "w", seq: b * 4 + i + 1) }) }
        let all = batches
        // One task appends in order while others read the revision and memory concurrently.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for batch in all { try log.append(batch) }
            }
            for _ in 0..<4 {
                group.addTask {
                    var last = 0
                    for _ in 0..<200 {
                        let r = log.revision
                        #expect(r >= last && r % 4 == 0)
                        last = r
                        _ = log.clients
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(log.revision == 200)
        log.close()
        #expect(try LogReader(directory: dir.path, session: "conc").lastState().document == gen.document)
    }
}
