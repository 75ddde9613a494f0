import Foundation
import JamCore
import NIOCore
import NIOSSL

/// One nats-server client speaking NATS's text protocol (INFO, CONNECT, SUB, PUB, MSG, PING/PONG) over
/// TLS, paced like a Jam client: a publisher keeps at most one message unacknowledged, its own echo
/// (NATS delivers a publisher's message to itself too) standing for Jam's ACK, and every other
/// subscriber's copy is a delivery.
final class NATSLoadClient: LoadHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Setup: Sendable {
        var index: Int
        var publishes: Bool
        var subject: String
        /// Payload bytes of every message.
        var size: Int
        var seed: UInt64
        var connector: Connector
        var clock: DeliveryClock
        var recorder: Recorder
    }

    private enum Phase {
        case info
        case connecting
        case ready
    }

    private let setup: Setup
    private let readyPromise: EventLoopPromise<Void>
    private let closedPromise: EventLoopPromise<Void>
    private var context: ChannelHandlerContext?
    private var phase = Phase.info
    /// The next line is a MSG's payload; the MSG line's bytes, terminator included.
    private var payloadNext = false
    private var headerBytes = 0
    private var seq = 0
    private var inflight: (seq: Int, sentAt: UInt64)?
    private var owed = false
    private var plan: RunPlan?
    private var stopping = false

    init(_ setup: Setup, eventLoop: any EventLoop) {
        self.setup = setup
        readyPromise = eventLoop.makePromise()
        closedPromise = eventLoop.makePromise()
    }

    var ready: EventLoopFuture<Void> { readyPromise.futureResult }
    var closed: EventLoopFuture<Void> { closedPromise.futureResult }
    var isIdle: Bool { inflight == nil }

    /// A message's key in the delivery clock: its publisher and sequence.
    static func key(publisher: Int, seq: Int) -> UInt64 { UInt64(publisher) << 32 | UInt64(seq) }

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
            if payloadNext {
                payloadNext = false
                received(payload: bytes)
            } else if LineScan.starts(bytes, with: "MSG ") {
                payloadNext = true
                headerBytes = bytes.count + 2
            } else if LineScan.starts(bytes, with: "PING") {
                write("PONG\r\n")
            } else if LineScan.starts(bytes, with: "PONG") {
                if phase == .connecting {
                    phase = .ready
                    readyPromise.succeed()
                }
            } else if LineScan.starts(bytes, with: "INFO") {
                if phase == .info { upgrade(context: context) }
            } else if LineScan.starts(bytes, with: "-ERR") {
                let text = String(decoding: bytes, as: UTF8.self)
                setup.recorder.error("nats: " + text.dropFirst(5).trimmingCharacters(in: ["'", " "]))
            }
        }
    }

    /// After the clear-text INFO: TLS, then CONNECT, SUB, and a PING whose PONG says all is in place.
    private func upgrade(context: ChannelHandlerContext) {
        do {
            try context.pipeline.syncOperations.addHandler(setup.connector.makeTLSHandler(), position: .first)
        } catch {
            readyPromise.fail(error)
            context.close(promise: nil)
            return
        }
        phase = .connecting
        write(
            #"CONNECT {"verbose":false,"pedantic":false,"tls_required":true,"echo":true,"name":"jam-load","lang":"swift","version":"1","protocol":1}"#
                + "\r\nSUB \(setup.subject) 1\r\nPING\r\n")
    }

    // MARK: Sending

    func start(_ plan: RunPlan) {
        self.plan = plan
        guard let context, setup.publishes else { return }
        if plan.isClosedLoop {
            schedule(at: plan.start, context: context)
        } else {
            var random = SeededGenerator(seed: setup.seed &+ UInt64(setup.index))
            schedule(at: plan.start + UInt64.random(in: 0..<plan.interval, using: &random), context: context)
        }
    }

    private func schedule(at due: UInt64, context: ChannelHandlerContext) {
        context.eventLoop.assumeIsolated().scheduleTask(deadline: LoadClock.deadline(due)) { [self] in
            tick(due: due)
        }
    }

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

    private func sendNextIfDue() {
        guard let plan, !stopping, inflight == nil, owed || plan.isClosedLoop, LoadClock.now() < plan.end else { return }
        owed = false
        send()
    }

    private func send() {
        seq += 1
        let now = LoadClock.now()
        inflight = (seq, now)
        _ = setup.clock.sent(Self.key(publisher: setup.index, seq: seq), at: now)
        var payload = "\(setup.index).\(seq)."
        payload += String(repeating: "x", count: max(0, setup.size - payload.utf8.count))
        write("PUB \(setup.subject) \(payload.utf8.count)\r\n\(payload)\r\n")
        setup.recorder.submitted(at: now)
    }

    func stop() {
        guard let context, !stopping else { return }
        stopping = true
        context.close(promise: nil)
    }

    private func write(_ text: String) {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
    }

    // MARK: Receiving

    private func received(payload bytes: UnsafeRawBufferPointer) {
        let now = LoadClock.now()
        guard let publisher = LineScan.integer(bytes, at: 0),
            let dot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let seq = LineScan.integer(bytes, at: dot + 1)
        else {
            setup.recorder.error("unreadable_msg")
            return
        }
        if publisher == setup.index {
            guard let pending = inflight, pending.seq == seq else { return }
            inflight = nil
            setup.recorder.acknowledged(sentAt: pending.sentAt, now: now)
            sendNextIfDue()
        } else {
            // The MSG line and the payload line, CRLF each.
            let arrival = DeliveryClock.Arrival(time: now, bytes: headerBytes + bytes.count + 2)
            if let sentAt = setup.clock.delivered(Self.key(publisher: publisher, seq: seq), arrival) {
                setup.recorder.delivered(sentAt: sentAt, arrival)
            }
        }
    }
}
