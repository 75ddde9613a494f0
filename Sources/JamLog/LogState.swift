import JamCore

/// A session as a log holds it at one revision: the document, the revision, and the exactly-once memory.
public struct LogState: Hashable, Sendable {
    public var document: Document
    public var revision: Int
    /// author → latest committed (seq, revision) (LOG.md §4).
    public var clients: ClientCommits

    public init(document: Document, revision: Int = 0, clients: ClientCommits = [:]) {
        self.document = document
        self.revision = revision
        self.clients = clients
    }

    init(_ snapshot: LogSnapshot) {
        self.init(document: snapshot.document, revision: snapshot.revision, clients: snapshot.clients)
    }

    /// Checks an entry against the state (next revision, author and seq well formed, seq above the
    /// author's last) and applies it. On error the state is unchanged.
    mutating func apply(_ entry: LogEntry, offset: Int? = nil) throws(LogError) {
        guard entry.revision == revision + 1 else {
            throw LogError(.revisionMismatch, "operation has revision \(entry.revision), expected \(revision + 1)", offset: offset)
        }
        if let problem = Payload.entryProblem(entry) {
            throw LogError(.invalidEntry, "operation at revision \(entry.revision): \(problem)", offset: offset)
        }
        if let last = clients[entry.author], entry.seq <= last.seq {
            throw LogError(.duplicateSeq, "author \(entry.author.debugDescription) committed seq \(last.seq) at revision \(last.revision); seq \(entry.seq) at revision \(entry.revision) does not increase", offset: offset)
        }
        do {
            try document.apply(entry.operation)
        } catch {
            throw LogError(.operationFailed, "operation at revision \(entry.revision) does not apply: \(error)", offset: offset)
        }
        revision = entry.revision
        clients[entry.author] = ClientCommit(seq: entry.seq, revision: entry.revision)
    }
}
