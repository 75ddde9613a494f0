import JamCore
import JamLog
import JamProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// What every connection shares: the sessions, the secret, the limits.
final class ServerContext: Sendable {
    let registry: SessionRegistry
    let secret: ServerSecret
    let limits: JamProtocol.Limits
    let token: String?
    let metrics: ServerMetrics?
    let logger: Logger
    let bandmates: (any Bandmates)?
    /// The port the server listens on, for bandmates to connect to.
    let port: Int

    init(
        registry: SessionRegistry, secret: ServerSecret, limits: JamProtocol.Limits, token: String?,
        metrics: ServerMetrics?, logger: Logger, bandmates: (any Bandmates)?, port: Int
    ) {
        self.registry = registry
        self.secret = secret
        self.limits = limits
        self.token = token
        self.metrics = metrics
        self.logger = logger
        self.bandmates = bandmates
        self.port = port
    }
}

/// One client connection: an inbox of lines handled in order by a drain that runs only while there is
/// something to handle, an outbox written on the channel's event loop, and a watchdog for idle clients. An
/// idle connection holds no task. The decisions stay in `Session`; this only moves lines.
final class ClientConnection: Sendable {
    private struct Activity {
        var last = ContinuousClock.now
        var pinged = false
        var joined = false
    }

    let id: ConnectionID
    let context: ServerContext
    let outbox: Outbox
    let logger: Logger
    private let channel: any Channel
    private let inbox: NIOLockedValueBox<InboxState<Conversation>>
    private let activity = NIOLockedValueBox(Activity())
    private let started = ContinuousClock.now

    init(id: ConnectionID, context: ServerContext, channel: any Channel) {
        self.id = id
        self.context = context
        self.channel = channel
        outbox = Outbox(channel: channel, capacity: context.limits.outboundBytes)
        inbox = NIOLockedValueBox(InboxState(parked: Conversation(limits: context.limits)))
        var logger = context.logger
        logger[metadataKey: "connection"] = "\(id)"
        self.logger = logger
    }

    /// Says HELLO and starts the watchdog, which the caller cancels when the channel closes.
    func start(on loop: any EventLoop) -> RepeatedTask {
        let auth: ServerMessage.Auth = context.token == nil ? .none : .token
        outbox.send(ServerMessage.hello(.init(server: "jam/\(JamVersion.program)", auth: auth, limits: context.limits)).line())
        return watch(loop)
    }

    /// Takes what the channel delivered; starts a drain if none is running. On the event loop.
    func receive(_ item: InboxState<Conversation>.Item) {
        if case .line = item {
            activity.withLockedValue { $0.last = .now; $0.pinged = false }
        }
        if inbox.withLockedValue({ $0.post(item) }) {
            Task { await self.drain() }
        }
    }

    /// Returns once the channel has closed.
    func closed() async {
        try? await channel.closeFuture.get()
    }

    /// Whether the channel may read more: not while the inbox holds a backlog.
    func mayRead() -> Bool {
        inbox.withLockedValue { $0.mayRead() }
    }

    /// Handles what the inbox holds, in order, until it is empty.
    private func drain() async {
        var reader = Reader(connection: self, conversation: inbox.withLockedValue { $0.unpark() })
        while true {
            let next = inbox.withLockedValue { $0.next(parking: reader.conversation) }
            if next.resumeReading { channel.read() }
            guard let item = next.item else { return }
            switch item {
            case .line(let line):
                guard !reader.conversation.ended else { continue }
                if await !reader.handle(line) { end(&reader) }
            case .failed(let error):
                guard !reader.conversation.ended else { continue }
                reader.refuse(error)
                end(&reader)
            case .closed:
                end(&reader)
                await reader.leave()
            }
        }
    }

    /// Reads nothing more; the outbox closes the channel after its last line.
    private func end(_ reader: inout Reader) {
        reader.conversation.ended = true
        outbox.close()
    }

    /// Pings a quiet client, and closes one that stays silent or never joins: a timer on the connection's
    /// event loop, which costs an idle connection no task of its own.
    private func watch(_ loop: any EventLoop) -> RepeatedTask {
        let limits = context.limits
        let shortest = min(limits.joinSeconds, limits.idleSeconds, limits.pingSeconds > 0 ? limits.pingSeconds : limits.idleSeconds)
        let tick = TimeAmount.milliseconds(Int64(min(1000, max(50, shortest * 1000 / 4))))
        return loop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { [self] task in
            let now = ContinuousClock.now
            let (silent, pinged, joined) = activity.withLockedValue { ($0.last.duration(to: now), $0.pinged, $0.joined) }
            if !joined && started.duration(to: now) > .seconds(limits.joinSeconds) {
                refuse(ProtocolError(.idleTimeout, "no JOIN within \(limits.joinSeconds) s"))
                task.cancel()
            } else if silent > .seconds(limits.idleSeconds) {
                refuse(ProtocolError(.idleTimeout, "nothing heard for \(limits.idleSeconds) s"))
                task.cancel()
            } else if silent > .seconds(limits.pingSeconds) && !pinged {
                activity.withLockedValue { $0.pinged = true }
                outbox.send(ServerMessage.ping.line())
            }
        }
    }

    /// Answers with ERR; closes the connection when the code says so.
    func refuse(_ error: ProtocolError) {
        context.metrics?.protocolError(code: error.code.rawValue)
        let line = ServerMessage.err(error).line()
        if error.closesConnection {
            logger.info("closing", metadata: ["code": "\(error.code)", "message": "\(error.message)"])
            outbox.close(after: line)
        } else {
            outbox.send(line)
        }
    }

    /// What a connection remembers between drains: joined or not, the client's rate limits, ended or not.
    struct Conversation: Sendable {
        var joined: (session: Session, name: String, peer: Peer)?
        var lines: TokenBucket
        var ops: TokenBucket
        var chats: TokenBucket
        /// True once the connection is closing: later lines are not handled.
        var ended = false

        init(limits: JamProtocol.Limits) {
            lines = TokenBucket(rate: limits.messagesPerSecond, burst: limits.messagesBurst)
            ops = TokenBucket(rate: limits.opsPerSecond, burst: limits.opsBurst)
            chats = TokenBucket(rate: limits.chatPerSecond, burst: limits.chatBurst)
        }
    }

    /// Handles lines for one drain: the conversation, with the connection it belongs to.
    struct Reader {
        let connection: ClientConnection
        var conversation: Conversation

        func refuse(_ error: ProtocolError) { connection.refuse(error) }

        /// Handles one line; false when the connection should end.
        mutating func handle(_ line: ByteBuffer) async -> Bool {
            let context = connection.context
            let message: ClientMessage
            do throws(ProtocolError) {
                message = try ClientMessage.decode(line: line, limits: context.limits)
            } catch {
                refuse(error)
                return !error.closesConnection
            }
            guard conversation.lines.take() else {
                refuse(ProtocolError(.rateLimited, "more than \(context.limits.messagesPerSecond) lines a second", verb: message.verb.rawValue))
                return true
            }
            switch message {
            case .join(let request):
                return await join(request)
            case .op(let op):
                guard let joined = conversation.joined else { return notJoined(message) }
                guard conversation.ops.take() else {
                    refuse(ProtocolError(.rateLimited, "more than \(context.limits.opsPerSecond) OPs a second", verb: "OP", seq: op.seq))
                    return true
                }
                await joined.session.submit(client: joined.peer.client, connection: connection.id, op)
            case .cursor(let cursor):
                guard let joined = conversation.joined else { return notJoined(message) }
                guard joined.peer.role == .player else {
                    refuse(ProtocolError(.forbidden, "listeners have no cursor", verb: "CURSOR"))
                    return true
                }
                await joined.session.cursor(client: joined.peer.client, connection: connection.id, cursor)
            case .chat(let chat):
                guard let joined = conversation.joined else { return notJoined(message) }
                guard conversation.chats.take() else {
                    refuse(ProtocolError(.rateLimited, "more than \(context.limits.chatPerSecond) chats a second", verb: "CHAT"))
                    return true
                }
                await joined.session.chat(client: joined.peer.client, connection: connection.id, chat.text)
            case .invite(let invite):
                guard let joined = conversation.joined else { return notJoined(message) }
                guard joined.peer.role == .player else {
                    refuse(ProtocolError(.forbidden, "listeners cannot invite", verb: "INVITE"))
                    return true
                }
                guard let bandmates = context.bandmates else {
                    refuse(ProtocolError(.unavailable, "this server runs no AI bandmates", verb: "INVITE"))
                    return true
                }
                do throws(ProtocolError) {
                    let name = try await bandmates.invite(invite, session: joined.name, by: joined.peer, port: context.port)
                    connection.logger.info("bandmate invited", metadata: ["session": "\(joined.name)", "bandmate": "\(name)"])
                } catch {
                    var error = error
                    error.verb = "INVITE"
                    refuse(error)
                }
            case .dismiss(let dismiss):
                guard let joined = conversation.joined else { return notJoined(message) }
                guard joined.peer.role == .player else {
                    refuse(ProtocolError(.forbidden, "listeners cannot dismiss", verb: "DISMISS"))
                    return true
                }
                do throws(ProtocolError) {
                    guard let bandmates = context.bandmates else {
                        throw ProtocolError(.unknownClient, "this server started no AI bandmates")
                    }
                    try await bandmates.dismiss(dismiss, session: joined.name, by: joined.peer)
                } catch {
                    var error = error
                    error.verb = "DISMISS"
                    refuse(error)
                }
            case .ping:
                connection.outbox.send(ServerMessage.pong.line())
            case .clockPing(let ping):
                connection.outbox.send(ServerMessage.clockPong(.init(t: ping.t, server: TransportClock.now())).line())
            case .transport(let request):
                guard let joined = conversation.joined else { return notJoined(message) }
                await joined.session.transport(client: joined.peer.client, connection: connection.id, request)
            case .pong:
                break
            case .bye:
                connection.outbox.close(after: ServerMessage.bye(Bye(reason: "bye")).line())
                return false
            }
            return true
        }

        private func notJoined(_ message: ClientMessage) -> Bool {
            refuse(ProtocolError(.notJoined, "JOIN a session first", verb: message.verb.rawValue))
            return true
        }

        private mutating func join(_ request: ClientMessage.Join) async -> Bool {
            let context = connection.context
            if let joined = conversation.joined {
                refuse(ProtocolError(.alreadyJoined, "this connection is in \(joined.name) already", verb: "JOIN"))
                return true
            }
            if let token = context.token, request.token != token {
                refuse(ProtocolError(.authFailed, "this server wants its token", verb: "JOIN"))
                return false
            }
            for _ in 0..<3 {
                let session: Session
                do {
                    session = try await context.registry.session(request.session)
                } catch {
                    connection.logger.error("cannot open session", metadata: ["session": "\(request.session)", "error": "\(error)"])
                    refuse(ProtocolError(.internalError, "session \(request.session) cannot be opened: \(error)", verb: "JOIN"))
                    return false
                }
                let name = request.session
                let outcome = await session.join(request, connection: connection.id, outbox: connection.outbox) {
                    context.secret.resume(session: name, client: $0)
                }
                switch outcome {
                case .success(let peer):
                    conversation.joined = (session, request.session, peer)
                    connection.activity.withLockedValue { $0.joined = true }
                    return true
                case .failure(let error):
                    refuse(error)
                    return !error.closesConnection
                case nil:
                    continue
                }
            }
            refuse(ProtocolError(.internalError, "session \(request.session) is restarting; join again", verb: "JOIN"))
            return false
        }

        /// Leaves the session, which may then unload.
        func leave() async {
            guard let joined = conversation.joined else { return }
            await joined.session.leave(client: joined.peer.client, connection: connection.id)
            await connection.context.registry.release(joined.name)
        }
    }
}
