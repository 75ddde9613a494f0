import JamCore
import JamLog
import JamProtocol
import Logging
import NIOCore
import NIOPosix

/// One live session: its state machine, its members and its log. Every change to the session runs on
/// this actor, in order; writes to the log run on a thread pool, batched (group commit), and nothing is
/// acknowledged or broadcast before the batch holding it is on disk.
actor Session {
    /// A connected participant.
    struct Member {
        var peer: Peer
        var connection: ConnectionID
        var outbox: Outbox
        var lastCursor: ContinuousClock.Instant?
        var pendingCursor: ClientMessage.Cursor?
        /// The revision of its WELCOME while that waits for the log; it gets nothing before it.
        var awaitingWelcome: Int?
    }

    let name: String
    private var state: SessionState
    private let log: SessionLog
    private let logger: Logger
    private let limits: JamProtocol.Limits
    private let metrics: ServerMetrics?
    private var members: [String: Member] = [:]
    private var order: [String] = []
    private var queue: ReleaseQueue
    /// The group-commit loop while it runs: a task of the session's own, so that no member's reader is
    /// held in it while others keep submitting.
    private var committer: Task<Void, Never>?
    private var failed = false
    private var closed = false
    /// The last transport record write, each waiting for the one before (so the log keeps their order).
    private var lastTransportWrite: Task<Void, Never>?
    private var transportWrites = 0

    init(name: String, log: SessionLog, recovery: SessionLog.Recovery, limits: JamProtocol.Limits, metrics: ServerMetrics?, logger: Logger) {
        self.name = name
        self.log = log
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
        state = SessionState(
            document: recovery.document, revision: recovery.revision, clients: recovery.clients, limits: limits,
            transport: recovery.transport)
        queue = ReleaseQueue(durableRevision: recovery.revision)
    }

    var revision: Int { state.revision }
    var document: Document { state.document }
    var isEmpty: Bool { members.isEmpty && queue.isEmpty && committer == nil && transportWrites == 0 }
    var roster: [Peer] { order.compactMap { members[$0]?.peer } }

    // MARK: Joining and leaving

    /// Admits a connection; answers WELCOME through its outbox once the revision it shows is durable,
    /// or the refusal. Nil when the session has just been unloaded: ask the registry again.
    func join(_ request: ClientMessage.Join, connection: ConnectionID, outbox: Outbox, resume: (String) -> String) -> Result<Peer, ProtocolError>? {
        guard !closed else { return nil }
        var client: String
        let plan: WelcomePlan
        if let rejoin = request.rejoin {
            switch WelcomePlan.rejoin(rejoin, resume: resume(rejoin.client), state: state) {
            case .failure(let error):
                return .failure(error)
            case .success(let rejoinPlan):
                client = rejoin.client
                plan = rejoinPlan
            }
        } else {
            repeat {
                client = "c" + String(UInt64.random(in: 0..<(1 << 40)), radix: 36)
            } while members[client] != nil || state.clients[client] != nil
            plan = .fresh(state: state)
        }
        let replacing = members[client]
        guard replacing != nil || members.count < limits.peersPerSession else {
            return .failure(ProtocolError(.sessionFull, "\(name) has \(limits.peersPerSession) members", verb: "JOIN"))
        }
        if members.contains(where: { $0.key != client && $0.value.peer.name == request.name }) {
            return .failure(ProtocolError(.nameTaken, "someone in \(name) is called \(request.name)", verb: "JOIN"))
        }
        if let replacing {
            replacing.outbox.close(after: ServerMessage.bye(Bye(reason: "replaced")).line())
            order.removeAll { $0 == client }
        }
        let peer = Peer(client: client, name: request.name, role: request.role, kind: request.kind)
        members[client] = Member(peer: peer, connection: connection, outbox: outbox, awaitingWelcome: plan.revision)
        order.append(client)
        // The roster and transport are filled in when it goes.
        let welcome = ServerMessage.Welcome(
            client: client, session: name, revision: plan.revision, hash: plan.hash,
            resume: resume(client), roster: [], content: plan.content, committed: plan.committed)
        queue.append(.welcome(client: client, connection: connection, welcome: welcome))
        release()
        if replacing == nil { broadcast(.peer(.init(.join, peer)), except: client) }
        logger.info("joined", metadata: ["session": "\(name)", "client": "\(client)", "name": "\(request.name)", "rejoin": "\(request.rejoin != nil)"])
        return .success(peer)
    }

    /// Removes a connection's member, if that connection is still the member's.
    func leave(client: String, connection: ConnectionID) {
        guard let member = members[client], member.connection == connection else { return }
        members[client] = nil
        order.removeAll { $0 == client }
        broadcast(.peer(.init(.leave, member.peer)), except: nil)
        logger.info("left", metadata: ["session": "\(name)", "client": "\(client)"])
    }

    // MARK: Operations

    /// Serialises an operation; the author hears ACK or ERR, the others OP, once it is durable.
    func submit(client: String, connection: ConnectionID, _ op: ClientMessage.Op) {
        guard let member = members[client], member.connection == connection else { return }
        guard member.peer.role == .player else {
            member.outbox.send(ServerMessage.err(ProtocolError(.forbidden, "listeners cannot edit", verb: "OP", seq: op.seq)).line())
            return
        }
        guard !failed else {
            member.outbox.close(after: ServerMessage.err(ProtocolError(.internalError, "the session log cannot be written", verb: "OP", seq: op.seq)).line())
            return
        }
        let before = state.revision
        let kind: AuthorKind = member.peer.kind == .ai ? .ai : .human
        switch state.submit(author: client, base: op.base, seq: op.seq, operation: op.op, time: LogClock.now(), kind: kind) {
        case .refused(let error):
            member.outbox.send(ServerMessage.err(error).line())
        case .duplicate(let revision):
            queue.append(.ack(client: client, connection: connection, seq: op.seq, revision: revision))
            release()
        case .committed(let entry):
            metrics?.transforms.increment(by: Int64(before - op.base))
            queue.append(.commit(entry))
            if let transport = state.followTempo(now: TransportClock.now()) { changed(transport) }
            commitSoon()
        }
    }

    /// Starts the group-commit loop unless it runs already.
    private func commitSoon() {
        guard committer == nil else { return }
        committer = Task { await commit() }
    }

    /// Writes what is waiting, batch after batch, while submissions keep arriving (group commit).
    private func commit() async {
        defer { committer = nil }
        while case let batch = queue.nextBatch, let last = batch.last {
            let started = ContinuousClock.now
            do {
                let log = self.log
                _ = try await NIOThreadPool.singleton.runIfActive { try log.append(batch) }
                queue.markDurable(through: last.revision)
                metrics?.operationsCommitted.increment(by: Int64(batch.count))
                metrics?.recordCommit(latency: ContinuousClock.now - started)
            } catch {
                failed = true
                logger.critical("cannot write the session log; the session stops accepting edits", metadata: ["session": "\(name)", "error": "\(error)"])
                for member in members.values {
                    member.outbox.close(after: ServerMessage.err(ProtocolError(.internalError, "the session log cannot be written", verb: nil)).line())
                }
                queue.removeAll()
                return
            }
            release()
        }
    }

    /// Sends, in revision order, every acknowledgement and broadcast whose revision is durable.
    private func release() {
        Delivery.batch { delivery in
            for release in queue.release() {
                switch release {
                case .commit(let entry):
                    let broadcast = ServerMessage.op(CommittedOperation(revision: entry.revision, author: entry.author, op: entry.operation)).line()
                    for member in members.values where member.awaitingWelcome == nil {
                        if member.peer.client == entry.author {
                            delivery.send(ServerMessage.ack(.init(seq: entry.seq, revision: entry.revision)).line(), to: member.outbox, first: true)
                        } else {
                            delivery.send(broadcast, to: member.outbox)
                        }
                    }
                case .ack(let client, let connection, let seq, let revision):
                    if let member = members[client], member.connection == connection {
                        delivery.send(ServerMessage.ack(.init(seq: seq, revision: revision)).line(), to: member.outbox, first: true)
                    }
                case .welcome(let client, let connection, var welcome):
                    guard var member = members[client], member.connection == connection else { continue }
                    welcome.roster = roster
                    welcome.transport = state.transport.trimmed(at: TransportClock.now())
                    delivery.send(ServerMessage.welcome(welcome).line(), to: member.outbox)
                    member.awaitingWelcome = nil
                    members[client] = member
                }
            }
        }
        dropSlowConsumers()
    }

    // MARK: Transport

    /// A member's play or stop: scheduled on a bar line, broadcast to everyone, logged.
    func transport(client: String, connection: ConnectionID, _ request: ClientMessage.TransportRequest) {
        guard let member = members[client], member.connection == connection else { return }
        guard member.peer.role == .player else {
            member.outbox.send(ServerMessage.err(ProtocolError(.forbidden, "listeners cannot start or stop the transport", verb: "TRANSPORT")).line())
            return
        }
        if let transport = state.requestTransport(request.action, now: TransportClock.now()) { changed(transport) }
    }

    /// Tells every member of a new transport at once (the lead covers the delivery), and logs it after
    /// the writes before it.
    private func changed(_ transport: Transport) {
        broadcast(.transport(transport), except: nil)
        let previous = lastTransportWrite
        let (log, logger, name) = (self.log, self.logger, self.name)
        transportWrites += 1
        lastTransportWrite = Task {
            await previous?.value
            do {
                _ = try await NIOThreadPool.singleton.runIfActive { try log.appendTransport(transport) }
            } catch {
                logger.error("cannot log the transport; a restart may lose it", metadata: ["session": "\(name)", "error": "\(error)"])
            }
            transportWritten()
        }
    }

    private func transportWritten() {
        transportWrites -= 1
    }

    // MARK: Presence and chat

    /// Forwards a cursor to the others, at most `cursorHz` a second per member; the latest wins.
    func cursor(client: String, connection: ConnectionID, _ cursor: ClientMessage.Cursor) {
        guard var member = members[client], member.connection == connection else { return }
        let interval = Duration.seconds(1) / max(1, limits.cursorHz)
        let now = ContinuousClock.now
        if let last = member.lastCursor, now - last < interval {
            let flushScheduled = member.pendingCursor != nil
            member.pendingCursor = cursor
            members[client] = member
            if !flushScheduled {
                Task { [weak self] in
                    try? await Task.sleep(for: interval - (now - last))
                    await self?.flushCursor(client: client, connection: connection)
                }
            }
            return
        }
        member.lastCursor = now
        member.pendingCursor = nil
        members[client] = member
        broadcast(.cursor(.init(client: client, cursor)), except: client)
    }

    private func flushCursor(client: String, connection: ConnectionID) {
        guard var member = members[client], member.connection == connection, let cursor = member.pendingCursor else { return }
        member.pendingCursor = nil
        member.lastCursor = .now
        members[client] = member
        broadcast(.cursor(.init(client: client, cursor)), except: client)
    }

    func chat(client: String, connection: ConnectionID, _ text: String) {
        guard let member = members[client], member.connection == connection else { return }
        broadcast(.chat(.init(client: client, text: text)), except: nil)
    }

    // MARK: Shutdown

    /// Closes the session if nobody is in it and nothing waits for the log; true when it did.
    func closeIfEmpty() -> Bool {
        guard isEmpty, !closed else { return false }
        closed = true
        log.close()
        return true
    }

    /// Says goodbye to every member, waits for the log, and closes it.
    func close(reason: String) async {
        closed = true
        commitSoon()
        while let committer { await committer.value }
        await lastTransportWrite?.value
        for member in members.values {
            member.outbox.close(after: ServerMessage.bye(Bye(reason: reason)).line())
        }
        members.removeAll()
        order.removeAll()
        let log = self.log
        do {
            _ = try await NIOThreadPool.singleton.runIfActive { try log.writeSnapshot() }
        } catch {
            logger.warning("no closing snapshot; the next load replays from the last one", metadata: ["session": "\(name)", "error": "\(error)"])
        }
        log.close()
    }

    // MARK: Fan-out

    /// Sends to every member but `except` and those whose WELCOME (which will hold the news) waits.
    private func broadcast(_ message: ServerMessage, except: String?) {
        let line = message.line()
        Delivery.batch { delivery in
            for member in members.values where member.peer.client != except && member.awaitingWelcome == nil {
                delivery.send(line, to: member.outbox)
            }
        }
        dropSlowConsumers()
    }

    /// Cuts off every member whose outbox overflowed: the others never wait for it.
    private func dropSlowConsumers() {
        for member in members.values where member.outbox.overflowed {
            member.outbox.close(after: ServerMessage.err(ProtocolError(.slowConsumer, "too much unread output; closing", verb: nil)).line())
            metrics?.slowConsumerDisconnects.increment()
            logger.warning("slow consumer cut off", metadata: ["session": "\(name)", "client": "\(member.peer.client)"])
            leave(client: member.peer.client, connection: member.connection)
        }
    }
}

/// Identifies one connection, so that a replaced connection's late messages are ignored.
package struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    package let value: UInt64
    package init(value: UInt64) { self.value = value }
    package var description: String { "#\(value)" }
}

extension ServerMessage {
    /// The message as one line in a buffer, ready for an outbox.
    func line() -> ByteBuffer {
        encodeLine(allocator: ByteBufferAllocator())
    }
}
