import Foundation
import JamCore
import Testing
@testable import JamLog

/// A small log, its bytes, and the document hash and memory at every revision.
private struct SmallLog {
    var bytes: [UInt8]
    var hashes: [String]
    var clients: [ClientCommits]
    var frames: [(offset: Int, kind: LogRecordKind, revision: Int)]

    init(count: Int, batch: Int = 1, interval: Int = 1000, seed: UInt64 = 21) throws {
        let dir = TempDir()
        defer { dir.remove() }
        var gen = OpGenerator(seed: seed)
        hashes = [gen.document.contentHash]
        clients = [[:]]
        let (log, _) = try SessionLog.create(directory: dir.path, session: "small", options: SessionLog.Options(snapshotInterval: interval, sync: false))
        var memory: ClientCommits = [:]
        var pending: [LogEntry] = []
        for i in 0..<count {
            let author = i % 2 == 0 ? "alice" : "bob"
            let seq = (memory[author]?.seq ?? 100) + 1
            let entry = gen.entry(author: author, seq: seq)
            memory[author] = ClientCommit(seq: seq, revision: entry.revision)
            hashes.append(gen.document.contentHash)
            clients.append(memory)
            pending.append(entry)
            if pending.count == batch {
                try log.append(pending)
                pending = []
            }
        }
        if !pending.isEmpty { try log.append(pending) }
        log.close()
        bytes = dir.read("small.jamlog")
        frames = try frameOffsets(dir.file("small.jamlog"))
    }
}

@Suite struct RecoveryTests {
    @Test func tornTailAtEveryByteOfTheLastRecord() throws {
        let small = try SmallLog(count: 6)
        let last = small.frames.last!
        #expect(last.kind == .operation && last.revision == 6)
        let dir = TempDir()
        defer { dir.remove() }
        for cut in last.offset..<small.bytes.count {
            for name in dir.list() { try FileManager.default.removeItem(atPath: dir.file(name)) }
            dir.write("small.jamlog", Array(small.bytes[..<cut]))
            let (log, recovery) = try SessionLog.open(directory: dir.path, session: "small")
            #expect(recovery.revision == 5, "cut at \(cut)")
            #expect(recovery.document.contentHash == small.hashes[5])
            #expect(recovery.clients == small.clients[5])
            if cut == last.offset {
                #expect(recovery.warnings.isEmpty)
            } else {
                #expect(recovery.warnings.count == 1)
                let warning = try #require(recovery.warnings.first)
                #expect(warning.code == .tailCut)
                #expect(warning.offset == last.offset)
                #expect(warning.bytesCut == cut - last.offset)
                #expect(warning.message.contains("byte \(last.offset)"))
                let saved = "small.jamlog.cut-\(last.offset)"
                #expect(warning.savedTo == dir.file(saved))
                #expect(dir.read(saved) == Array(small.bytes[last.offset..<cut]))
            }
            #expect(dir.read("small.jamlog") == Array(small.bytes[..<last.offset]))
            // The log goes on from revision 5.
            try log.append([LogEntry(revision: 6, author: "carol", seq: 1, operation: [])])
            log.close()
            let (again, second) = try SessionLog.open(directory: dir.path, session: "small")
            #expect(second.revision == 6)
            #expect(second.warnings.isEmpty)
            again.close()
        }
    }

    @Test func tornCreationIsAnErrorNotACut() throws {
        let small = try SmallLog(count: 0)
        let dir = TempDir()
        defer { dir.remove() }
        let snapshotOffset = small.frames[1].offset
        for cut in 0..<small.bytes.count {
            let prefix = Array(small.bytes[..<cut])
            dir.write("small.jamlog", prefix)
            do {
                _ = try SessionLog.open(directory: dir.path, session: "small")
                Issue.record("opened a log cut at \(cut)")
            } catch {
                let expected: LogError.Code = cut < 8 ? .notALog : cut < snapshotOffset ? .headerInvalid : .corruptFrame
                #expect(error.code == expected, "cut at \(cut): \(error)")
            }
            #expect(dir.read("small.jamlog") == prefix)
            #expect(dir.list() == ["small.jamlog"])
        }
    }

    @Test func corruptByteInTheMiddleCutsThere() throws {
        let small = try SmallLog(count: 12, interval: 4)
        let dir = TempDir()
        defer { dir.remove() }
        // Damage each kind of field of an operation frame, and of a snapshot frame in the middle.
        let opFrame = small.frames.first { $0.kind == .operation && $0.revision == 6 }!
        let snapFrame = small.frames.first { $0.kind == .snapshot && $0.revision == 8 }!
        let cases: [(frame: (offset: Int, kind: LogRecordKind, revision: Int), field: Int, keep: Int)] = [
            (opFrame, 0, 5), (opFrame, 2, 5), (opFrame, 5, 5), (opFrame, 9, 5), (opFrame, 17, 5),
            (opFrame, 25, 5), (opFrame, 40, 5), (snapFrame, 30, 8), (snapFrame, 60, 8),
        ]
        for c in cases {
            var bytes = small.bytes
            bytes[c.frame.offset + c.field] ^= 0x40
            dir.write("small.jamlog", bytes)
            let (log, recovery) = try SessionLog.open(directory: dir.path, session: "small")
            log.close()
            #expect(recovery.revision == c.keep, "field \(c.field)")
            #expect(recovery.document.contentHash == small.hashes[c.keep])
            #expect(recovery.clients == small.clients[c.keep])
            #expect(recovery.warnings.map(\.code) == [.tailCut])
            #expect(recovery.warnings.first?.offset == c.frame.offset)
            #expect(dir.read("small.jamlog") == Array(small.bytes[..<c.frame.offset]))
            for name in dir.list() { try FileManager.default.removeItem(atPath: dir.file(name)) }
        }
    }

    @Test func aLogUnderAnotherNameIsOpenedWithAWarning() throws {
        let small = try SmallLog(count: 2)
        let dir = TempDir()
        defer { dir.remove() }
        dir.write("renamed.jamlog", small.bytes)
        let (log, recovery) = try SessionLog.open(directory: dir.path, session: "renamed")
        log.close()
        #expect(recovery.revision == 2)
        #expect(recovery.header.session == "small")
        #expect(recovery.warnings.map(\.code) == [.sessionMismatch])
    }

    @Test func cutTailCanBeLeftUnsaved() throws {
        let small = try SmallLog(count: 3)
        let dir = TempDir()
        defer { dir.remove() }
        dir.write("small.jamlog", small.bytes + [1, 2, 3])
        let (log, recovery) = try SessionLog.open(directory: dir.path, session: "small", options: SessionLog.Options(saveCutTail: false))
        log.close()
        #expect(recovery.warnings.first?.offset == small.bytes.count)
        #expect(recovery.warnings.first?.savedTo == nil)
        #expect(dir.list() == ["small.jamlog"])
    }

    @Test func validButWrongRecordsFailTheOpenAndCutNothing() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var gen = OpGenerator(seed: 2)
        func check(_ builder: LogBuilder, _ code: LogError.Code, at offset: Int, sourceLocation: SourceLocation = #_sourceLocation) {
            dir.write("wrong.jamlog", builder.bytes)
            do {
                _ = try SessionLog.open(directory: dir.path, session: "wrong")
                Issue.record("opened", sourceLocation: sourceLocation)
            } catch {
                #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
                #expect(error.offset == offset, sourceLocation: sourceLocation)
            }
            #expect(dir.read("wrong.jamlog") == builder.bytes, sourceLocation: sourceLocation)
        }
        var base = LogBuilder(session: "wrong")
        base.operation(gen.entry(author: "a", seq: 1))
        base.operation(gen.entry(author: "a", seq: 2))

        var notApplying = base
        let badOp = op(#"[{"type":"note.remove","track":"ghost","note":{"id":"x","tick":0,"duration":1,"pitch":60,"velocity":1}}]"#)
        let notApplyingOffset = notApplying.operation(LogEntry(revision: 3, author: "a", seq: 3, operation: badOp))
        check(notApplying, .operationFailed, at: notApplyingOffset)

        var gap = base
        let gapOffset = gap.operation(LogEntry(revision: 5, author: "a", seq: 3, operation: []))
        check(gap, .revisionMismatch, at: gapOffset)

        var repeated = base
        let repeatedOffset = repeated.operation(LogEntry(revision: 3, author: "a", seq: 2, operation: []))
        check(repeated, .duplicateSeq, at: repeatedOffset)

        var badPointer = base
        let badPointerOffset = badPointer.operation(LogEntry(revision: 3, author: "a", seq: 3, operation: []), snapshot: 8)
        check(badPointer, .recordInvalid, at: badPointerOffset)

        var notJSON = base
        let notJSONOffset = notJSON.frame(.operation, revision: 3, payload: Array("not json".utf8))
        check(notJSON, .recordInvalid, at: notJSONOffset)

        var secondHeader = base
        let secondHeaderOffset = secondHeader.frame(.header, revision: 2, payload: Array("{}".utf8))
        check(secondHeader, .recordInvalid, at: secondHeaderOffset)

        var lyingSnapshot = base
        let offset = lyingSnapshot.frame(.snapshot, revision: 2, payload: Array(#"{"clients":{},"document":{"key":null,"loopBars":4,"meter":{"denominator":4,"numerator":4},"ppq":480,"tempo":120,"title":"Untitled","tracks":[]},"hash":"00","time":0}"#.utf8))
        check(lyingSnapshot, .snapshotMismatch, at: offset)
    }

    @Test func emptyGarbageAndMissingFilesGiveClearErrors() throws {
        let dir = TempDir()
        defer { dir.remove() }
        func expectOpenFails(_ name: String, _ code: LogError.Code, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                _ = try SessionLog.open(directory: dir.path, session: name)
                Issue.record("opened \(name)", sourceLocation: sourceLocation)
            } catch {
                #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
                #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
            }
            do {
                _ = try LogReader(directory: dir.path, session: name)
                Issue.record("read \(name)", sourceLocation: sourceLocation)
            } catch {
                #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            }
        }
        expectOpenFails("missing", .notFound)
        dir.write("empty.jamlog", [])
        expectOpenFails("empty", .notALog)
        var rng: UInt64 = 99
        let garbage: [UInt8] = (0..<4096).map { _ in rng = rng &* 6_364_136_223_846_793_005 &+ 1; return UInt8(rng >> 56) }
        dir.write("garbage.jamlog", garbage)
        expectOpenFails("garbage", .notALog)
        dir.write("magic.jamlog", LogFormat.magic + garbage)
        expectOpenFails("magic", .headerInvalid)
        dir.write("short.jamlog", Array(LogFormat.magic[..<5]))
        expectOpenFails("short", .notALog)
        try FileManager.default.createDirectory(atPath: dir.file("folder.jamlog"), withIntermediateDirectories: false)
        expectOpenFails("folder", .notALog)
        var future = LogBuilder(session: "future")
        future.bytes = LogFormat.magic
        future.frame(.header, revision: 0, snapshot: 0, payload: Array(#"{"created":0,"format":2,"session":"future"}"#.utf8))
        dir.write("future.jamlog", future.bytes)
        expectOpenFails("future", .unsupportedFormat)
        // Nothing was cut, nothing was created.
        #expect(dir.read("garbage.jamlog") == garbage)
        #expect(dir.list() == ["empty.jamlog", "folder.jamlog", "future.jamlog", "garbage.jamlog", "magic.jamlog", "short.jamlog"])
    }

    /// Random damage never traps; whenever the open succeeds, the state is exactly the one of some
    /// prefix of the log.
    @Test func randomDamageNeverCrashesAndKeepsAPrefix() throws {
        let small = try SmallLog(count: 30, batch: 2, interval: 7)
        let dir = TempDir()
        defer { dir.remove() }
        var rng: UInt64 = 0x1234_5678
        func random(_ n: Int) -> Int {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            return Int(rng % UInt64(n))
        }
        var opened = 0
        for round in 0..<150 {
            var bytes = small.bytes
            switch round % 4 {
            case 0:
                for _ in 0...random(3) { bytes[random(bytes.count)] ^= UInt8(1 + random(255)) }
            case 1:
                bytes.removeLast(random(bytes.count))
            case 2:
                let at = random(bytes.count)
                bytes.insert(contentsOf: (0..<(1 + random(40))).map { _ in UInt8(random(256)) }, at: at)
            default:
                let at = random(bytes.count)
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + random(60)))
            }
            for name in dir.list() { try FileManager.default.removeItem(atPath: dir.file(name)) }
            dir.write("small.jamlog", bytes)
            if let reader = try? LogReader(path: dir.file("small.jamlog")) {
                let report = reader.verify()
                if report.isValid { #expect(report.hash == small.hashes[report.revision]) }
                if let state = try? reader.state(at: random(31)) {
                    #expect(state.document.contentHash == small.hashes[state.revision])
                }
                _ = try? reader.index()
            }
            if let (log, recovery) = try? SessionLog.open(directory: dir.path, session: "small") {
                opened += 1
                log.close()
                #expect(recovery.document.contentHash == small.hashes[recovery.revision], "round \(round)")
                #expect(recovery.clients == small.clients[recovery.revision], "round \(round)")
            }
        }
        #expect(opened > 0)
    }
}
