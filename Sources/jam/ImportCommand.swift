import ArgumentParser
import Foundation
import JamClient
import JamCore
import JamLog
import JamMIDI
import JamProtocol

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Start a session from a song: turn a MIDI file (or a document JSON) into a new session log.",
        discussion: """
            Reads Standard MIDI Files of format 0, 1 or 2 at any resolution. The session takes the song's first \
            tempo, time signature and key (later changes are reported: notes keep their beats), one track per \
            MIDI track and channel (channel 10 is drums) with its program, volume and pan, and a loop of the \
            whole song. The log (OUT, named SESSION.jamlog) is written as the operations that build the session — \
            its settings, then each track and its notes — so `jam replay` shows the song being built, and a server \
            given the log's directory as --data serves it as session SESSION. OUT must not exist. \
            With --session NAME instead of -o, the song replaces what a running session holds, through the \
            server like any member's edits (one undoable operation each for the settings, each track and its \
            notes); it stops at the first refusal, naming its code.
            """
    )

    @Argument(help: ArgumentHelp("A MIDI file (.mid), or a document JSON file.", valueName: "SONG"))
    var song: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The log to create: DIR/SESSION.jamlog.", valueName: "FILE.jamlog"))
    var output: String?

    @Option(name: .customLong("session"), help: ArgumentHelp("Instead of -o: a session on a running server to load the song into (with --host, --port, --ca…).", valueName: "NAME"))
    var live: String?

    @OptionGroup var server: ConnectionOptions

    @Option(help: "The session's title (default: the song's, else the file's name).")
    var title: String?

    @Option(help: "The author the log records for the operations.")
    var author = "import"

    var session: String { (((output ?? "") as NSString).lastPathComponent as NSString).deletingPathExtension }
    var directory: String {
        let parent = ((output ?? "") as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    func validate() throws {
        guard (output == nil) != (live == nil) else { throw ValidationError("give -o FILE.jamlog or --session NAME") }
        if let live { try validateSession(live) }
        guard let output else { return }
        guard output.hasSuffix(".jamlog") else { throw ValidationError("-o must name a .jamlog file") }
        guard SessionName.isValid(session) else {
            throw ValidationError("\(session) is not a session name: 1–64 of a–z, 0–9, _ and -, starting with a letter or digit")
        }
        guard !author.isEmpty, author.utf8.count <= LogEntry.maxAuthorBytes else { throw ValidationError("--author must be 1–256 bytes") }
    }

    func run() async throws {
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
        if let live {
            try await load(document, into: live)
            return
        }
        let output = self.output ?? ""
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

    /// Replaces what the running session `name` holds with `document`, edit by edit through the server.
    private func load(_ document: Document, into name: String) async throws {
        let jam = try await server.connect("import", join: JoinRequest(session: name, name: "import-\(ProcessInfo.processInfo.processIdentifier)"), reconnect: ReconnectPolicy(maximumAttempts: 10))
        let operations = document.operations(from: await jam.document)
        for (index, operation) in operations.enumerated() {
            do {
                try await jam.submit(operation)
                try await jam.flush()
            } catch {
                printError("jam import: operation \(index + 1) of \(operations.count) refused: \(error)")
                await jam.leave()
                throw ExitCode.failure
            }
        }
        printError("jam import: session \(name) now holds \"\(document.title)\": \(document.tracks.count) tracks, \(document.noteCount) notes, in \(operations.count) operations; it is at rev \(await jam.revision)")
        await jam.leave()
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
