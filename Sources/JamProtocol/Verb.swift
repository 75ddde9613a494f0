/// The first word of a line: what the message is (PROTOCOL.md §2).
public enum Verb: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case hello = "HELLO"
    case join = "JOIN"
    case welcome = "WELCOME"
    case op = "OP"
    case ack = "ACK"
    case cursor = "CURSOR"
    case chat = "CHAT"
    case peer = "PEER"
    case ping = "PING"
    case pong = "PONG"
    case bye = "BYE"
    case err = "ERR"
    case invite = "INVITE"
    case dismiss = "DISMISS"
    case transport = "TRANSPORT"

    /// The verbs a client sends.
    public static let fromClient: Set<Verb> = [
        .join, .op, .cursor, .chat, .ping, .pong, .bye, .invite, .dismiss, .transport,
    ]
    /// The verbs a server sends.
    public static let fromServer: Set<Verb> = [
        .hello, .welcome, .ack, .op, .cursor, .chat, .peer, .ping, .pong, .bye, .err, .transport,
    ]

    public var description: String { rawValue }
}

/// Which end of a connection sends a message.
public enum Direction: String, Hashable, Sendable, CaseIterable {
    case clientToServer = "client"
    case serverToClient = "server"

    /// The verbs this direction carries.
    public var verbs: Set<Verb> {
        switch self {
        case .clientToServer: Verb.fromClient
        case .serverToClient: Verb.fromServer
        }
    }
}
