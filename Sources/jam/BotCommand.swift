import ArgumentParser
import Foundation
import JamBand
import JamClient
import JamProtocol
import UnixSignals

struct BotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bot",
        abstract: "Join a session as an AI bandmate that plays bass, drums, keys or a lead with the humans.",
        discussion: """
            The bandmate joins like any client (marked AI in the roster), creates and owns its own track, \
            and never edits anyone else's. After the others' edits it waits a quarter second, listens again \
            (key, chords, groove) and submits only what changed; it says what it hears in the chat. A \
            player can also start one from `jam join` with `:invite bass funk`, which asks the server to \
            run it. Stops on Ctrl-C or SIGTERM, leaving its track in the session.
            """
    )

    @Argument(help: "The session to play in.")
    var session: String

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The part: bass, drums, keys or lead.")
    var role: BandRole

    @Option(help: "rock, funk, swing, bossa, ballad or house.")
    var style: String

    @Option(help: "Makes its playing repeatable.")
    var seed: UInt64?

    @Option(help: "How many notes it plays, 0…1.")
    var density = 0.6

    @Option(help: "How adventurous it is, 0…1.")
    var complexity = 0.4

    @Option(help: "Its name in the session (default: the part's name).")
    var name: String?

    func validate() throws {
        try validateSession(session)
        guard Style(name: style) != nil else {
            throw ValidationError("unknown style \(style); try \(Style.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (0...1).contains(density), (0...1).contains(complexity) else { throw ValidationError("--density and --complexity are 0…1") }
    }

    func run() async throws {
        let displayName = name ?? role.rawValue.prefix(1).uppercased() + role.rawValue.dropFirst()
        let jam = try await connection.connect("bot", join: JoinRequest(session: session, name: displayName, kind: .ai))
        let bandmate = Bandmate(
            role: role, style: Style(name: style)!, density: density, complexity: complexity,
            seed: seed ?? UInt64.random(in: 0...UInt64(UInt32.max)), track: "")
        let agent = await BandAgent(connection: jam, bandmate: bandmate)
        printError("jam bot: \(displayName) plays \(role.rawValue) (\(style)) in \(session) as \(await jam.client ?? "?")")
        let stop = Task {
            for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { break }
            await jam.leave()
        }
        await agent.run()
        stop.cancel()
        printError("jam bot: left after \(await agent.answers) edits")
    }
}

extension BandRole: ExpressibleByArgument {}
