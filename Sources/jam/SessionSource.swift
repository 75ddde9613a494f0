import ArgumentParser
import Foundation
import JamClient
import JamCore
import JamLog
import JamMIDI

/// Where analyze, replay and export take a session from, and which moment of it: a log file at a
/// revision or a wall-clock time, a document JSON file, or a Standard MIDI File. One place for the choice, so that a running server
/// (`--session NAME --host …`) can become a third source later without touching the commands.
struct SessionSourceOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("A session log (.jamlog, e.g. copied from the server's data directory), a document JSON file, or a Standard MIDI File.", valueName: "FILE"))
    var file: String?

    @Option(help: ArgumentHelp("Instead of FILE: a session on a running server, as it is now (with --host, --port, --ca…).", valueName: "NAME"))
    var session: String?

    @OptionGroup var server: ConnectionOptions

    @Option(help: ArgumentHelp("The revision to take (default: the last).", valueName: "N"))
    var rev: Int?

    @Option(help: ArgumentHelp(
        "The wall-clock moment to take: ISO 8601 (2024-11-24T21:13:05Z; UTC when no zone is given), milliseconds since 1970, or +DURATION after the session was created (+90s, +5m, +1h30m).",
        valueName: "TIME"))
    var at: String?

    func validate() throws {
        guard (file == nil) != (session == nil) else { throw ValidationError("give a FILE or --session NAME") }
        if let session {
            try validateSession(session)
            guard rev == nil, at == nil else {
                throw ValidationError("a running session is taken as it is now; for --rev or --at, use its log file")
            }
        }
        guard rev == nil || at == nil else { throw ValidationError("give --rev or --at, not both") }
        if let rev, rev < 0 { throw ValidationError("--rev must be 0 or more") }
        if let at, WallClock.parse(at) == nil { throw ValidationError("--at \(at): \(WallClock.expected)") }
    }

    /// The session at the chosen moment (from the server, as it is now, with --session), or a printed
    /// error and exit 1.
    func load(_ command: String) async throws -> LoadedSession {
        guard let file else {
            let name = session ?? ""
            let jam = try await server.connect(command, join: JoinRequest(session: name, name: "\(command)-\(ProcessInfo.processInfo.processIdentifier)", role: .listener), reconnect: .never)
            let loaded = LoadedSession(document: await jam.document, revision: await jam.revision, lastRevision: await jam.revision, entry: nil, header: nil)
            await jam.leave()
            return loaded
        }
        return try load(command, file: file)
    }

    private func load(_ command: String, file: String) throws -> LoadedSession {
        guard FileManager.default.isReadableFile(atPath: file) else {
            printError("jam \(command): \(file): no such readable file")
            throw ExitCode.failure
        }
        let head = readHead(file)
        guard head == LogFormat.magic else {
            guard rev == nil, at == nil else {
                printError("jam \(command): \(file) is not a session log, so it has no revisions (--rev, --at)")
                throw ExitCode.failure
            }
            guard head.starts(with: Array("MThd".utf8)) else {
                return LoadedSession(document: try loadDocument(file), revision: nil, lastRevision: nil, entry: nil, header: nil)
            }
            do {
                let document = try MIDIImport.document(from: [UInt8](try readInput(file)))
                return LoadedSession(document: document, revision: nil, lastRevision: nil, entry: nil, header: nil)
            } catch let error as MIDIError {
                printError("jam \(command): \(file): \(error)")
                throw ExitCode.failure
            }
        }
        do {
            let reader = try LogReader(path: file)
            let last = try reader.lastRevision()
            var revision = rev ?? last
            if let at, let moment = WallClock.parse(at) {
                revision = try reader.revision(atTime: moment.milliseconds(created: reader.header.created))
            }
            let state = try reader.state(at: revision)
            let entry = revision > 0 ? try? reader.entry(at: revision) : nil
            return LoadedSession(document: state.document, revision: revision, lastRevision: last, entry: entry, header: reader.header)
        } catch {
            printError("jam \(command): \(file): \(error)")
            throw ExitCode.failure
        }
    }
}

/// A document and, when it came from a log, where in the log.
struct LoadedSession {
    var document: Document
    var revision: Int?
    var lastRevision: Int?
    /// The operation that made `revision`.
    var entry: LogEntry?
    var header: LogHeader?

    /// "revision 12 of 40 (2024-…Z, by c3)", or nil for a plain document.
    var position: String? {
        guard let revision, let lastRevision else { return nil }
        var text = "revision \(revision) of \(lastRevision)"
        if let entry {
            text += " (\(WallClock.format(entry.time)), by \(entry.author))"
        } else if let header {
            text += " (created \(WallClock.format(header.created)))"
        }
        return text
    }
}

/// The first 8 bytes of a file (fewer if it is shorter), or nothing if it cannot be read.
func readHead(_ path: String) -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
    defer { try? handle.close() }
    return [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
}

/// Wall-clock times as the log keeps them (milliseconds since 1970, UTC) and as people write them.
enum WallClock {
    static let expected = "expected an ISO 8601 time (2024-11-24T21:13:05Z), milliseconds since 1970, or +DURATION (+90s, +5m, +1h30m)"

    enum Moment: Equatable {
        case absolute(Int64)
        /// Milliseconds after the session's creation.
        case relative(Int64)

        func milliseconds(created: Int64) -> Int64 {
            switch self {
            case .absolute(let t): t
            case .relative(let d): created + d
            }
        }
    }

    static func parse(_ text: String) -> Moment? {
        if let ms = Int64(text), ms >= 0 { return .absolute(ms) }
        if text.hasPrefix("+") { return duration(text.dropFirst()).map { .relative($0) } }
        var iso = text.replacingOccurrences(of: " ", with: "T")
        // No zone: UTC, as `jam log info` prints times.
        if iso.count == 19 || (iso.count > 19 && iso.dropFirst(19).allSatisfy { $0 == "." || $0.isNumber }) { iso += "Z" }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: iso) { return .absolute(Int64((date.timeIntervalSince1970 * 1000).rounded())) }
        }
        return nil
    }

    /// "1h30m", "90s", "250ms", "2m30.5s" in milliseconds.
    static func duration(_ text: Substring) -> Int64? {
        let units: [(String, Double)] = [("ms", 1), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        var rest = text
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let (unit, scale) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return Int64(total.rounded())
    }

    /// 2024-11-24T21:13:05.123Z
    static func format(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// "1 h 48 min", "3 min 5 s", "850 ms".
    static func span(_ milliseconds: Int64) -> String {
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        let seconds = milliseconds / 1000
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min \(seconds % 60) s" }
        return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
    }
}
