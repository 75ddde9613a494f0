#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the crash test keeps every acknowledgement a client received: one line per ACK,
/// `SESSION AUTHOR SEQ REVISION`, appended with one write each, so that what was written survives
/// however the run ends.
final class AckJournal: Sendable {
    private let descriptor: Int32

    struct OpenError: Error, CustomStringConvertible {
        let code = "journal_unwritable"
        var message: String
        var description: String { message }
    }

    init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OpenError(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
    }

    deinit {
        close(descriptor)
    }

    func record(session: String, author: String, seq: Int, revision: Int) {
        let line = Array("\(session) \(author) \(seq) \(revision)\n".utf8)
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// One acknowledgement read back.
    struct Entry: Hashable, Sendable {
        var session: String
        var author: String
        var seq: Int
        var revision: Int
    }

    /// Reads a journal; a line that is not four fields (a torn last line) is skipped.
    static func read(_ text: String) -> [Entry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 4, let seq = Int(fields[2]), let revision = Int(fields[3]) else { return nil }
            return Entry(session: String(fields[0]), author: String(fields[1]), seq: seq, revision: revision)
        }
    }
}
