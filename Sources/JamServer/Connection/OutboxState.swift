import NIOCore

/// The bytes waiting for one client, and when they must be flushed. Pure, so that what the outbox decides
/// (queue, refuse past the cap, flush once per burst, close after the last line) is tested without a socket.
struct OutboxState {
    /// Lines queued since the last flush.
    private(set) var queued: [ByteBuffer] = []
    /// Bytes queued plus bytes handed to the channel and not yet taken by the socket: what the client has
    /// not read. Past the capacity the client is a slow consumer.
    private(set) var unsent = 0
    private(set) var overflowed = false
    /// True once `close` was asked: nothing more is queued, the channel closes after the last flush.
    private(set) var closing = false
    /// True while a flush is scheduled on the event loop, so a burst of lines schedules one.
    private var flushScheduled = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// What `enqueue` decided.
    enum Enqueued: Equatable {
        /// Queued; `flush` says whether the caller must schedule a flush (none was pending).
        case queued(flush: Bool)
        /// Not queued: the outbox is closing, or this line would pass the cap (the client is then marked
        /// overflowed).
        case refused
    }

    mutating func enqueue(_ line: ByteBuffer) -> Enqueued {
        guard !closing, !overflowed else { return .refused }
        guard unsent + line.readableBytes <= capacity else {
            overflowed = true
            return .refused
        }
        queued.append(line)
        unsent += line.readableBytes
        return .queued(flush: scheduleFlush())
    }

    /// Queues a last line past the cap (an ERR or BYE) and closes; true when the caller must schedule a
    /// flush. A second close changes nothing.
    mutating func close(after last: ByteBuffer?) -> Bool {
        guard !closing else { return false }
        closing = true
        if let last {
            queued.append(last)
            unsent += last.readableBytes
        }
        return scheduleFlush()
    }

    /// What a flush does: write `bytes` (if any), then close the channel if `close`.
    struct Flush: Equatable {
        var bytes: ByteBuffer?
        var close: Bool
    }

    /// Takes everything queued as one buffer, so that it goes out as one TLS record (up to 16 KiB) and one
    /// pass through the pipeline, rather than a record, a header and a tag per line.
    mutating func takeFlush() -> Flush {
        flushScheduled = false
        // Keep room for an ordinary burst; a big one (a join announced to a crowd) gives its room back.
        defer { queued.removeAll(keepingCapacity: queued.count <= Self.keptCapacity) }
        return Flush(bytes: Self.joined(queued), close: closing)
    }

    /// Lines' room kept between flushes.
    static let keptCapacity = 16

    /// The socket took `count` bytes of a flush.
    mutating func sent(_ count: Int) {
        unsent -= count
    }

    static func joined(_ lines: [ByteBuffer]) -> ByteBuffer? {
        guard let first = lines.first else { return nil }
        guard lines.count > 1 else { return first }
        var joined = ByteBufferAllocator().buffer(capacity: lines.reduce(0) { $0 + $1.readableBytes })
        for line in lines { joined.writeImmutableBuffer(line) }
        return joined
    }

    private mutating func scheduleFlush() -> Bool {
        defer { flushScheduled = true }
        return !flushScheduled
    }
}
