import Foundation
import JamCore
import JamLog
import Testing

@testable import jam_load

/// The crash test's verdict: the journal written by the clients against the log.
@Suite struct AckCheckTests {
    @Test func theJournalReadsBackAndSkipsATornLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("acks-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try AckJournal(path: path)
        journal.record(session: "crash0", author: "c1", seq: 1, revision: 1)
        journal.record(session: "crash1", author: "c2", seq: 4, revision: 9)
        let text = try String(contentsOfFile: path, encoding: .utf8) + "crash0 c1 2"
        #expect(AckJournal.read(text) == [
            .init(session: "crash0", author: "c1", seq: 1, revision: 1),
            .init(session: "crash1", author: "c2", seq: 4, revision: 9),
        ])
    }

    @Test func everyAcknowledgementMustBeInTheLogAsAcknowledged() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ackcheck-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (log, _) = try SessionLog.create(directory: directory, session: "crash0", options: .init(sync: false))
        let tempo: JamCore.Operation = [.sessionSet(value: .tempo(100), old: .tempo(120))]
        let loop: JamCore.Operation = [.sessionSet(value: .loopBars(8), old: .loopBars(4))]
        _ = try log.append([
            LogEntry(revision: 1, author: "c1", seq: 1, operation: tempo),
            LogEntry(revision: 2, author: "c2", seq: 1, operation: loop),
        ])
        log.close()
        let check = try AckCheck(reader: LogReader(directory: directory, session: "crash0"))
        #expect(check.revision == 2)
        let held: [AckJournal.Entry] = [
            .init(session: "crash0", author: "c1", seq: 1, revision: 1),
            .init(session: "crash0", author: "c2", seq: 1, revision: 2),
        ]
        #expect(check.missing(held).isEmpty)
        let lost: [AckJournal.Entry] = [
            .init(session: "crash0", author: "c1", seq: 2, revision: 3),
            .init(session: "crash0", author: "c2", seq: 1, revision: 1),
        ]
        #expect(check.missing(lost) == [
            "c1 seq 2 acknowledged at revision 3, where the log has nothing",
            "c2 seq 1 acknowledged at revision 1, where the log has c1 seq 1",
        ])
    }
}
