import JamProtocol

/// Where a Jam server listens and how to trust it.
public struct Endpoint: Equatable, Sendable {
    public var host: String
    public var port: Int
    public var trust: ClientTrust

    public init(host: String = "127.0.0.1", port: Int = 7890, trust: ClientTrust) {
        self.host = host
        self.port = port
        self.trust = trust
    }

    /// The name sent as SNI and checked against the certificate: the host, unless it is an IP address
    /// (then the certificate's IP addresses are checked against the address connected to).
    var serverHostname: String? {
        let isIPv4 = host.split(separator: ".", omittingEmptySubsequences: false).count == 4
            && host.allSatisfy { $0.isNumber || $0 == "." }
        return isIPv4 || host.contains(":") ? nil : host
    }
}

/// Who joins which session.
public struct JoinRequest: Hashable, Sendable {
    public var session: String
    public var name: String
    public var role: Role
    public var kind: PeerKind
    public var token: String?

    public init(session: String, name: String, role: Role = .player, kind: PeerKind = .human, token: String? = nil) {
        self.session = session
        self.name = name
        self.role = role
        self.kind = kind
        self.token = token
    }
}

/// How a connection comes back after it drops: exponential backoff with jitter.
public struct ReconnectPolicy: Hashable, Sendable {
    /// The wait before the first retry.
    public var initialDelay: Duration
    /// The longest wait between retries.
    public var maximumDelay: Duration
    /// Gives up after this many failed attempts in a row; nil retries until ``JamConnection/leave()``.
    public var maximumAttempts: Int?
    /// Without a line from the server for this long, the client pings; after as long again, it
    /// counts the connection as lost. Nil takes the server's `pingSeconds`.
    public var liveness: Duration?

    public init(initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5), maximumAttempts: Int? = nil, liveness: Duration? = nil) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.maximumAttempts = maximumAttempts
        self.liveness = liveness
    }

    /// Retries forever: for people at a terminal.
    public static let standard = ReconnectPolicy()
    /// Never retries: the first lost connection closes the client.
    public static let never = ReconnectPolicy(maximumAttempts: 0)

    /// The wait before attempt `attempt` (1 = the first retry): doubling from ``initialDelay`` up to
    /// ``maximumDelay``, then a random half to whole of it, so clients dropped together spread out.
    public func delay<G: RandomNumberGenerator>(attempt: Int, using generator: inout G) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, attempt) where delay < maximumDelay { delay = delay * 2 }
        delay = min(delay, maximumDelay)
        return delay * Double.random(in: 0.5...1, using: &generator)
    }
}
