import Crypto
import Foundation
import JamCore

/// One committed operation, as the server hands it to `SessionLog.append` and as an operation record
/// holds it (LOG.md §3).
public struct LogEntry: Hashable, Sendable {
    /// The revision this operation produced: the log's revision before it plus one.
    public var revision: Int
    /// The identity of the submitting client, stable across its reconnects (1…256 UTF-8 bytes).
    public var author: String
    /// The client's sequence number for the submission (≥ 0, increasing per author).
    public var seq: Int
    /// Server time of the commit, in milliseconds since the Unix epoch.
    public var time: Int64
    /// The operation as committed, transformed to apply at `revision - 1`.
    public var operation: JamCore.Operation
    /// Whether a person or an AI bandmate submitted it, when the writer knew (LOG.md §3).
    public var kind: AuthorKind?

    public init(
        revision: Int, author: String, seq: Int, operation: JamCore.Operation, time: Int64 = LogClock.now(),
        kind: AuthorKind? = nil
    ) {
        self.revision = revision
        self.author = author
        self.seq = seq
        self.time = time
        self.operation = operation
        self.kind = kind
    }

    /// The largest author identity, in UTF-8 bytes.
    public static let maxAuthorBytes = 256
}

/// Who is behind an author: a person or an AI bandmate (PROTOCOL.md's `kind`).
public enum AuthorKind: String, Hashable, Sendable, Codable, CaseIterable {
    case human
    case ai
}

/// An author's latest committed submission: the exactly-once memory (LOG.md §4).
public struct ClientCommit: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The seq of the author's latest committed operation.
    public var seq: Int
    /// The revision that operation produced.
    public var revision: Int

    public init(seq: Int, revision: Int) {
        self.seq = seq
        self.revision = revision
    }

    enum CodingKeys: String, CodingKey {
        case seq
        case revision = "rev"
    }

    public var description: String { "seq \(seq) at rev \(revision)" }
}

/// The exactly-once memory of a session: author → latest committed submission.
public typealias ClientCommits = [String: ClientCommit]

/// What the exactly-once memory says about a submission.
public enum SubmissionStatus: Hashable, Sendable {
    /// Not seen: commit it.
    case new
    /// Already committed: `latest` is the author's latest commit (its seq is ≥ the submission's).
    /// When `latest.seq` equals the submission's seq, `latest.revision` is the revision it produced.
    case duplicate(latest: ClientCommit)
}

extension Dictionary where Key == String, Value == ClientCommit {
    /// Looks a submission up in the exactly-once memory.
    public func status(author: String, seq: Int) -> SubmissionStatus {
        if let latest = self[author], seq <= latest.seq { return .duplicate(latest: latest) }
        return .new
    }
}

/// The header record: the first frame of a log.
public struct LogHeader: Hashable, Sendable {
    public var format: Int
    public var session: String
    /// Creation time, milliseconds since the Unix epoch.
    public var created: Int64
}

/// A snapshot record: the document and exactly-once memory at a revision.
public struct LogSnapshot: Hashable, Sendable {
    public var revision: Int
    public var document: Document
    /// The `hash` field as stored (checked against `document` when decoded).
    public var hash: String
    public var clients: ClientCommits
    public var time: Int64
}

/// A decoded record.
public enum LogRecord: Hashable, Sendable {
    case header(LogHeader)
    case snapshot(LogSnapshot)
    case operation(LogEntry)
    /// The session's shared transport, as of the frame's revision (LOG.md §3.4).
    case transport(Transport)

    public var kind: LogRecordKind {
        switch self {
        case .header: .header
        case .snapshot: .snapshot
        case .operation: .operation
        case .transport: .transport
        }
    }
}

/// The server's clock in log units.
public enum LogClock {
    /// Milliseconds since the Unix epoch, now.
    public static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

// MARK: - Payload encoding and decoding

extension Payload {
    /// A transport record's payload: the transport as PROTOCOL.md §2.4 writes it.
    static func encodeTransport(_ transport: Transport, encoder: JSONEncoder) throws(LogError) -> [UInt8] {
        do {
            return Array(try encoder.encode(transport))
        } catch {
            throw LogError(.recordInvalid, "the transport does not encode: \(error)")
        }
    }

    /// Decodes a transport record's payload: 1 or more segments in increasing time.
    static func decodeTransport(_ payload: [UInt8], offset: Int, decoder: JSONDecoder) throws(LogError) -> Transport {
        let transport: Transport
        do {
            transport = try decoder.decode(Transport.self, from: Data(payload))
        } catch {
            throw LogError(.recordInvalid, "transport record does not decode: \(describe(error))", offset: offset)
        }
        let times = transport.segments.map(\.time)
        guard !times.isEmpty, zip(times, times.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw LogError(.recordInvalid, "a transport record has segments in increasing time, at least one", offset: offset)
        }
        return transport
    }
}

enum Payload {
    private struct HeaderJSON: Codable {
        var created: Int64
        var format: Int
        var session: String
    }

    private struct OperationJSON: Codable {
        var author: String
        /// Absent in records whose writer did not know; a kind this version does not know reads as absent.
        var kind: String?
        var op: JamCore.Operation
        var seq: Int
        var time: Int64
    }

    private struct SnapshotJSON: Decodable {
        var clients: ClientCommits
        var document: Document
        var hash: String
        var time: Int64
    }

    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func encodeHeader(_ header: LogHeader, encoder: JSONEncoder) -> [UInt8] {
        // Encoding plain strings and integers cannot fail.
        let json = try! encoder.encode(HeaderJSON(created: header.created, format: header.format, session: header.session))
        return [UInt8](json)
    }

    static func encodeOperation(_ entry: LogEntry, encoder: JSONEncoder) throws(LogError) -> [UInt8] {
        do {
            let json = try encoder.encode(OperationJSON(author: entry.author, kind: entry.kind?.rawValue, op: entry.operation, seq: entry.seq, time: entry.time))
            return [UInt8](json)
        } catch {
            throw LogError(.invalidEntry, "operation at revision \(entry.revision) cannot be encoded: \(error)")
        }
    }

    /// `{"clients":…,"document":CANONICAL,"hash":"…","time":…}`, the document byte-exact canonical JSON.
    static func encodeSnapshot(
        document: Document, clients: ClientCommits, time: Int64, encoder: JSONEncoder
    ) -> (payload: [UInt8], hash: String) {
        let canonical = document.canonicalJSON()
        let hash = hexSHA256(canonical)
        var out: [UInt8] = []
        out.reserveCapacity(canonical.count + 64 + clients.count * 48)
        out.append(contentsOf: Array(#"{"clients":"#.utf8))
        out.append(contentsOf: try! encoder.encode(clients))
        out.append(contentsOf: Array(#","document":"#.utf8))
        out.append(contentsOf: canonical)
        out.append(contentsOf: Array(#","hash":""#.utf8))
        out.append(contentsOf: Array(hash.utf8))
        out.append(contentsOf: Array(#"","time":"#.utf8))
        out.append(contentsOf: Array(String(time).utf8))
        out.append(UInt8(ascii: "}"))
        return (out, hash)
    }

    static func decodeHeader(_ payload: [UInt8], offset: Int, decoder: JSONDecoder) throws(LogError) -> LogHeader {
        do {
            let h = try decoder.decode(HeaderJSON.self, from: Data(payload))
            return LogHeader(format: h.format, session: h.session, created: h.created)
        } catch {
            throw LogError(.headerInvalid, "the header record is not valid JSON of a header: \(describe(error))", offset: offset)
        }
    }

    static func decodeOperation(
        _ payload: [UInt8], revision: Int, offset: Int, decoder: JSONDecoder
    ) throws(LogError) -> LogEntry {
        let o: OperationJSON
        do {
            o = try decoder.decode(OperationJSON.self, from: Data(payload))
        } catch {
            throw LogError(.recordInvalid, "operation record for revision \(revision) does not decode: \(describe(error))", offset: offset)
        }
        let entry = LogEntry(revision: revision, author: o.author, seq: o.seq, operation: o.op, time: o.time, kind: o.kind.flatMap(AuthorKind.init))
        if let problem = entryProblem(entry) {
            throw LogError(.recordInvalid, "operation record for revision \(revision): \(problem)", offset: offset)
        }
        return entry
    }

    /// Decodes a snapshot and checks its document against its `hash` and the document rules.
    static func decodeSnapshot(
        _ payload: [UInt8], revision: Int, offset: Int, decoder: JSONDecoder
    ) throws(LogError) -> LogSnapshot {
        let s: SnapshotJSON
        do {
            s = try decoder.decode(SnapshotJSON.self, from: Data(payload))
        } catch {
            throw LogError(.recordInvalid, "snapshot record for revision \(revision) does not decode: \(describe(error))", offset: offset)
        }
        let problems = s.document.validate()
        if let first = problems.first {
            throw LogError(.recordInvalid, "snapshot at revision \(revision) holds an invalid document: \(first)", offset: offset)
        }
        let actual = hexSHA256(s.document.canonicalJSON())
        guard actual == s.hash else {
            throw LogError(.snapshotMismatch, "snapshot at revision \(revision) has hash \(s.hash) but its document hashes to \(actual)", offset: offset)
        }
        for (author, commit) in s.clients {
            guard !author.isEmpty, author.utf8.count <= LogEntry.maxAuthorBytes, commit.seq >= 0,
                  commit.revision >= 1, commit.revision <= revision
            else {
                throw LogError(.recordInvalid, "snapshot at revision \(revision) has an invalid client entry \(author.debugDescription): \(commit)", offset: offset)
            }
        }
        return LogSnapshot(revision: revision, document: s.document, hash: s.hash, clients: s.clients, time: s.time)
    }

    /// What is wrong with an entry's author or seq, or nil.
    static func entryProblem(_ entry: LogEntry) -> String? {
        if entry.author.isEmpty { return "the author is empty" }
        if entry.author.utf8.count > LogEntry.maxAuthorBytes {
            return "the author has \(entry.author.utf8.count) bytes, more than \(LogEntry.maxAuthorBytes)"
        }
        if entry.seq < 0 || UInt64(entry.seq) >= LogFormat.maxInteger { return "seq \(entry.seq) is out of range" }
        return nil
    }

    static func hexSHA256(_ data: some DataProtocol) -> String {
        let digest = SHA256.hash(data: data)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? JamError { return e.description }
        switch error as? DecodingError {
        case .dataCorrupted(let c)?: return "data corrupted at \(path(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let key, let c)?: return "missing key \(key.stringValue) at \(path(c.codingPath))"
        case .typeMismatch(_, let c)?: return "type mismatch at \(path(c.codingPath)): \(c.debugDescription)"
        case .valueNotFound(_, let c)?: return "missing value at \(path(c.codingPath))"
        default: return "\(error)"
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.isEmpty ? "the top level" : codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
