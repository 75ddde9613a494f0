import JamCore
import JamProtocol
import NIOCore

/// One Jam member speaking the line protocol directly: one random edit per OP, at most one OP
/// unacknowledged (PROTOCOL.md §4), paced at a rate or sent back to back. It times submit → ACK, and
/// for every broadcast it receives, submit → delivery (the author's send time, found by revision).
///
/// A session's keeper decodes every broadcast and keeps the session's document (transforming its own
/// unacknowledged edit as a client must); the other members make their edits on the keeper's latest
/// document and only read a broadcast's revision.
final class JamLoadClient: LoadHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What one client is and shares with the others of its session.
    struct Setup: Sendable {
        var session: String
        var name: String
        var token: String?
        /// Whether this client keeps the session's document for the others.
        var keeper: Bool
        var seed: UInt64
        /// Most components of one edit.
        var components: Int
        var mirror: SessionMirror
        var clock: DeliveryClock
        var recorder: Recorder
        var journal: AckJournal?
    }

    private let setup: Setup
    private let readyPromise: EventLoopPromise<Void>
    private let closedPromise: EventLoopPromise<Void>
    private var context: ChannelHandlerContext?
    private var client = ""
    private var edits: RandomEdits
    private var seq = 0
    private var inflight: (seq: Int, sentAt: UInt64, op: JamCore.Operation)?
    private var owed = false
    private var plan: RunPlan?
    private var stopping = false
    /// The keeper's replica: the document at `revision`, without its unacknowledged edit.
    private var document = Document()
    private var revision = 0

    init(_ setup: Setup, eventLoop: any EventLoop) {
        self.setup = setup
        edits = RandomEdits(seed: setup.seed)
        readyPromise = eventLoop.makePromise()
        closedPromise = eventLoop.makePromise()
    }

    var ready: EventLoopFuture<Void> { readyPromise.futureResult }
    var closed: EventLoopFuture<Void> { closedPromise.futureResult }
    var isIdle: Bool { inflight == nil }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !stopping { setup.recorder.disconnected() }
        stopping = true
        readyPromise.fail(ChannelError.ioOnClosedChannel)
        closedPromise.succeed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !stopping { setup.recorder.error(errorCode(error)) }
        readyPromise.fail(error)
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        line.withUnsafeReadableBytes { bytes in
            if LineScan.starts(bytes, with: "OP ") {
                received(operation: line, bytes)
            } else if LineScan.starts(bytes, with: "ACK ") {
                acknowledged(line, bytes)
            } else if LineScan.starts(bytes, with: "PING") {
                write(ClientMessage.pong.encodeLine())
            } else if LineScan.starts(bytes, with: "HELLO") {
                write(ClientMessage.join(.init(session: setup.session, name: setup.name, token: setup.token)).encodeLine())
            } else if LineScan.starts(bytes, with: "WELCOME") || LineScan.starts(bytes, with: "ERR") {
                decoded(line)
            }
        }
    }

    // MARK: Sending

    func start(_ plan: RunPlan) {
        self.plan = plan
        guard let context else { return }
        if plan.isClosedLoop {
            schedule(at: plan.start, context: context)
        } else {
            var random = SeededGenerator(seed: setup.seed &+ 0x5EED)
            schedule(at: plan.start + UInt64.random(in: 0..<plan.interval, using: &random), context: context)
        }
    }

    private func schedule(at due: UInt64, context: ChannelHandlerContext) {
        context.eventLoop.assumeIsolated().scheduleTask(deadline: LoadClock.deadline(due)) { [self] in
            tick(due: due)
        }
    }

    /// A paced send is due (or, in a closed loop, the first send).
    private func tick(due: UInt64) {
        guard let plan, let context, !stopping, due < plan.end else { return }
        if inflight == nil {
            send()
        } else {
            owed = true
            setup.recorder.late()
        }
        if !plan.isClosedLoop, due + plan.interval < plan.end {
            schedule(at: due + plan.interval, context: context)
        }
    }

    /// Sends the next edit if one is owed (or the loop is closed) and the run is on.
    private func sendNextIfDue() {
        guard let plan, !stopping, inflight == nil, owed || plan.isClosedLoop, LoadClock.now() < plan.end else { return }
        owed = false
        send()
    }

    private func send() {
        let (base, current): (Int, Document)
        if setup.keeper {
            (base, current) = (revision, document)
        } else if let snapshot = setup.mirror.snapshot {
            (base, current) = (snapshot.revision, snapshot.document)
        } else {
            return
        }
        var op = JamCore.Operation()
        for _ in 0..<8 where op.isEmpty {
            op = edits.operation(on: current, maxComponents: setup.components)
        }
        guard !op.isEmpty else { return }
        seq += 1
        let now = LoadClock.now()
        inflight = (seq, now, op)
        write(ClientMessage.op(.init(base: base, seq: seq, op: op)).encodeLine())
        setup.recorder.submitted(at: now)
    }

    /// Says goodbye; the server answers BYE and closes.
    func stop() {
        guard let context, !stopping else { return }
        stopping = true
        if context.channel.isActive {
            write(ClientMessage.bye(Bye()).encodeLine())
            context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(2)) { context.close(promise: nil) }
        }
    }

    private func write(_ bytes: [UInt8]) {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    // MARK: Receiving

    private func received(operation line: ByteBuffer, _ bytes: UnsafeRawBufferPointer) {
        let now = LoadClock.now()
        let committed: Int
        if setup.keeper {
            guard case .op(let op)? = try? ServerMessage.decode(line: line) else {
                setup.recorder.error("unreadable_op")
                return
            }
            if let pending = inflight {
                inflight?.op = transform(pending.op, op.op, aWins: false).aPrime
            }
            do {
                try document.apply(op.op)
                revision = op.revision
                setup.mirror.publish(document, revision: revision)
            } catch {
                diverged(error)
            }
            committed = op.revision
        } else {
            guard let found = LineScan.lastInteger(bytes, key: "revision") else {
                setup.recorder.error("unreadable_op")
                return
            }
            committed = found
        }
        let arrival = DeliveryClock.Arrival(time: now, bytes: bytes.count + 1)
        if let sentAt = setup.clock.delivered(UInt64(committed), arrival) {
            setup.recorder.delivered(sentAt: sentAt, arrival)
        }
    }

    private func acknowledged(_ line: ByteBuffer, _ bytes: UnsafeRawBufferPointer) {
        let now = LoadClock.now()
        guard let seq = LineScan.lastInteger(bytes, key: "seq"), let committed = LineScan.lastInteger(bytes, key: "revision") else {
            setup.recorder.error("unreadable_ack")
            return
        }
        guard let pending = inflight, pending.seq == seq else {
            setup.recorder.error("unexpected_ack")
            return
        }
        inflight = nil
        setup.recorder.acknowledged(sentAt: pending.sentAt, now: now)
        for arrival in setup.clock.sent(UInt64(committed), at: pending.sentAt) {
            setup.recorder.delivered(sentAt: pending.sentAt, arrival)
        }
        setup.journal?.record(session: setup.session, author: client, seq: seq, revision: committed)
        if setup.keeper {
            do {
                try document.apply(pending.op)
                revision = committed
                setup.mirror.publish(document, revision: revision)
            } catch {
                diverged(error)
            }
        }
        sendNextIfDue()
    }

    /// WELCOME and ERR, rare enough to decode in full.
    private func decoded(_ line: ByteBuffer) {
        let message: ServerMessage
        do throws(ProtocolError) {
            message = try ServerMessage.decode(line: line)
        } catch {
            setup.recorder.error("unreadable_line")
            return
        }
        switch message {
        case .welcome(let welcome):
            client = welcome.client
            edits.site = welcome.client
            revision = welcome.revision
            if case .snapshot(let snapshot) = welcome.content { document = snapshot }
            if setup.keeper { setup.mirror.publish(document, revision: revision) }
            readyPromise.succeed()
        case .err(let error):
            if !stopping { setup.recorder.error(error.code.rawValue) }
            if client.isEmpty, error.verb == "JOIN" || error.closesConnection {
                readyPromise.fail(error)
            }
            if let seq = error.seq, inflight?.seq == seq {
                inflight = nil
                sendNextIfDue()
            }
        default:
            break
        }
    }

    /// The keeper's replica no longer follows the server: a transform or apply bug, reported, after
    /// which the keeper stops editing (the session's others then edit a stale document and are refused).
    private func diverged(_ error: JamError) {
        setup.recorder.error("keeper_diverged_\(error.code.rawValue)")
        stopping = true
    }
}

/// A stable word for a transport failure.
func errorCode(_ error: any Error) -> String {
    if let error = error as? ProtocolError { return error.code.rawValue }
    let text = String(describing: error)
    if text.contains("uncleanShutdown") { return "unclean_shutdown" }
    if text.lowercased().contains("reset") { return "connection_reset" }
    return "transport_error"
}
