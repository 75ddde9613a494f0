import JamCore
import JamProtocol

/// Where a connection stands.
public enum ConnectionState: Hashable, Sendable, CustomStringConvertible {
    /// Opening TLS and joining.
    case connecting
    /// Joined: edits flow.
    case connected
    /// Lost; the next attempt is number `attempt`, after `delay`. Local edits are kept and sent later.
    case reconnecting(attempt: Int, delay: Duration)
    /// Over: left, or given up, with the reason when it was not a leave.
    case closed(ClientError?)

    public var description: String {
        switch self {
        case .connecting: "connecting"
        case .connected: "connected"
        case .reconnecting(let attempt, let delay): "reconnecting (attempt \(attempt) in \(delay.formatted))"
        case .closed(nil): "closed"
        case .closed(let error?): "closed (\(error.code))"
        }
    }
}

/// What happens on a joined connection, in order.
public enum JamEvent: Hashable, Sendable {
    case state(ConnectionState)
    /// A `WELCOME`: joined (`rejoined` false) or back after a lost connection, as `client`.
    case joined(client: String, revision: Int, roster: [Peer], rejoined: Bool)
    /// Another member's operation as the server committed it (before it is rewritten for this replica).
    case operation(CommittedOperation)
    /// The replica changed other than by a ``JamConnection/submit(_:)``: others' edits, a refused edit
    /// reverted, an undo or redo, a snapshot after a rejoin.
    case changed(Document, revision: Int)
    /// The server committed this client's operation `seq` as `revision`.
    case acknowledged(seq: Int, revision: Int)
    /// The server refused this client's operation `seq`; it was reverted on the replica.
    case refused(ClientError, seq: Int)
    /// A member joined or left; `roster` is the members now.
    case peer(ServerMessage.PeerEvent, roster: [Peer])
    case cursor(ServerMessage.Cursor)
    case chat(ServerMessage.Chat)
    /// The session's shared transport, from `WELCOME` or a `TRANSPORT` (a change, or one scheduled).
    case transport(Transport)
    /// An error from the server not tied to an operation, or a problem on this side.
    case error(ClientError)
}

extension Duration {
    var formatted: String {
        let milliseconds = Int((Double(components.seconds) + Double(components.attoseconds) / 1e18) * 1000)
        return milliseconds < 1000 ? "\(milliseconds) ms" : "\(milliseconds / 1000).\(milliseconds % 1000 / 100) s"
    }
}
