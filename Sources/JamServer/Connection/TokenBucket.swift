/// A rate limit: `rate` tokens a second, at most `burst` saved up.
struct TokenBucket: Sendable {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    init(rate: Int, burst: Int, now: ContinuousClock.Instant = .now) {
        self.rate = Double(rate)
        self.burst = Double(max(burst, 1))
        tokens = self.burst
        updated = now
    }

    /// Takes a token if there is one.
    mutating func take(now: ContinuousClock.Instant = .now) -> Bool {
        let elapsed = now - updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * rate)
        updated = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
