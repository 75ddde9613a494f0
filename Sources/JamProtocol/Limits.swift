/// The limits of the protocol (PROTOCOL.md §6), with their defaults.
///
/// `HELLO.limits` carries them to the client as a JSON object of integers; a field absent there has its
/// default, so a newer server may add limits and an older client still decodes the rest.
public struct Limits: Hashable, Sendable {
    /// Longest client → server line in bytes, terminator excluded; checked while it is received.
    public var lineBytes = 262_144
    /// Longest server → client line a client must accept (a WELCOME carries a snapshot).
    public var serverLineBytes = 8_388_608
    /// Deepest nesting of objects and arrays in a payload; the payload object itself is depth 1.
    public var depth = 32
    /// Largest document, as canonical JSON.
    public var documentBytes = 4_194_304
    /// Most tracks in a document.
    public var tracks = 256
    /// Most notes in a document, all tracks together.
    public var notes = 100_000
    /// Longest CHAT text, in UTF-8 bytes.
    public var chatBytes = 2000
    /// Longest display name, in UTF-8 bytes.
    public var nameBytes = 64
    /// Most entries of `rejoin.pending`.
    public var rejoinPending = 1000
    /// Most members connected to one session.
    public var peersPerSession = 32
    /// Most connections to the server.
    public var connections = 1024
    /// Lines of any verb from one connection: rate (per second) and burst of a token bucket.
    public var messagesPerSecond = 100
    public var messagesBurst = 200
    /// OPs from one connection: rate and burst.
    public var opsPerSecond = 50
    public var opsBurst = 100
    /// CHATs from one connection: rate and burst.
    public var chatPerSecond = 5
    public var chatBurst = 20
    /// Most CURSOR lines forwarded per second for one member (the latest wins).
    public var cursorHz = 20
    /// Seconds from HELLO to JOIN.
    public var joinSeconds = 30
    /// Seconds without any line from the client before it is closed.
    public var idleSeconds = 120
    /// Seconds of silence after which the server sends PING.
    public var pingSeconds = 45
    /// Bytes waiting to be sent to one client before it is a slow consumer.
    public var outboundBytes = 33_554_432
    /// Most missed operations, by count and by encoded bytes, a rejoin gets as `ops` rather than a snapshot.
    public var catchUpOps = 1000
    public var catchUpBytes = 1_048_576
    /// How many revisions behind the session an OP's base may be.
    public var transformWindow = 10_000

    /// The defaults.
    public init() {}

    /// The defaults.
    public static let `default` = Limits()
}

extension Limits: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case lineBytes, serverLineBytes, depth, documentBytes, tracks, notes, chatBytes, nameBytes
        case rejoinPending, peersPerSession, connections, messagesPerSecond, messagesBurst, opsPerSecond
        case opsBurst, chatPerSecond, chatBurst, cursorHz, joinSeconds, idleSeconds, pingSeconds
        case outboundBytes, catchUpOps, catchUpBytes, transformWindow
    }

    private static let keyPaths: [(CodingKeys, WritableKeyPath<Limits, Int> & Sendable)] = [
        (.lineBytes, \.lineBytes), (.serverLineBytes, \.serverLineBytes), (.depth, \.depth),
        (.documentBytes, \.documentBytes), (.tracks, \.tracks), (.notes, \.notes), (.chatBytes, \.chatBytes),
        (.nameBytes, \.nameBytes), (.rejoinPending, \.rejoinPending), (.peersPerSession, \.peersPerSession),
        (.connections, \.connections), (.messagesPerSecond, \.messagesPerSecond),
        (.messagesBurst, \.messagesBurst), (.opsPerSecond, \.opsPerSecond), (.opsBurst, \.opsBurst),
        (.chatPerSecond, \.chatPerSecond), (.chatBurst, \.chatBurst), (.cursorHz, \.cursorHz),
        (.joinSeconds, \.joinSeconds), (.idleSeconds, \.idleSeconds), (.pingSeconds, \.pingSeconds),
        (.outboundBytes, \.outboundBytes), (.catchUpOps, \.catchUpOps), (.catchUpBytes, \.catchUpBytes),
        (.transformWindow, \.transformWindow),
    ]

    /// The limits' names on the wire, in PROTOCOL.md §6's order.
    public static var names: [String] { keyPaths.map { $0.0.rawValue } }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        for (key, path) in Limits.keyPaths {
            if let value = try c.decodeIfPresent(Int.self, forKey: key) { self[keyPath: path] = value }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for (key, path) in Limits.keyPaths { try c.encode(self[keyPath: path], forKey: key) }
    }
}
