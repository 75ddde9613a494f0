import ArgumentParser
import Foundation
import JamCore

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Show a session as it was at a revision or a moment: a piano-roll summary, or the document as JSON.",
        discussion: """
            Works offline on a log file (copied from the server's data directory is fine). Seeking goes \
            through the log's snapshots, so any revision of a long log comes back in milliseconds. \
            With --print the document is printed as canonical JSON (DOCUMENT.md §1), for `jam doc` and scripts.
            """
    )

    @OptionGroup var source: SessionSourceOptions

    @Flag(help: "Print the document as canonical JSON instead of the piano-roll summary.")
    var print = false

    func run() throws {
        let session = try source.load("replay")
        if print {
            FileHandle.standardOutput.write(session.document.canonicalJSON() + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(PianoRollSummary().render(session.document, position: session.position).utf8))
        }
    }
}
