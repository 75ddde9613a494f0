import JamLog
import JamProtocol

/// What a session holds back until the log has made it durable: the broadcast and acknowledgement of
/// each committed operation, the repeated acknowledgements of duplicates, and the WELCOMEs of members
/// who joined while the session's revision was not durable yet. It also says which
/// committed operations the next log write (one group-commit batch) must carry. Pure, so that the
/// session actor and the chaos simulator (JamProof) follow the same rule: nothing is acknowledged or
/// broadcast before its revision is on disk, and everything goes out in the order it was committed.
package struct ReleaseQueue: Sendable {
    /// One held-back message.
    package enum Release: Hashable, Sendable {
        /// A committed operation: `ACK` to its author, `OP` to the others.
        case commit(LogEntry)
        /// A repeated `ACK` for a duplicate, to that one connection.
        case ack(client: String, connection: ConnectionID, seq: Int, revision: Int)
        /// A member's WELCOME at `welcome.revision`. Until it goes, that member gets nothing of the
        /// operations up to that revision (the WELCOME holds them), and everything after.
        case welcome(client: String, connection: ConnectionID, welcome: ServerMessage.Welcome)

        var revision: Int {
            switch self {
            case .commit(let entry): entry.revision
            case .ack(_, _, _, let revision): revision
            case .welcome(_, _, let welcome): welcome.revision
            }
        }
    }

    /// The last revision the log has made durable.
    package private(set) var durableRevision: Int
    private var waiting: [Release] = []

    /// An empty queue over a log that is durable up to `durableRevision`.
    package init(durableRevision: Int) {
        self.durableRevision = durableRevision
    }

    /// True when nothing is held back.
    package var isEmpty: Bool { waiting.isEmpty }

    /// Holds back `release` until its revision is durable.
    package mutating func append(_ release: Release) {
        waiting.append(release)
    }

    /// The committed operations not yet durable, in revision order: what the next log write carries.
    package var nextBatch: [LogEntry] {
        waiting.compactMap { release -> LogEntry? in
            if case .commit(let entry) = release, entry.revision > durableRevision { return entry }
            return nil
        }
    }

    /// The log has made everything up to `revision` durable.
    package mutating func markDurable(through revision: Int) {
        durableRevision = max(durableRevision, revision)
    }

    /// Takes out and returns, in the order they were held back, the messages whose revision is durable.
    package mutating func release() -> [Release] {
        var released: [Release] = []
        waiting.removeAll { release in
            guard release.revision <= durableRevision else { return false }
            released.append(release)
            return true
        }
        return released
    }

    /// Forgets everything held back (the log failed: nothing of it will be sent).
    package mutating func removeAll() {
        waiting.removeAll()
    }
}
