import NIOConcurrencyHelpers
import NIOCore

/// The lines waiting to be written to one client. Senders never wait: `send` either queues or, past the
/// byte cap, refuses and marks the client a slow consumer. Lines are written on the channel's event loop,
/// a burst at a time; a broadcast hands each loop its outboxes in one step (`Delivery`).
final class Outbox: Sendable {
    private let state: NIOLockedValueBox<OutboxState>
    private let channel: any Channel

    init(channel: any Channel, capacity: Int) {
        self.channel = channel
        state = NIOLockedValueBox(OutboxState(capacity: capacity))
    }

    var eventLoop: any EventLoop { channel.eventLoop }

    /// Queues a line; false when the client is closing or has more than the cap unread.
    @discardableResult
    func send(_ line: ByteBuffer) -> Bool {
        switch enqueue(line) {
        case .queued(flush: true):
            eventLoop.execute { self.flush() }
            return true
        case .queued(flush: false):
            return true
        case .refused:
            return false
        }
    }

    /// Queues a line without scheduling its flush: for `Delivery`, which schedules many at once.
    func enqueue(_ line: ByteBuffer) -> OutboxState.Enqueued {
        state.withLockedValue { $0.enqueue(line) }
    }

    /// True once a send found the outbox over its cap.
    var overflowed: Bool { state.withLockedValue { $0.overflowed } }

    /// Queues a last line past the cap (an ERR or BYE), then closes the connection after it.
    func close(after last: ByteBuffer? = nil) {
        if state.withLockedValue({ $0.close(after: last) }) {
            eventLoop.execute { self.flush() }
        }
    }

    /// Writes what is queued; on the channel's event loop.
    func flush() {
        let flush = state.withLockedValue { $0.takeFlush() }
        guard let bytes = flush.bytes else {
            if flush.close { channel.close(promise: nil) }
            return
        }
        let count = bytes.readableBytes
        let written = channel.writeAndFlush(bytes)
        written.whenComplete { [state] _ in state.withLockedValue { $0.sent(count) } }
        guard flush.close else { return }
        // Close once the last line is on the socket, or after a grace period if it cannot get there (a
        // client that never finishes its TLS handshake, or never reads).
        let channel = self.channel
        let deadline = channel.eventLoop.scheduleTask(in: Self.closeGrace) { channel.close(promise: nil) }
        written.whenComplete { _ in
            deadline.cancel()
            channel.close(promise: nil)
        }
    }

    /// How long a closing connection's last line may take to reach the socket.
    static let closeGrace = TimeAmount.seconds(2)
}

/// Lines for many outboxes, handed to each event loop in one step: a broadcast to hundreds of members
/// costs one task per loop rather than one per member. Outboxes sent an acknowledgement are flushed first
/// on their loop: an editor waits for its ACK, the others only watch.
struct Delivery {
    private var due: [(loop: any EventLoop, outboxes: [Outbox])] = []
    private var first: Set<ObjectIdentifier> = []

    /// Runs `body`, then schedules the flushes of every outbox it sent to.
    static func batch<T>(_ body: (inout Delivery) throws -> T) rethrows -> T {
        var delivery = Delivery()
        defer { delivery.run() }
        return try body(&delivery)
    }

    /// Queues `line`; `first` puts the outbox's flush ahead of the others' on its loop.
    mutating func send(_ line: ByteBuffer, to outbox: Outbox, first: Bool = false) {
        if first { self.first.insert(ObjectIdentifier(outbox)) }
        guard case .queued(flush: true) = outbox.enqueue(line) else { return }
        let loop = outbox.eventLoop
        if let index = due.firstIndex(where: { $0.loop === loop }) {
            due[index].outboxes.append(outbox)
        } else {
            due.append((loop, [outbox]))
        }
    }

    private func run() {
        for (loop, var outboxes) in due {
            if !first.isEmpty {
                let ahead = outboxes.filter { first.contains(ObjectIdentifier($0)) }
                if !ahead.isEmpty { outboxes = ahead + outboxes.filter { !first.contains(ObjectIdentifier($0)) } }
            }
            loop.execute {
                for outbox in outboxes { outbox.flush() }
            }
        }
    }
}
