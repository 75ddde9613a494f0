import ArgumentParser
import Foundation
import JamLog

/// `jam-load check`: after a crash, is every acknowledged operation in its session's log?
struct CheckAcks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that every acknowledged operation of an --acks journal is in its session's log.",
        discussion: """
            For every line SESSION AUTHOR SEQ REVISION of the journal, the log DATA/SESSION.jamlog must hold an \
            operation at REVISION by AUTHOR with SEQ (an ACK is sent only once its operation is durable, \
            PROTOCOL.md §4). With --verify it also checks each log as `jam log verify` does \
            (LogReader.verify(): checksums, order, replay, snapshots). Exits 1 on the first session that fails.
            """
    )

    @Option(help: ArgumentHelp("The journal that `jam-load jam --acks` wrote.", valueName: "FILE"))
    var acks: String

    @Option(help: ArgumentHelp("The server's data directory.", valueName: "DIR"))
    var data: String

    @Flag(help: "Also verify every log in full.")
    var verify = false

    func run() async throws {
        let text: String
        do {
            text = try String(contentsOfFile: acks, encoding: .utf8)
        } catch {
            throw fail("cannot read \(acks): \(error.localizedDescription)")
        }
        let bySession = Dictionary(grouping: AckJournal.read(text), by: \.session)
        guard !bySession.isEmpty else { throw fail("\(acks) holds no acknowledgement") }
        for (session, entries) in bySession.sorted(by: { $0.key < $1.key }) {
            try check(session: session, entries)
        }
    }

    private func check(session: String, _ entries: [AckJournal.Entry]) throws {
        let reader: LogReader
        do {
            reader = try LogReader(directory: data, session: session)
        } catch {
            throw fail("\(session): cannot open its log: \(error)")
        }
        if verify {
            let verification = reader.verify()
            if let error = verification.error { throw fail("\(session): the log does not verify: \(error)") }
        }
        let check: AckCheck
        do throws(LogError) {
            check = try AckCheck(reader: reader)
        } catch {
            throw fail("\(session): cannot read the log: \(error)")
        }
        let missing = check.missing(entries)
        guard missing.isEmpty else {
            throw fail("\(session): \(missing.count) of \(entries.count) acknowledged operations are not in the log:\n  " + missing.prefix(10).joined(separator: "\n  "))
        }
        print("\(session): all \(entries.count) acknowledged operations are in the log (\(check.committed.count) operations, revision \(check.revision))\(verify ? "; the log verifies" : "")")
    }

    private func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("jam-load check: \(message)\n".utf8))
        return ExitCode.failure
    }
}
