import JamCore
import JamProtocol

/// The client side of Jam's operational transformation (PROTOCOL.md §3–§4), after ot.js's `Client`:
/// synchronized, awaiting confirmation of one operation, or awaiting it with later edits buffered.
///
/// Pure: no sockets, no clocks. The driver feeds it events (a local edit, the server's `OP`, `ACK`,
/// `ERR` and `WELCOME`, a lost connection) and performs the ``Action``s each one returns.
///
/// Invariant: ``document`` (the replica) is always what the server will hold once everything sent and
/// buffered is acknowledged; ``serverDocument`` is the server's document at ``revision``.
public struct OTClient: Sendable {
    /// What the driver does after an event.
    public enum Action: Hashable, Sendable {
        /// Send this `OP` to the server.
        case send(ClientMessage.Op)
        /// The replica changed by this operation, which the caller did not pass in: an edit of others
        /// (as rewritten for this replica), the revert of a refused edit, or an undo or redo. Redraw it.
        case changed(JamCore.Operation)
        /// The replica was replaced by a snapshot (local edits that still applied re-applied on top).
        case replaced(Document)
        /// The replica can no longer be trusted (a gap in revisions, a hash that does not match, an
        /// operation that does not apply): join afresh. The state machine should not be used further.
        case resync(String)
    }

    /// The one operation sent (or about to be) and not yet acknowledged.
    public struct Pending: Hashable, Sendable {
        /// Its sequence number; a resend after a rejoin keeps it.
        public var seq: Int
        /// The operation, rewritten over every server operation received since it was made: it applies
        /// to the server's document at ``OTClient/revision``.
        public var operation: JamCore.Operation
        /// Whether it was sent, on this connection or an earlier one.
        public var sent: Bool
        /// The numbers of the local edits it holds.
        public var edits: Range<Int>
    }

    /// Local edits made while an operation is awaiting its `ACK`, composed into one.
    public struct Buffer: Hashable, Sendable {
        /// Applies after the pending operation.
        public var operation: JamCore.Operation
        /// The numbers of the local edits it holds.
        public var edits: Range<Int>
    }

    /// ot.js's three states.
    public enum State: Hashable, Sendable {
        case synchronized
        case awaitingConfirm(Pending)
        case awaitingWithBuffer(Pending, Buffer)
    }

    /// The local replica, every local edit already applied.
    public private(set) var document: Document
    /// The last server revision seen (from `WELCOME`, `ACK` or `OP`).
    public private(set) var revision: Int
    /// The `seq` the next operation sent will get.
    public private(set) var nextSeq: Int
    public private(set) var state: State
    /// This author's undo and redo, kept transformed over everything else applied to the replica.
    public private(set) var history: UndoHistory
    /// False between ``disconnected()`` and ``rejoined(_:)``: local edits are kept, nothing is sent.
    public private(set) var isConnected = true
    /// The number of the last local edit (a counter for ``UndoHistory`` tags).
    private var lastEdit = 0

    /// A replica of `document` at `revision`, connected, nothing pending.
    public init(document: Document, revision: Int, nextSeq: Int = 1, undoLimit: Int = 500) {
        self.document = document
        self.revision = revision
        self.nextSeq = max(1, nextSeq)
        self.state = .synchronized
        self.history = UndoHistory(limit: undoLimit)
    }

    /// The replica a fresh join's `WELCOME` starts; nil when it carries missed operations instead of a
    /// document (that is a rejoin: see ``rejoined(_:)``).
    public init?(welcome: ServerMessage.Welcome, undoLimit: Int = 500) {
        guard case .snapshot(let document) = welcome.content else { return nil }
        self.init(document: document, revision: welcome.revision, undoLimit: undoLimit)
    }

    /// The operation awaiting its `ACK`, if any.
    public var pending: Pending? {
        switch state {
        case .synchronized: nil
        case .awaitingConfirm(let pending), .awaitingWithBuffer(let pending, _): pending
        }
    }

    /// The edits buffered behind the pending operation, if any.
    public var buffer: Buffer? {
        if case .awaitingWithBuffer(_, let buffer) = state { buffer } else { nil }
    }

    /// The server's document at ``revision``: the replica without the buffered and pending operations.
    /// Nil only if the state is broken (their inverses do not apply).
    public var serverDocument: Document? {
        var server = document
        do {
            if let buffer { try server.apply(buffer.operation.inverse) }
            if let pending { try server.apply(pending.operation.inverse) }
        } catch {
            return nil
        }
        return server
    }

    // MARK: - Local events

    /// A local edit: applies it to the replica at once (throwing, and changing nothing, if it does not
    /// apply), then sends it when synchronized or composes it into the buffer. An `undoable` edit
    /// becomes the next undo; any other is treated by the history like an edit of others.
    public mutating func local(_ operation: JamCore.Operation, undoable: Bool = true) throws(JamError) -> [Action] {
        guard !operation.isEmpty else { return [] }
        try document.apply(operation)
        lastEdit += 1
        if undoable {
            history.record(operation, tag: lastEdit)
        } else {
            history.transform(against: operation)
        }
        enqueue(operation, edits: lastEdit..<lastEdit + 1)
        return flush()
    }

    /// Undoes this author's last edit still standing, transformed over everything done since, as a new
    /// local edit. Returns nothing when there is nothing to undo.
    public mutating func undo() -> [Action] {
        guard let operation = history.undo(applyingTo: &document, tag: lastEdit + 1) else { return [] }
        lastEdit += 1
        enqueue(operation, edits: lastEdit..<lastEdit + 1)
        return [.changed(operation)] + flush()
    }

    /// Redoes the last undo, as a new local edit. Returns nothing when there is nothing to redo.
    public mutating func redo() -> [Action] {
        guard let operation = history.redo(applyingTo: &document, tag: lastEdit + 1) else { return [] }
        lastEdit += 1
        enqueue(operation, edits: lastEdit..<lastEdit + 1)
        return [.changed(operation)] + flush()
    }

    /// The connection was lost: nothing is sent until ``rejoined(_:)``. Local edits go on.
    public mutating func disconnected() {
        isConnected = false
    }

    /// The `rejoin` of a `JOIN` after a lost connection: the last revision seen and the pending
    /// operation's `seq` if it was sent.
    public func rejoinRequest(client: String, resume: String) -> ClientMessage.Rejoin {
        let pending = self.pending.flatMap { $0.sent ? [$0.seq] : nil } ?? []
        return ClientMessage.Rejoin(client: client, resume: resume, revision: revision, pending: pending)
    }

    // MARK: - Server events

    /// The server's `OP`: another member's operation committed as `committed.revision`. It is
    /// transformed over the pending and buffered operations (it has priority over both) and applied.
    /// An `OP` already seen is ignored; one after a gap is a ``Action/resync(_:)``.
    public mutating func serverOperation(_ committed: CommittedOperation) -> [Action] {
        guard committed.revision > revision else { return [] }
        do throws(Resync) {
            return try receive(committed)
        } catch {
            return [.resync(error.reason)]
        }
    }

    /// The server's `ACK`: the pending operation is committed as `revision`; the buffer, if any, is sent
    /// with `base` = `revision`. An `ACK` of anything else is ignored.
    public mutating func ack(seq: Int, revision: Int) -> [Action] {
        guard let pending, pending.seq == seq else { return [] }
        guard revision == self.revision + 1 else {
            return [.resync("ACK of seq \(seq) is revision \(revision); the last seen is \(self.revision)")]
        }
        acknowledge(revision: revision)
        return flush()
    }

    /// The server's `ERR` for an `OP`: the pending operation was refused. It is dropped and reverted on
    /// the replica (its inverse rewritten past the buffer, whose edits stand), and the buffer, if any, is
    /// sent in its place. An `ERR` for anything else is ignored.
    public mutating func refused(seq: Int) -> [Action] {
        guard let pending, pending.seq == seq else { return [] }
        let revert: JamCore.Operation
        switch state {
        case .synchronized:
            return []
        case .awaitingConfirm:
            revert = pending.operation.inverse
            state = .synchronized
        case .awaitingWithBuffer(_, let buffer):
            // Both apply to the replica with the pending operation and before the buffer: the inverse is
            // rewritten to apply after the buffer, the buffer to apply without the pending operation.
            let (undo, rest) = transform(pending.operation.inverse, buffer.operation, aWins: false)
            revert = undo
            state = .synchronized
            if !rest.isEmpty { enqueue(rest, edits: buffer.edits) }
        }
        do {
            try document.apply(revert)
        } catch {
            return [.resync("the revert of refused seq \(seq) does not apply: \(error)")]
        }
        history.forget(pending.edits, revertedBy: revert)
        return (revert.isEmpty ? [] : [.changed(revert)]) + flush()
    }

    /// ``refused(seq:)`` for an `ERR` that carries a `seq`; other errors are ignored.
    public mutating func refused(_ error: ProtocolError) -> [Action] {
        guard let seq = error.seq else { return [] }
        return refused(seq: seq)
    }

    /// The `WELCOME` of a rejoin (PROTOCOL.md §3.5). With missed operations: each is handled in order,
    /// an entry whose revision is in `committed` as the pending operation's `ACK`, any other as an `OP`;
    /// the replica is then checked against the welcome's hash. With a snapshot: the replica is replaced,
    /// and the pending operation (unless committed) and the buffer are re-applied to it as new edits if
    /// they still apply, or dropped; the undo history is cleared. Either way, what is still pending is
    /// then sent (again), with its `seq` and `base` = the welcome's revision.
    public mutating func rejoined(_ welcome: ServerMessage.Welcome) -> [Action] {
        isConnected = true
        var actions: [Action] = []
        switch welcome.content {
        case .missed(let operations):
            let mine = Dictionary(welcome.committed.map { ($0.revision, $0.seq) }, uniquingKeysWith: { first, _ in first })
            do throws(Resync) {
                for committed in operations where committed.revision > revision {
                    if let seq = mine[committed.revision], let pending, pending.seq == seq {
                        guard committed.revision == revision + 1 else {
                            throw Resync("own operation at revision \(committed.revision) after \(revision)")
                        }
                        acknowledge(revision: committed.revision)
                    } else {
                        actions += try receive(committed)
                    }
                }
                guard revision == welcome.revision else {
                    throw Resync("WELCOME is at revision \(welcome.revision) but its operations end at \(revision)")
                }
                if let pending, welcome.committed.contains(where: { $0.seq == pending.seq }) {
                    throw Resync("seq \(pending.seq) is committed but not among the operations missed")
                }
                guard let server = serverDocument, server.contentHash == welcome.hash else {
                    throw Resync("the replica at revision \(revision) does not match the server's hash")
                }
            } catch {
                return actions + [.resync(error.reason)]
            }
        case .snapshot(let snapshot):
            let committed = Set(welcome.committed.map(\.seq))
            var carried: [(seq: Int?, operation: JamCore.Operation, edits: Range<Int>)] = []
            if let pending, !committed.contains(pending.seq) {
                carried.append((pending.seq, pending.operation, pending.edits))
            }
            if let buffer { carried.append((nil, buffer.operation, buffer.edits)) }
            document = snapshot
            revision = welcome.revision
            state = .synchronized
            history.clear()
            for edit in carried where (try? document.apply(edit.operation)) != nil {
                enqueue(edit.operation, edits: edit.edits, seq: edit.seq)
            }
            actions.append(.replaced(document))
        }
        if case .awaitingConfirm(var pending) = state {
            pending.sent = false
            state = .awaitingConfirm(pending)
        } else if case .awaitingWithBuffer(var pending, let buffer) = state {
            pending.sent = false
            state = .awaitingWithBuffer(pending, buffer)
        }
        return actions + flush()
    }

    // MARK: - Transitions

    private struct Resync: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// A local edit already applied to the replica joins the outgoing operations.
    private mutating func enqueue(_ operation: JamCore.Operation, edits: Range<Int>, seq: Int? = nil) {
        switch state {
        case .synchronized:
            let seq = seq ?? takeSeq()
            nextSeq = max(nextSeq, seq + 1)
            state = .awaitingConfirm(Pending(seq: seq, operation: operation, sent: false, edits: edits))
        case .awaitingConfirm(let pending):
            state = .awaitingWithBuffer(pending, Buffer(operation: operation, edits: edits))
        case .awaitingWithBuffer(let pending, var buffer):
            buffer.operation = buffer.operation.composed(with: operation)
            buffer.edits = buffer.edits.lowerBound..<max(buffer.edits.upperBound, edits.upperBound)
            state = .awaitingWithBuffer(pending, buffer)
        }
    }

    private mutating func takeSeq() -> Int {
        defer { nextSeq += 1 }
        return nextSeq
    }

    /// Sends the pending operation if it has not gone out on this connection.
    private mutating func flush() -> [Action] {
        guard isConnected, var pending, !pending.sent else { return [] }
        pending.sent = true
        switch state {
        case .synchronized: return []
        case .awaitingConfirm: state = .awaitingConfirm(pending)
        case .awaitingWithBuffer(_, let buffer): state = .awaitingWithBuffer(pending, buffer)
        }
        return [.send(ClientMessage.Op(base: revision, seq: pending.seq, op: pending.operation))]
    }

    /// The pending operation is committed as `revision`; the buffer becomes the pending operation.
    private mutating func acknowledge(revision: Int) {
        self.revision = revision
        switch state {
        case .synchronized, .awaitingConfirm:
            state = .synchronized
        case .awaitingWithBuffer(_, let buffer):
            state = .synchronized
            if !buffer.operation.isEmpty { enqueue(buffer.operation, edits: buffer.edits) }
        }
    }

    /// A server operation at `revision + 1`: transformed over the pending and buffered operations (the
    /// server's has priority) and applied to the replica and the history.
    private mutating func receive(_ committed: CommittedOperation) throws(Resync) -> [Action] {
        guard committed.revision == revision + 1 else {
            throw Resync("OP at revision \(committed.revision) after \(revision): a gap")
        }
        var incoming = committed.op
        var next = state
        switch state {
        case .synchronized:
            break
        case .awaitingConfirm(var pending):
            (pending.operation, incoming) = transform(pending.operation, incoming, aWins: false)
            next = .awaitingConfirm(pending)
        case .awaitingWithBuffer(var pending, var buffer):
            (pending.operation, incoming) = transform(pending.operation, incoming, aWins: false)
            (buffer.operation, incoming) = transform(buffer.operation, incoming, aWins: false)
            next = .awaitingWithBuffer(pending, buffer)
        }
        do {
            try document.apply(incoming)
        } catch {
            throw Resync("OP at revision \(committed.revision) does not apply to the replica: \(error)")
        }
        state = next
        revision = committed.revision
        history.transform(against: incoming)
        return incoming.isEmpty ? [] : [.changed(incoming)]
    }
}
