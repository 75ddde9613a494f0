import Foundation
import JamCore
@testable import JamLog
import Testing

/// Transport records (LOG.md §3): durable, restored on open, skipped by replay, accepted by every reader.
@Suite("Transport records")
struct TransportRecordTests {
    static func playing(at time: Int64, tempo: Double = 120) -> Transport {
        Transport(segments: [
            .init(time: time, tick: 0, tempo: tempo, playing: false),
            .init(time: time + 250_000, tick: 0, tempo: tempo, playing: true),
        ])
    }

    @Test("a log without transport records recovers none")
    func none() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (log, created) = try SessionLog.create(directory: dir.path, session: "quiet", options: fast)
        #expect(created.transport == nil)
        log.close()
        let (_, recovery) = try SessionLog.open(directory: dir.path, session: "quiet", options: fast)
        #expect(recovery.transport == nil)
    }

    /// Where the last transport record falls: between operations, right after a snapshot, last in the file.
    @Test("recovery restores the last transport record; readers replay, verify and summarise around them",
          arguments: [3, 10, 25])
    func restoredAndSkipped(lastAfter: Int) throws {
        let dir = TempDir()
        defer { dir.remove() }
        let options = SessionLog.Options(snapshotInterval: 10, sync: false)
        var (log, _) = try SessionLog.create(directory: dir.path, session: "beat", options: options)
        var gen = OpGenerator(seed: 7)
        var seqs: [String: Int] = [:]
        var states: [Int: LogState] = [:]
        var last = Self.playing(at: 0)
        var written = 0
        for revision in 1...25 {
            try fill(log, &gen, count: 1, seqs: &seqs)
            states[revision] = LogState(document: gen.document, revision: revision)
            if revision == 2 || revision == lastAfter {
                last = Self.playing(at: Int64(revision) * 1_000_000, tempo: Double(100 + revision))
                try log.appendTransport(last)
                written += 1
            }
        }
        log.close()

        let recovery: SessionLog.Recovery
        (log, recovery) = try SessionLog.open(directory: dir.path, session: "beat", options: options)
        #expect(recovery.transport == last)
        #expect(recovery.revision == 25)
        #expect(recovery.warnings.isEmpty)
        log.close()

        let reader = try LogReader(path: dir.file("beat.jamlog"))
        let report = reader.verify()
        #expect(report.error == nil && report.isValid)
        #expect(report.operations == 25)
        for revision in [1, 2, 3, 10, 11, 25] {
            #expect(try reader.state(at: revision).document == states[revision]?.document)
        }
        var records = reader.records()
        var transports: [Transport] = []
        while let located = try records.next() {
            if case .transport(let t) = located.record { transports.append(t) }
        }
        #expect(transports.count == written)
        #expect(transports.last == last)
        #expect(try reader.summary().operations == 25)
    }

    @Test("a transport record that does not decode fails the open as record_invalid, naming its frame")
    func badPayload() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let (log, _) = try SessionLog.create(directory: dir.path, session: "bad", options: fast)
        let end = log.size
        log.close()
        var bytes = dir.read("bad.jamlog")
        FrameHeader.appendFrame(kind: .transport, revision: 0, snapshot: snapshotOffset(bytes), payload: Array(#"{"segments":[]}"#.utf8), to: &bytes)
        dir.write("bad.jamlog", bytes)
        #expect {
            _ = try SessionLog.open(directory: dir.path, session: "bad", options: fast)
        } throws: { error in
            (error as? LogError)?.code == .recordInvalid && (error as? LogError)?.offset == end
        }
    }

    /// The offset of the revision-0 snapshot: right after the header frame.
    func snapshotOffset(_ bytes: [UInt8]) -> Int {
        let headerLength = Int(bytes[LogFormat.firstFrameOffset + 4]) | Int(bytes[LogFormat.firstFrameOffset + 5]) << 8
            | Int(bytes[LogFormat.firstFrameOffset + 6]) << 16 | Int(bytes[LogFormat.firstFrameOffset + 7]) << 24
        return LogFormat.firstFrameOffset + headerLength + LogFormat.frameOverhead
    }
}
