import ArgumentParser
import Foundation
import JamCore
import JamLog
import JamMIDI
import JamProtocol

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Start a session from a song: turn a MIDI file (or a document JSON) into a new session log.",
        discussion: """
            Reads Standard MIDI Files of format 0, 1 or 2 at any resolution. The session takes the song's first \
            tempo, time signature and key (later changes are reported: notes keep their beats), one track per \
            MIDI track and channel (channel 10 is drums) with its program, volume and pan, and a loop of the \
            whole song. The log (OUT, named SESSION.jamlog) is written as the operations that build the session — \
            its settings, then each track and its notes — so `jam replay` shows the song being built, and a server \
            given the log's directory as --data serves it as session SESSION. OUT must not exist.
            """
    )

    @Argument(help: ArgumentHelp("A MIDI file (.mid), or a document JSON file.", valueName: "SONG"))
    var song: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The log to create: DIR/SESSION.jamlog.", valueName: "FILE.jamlog"))
    var output: String

    @Option(help: "The session's title (default: the song's, else the file's name).")
    var title: String?

    @Option(help: "The author the log records for the operations.")
    var author = "import"

    var session: String { ((output as NSString).lastPathComponent as NSString).deletingPathExtension }
    var directory: String {
        let parent = (output as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    func validate() throws {
        guard output.hasSuffix(".jamlog") else { throw ValidationError("-o must name a .jamlog file") }
        guard SessionName.isValid(session) else {
            throw ValidationError("\(session) is not a session name: 1–64 of a–z, 0–9, _ and -, starting with a letter or digit")
        }
        guard !author.isEmpty, author.utf8.count <= LogEntry.maxAuthorBytes else { throw ValidationError("--author must be 1–256 bytes") }
    }

    func run() throws {
        let bytes = [UInt8](try readInput(song))
        var document: Document
        if bytes.starts(with: Array("MThd".utf8)) {
            let stem = ((song as NSString).lastPathComponent as NSString).deletingPathExtension
            do {
                let imported = try MIDIImport.read(bytes, title: title, fallbackTitle: stem.isEmpty ? MIDIImport.defaultTitle : stem)
                for warning in imported.warnings { printError("jam import: \(song): \(warning)") }
                document = imported.document
            } catch {
                printError("jam import: \(song) is not a MIDI file this can read: \(error)")
                throw ExitCode.failure
            }
        } else if bytes.first(where: { !$0.isWhitespace }) == UInt8(ascii: "{") {
            document = try loadDocument(song)
            if let title { document.title = title }
            if let problem = document.validate().first {
                printError("jam import: \(song): \(problem)")
                throw ExitCode.failure
            }
        } else {
            printError("jam import: \(song) is neither a MIDI file (no MThd) nor a document JSON")
            throw ExitCode.failure
        }
        try checkLimits(document)

        let operations = document.operations()
        let now = LogClock.now()
        let entries = operations.enumerated().map { index, operation in
            LogEntry(revision: index + 1, author: author, seq: index + 1, operation: operation, time: now)
        }
        let path = (directory as NSString).appendingPathComponent(session + ".jamlog")
        do {
            let (log, _) = try SessionLog.create(directory: directory, session: session, time: now)
            do {
                if !entries.isEmpty { _ = try log.append(entries) }
                _ = try log.writeSnapshot()
                log.close()
            } catch {
                log.close()
                try? FileManager.default.removeItem(atPath: path)
                throw error
            }
        } catch {
            printError("jam import: \(output): \(error)")
            throw ExitCode.failure
        }
        printError("jam import: wrote \(output): session \(session), \"\(document.title)\", \(document.tracks.count) tracks, \(document.noteCount) notes in \(entries.count) operations")
    }

    /// Refuses a document a server would not serve (PROTOCOL.md §6's limits).
    private func checkLimits(_ document: Document) throws {
        let limits = Limits.default
        var problems: [String] = []
        if document.tracks.count > limits.tracks { problems.append("\(document.tracks.count) tracks (a session holds \(limits.tracks))") }
        if document.noteCount > limits.notes { problems.append("\(document.noteCount) notes (a session holds \(limits.notes))") }
        let size = document.canonicalJSON().count
        if size > limits.documentBytes { problems.append("\(size) bytes of document (a session holds \(limits.documentBytes))") }
        guard problems.isEmpty else {
            printError("jam import: \(song) is too big for a session: \(problems.joined(separator: ", "))")
            throw ExitCode.failure
        }
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
