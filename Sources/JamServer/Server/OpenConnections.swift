import JamProtocol
import NIOConcurrencyHelpers
import NIOCore

/// The connections the server has open: numbered, counted against its limit, and said goodbye to when it
/// shuts down.
final class OpenConnections: Sendable {
    private struct State {
        var counter: UInt64 = 0
        var open: [ConnectionID: ClientConnection] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let limit: Int
    private let metrics: ServerMetrics?

    init(limit: Int, metrics: ServerMetrics?) {
        self.limit = limit
        self.metrics = metrics
    }

    /// The connection for a newly accepted channel, and the refusal to send it when the server is full.
    /// An admitted connection is forgotten when its channel closes.
    func admit(_ channel: any Channel, context: ServerContext) -> (ClientConnection, refusal: ProtocolError?) {
        let id = state.withLockedValue { state -> ConnectionID in
            state.counter += 1
            return ConnectionID(value: state.counter)
        }
        let connection = ClientConnection(id: id, context: context, channel: channel)
        let count = state.withLockedValue { state -> Int? in
            guard state.open.count < limit else { return nil }
            state.open[id] = connection
            return state.open.count
        }
        guard let count else {
            return (connection, ProtocolError(.serverFull, "the server has \(limit) connections"))
        }
        metrics?.connections.set(to: Double(count))
        channel.closeFuture.whenComplete { [self] _ in
            let count = state.withLockedValue { state in
                state.open[id] = nil
                return state.open.count
            }
            metrics?.connections.set(to: Double(count))
        }
        return (connection, nil)
    }

    /// Every connection open now.
    var all: [ClientConnection] {
        state.withLockedValue { Array($0.open.values) }
    }
}
