import JamCore
import JamLog
import JamProtocol

/// The decisions of one session, without I/O: serialises operations by revision (Jupiter / ShareDB),
/// remembers each client's last committed sequence (exactly-once), and keeps a window of history for
/// transforming late operations and catching rejoining clients up.
package struct SessionState: Sendable {
    package private(set) var document: Document
    package private(set) var revision: Int
    /// Each client's highest committed sequence and its revision; rebuilt from the log on load.
    package private(set) var clients: ClientCommits
    /// The last committed operations, oldest first; `history.last?.revision == revision`.
    package private(set) var history: [LogEntry] = []
    package let limits: JamProtocol.Limits
    /// The shared transport (PROTOCOL.md §2.4), in microseconds of the server's clock.
    package private(set) var transport: Transport

    /// How far ahead of a request a transport change lands at least: a quarter second, so that every
    /// member hears of a change before it happens.
    package static let transportLead: Int64 = 250_000

    package init(document: Document, revision: Int, clients: ClientCommits, limits: JamProtocol.Limits, transport: Transport? = nil) {
        self.document = document
        self.revision = revision
        self.clients = clients
        self.limits = limits
        self.transport = transport ?? Transport(tempo: document.tempo)
    }

    /// A player's play or stop at server time `now`: the new transport, or nil when nothing changes
    /// (play while playing, stop while stopped, with nothing pending).
    package mutating func requestTransport(_ action: ClientMessage.TransportRequest.Action, now: Int64) -> Transport? {
        // A start already scheduled stands: pressing play again must not push it later.
        if action == .play, let last = transport.segments.last, last.playing, last.time > now { return nil }
        if action == .play { _ = schedule(.tempo(document.tempo), now: now) }
        return schedule(action == .play ? .play : .stop, now: now)
    }

    /// After an operation commits at server time `now`: when it changed the tempo of a transport that
    /// plays (or will), the transport takes the new tempo on the next bar line; nil when there is
    /// nothing to tell. Standing still with no start scheduled, the tempo only matters from the next
    /// start, which takes the document's: members are not told.
    package mutating func followTempo(now: Int64) -> Transport? {
        guard let last = transport.segments.last, last.tempo != document.tempo, last.playing else { return nil }
        return schedule(.tempo(document.tempo), now: now)
    }

    private mutating func schedule(_ change: Transport.Change, now: Int64) -> Transport? {
        let current = transport.trimmed(at: now)
        let next = current.scheduling(change, now: now, meter: document.meter, lead: Self.transportLead)
        guard next != current else { return nil }
        transport = next
        return next
    }

    /// What became of a submitted operation.
    package enum Outcome: Equatable, Sendable {
        /// Applied as `entry` (transformed), to be logged, acknowledged and broadcast.
        case committed(LogEntry)
        /// Already committed at `revision`: acknowledge again, apply nothing.
        case duplicate(revision: Int)
        case refused(ProtocolError)
    }

    /// Transforms `operation` (made at `base`) over what was committed since, and applies it.
    package mutating func submit(author: String, base: Int, seq: Int, operation: JamCore.Operation, time: Int64, kind: AuthorKind? = nil) -> Outcome {
        if let last = clients[author], seq <= last.seq {
            guard seq == last.seq else {
                return .refused(refusal(.badSequence, "seq \(seq) is below \(last.seq), the last committed", seq))
            }
            return .duplicate(revision: last.revision)
        }
        guard base <= revision else {
            return .refused(refusal(.futureRevision, "base \(base) is after revision \(revision)", seq))
        }
        let oldest = revision - history.count
        guard base >= oldest, revision - base <= limits.transformWindow else {
            return .refused(refusal(.revisionTooOld, "base \(base) is older than the \(revision - oldest) revisions kept; rejoin", seq))
        }
        var transformed = operation
        for committed in history[(base - oldest)...] {
            transformed = transform(transformed, committed.operation, aWins: false).aPrime
        }
        do {
            try document.apply(transformed)
        } catch {
            return .refused(ProtocolError(error, seq: seq))
        }
        if let excess = sizeExcess() {
            try! document.apply(transformed.inverse)
            return .refused(refusal(.documentTooLarge, excess, seq))
        }
        revision += 1
        let entry = LogEntry(revision: revision, author: author, seq: seq, operation: transformed, time: time, kind: kind)
        clients[author] = ClientCommit(seq: seq, revision: revision)
        history.append(entry)
        if history.count > limits.transformWindow + limits.catchUpOps {
            history.removeFirst(history.count - limits.transformWindow)
        }
        return .committed(entry)
    }

    /// The operations committed after `revision`, or nil when they are no longer all kept or too many
    /// to send (the client then gets a snapshot).
    package func missed(since revision: Int) -> [LogEntry]? {
        let oldest = self.revision - history.count
        guard revision >= oldest, self.revision - revision <= limits.catchUpOps else { return nil }
        return Array(history[(revision - oldest)...])
    }

    /// Which of a rejoining client's pending sequences are already committed, with their revisions.
    package func committed(_ pending: [Int], by client: String) -> [CommittedSequence] {
        guard let last = clients[client] else { return [] }
        return pending.filter { $0 == last.seq }.map { CommittedSequence(seq: $0, revision: last.revision) }
    }

    private func sizeExcess() -> String? {
        if document.tracks.count > limits.tracks { return "more than \(limits.tracks) tracks" }
        let notes = document.noteCount
        if notes > limits.notes { return "more than \(limits.notes) notes" }
        // The canonical form is only measured once a generous bound says it might be near the cap.
        let bound = 2048 + document.title.utf8.count + document.tracks.count * 1024 + notes * 256
        if bound > limits.documentBytes, document.canonicalJSON().count > limits.documentBytes {
            return "larger than \(limits.documentBytes) bytes"
        }
        return nil
    }

    private func refusal(_ code: ProtocolError.Code, _ message: String, _ seq: Int) -> ProtocolError {
        ProtocolError(code, message, verb: Verb.op.rawValue, seq: seq)
    }
}
