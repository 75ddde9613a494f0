import NIOConcurrencyHelpers
import NIOCore

/// The lines waiting to be written to one client. Senders never wait: `send` either queues or, past the
/// byte cap, refuses and marks the client a slow consumer. One writer task drains it to the socket.
final class Outbox: Sendable {
    private struct State {
        var queued: [ByteBuffer] = []
        var bytes = 0
        var closed = false
        var overflowed = false
        var waiter: CheckedContinuation<[ByteBuffer]?, Never>?
    }

    private let state = NIOLockedValueBox(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Queues a line; false when the client is closed or has more than `capacity` bytes waiting.
    @discardableResult
    func send(_ line: ByteBuffer) -> Bool {
        let waiter: CheckedContinuation<[ByteBuffer]?, Never>? = state.withLockedValue { state in
            guard !state.closed, !state.overflowed else { return nil }
            guard state.bytes + line.readableBytes <= capacity else {
                state.overflowed = true
                return nil
            }
            state.queued.append(line)
            state.bytes += line.readableBytes
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        if let waiter {
            waiter.resume(returning: takeAll())
            return true
        }
        return state.withLockedValue { !$0.overflowed && !$0.closed }
    }

    /// True once a send found the outbox over its cap.
    var overflowed: Bool { state.withLockedValue { $0.overflowed } }

    /// Queues a last line past the cap (an ERR or BYE), then closes: the writer ends after it.
    func close(after last: ByteBuffer? = nil) {
        let waiter: CheckedContinuation<[ByteBuffer]?, Never>? = state.withLockedValue { state in
            guard !state.closed else { return nil }
            if let last {
                state.queued.append(last)
                state.bytes += last.readableBytes
            }
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: takeAll())
    }

    /// The next batch to write; nil once closed and drained.
    func next() async -> [ByteBuffer]? {
        await withCheckedContinuation { continuation in
            let ready: [ByteBuffer]?? = state.withLockedValue { state in
                if !state.queued.isEmpty {
                    defer {
                        state.queued.removeAll(keepingCapacity: true)
                        state.bytes = 0
                    }
                    return .some(state.queued)
                }
                if state.closed { return .some(nil) }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// A batch as one buffer, so that it goes out as one TLS record (up to 16 KiB) and one pass through
    /// the pipeline: a record per line would cost each line a record's header and tag, and its own
    /// encryption call. Nil for an empty batch.
    static func joined(_ batch: [ByteBuffer]) -> ByteBuffer? {
        guard let first = batch.first else { return nil }
        guard batch.count > 1 else { return first }
        var joined = ByteBufferAllocator().buffer(capacity: batch.reduce(0) { $0 + $1.readableBytes })
        for line in batch { joined.writeImmutableBuffer(line) }
        return joined
    }

    private func takeAll() -> [ByteBuffer]? {
        state.withLockedValue { state in
            if state.queued.isEmpty { return state.closed ? nil : [] }
            defer {
                state.queued.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            return state.queued
        }
    }
}
