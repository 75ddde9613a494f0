/// Keeps a client under the server's rate for `OP`s (a generic cell rate algorithm, the token bucket
/// the server runs, seen from the sender): an edit burst is spread out instead of refused as
/// `rate_limited`.
struct Pacer: Sendable {
    /// The theoretical arrival time of the next message.
    private var next: ContinuousClock.Instant?

    /// Nil when a message may go at `now`; otherwise how long to hold it. Either way the message is
    /// counted. Runs at 90% of `perSecond` to leave room for network jitter.
    mutating func delay(now: ContinuousClock.Instant, perSecond: Int, burst: Int) -> Duration? {
        let interval = Duration.seconds(1) / (Double(max(1, perSecond)) * 0.9)
        let tolerance = interval * max(0, burst - 1)
        let arrival = max(next ?? now, now)
        next = arrival + interval
        let wait = now.duration(to: arrival - tolerance)
        return wait > .zero ? wait : nil
    }
}

/// Sends cursor moves at most once an interval, always ending on the last one.
struct CursorThrottle<Message: Sendable>: Sendable {
    enum Decision: Equatable {
        case sendNow
        /// Nothing is scheduled yet: send ``takeDeferred(now:)`` at this instant.
        case sendAt(ContinuousClock.Instant)
        /// A send is already scheduled; it will carry this message.
        case wait
    }

    private var lastSent: ContinuousClock.Instant?
    private(set) var deferred: Message?

    mutating func offer(_ message: Message, now: ContinuousClock.Instant, interval: Duration) -> Decision {
        if deferred != nil {
            deferred = message
            return .wait
        }
        guard let lastSent, lastSent.duration(to: now) < interval else {
            self.lastSent = now
            return .sendNow
        }
        deferred = message
        return .sendAt(lastSent + interval)
    }

    mutating func takeDeferred(now: ContinuousClock.Instant) -> Message? {
        defer { deferred = nil }
        if deferred != nil { lastSent = now }
        return deferred
    }
}
