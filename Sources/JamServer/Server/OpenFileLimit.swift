#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open files, which caps how many clients a server can hold: each connection is
/// a descriptor, as is each open session log. Shells commonly start programs with a soft limit of 1024
/// and a much higher hard one, so the server raises its own soft limit, as nginx and Go programs do.
public struct OpenFileLimit: Sendable, Equatable {
    /// The limit in force.
    public var soft: Int
    /// The most the soft limit may be raised to without privileges.
    public var hard: Int

    /// Descriptors kept for what is not a connection: the listening sockets, session logs, the snapshot
    /// writer, the metrics endpoint.
    public static let headroom = 256

    /// The limit now, or nil where it cannot be read.
    public static var current: OpenFileLimit? {
        read()?.limit
    }

    private static func read() -> (raw: rlimit, limit: OpenFileLimit)? {
        var raw = rlimit()
        guard getrlimit(Self.resource, &raw) == 0 else { return nil }
        return (raw, OpenFileLimit(soft: Self.count(raw.rlim_cur), hard: Self.count(raw.rlim_max)))
    }

    /// Raises the soft limit as far as `connections` plus the headroom need and the hard limit allows;
    /// never lowers it. Returns the limit then in force.
    @discardableResult
    public static func raise(toServe connections: Int) -> OpenFileLimit? {
        guard let (raw, now) = read() else { return nil }
        var limit = raw
        let wanted = min(now.hard, connections + headroom)
        guard wanted > now.soft else { return now }
        limit.rlim_cur = rlim_t(wanted)
        guard setrlimit(Self.resource, &limit) == 0 else { return now }
        return current
    }

    /// How many connections this limit leaves room for.
    public var connections: Int { max(0, soft - Self.headroom) }

    private static func count(_ value: rlim_t) -> Int {
        value > rlim_t(Int.max) ? Int.max : Int(value)
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
