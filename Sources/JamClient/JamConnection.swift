import JamCore
import JamProtocol
import NIOCore
import NIOSSL

/// A member of one session on a Jam server, over TLS: the networked client.
///
/// Local edits apply to ``document`` at once and travel to the server through ``OTClient``; others'
/// edits arrive as ``events``. A dropped connection is retried with backoff (``ReconnectPolicy``): the
/// client rejoins as itself with its last revision and resends what was unacknowledged with the same
/// `seq`, so the server's dedup makes every edit count exactly once (PROTOCOL.md §3–§4).
public actor JamConnection {
    /// Everything that happens, in order, until the connection closes (then the sequence ends).
    public nonisolated let events: AsyncStream<JamEvent>
    public nonisolated let endpoint: Endpoint
    public nonisolated let request: JoinRequest

    /// The local replica: the server's document with this client's unacknowledged edits applied.
    public var document: Document { ot?.document ?? Document() }
    /// The last server revision this client has seen.
    public var revision: Int { ot?.revision ?? 0 }
    /// This client's id in the session (kept across reconnects).
    public var client: String? { identity?.client }
    /// The members connected now, this client included.
    public private(set) var roster: [Peer] = []
    public private(set) var state: ConnectionState = .connecting
    /// The limits the server announced in `HELLO`.
    public private(set) var limits = Limits.default
    /// Whether every local edit has been acknowledged.
    public var isSynchronized: Bool { ot?.state == .synchronized }
    /// Whether there is an edit of this author to undo, or an undo to redo.
    public var canUndo: Bool { ot?.history.canUndo ?? false }
    public var canRedo: Bool { ot?.history.canRedo ?? false }
    /// The session's shared transport (PROTOCOL.md §2.4), from `WELCOME` and `TRANSPORT`; nil before
    /// the first, or from a server that keeps none.
    public private(set) var transport: Transport?
    /// The estimate of the server's clock, from the PING/PONG round trips made every
    /// ``ClockSync/pingInterval`` while connected.
    public private(set) var clock = ClockSync()

    private let sink: AsyncStream<JamEvent>.Continuation
    private let policy: ReconnectPolicy
    private let context: NIOSSLContext
    private var ot: OTClient?
    private var identity: (client: String, resume: String)?
    /// Edits to carry into a fresh join when the server no longer knows this client.
    private var carried: [JamCore.Operation] = []
    private var link: Link?
    private var linkCount = 0
    private var attempt = 0
    private var random = SystemRandomNumberGenerator()
    private var firstJoin: CheckedContinuation<Void, any Error>?
    private var flushWaiters: [CheckedContinuation<Void, any Error>] = []
    /// A refusal seen since the last ``flush()`` began, reported by it.
    private var refusal: ClientError?
    private var pacer = Pacer()
    private var cursor = CursorThrottle<ClientMessage.Cursor>()
    /// The origin of this client's clock for ``clock``: microseconds are counted from it, monotonic.
    private nonisolated let origin = ContinuousClock.now

    /// A connection in progress on one socket.
    private struct Link {
        var number: Int
        var channel: LineChannel
        var outgoing: AsyncStream<[UInt8]>.Continuation
        var phase: Phase
        var heard: ContinuousClock.Instant
    }

    private enum Phase {
        case hello
        case welcome(rejoin: Bool)
        case joined
    }

    private init(endpoint: Endpoint, request: JoinRequest, policy: ReconnectPolicy, context: NIOSSLContext) {
        self.endpoint = endpoint
        self.request = request
        self.policy = policy
        self.context = context
        (events, sink) = AsyncStream.makeStream(of: JamEvent.self, bufferingPolicy: .unbounded)
    }

    /// Connects to `endpoint` and joins as `request` says. Throws when the first connection or join
    /// fails (no retry then: the address, the trust or the name are wrong, and a person should know).
    public static func connect(
        to endpoint: Endpoint, join request: JoinRequest, reconnect policy: ReconnectPolicy = .standard, timeout: Duration = .seconds(15)
    ) async throws(ClientError) -> JamConnection {
        let context: NIOSSLContext
        do {
            context = try endpoint.trust.makeClientContext()
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(code: "tls_context_failed", message: "\(error)")
        }
        let connection = JamConnection(endpoint: endpoint, request: request, policy: policy, context: context)
        do {
            try await connection.start(timeout: timeout)
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(code: "connect_failed", message: "\(error)")
        }
        return connection
    }

    private func start(timeout: Duration) async throws {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.failFirstJoin(ClientError(code: "timeout", message: "no WELCOME from \(self?.endpoint.host ?? ""):\(self?.endpoint.port ?? 0) within \(timeout.formatted)"))
        }
        defer { timer.cancel() }
        try await withCheckedThrowingContinuation { continuation in
            firstJoin = continuation
            Task { await self.openLink() }
        }
    }

    private func failFirstJoin(_ error: ClientError) {
        guard let firstJoin else { return }
        self.firstJoin = nil
        finish(error)
        firstJoin.resume(throwing: error)
    }

    // MARK: - Public operations

    /// Applies `operation` to the replica now and sends it (or buffers it behind the one in flight).
    /// Throws, changing nothing, when it does not apply to the replica.
    public func submit(_ operation: JamCore.Operation, undoable: Bool = true) throws(JamError) {
        guard var ot else { throw JamError(.malformed, "not joined") }
        let actions = try ot.local(operation, undoable: undoable)
        self.ot = ot
        perform(actions)
    }

    /// Undoes this author's last edit (never anyone else's). False when there was nothing to undo.
    @discardableResult
    public func undo() -> Bool {
        guard var ot else { return false }
        let actions = ot.undo()
        self.ot = ot
        perform(actions)
        return !actions.isEmpty
    }

    /// Redoes the last undo. False when there was nothing to redo.
    @discardableResult
    public func redo() -> Bool {
        guard var ot else { return false }
        let actions = ot.redo()
        self.ot = ot
        perform(actions)
        return !actions.isEmpty
    }

    /// Shows this client's cursor to the others (sent at most `cursorHz` times a second; the last wins).
    public func setCursor(track: String?, tick: Int, pitch: Int?) {
        let message = ClientMessage.Cursor(track: track, tick: tick, pitch: pitch)
        let interval = Duration.seconds(1) / max(1, limits.cursorHz)
        switch cursor.offer(message, now: .now, interval: interval) {
        case .sendNow: send(.cursor(message))
        case .sendAt(let when):
            Task { [weak self] in
                try? await Task.sleep(until: when)
                await self?.sendDeferredCursor()
            }
        case .wait: break
        }
    }

    private func sendDeferredCursor() {
        if let message = cursor.takeDeferred(now: .now) { send(.cursor(message)) }
    }

    /// The server's clock (µs since the Unix epoch) at local instant `instant`; nil until a PONG has
    /// measured the offset.
    public func serverTime(at instant: ContinuousClock.Instant = .now) -> Int64? {
        clock.serverTime(at: micros(instant))
    }

    /// The tick (fractional: its phase) the session's transport is at, at local instant `instant`; nil
    /// until the clock is measured and a transport is known.
    public func currentTick(at instant: ContinuousClock.Instant = .now) -> Double? {
        guard let transport, let server = serverTime(at: instant) else { return nil }
        return transport.tick(at: server)
    }

    /// Whether the session's transport plays at local instant `instant` (false until measured).
    public func isPlaying(at instant: ContinuousClock.Instant = .now) -> Bool {
        guard let transport, let server = serverTime(at: instant) else { return false }
        return transport.isPlaying(at: server)
    }

    /// Asks the server to start the shared transport (on the next bar line); a listener's request is
    /// refused with an ``JamEvent/error(_:)``.
    public func play() {
        send(.transport(.init(action: .play)))
    }

    /// Asks the server to stop the shared transport on the next bar line.
    public func stop() {
        send(.transport(.init(action: .stop)))
    }

    /// Microseconds from ``origin`` to `instant`.
    private nonisolated func micros(_ instant: ContinuousClock.Instant) -> Int64 {
        let d = origin.duration(to: instant).components
        return d.seconds * 1_000_000 + d.attoseconds / 1_000_000_000_000
    }

    /// Says `text` to the session.
    public func chat(_ text: String) {
        send(.chat(ClientMessage.Chat(text: text)))
    }

    /// Asks the server to start an AI bandmate in this session (PROTOCOL.md §2.3). It shows up as a
    /// ``JamEvent/peer(_:roster:)`` join; a refusal comes back as an ``JamEvent/error(_:)``.
    public func invite(_ invite: ClientMessage.Invite) {
        send(.invite(invite))
    }

    /// Asks the server to stop the AI bandmate with this display name or client id.
    public func dismiss(_ nameOrClient: String) {
        let isClient = roster.contains { $0.client == nameOrClient && $0.kind == .ai }
        send(.dismiss(isClient ? ClientMessage.Dismiss(client: nameOrClient) : ClientMessage.Dismiss(name: nameOrClient)))
    }

    /// Waits until every local edit so far is acknowledged. Throws the first refusal of an edit seen
    /// meanwhile, or the reason the connection closed.
    public func flush() async throws(ClientError) {
        refusal = nil
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                flushWaiters.append(continuation)
                resolveFlushWaiters()
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(code: "closed", message: "\(error)")
        }
    }

    /// Says goodbye and closes. Unacknowledged edits are not waited for: call ``flush()`` first to keep
    /// them.
    public func leave() {
        guard !isClosed else { return }
        send(.bye(Bye()))
        finish(nil)
    }

    // MARK: - The link

    private var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    private func openLink() async {
        guard !isClosed else { return }
        linkCount += 1
        let number = linkCount
        setState(attempt == 0 && ot == nil ? .connecting : state)
        let channel: LineChannel
        do {
            channel = try await LineChannel.open(endpoint, context: context, maxLineBytes: Limits.default.serverLineBytes, timeout: .seconds(10))
        } catch {
            lost(number, error)
            return
        }
        guard !isClosed, number == linkCount else {
            await channel.abandon()
            return
        }
        let (outgoing, writer) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .unbounded)
        link = Link(number: number, channel: channel, outgoing: writer, phase: .hello, heard: .now)
        // The link's reader, writer and watchdog; it ends when the channel closes.
        Task { [weak self] in
            var failure = ClientError(code: "connection_closed", message: "the server closed the connection")
            do {
                try await channel.channel.executeThenClose { inbound, outbound in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await bytes in outgoing {
                                try await outbound.write(ByteBuffer(bytes: bytes))
                            }
                            outbound.finish()
                        }
                        group.addTask {
                            await self?.watch(number)
                        }
                        group.addTask {
                            await self?.measureClock(number)
                        }
                        for try await line in inbound {
                            await self?.received(line, on: number)
                        }
                        group.cancelAll()
                    }
                }
            } catch {
                failure = Self.describe(error)
            }
            writer.finish()
            await self?.lost(number, failure)
        }
    }

    private static func describe(_ error: any Error) -> ClientError {
        if let error = error as? NIOSSLError {
            switch error {
            case .handshakeFailed:
                return ClientError(code: "tls_failed", message: "the TLS handshake failed: the server's certificate is not the one trusted, or TLS is not spoken there (\(error))")
            case .uncleanShutdown:
                return ClientError(code: "connection_closed", message: "the server closed the connection")
            default:
                break
            }
        }
        return ClientError(code: "connection_lost", message: "\(error)")
    }

    /// Pings a quiet server and drops the link when it stays quiet.
    private func watch(_ number: Int) async {
        var pinged = false
        while true {
            let period = policy.liveness ?? .seconds(limits.pingSeconds)
            try? await Task.sleep(for: period / 4)
            guard !Task.isCancelled, let link, link.number == number else { return }
            let silent = link.heard.duration(to: .now)
            if silent < period {
                pinged = false
            } else if !pinged {
                pinged = true
                write(.ping)
            } else if silent > period * 2 {
                lost(number, ClientError(code: "connection_lost", message: "no word from the server for \(silent.formatted)"))
                return
            }
        }
    }

    /// Sends a clock PING every ``ClockSync/pingInterval`` while the link lives.
    private func measureClock(_ number: Int) async {
        while true {
            guard !Task.isCancelled, let link, link.number == number else { return }
            if case .hello = link.phase {} else { write(.clockPing(.init(t: micros(.now)))) }
            try? await Task.sleep(for: ClockSync.pingInterval)
        }
    }

    private func received(_ line: ByteBuffer, on number: Int) {
        guard link?.number == number else { return }
        link?.heard = .now
        let message: ServerMessage
        do {
            message = try ServerMessage.decode(line: line, limits: limits)
        } catch {
            // A verb from a later version is not this client's business; anything else is reported.
            if error.code != .unknownVerb {
                emit(.error(ClientError(code: error.code.rawValue, message: "the server sent a line this client cannot read: \(error.message)")))
            }
            return
        }
        guard let phase = link?.phase else { return }
        switch (phase, message) {
        case (_, .ping):
            write(.pong)
        case (_, .pong):
            break
        case (_, .clockPong(let pong)):
            if let sent = pong.t { clock.add(sent: sent, server: pong.server, received: micros(.now)) }
        case (.hello, .hello(let hello)):
            limits = hello.limits ?? .default
            sendJoin(rejoin: identity != nil)
        case (.welcome(let rejoin), .welcome(let welcome)):
            joined(welcome, rejoin: rejoin)
        case (.welcome(rejoin: true), .err(let error)) where error.code == .unknownClient:
            // The server no longer knows this client (another data directory?): join afresh and
            // carry the unacknowledged edits over as new ones.
            carryOver()
            sendJoin(rejoin: false)
        case (.hello, .err(let error)), (.welcome, .err(let error)):
            refusedJoin(ClientError(error), closes: error.closesConnection || isFatal(error.code))
        case (.joined, _):
            handle(message)
        default:
            emit(.error(ClientError(code: "unexpected_message", message: "\(message.verb.rawValue) before joining")))
        }
    }

    private func isFatal(_ code: ProtocolError.Code) -> Bool {
        [.authFailed, .badSessionName, .invalidValue, .nameTaken, .forbidden].contains(code)
    }

    private func sendJoin(rejoin: Bool) {
        var join = ClientMessage.Join(session: request.session, name: request.name, role: request.role, token: request.token)
        join.kind = request.kind
        if rejoin, let identity, let ot {
            join.rejoin = ot.rejoinRequest(client: identity.client, resume: identity.resume)
        }
        link?.phase = .welcome(rejoin: join.rejoin != nil)
        write(.join(join))
    }

    private func refusedJoin(_ error: ClientError, closes: Bool) {
        if firstJoin != nil {
            failFirstJoin(error)
        } else if closes && error.code != "server_full" {
            emit(.error(error))
            finish(error)
        } else if let number = link?.number {
            lost(number, error)
        }
    }

    private func carryOver() {
        if let ot {
            carried = [ot.pending?.operation, ot.buffer?.operation].compactMap { $0 }.filter { !$0.isEmpty }
        }
        identity = nil
        ot = nil
    }

    private func joined(_ welcome: ServerMessage.Welcome, rejoin: Bool) {
        link?.phase = .joined
        attempt = 0
        identity = (welcome.client, welcome.resume)
        roster = welcome.roster
        if let transport = welcome.transport { self.transport = transport }
        setState(.connected)
        emit(.joined(client: welcome.client, revision: welcome.revision, roster: welcome.roster, rejoined: rejoin))
        if let transport = welcome.transport { emit(.transport(transport)) }
        if rejoin, var ot {
            let actions = ot.rejoined(welcome)
            self.ot = ot
            perform(actions)
        } else {
            guard var fresh = OTClient(welcome: welcome) else {
                emit(.error(ClientError(code: "unexpected_message", message: "a fresh WELCOME without a document")))
                return
            }
            for operation in carried {
                _ = try? fresh.local(operation)
            }
            carried = []
            ot = fresh
            emit(.changed(fresh.document, revision: fresh.revision))
            perform(fresh.pending.map { [.send(ClientMessage.Op(base: fresh.revision, seq: $0.seq, op: $0.operation))] } ?? [])
        }
        if let firstJoin {
            self.firstJoin = nil
            firstJoin.resume()
        }
        resolveFlushWaiters()
    }

    private func handle(_ message: ServerMessage) {
        guard var ot else { return }
        switch message {
        case .op(let committed):
            emit(.operation(committed))
            let actions = ot.serverOperation(committed)
            self.ot = ot
            perform(actions)
        case .ack(let ack):
            let actions = ot.ack(seq: ack.seq, revision: ack.revision)
            self.ot = ot
            emit(.acknowledged(seq: ack.seq, revision: ack.revision))
            perform(actions)
        case .err(let error):
            if let seq = error.seq, ot.pending?.seq == seq {
                let refusal = ClientError(error)
                self.refusal = self.refusal ?? refusal
                emit(.refused(refusal, seq: seq))
                let actions = ot.refused(error)
                self.ot = ot
                perform(actions)
            } else {
                emit(.error(ClientError(error)))
                if error.closesConnection, let number = link?.number {
                    lost(number, ClientError(error))
                }
            }
        case .cursor(let cursor):
            emit(.cursor(cursor))
        case .chat(let chat):
            emit(.chat(chat))
        case .transport(let transport):
            self.transport = transport
            emit(.transport(transport))
        case .peer(let event):
            roster.removeAll { $0.client == event.peer.client }
            if event.event == .join { roster.append(event.peer) }
            emit(.peer(event, roster: roster))
        case .bye(let bye):
            if bye.reason == "replaced" {
                let error = ClientError(code: "replaced", message: "another connection joined as this client")
                emit(.error(error))
                finish(error)
            } else if let number = link?.number {
                lost(number, ClientError(code: "server_closing", message: "the server said goodbye (\(bye.reason ?? "no reason"))"))
            }
        case .hello, .welcome, .ping, .pong, .clockPong:
            break
        }
        resolveFlushWaiters()
    }

    private func perform(_ actions: [OTClient.Action]) {
        for action in actions {
            switch action {
            case .send(let op):
                send(.op(op))
            case .changed:
                if let ot { emit(.changed(ot.document, revision: ot.revision)) }
            case .replaced(let document):
                emit(.changed(document, revision: ot?.revision ?? 0))
            case .resync(let reason):
                emit(.error(ClientError(code: "resync", message: "the replica lost step with the server (\(reason)); joining afresh")))
                carryOver()
                if let number = link?.number { lost(number, ClientError(code: "resync", message: reason)) }
            }
        }
        resolveFlushWaiters()
    }

    /// Sends a message once joined; before that (or while reconnecting) only `OP`s matter, and the
    /// state machine resends them after the rejoin.
    private func send(_ message: ClientMessage) {
        guard case .joined? = link?.phase else { return }
        if case .op = message, let delay = pacer.delay(now: .now, perSecond: limits.opsPerSecond, burst: limits.opsBurst) {
            let number = link?.number
            Task { [weak self] in
                try? await Task.sleep(for: delay)
                await self?.write(message, on: number)
            }
            return
        }
        write(message)
    }

    private func write(_ message: ClientMessage, on number: Int?) {
        guard link?.number == number else { return }
        write(message)
    }

    private func write(_ message: ClientMessage) {
        link?.outgoing.yield(message.encodeLine())
    }

    /// The link `number` is gone: retry with backoff, or give up.
    private func lost(_ number: Int, _ error: ClientError) {
        guard number == linkCount, !isClosed else { return }
        if let link, link.number == number {
            link.outgoing.finish()
            link.channel.close()
            self.link = nil
        }
        if firstJoin != nil {
            failFirstJoin(error)
            return
        }
        if var ot {
            ot.disconnected()
            self.ot = ot
        }
        attempt += 1
        if let maximum = policy.maximumAttempts, attempt > maximum {
            emit(.error(error))
            finish(ClientError(code: "gave_up", message: "lost the connection and \(maximum) attempts to come back failed: \(error.message)"))
            return
        }
        let delay = policy.delay(attempt: attempt, using: &random)
        setState(.reconnecting(attempt: attempt, delay: delay))
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.openLink()
        }
    }

    private func finish(_ error: ClientError?) {
        guard !isClosed else { return }
        setState(.closed(error))
        if let link {
            link.outgoing.finish()
            self.link = nil
        }
        linkCount += 1
        sink.finish()
        resolveFlushWaiters()
    }

    private func resolveFlushWaiters() {
        guard !flushWaiters.isEmpty else { return }
        let result: Result<Void, ClientError>
        if let refusal, isSynchronized || isClosed {
            result = .failure(refusal)
        } else if case .closed(let error) = state {
            result = .failure(error ?? ClientError(code: "closed", message: "the connection was closed"))
        } else if isSynchronized, case .connected = state {
            result = .success(())
        } else {
            return
        }
        let waiters = flushWaiters
        flushWaiters = []
        for waiter in waiters { waiter.resume(with: result.mapError { $0 as any Error }) }
    }

    private func setState(_ new: ConnectionState) {
        guard new != state else { return }
        state = new
        emit(.state(new))
    }

    private func emit(_ event: JamEvent) {
        sink.yield(event)
    }
}

/// Runs `body` with a joined connection and always leaves, also when `body` throws.
public func withJamConnection<Result: Sendable>(
    to endpoint: Endpoint, join request: JoinRequest, reconnect policy: ReconnectPolicy = .standard,
    _ body: (JamConnection) async throws -> Result
) async throws -> Result {
    let connection = try await JamConnection.connect(to: endpoint, join: request, reconnect: policy)
    do {
        let result = try await body(connection)
        await connection.leave()
        return result
    } catch {
        await connection.leave()
        throw error
    }
}
