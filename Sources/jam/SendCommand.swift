import ArgumentParser
import Foundation
import JamClient
import JamCore
import JamProtocol

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Submit operations to a session from a script: one JSON array of components per line on stdin.",
        discussion: """
            Each line is applied to this client's replica, sent, and waited for: the server's ACK, or its \
            refusal. Blank lines and lines starting with # are skipped. On the first operation that does \
            not apply or is refused, prints `jam send: LINE: CODE: message` on stderr and exits 1; \
            operations before it stay committed. The `old` values must be the session's current ones \
            (see Protocol/DOCUMENT.md).

            Example:
              echo '[{"type":"session.set","field":"tempo","value":100,"old":96}]' | jam send demo
            """
    )

    @Argument(help: "The session to edit.")
    var session: String

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The name shown to the others.")
    var name = "send-\(ProcessInfo.processInfo.processIdentifier)"

    @Flag(help: "Print each operation's revision as it is committed.")
    var verbose = false

    func validate() throws {
        try validateSession(session)
    }

    func run() async throws {
        let policy = ReconnectPolicy(maximumAttempts: 10)
        let jam = try await connection.connect("send", join: JoinRequest(session: session, name: name), reconnect: policy)
        var sent = 0
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            do {
                let operation = try JSONDecoder().decode(JamCore.Operation.self, from: Data(text.utf8))
                try await jam.submit(operation)
                try await jam.flush()
            } catch let error as JamError {
                try await fail(jam, number, "\(error)")
            } catch let error as ClientError {
                try await fail(jam, number, "\(error)")
            } catch {
                try await fail(jam, number, "malformed: \(describe(error))")
            }
            sent += 1
            if verbose { print("line \(number): committed, now at rev \(await jam.revision)") }
        }
        printError("jam send: \(sent) operation\(sent == 1 ? "" : "s") committed; \(session) is at rev \(await jam.revision)")
        await jam.leave()
    }

    private func fail(_ jam: JamConnection, _ line: Int, _ message: String) async throws -> Never {
        printError("jam send: line \(line): \(message)")
        await jam.leave()
        throw ExitCode.failure
    }
}
