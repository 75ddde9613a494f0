import ArgumentParser
import Foundation
import JamCore

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Show a session as it was at a revision or a moment: a piano-roll summary, or the document as JSON.",
        discussion: """
            Works offline on a log file (copied from the server's data directory is fine). Seeking goes \
            through the log's snapshots, so any revision of a long log comes back in milliseconds. \
            With --print the document is printed as canonical JSON (DOCUMENT.md §1), for `jam doc` and scripts. \
            With --watch the jam plays again in the terminal, from --rev (default: the start), with its \
            original timing times --speed (pauses over 3 s are cut): Space pauses, ←/→ step one operation, \
            +/- change the speed, Tab changes track, q quits.
            """
    )

    @OptionGroup var source: SessionSourceOptions

    @Flag(help: "Print the document as canonical JSON instead of the piano-roll summary.")
    var print = false

    @Flag(help: "Replay the jam in the terminal with its original timing.")
    var watch = false

    @Option(help: "With --watch: how much faster than it happened (0.25 is slower).")
    var speed = 1.0

    func validate() throws {
        guard speed > 0, speed <= 64 else { throw ValidationError("--speed is above 0 and at most 64") }
        guard !(watch && print) else { throw ValidationError("give --watch or --print, not both") }
        guard !watch || source.at == nil else { throw ValidationError("--watch starts at --rev, not --at") }
        guard !watch || source.file != nil else { throw ValidationError("--watch replays a log FILE, not a running --session") }
    }

    func run() async throws {
        if watch {
            try await ReplayWatch.run(file: source.file ?? "", from: source.rev, speed: speed)
            return
        }
        let session = try await source.load("replay")
        if print {
            FileHandle.standardOutput.write(session.document.canonicalJSON() + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(PianoRollSummary().render(session.document, position: session.position).utf8))
        }
    }
}
