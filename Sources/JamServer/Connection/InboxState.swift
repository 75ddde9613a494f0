import JamProtocol
import NIOCore

/// What one client sent and the server has not handled yet, and who handles it. Pure, so that what the
/// inbox decides (one drain at a time, in order; stop reading the socket while too much waits) is tested
/// without a socket.
///
/// An idle connection costs no task: a drain starts when a line arrives and ends when the inbox is empty,
/// leaving what it needs to go on with (`Parked`, the conversation's state) for the next one.
struct InboxState<Parked> {
    /// What arrived from the channel.
    enum Item {
        case line(ByteBuffer)
        /// The line decoder refused the stream (a line too long); nothing after it is read.
        case failed(ProtocolError)
        /// The channel closed.
        case closed
    }

    private var items = CircularBuffer<Item>()
    private var draining = false
    private var parked: Parked?
    /// True while a read of the socket is held back because too much waits.
    private var readWithheld = false
    /// Past this many waiting items the socket is not read; below `resumeAt` it is again.
    let pauseAt: Int
    let resumeAt: Int

    init(parked: Parked, pauseAt: Int = 16, resumeAt: Int = 4) {
        self.parked = parked
        self.pauseAt = pauseAt
        self.resumeAt = resumeAt
    }

    var waiting: Int { items.count }

    /// Queues an item; true when the caller must start a drain (none is running).
    mutating func post(_ item: Item) -> Bool {
        items.append(item)
        defer { draining = true }
        return !draining
    }

    /// Whether the channel may read more now; when not, the read is remembered and `next` asks for it
    /// once the backlog is down to `resumeAt`.
    mutating func mayRead() -> Bool {
        guard items.count >= pauseAt else { return true }
        readWithheld = true
        return false
    }

    /// What a drain starts with: what the last one left. Only the drain that `post` asked for calls it.
    mutating func unpark() -> Parked {
        precondition(draining, "unpark outside a drain")
        defer { parked = nil }
        return parked!
    }

    /// What a drain does next.
    struct Next {
        /// The next item, or nil when the inbox is empty and the drain ends, having parked its state.
        var item: Item?
        /// True when the drain must let the channel read again.
        var resumeReading = false
    }

    /// Takes the next item; when there is none, parks `state` and ends the drain.
    mutating func next(parking state: Parked) -> Next {
        guard let item = items.popFirst() else {
            parked = state
            draining = false
            return Next(item: nil, resumeReading: takeResume())
        }
        return Next(item: item, resumeReading: items.count <= resumeAt && takeResume())
    }

    private mutating func takeResume() -> Bool {
        defer { readWithheld = false }
        return readWithheld
    }
}

extension InboxState: Sendable where Parked: Sendable {}
extension InboxState.Item: Sendable {}
