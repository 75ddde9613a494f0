import ArgumentParser
import Foundation
import JamClient
import JamProtocol

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow a session: print its events as one readable line each.",
        discussion: """
            Joins as a listener and prints every operation (with its revision and author), member, chat line, \
            cursor move and error until interrupted, reconnecting when the connection drops. Lines go to \
            standard output, flushed one by one, for logs, pipes and tests.
            """
    )

    @Argument(help: "The session to follow.")
    var session: String

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The name shown to the others.")
    var name = "tail-\(ProcessInfo.processInfo.processIdentifier)"

    @Flag(help: "Print cursor moves too.")
    var cursors = false

    @Option(help: ArgumentHelp("Stop after this many operations.", valueName: "N"))
    var count: Int?

    func validate() throws {
        try validateSession(session)
    }

    func run() async throws {
        let jam = try await connection.connect("tail", join: JoinRequest(session: session, name: name, role: .listener))
        var description = EventDescription()
        var operations = 0
        for await event in jam.events {
            if case .cursor = event, !cursors { continue }
            if let line = description.line(for: event) {
                printLine(line)
            }
            if case .operation = event {
                operations += 1
                if let count, operations >= count { break }
            }
            if case .state(.closed(let error?)) = event {
                printError("jam tail: \(error)")
                throw ExitCode.failure
            }
        }
        await jam.leave()
    }
}

/// Writes a line to standard output at once (unbuffered, for pipes).
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
