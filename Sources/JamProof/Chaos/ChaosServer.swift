#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JamCore
import JamLog
import JamProtocol
import JamServer

/// The server of one chaos session: the real `SessionState` (serialising, exactly-once), the real
/// `WelcomePlan` and `ReleaseQueue`, and the real `SessionLog` on disk, driven the way the `Session`
/// actor drives them, with its I/O replaced by an outbox the simulation carries over its links and a
/// log write that completes some ticks later (so that a crash can land in the middle of it).
///
/// It also keeps, for the checks, the document at every revision: `documents[r]` is final
/// once `r` is durable, tentative above.
struct ChaosServer {
    struct Member {
        var peer: Peer
        var connection: ConnectionID
        /// The revision of its WELCOME while that waits for the log.
        var awaitingWelcome: Int?
    }

    /// A log write under way: the batch was handed to `append`, whose bytes `sizeBefore..<sizeAfter`
    /// are on disk, but it has not returned yet (it does at tick `done`).
    struct Write {
        var batch: [LogEntry]
        var sizeBefore: Int
        var sizeAfter: Int
        var done: Int
    }

    /// What became of a write under way when the process died.
    enum Tear: String, CaseIterable {
        case whole, none, torn

        var counter: ChaosStats.Counter {
            switch self {
            case .whole: .writesKept
            case .none: .writesLost
            case .torn: .writesTorn
            }
        }
    }

    static let session = "chaos"

    let directory: String
    let options: SessionLog.Options
    let limits: JamProtocol.Limits
    let writeLatency: ClosedRange<Int>
    private(set) var log: SessionLog
    private(set) var state: SessionState
    private(set) var queue: ReleaseQueue
    private(set) var members: [Member] = []
    /// The client id each welcomed connection speaks for (the connection's own state in the server).
    private var speakers: [ConnectionID: String] = [:]
    private(set) var writing: Write?
    /// The document at each revision, final up to the durable revision.
    private(set) var documents: [Document]
    /// Messages to send and connections to close, in order; the simulation takes them after each call.
    var outbox: [(ConnectionID, ServerMessage)] = []
    var closing: [ConnectionID] = []
    var problems: [String] = []
    var stats = ChaosStats()

    /// Opens (or creates) the session's log in `directory` and loads the session from it, as the registry
    /// and `Session.init` do.
    init(
        directory: String, initialDocument: Document, options: SessionLog.Options, limits: JamProtocol.Limits,
        writeLatency: ClosedRange<Int>, documents: [Document]? = nil
    ) throws(LogError) {
        self.directory = directory
        self.writeLatency = writeLatency
        self.options = options
        self.limits = limits
        let (log, recovery) = try SessionLog.openOrCreate(
            directory: directory, session: Self.session, initialDocument: initialDocument, options: options)
        self.log = log
        state = SessionState(document: recovery.document, revision: recovery.revision, clients: recovery.clients, limits: limits)
        queue = ReleaseQueue(durableRevision: recovery.revision)
        self.documents = documents ?? [recovery.document]
        stats[.tailsCut] += recovery.warnings.filter { $0.code == .tailCut }.count
    }

    /// The secret a client id rejoins with (the real server's is an HMAC under its key; any function of
    /// the id that outlives restarts will do here).
    static func resume(_ client: String) -> String { "r-" + client }

    var durableRevision: Int { queue.durableRevision }
    var isIdle: Bool { writing == nil && queue.isEmpty }

    // MARK: Messages from connections

    /// A line from a connection the server still reads.
    mutating func receive(_ message: ClientMessage, on connection: ConnectionID, now: Int, random: inout SeededGenerator) {
        switch message {
        case .join(let join):
            self.join(join, connection: connection, random: &random)
        case .op(let op):
            guard let client = speakers[connection] else {
                send(.err(ProtocolError(.notJoined, "join first", verb: "OP", seq: op.seq)), to: connection)
                return
            }
            submit(op, client: client, connection: connection, now: now, random: &random)
        default:
            break
        }
    }

    /// `Session.join`: a fresh client id or a rejoin's plan, the member replacing its stale connection.
    private mutating func join(_ request: ClientMessage.Join, connection: ConnectionID, random: inout SeededGenerator) {
        var client: String
        let plan: WelcomePlan
        if let rejoin = request.rejoin {
            switch WelcomePlan.rejoin(rejoin, resume: Self.resume(rejoin.client), state: state) {
            case .failure(let error):
                refuseJoin(error, on: connection)
                return
            case .success(let rejoinPlan):
                client = rejoin.client
                plan = rejoinPlan
            }
        } else {
            repeat {
                client = "c" + String(UInt64.random(in: 0..<(1 << 40), using: &random), radix: 36)
            } while members.contains(where: { $0.peer.client == client }) || state.clients[client] != nil
            plan = .fresh(state: state)
        }
        let replacing = members.firstIndex { $0.peer.client == client }
        guard replacing != nil || members.count < limits.peersPerSession else {
            refuseJoin(ProtocolError(.sessionFull, "full", verb: "JOIN"), on: connection)
            return
        }
        if members.contains(where: { $0.peer.client != client && $0.peer.name == request.name }) {
            refuseJoin(ProtocolError(.nameTaken, "someone is called \(request.name)", verb: "JOIN"), on: connection)
            return
        }
        if let replacing {
            let old = members.remove(at: replacing)
            send(.bye(Bye(reason: "replaced")), to: old.connection)
            close(old.connection)
        }
        let peer = Peer(client: client, name: request.name, role: request.role, kind: request.kind)
        members.append(Member(peer: peer, connection: connection, awaitingWelcome: plan.revision))
        speakers[connection] = client
        let welcome = ServerMessage.Welcome(
            client: client, session: Self.session, revision: plan.revision, hash: plan.hash,
            resume: Self.resume(client), roster: [], content: plan.content, committed: plan.committed)
        queue.append(.welcome(client: client, connection: connection, welcome: welcome))
        release()
        if request.rejoin != nil {
            stats[.rejoins] += 1
            if case .snapshot = plan.content { stats[.snapshotRejoins] += 1 }
            stats[.committedInWelcome] += plan.committed.count
        }
    }

    /// `Session.submit`: serialise, then hold the answer until the log has it.
    private mutating func submit(_ op: ClientMessage.Op, client: String, connection: ConnectionID, now: Int, random: inout SeededGenerator) {
        guard let member = members.first(where: { $0.peer.client == client }), member.connection == connection else { return }
        guard member.peer.role == .player else {
            send(.err(ProtocolError(.forbidden, "listeners cannot edit", verb: "OP", seq: op.seq)), to: connection)
            return
        }
        let before = state.revision
        switch state.submit(author: client, base: op.base, seq: op.seq, operation: op.op, time: Int64(now)) {
        case .refused(let error):
            stats[.refusals] += 1
            send(.err(error), to: connection)
        case .duplicate(let revision):
            stats[.duplicates] += 1
            queue.append(.ack(client: client, connection: connection, seq: op.seq, revision: revision))
            release()
        case .committed(let entry):
            stats[.committed] += 1
            if op.base < before { stats[.transformed] += 1 }
            documents.append(state.document)
            queue.append(.commit(entry))
            startWrite(now: now, random: &random)
        }
    }

    /// The server noticed that a connection closed.
    mutating func disconnected(_ connection: ConnectionID) {
        speakers[connection] = nil
        members.removeAll { $0.connection == connection }
    }

    // MARK: The log

    /// Hands the next batch to the log if no write is under way (`Session.commit`).
    private mutating func startWrite(now: Int, random: inout SeededGenerator) {
        guard writing == nil, case let batch = queue.nextBatch, !batch.isEmpty else { return }
        let before = log.size
        do {
            try log.append(batch)
        } catch {
            problems.append("the log refused a batch of \(batch.count) from revision \(batch[0].revision): \(error)")
            queue.removeAll()
            return
        }
        stats[.batches] += 1
        writing = Write(batch: batch, sizeBefore: before, sizeAfter: log.size, done: now + Int.random(in: writeLatency, using: &random))
    }

    /// Completes a write whose time has come, releases what it made durable, and starts the next.
    mutating func tick(now: Int, random: inout SeededGenerator) {
        guard let write = writing, write.done <= now else { return }
        writing = nil
        markDurable(write)
        startWrite(now: now, random: &random)
    }

    /// `Session.commit` after an append returned: the batch is durable; release what waited for it.
    private mutating func markDurable(_ write: Write) {
        queue.markDurable(through: write.batch.last!.revision)
        release()
    }

    /// `Session.release`: every acknowledgement and broadcast whose revision is durable, in order.
    private mutating func release() {
        for item in queue.release() {
            switch item {
            case .commit(let entry):
                let broadcast = ServerMessage.op(CommittedOperation(revision: entry.revision, author: entry.author, op: entry.operation))
                for member in members where member.awaitingWelcome == nil {
                    send(member.peer.client == entry.author ? .ack(.init(seq: entry.seq, revision: entry.revision)) : broadcast, to: member.connection)
                }
            case .ack(let client, let connection, let seq, let revision):
                if let member = members.first(where: { $0.peer.client == client }), member.connection == connection {
                    send(.ack(.init(seq: seq, revision: revision)), to: connection)
                }
            case .welcome(let client, let connection, var welcome):
                guard let index = members.firstIndex(where: { $0.peer.client == client }), members[index].connection == connection else { continue }
                welcome.roster = members.map(\.peer)
                send(.welcome(welcome), to: connection)
                members[index].awaitingWelcome = nil
            }
        }
    }

    // MARK: Stopping

    /// The process dies: every connection goes, and a write under way is kept whole, lost, or torn at
    /// a random byte (it was in the page cache or not; nothing acknowledged depended on it).
    mutating func crash(random: inout SeededGenerator) -> Tear? {
        var tear: Tear?
        if let write = writing {
            let how = Tear.allCases.randomElement(using: &random)!
            tear = how
            let size: Int
            switch how {
            case .whole: size = write.sizeAfter
            case .none: size = write.sizeBefore
            case .torn: size = Int.random(in: write.sizeBefore..<write.sizeAfter, using: &random)
            }
            log.close()
            stats[how.counter] += 1
            if size < write.sizeAfter, truncate(log.path, off_t(size)) != 0 {
                problems.append("cannot truncate \(log.path) to \(size) bytes")
            }
        }
        log.close()
        for member in members { closing.append(member.connection) }
        members.removeAll()
        speakers.removeAll()
        writing = nil
        return tear
    }

    /// `Session.close`: waits for the log, says BYE to everyone, writes a closing snapshot, closes.
    mutating func shutdown(now: Int, random: inout SeededGenerator) {
        while let write = writing {
            writing = nil
            markDurable(write)
            startWrite(now: now, random: &random)
        }
        for member in members {
            send(.bye(Bye(reason: "shutting down")), to: member.connection)
            closing.append(member.connection)
        }
        members.removeAll()
        speakers.removeAll()
        do {
            try log.writeSnapshot()
        } catch {
            problems.append("no closing snapshot: \(error)")
        }
        log.close()
    }

    /// Loads the session again from its log, as a restarted server does on the first join, and checks
    /// that the log kept every durable revision, and that what it recovered is what was committed.
    static func restart(after old: ChaosServer) throws(LogError) -> ChaosServer {
        var server = try ChaosServer(
            directory: old.directory, initialDocument: Document(), options: old.options, limits: old.limits,
            writeLatency: old.writeLatency, documents: old.documents)
        let recovered = server.state.revision
        if recovered < old.durableRevision {
            server.problems.append("the log recovered revision \(recovered), but \(old.durableRevision) was durable")
        } else if recovered >= old.documents.count {
            server.problems.append("the log recovered revision \(recovered), beyond the last committed \(old.documents.count - 1)")
        } else if server.state.document != old.documents[recovered] {
            server.problems.append("the log's document at revision \(recovered) is not the one committed at that revision")
        }
        server.documents = Array(old.documents.prefix(recovered + 1))
        return server
    }

    // MARK: Plumbing

    private mutating func send(_ message: ServerMessage, to connection: ConnectionID) {
        outbox.append((connection, message))
    }

    /// `ClientConnection.join`'s refusal: ERR, and the connection closes if the code says so.
    private mutating func refuseJoin(_ error: ProtocolError, on connection: ConnectionID) {
        stats[.joinRefusals] += 1
        send(.err(error), to: connection)
        if error.closesConnection { close(connection) }
    }

    private mutating func close(_ connection: ConnectionID) {
        speakers[connection] = nil
        closing.append(connection)
    }
}
