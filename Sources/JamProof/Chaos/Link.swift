import JamProtocol

/// One direction of one simulated connection: a FIFO of messages (or their encoded lines), each with
/// the tick it arrives at. Delays vary per message, but a later message never overtakes an earlier one
/// (TCP keeps order).
struct Link<Element: Sendable>: Sendable {
    private(set) var queue: [(at: Int, line: Element)] = []
    private var head = 0
    /// True once the connection broke: later sends vanish.
    private(set) var isCut = false

    var isEmpty: Bool { head == queue.count }
    var count: Int { queue.count - head }

    /// The tick the next line arrives at, if any.
    var nextArrival: Int? { isEmpty ? nil : queue[head].at }

    /// Queues `line` to arrive `delay` ticks from `now`, but not before the line ahead of it.
    mutating func send(_ line: Element, now: Int, delay: Int) {
        guard !isCut else { return }
        let at = max(now + delay, queue.last?.at ?? now)
        queue.append((at, line))
    }

    /// Takes the next line if it has arrived by `now`.
    mutating func receive(now: Int) -> Element? {
        guard head < queue.count, queue[head].at <= now else { return nil }
        defer {
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
        }
        return queue[head].line
    }

    /// The connection breaks: only the first `keep` lines in flight still arrive; nothing more is sent.
    /// Returns the tick the last kept line arrives at.
    @discardableResult
    mutating func cut(keeping keep: Int, now: Int) -> Int {
        isCut = true
        let kept = min(max(0, keep), count)
        queue.removeLast(count - kept)
        return queue.last?.at ?? now
    }
}

/// What crosses a link: the message's encoded line, decoded on arrival as the real peers do, or (with
/// `ChaosConfig.wire` off, to measure what coding costs) the message itself.
enum Packet<Message: LineMessage>: Sendable {
    case line([UInt8])
    case message(Message)

    init(_ message: Message, wire: Bool) {
        self = wire ? .line(message.encodeLine()) : .message(message)
    }

    /// The message, decoded from its line (terminator dropped) under the default limits.
    func open() throws(ProtocolError) -> Message {
        switch self {
        case .line(let bytes): try Message.decode(line: Array(bytes.dropLast()))
        case .message(let message): message
        }
    }
}
