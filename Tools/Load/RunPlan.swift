import NIOCore

/// The monotonic clock every client of one process reads, so that a send time taken by one client
/// and a receive time taken by another can be subtracted.
enum LoadClock {
    /// Nanoseconds on the monotonic clock.
    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    static func deadline(_ nanoseconds: UInt64) -> NIODeadline { .uptimeNanoseconds(nanoseconds) }
}

/// When a run sends and which sends it measures: clients send from `start` to `end`, and only what was
/// sent from `measureFrom` on (after the warm-up) is counted.
struct RunPlan: Sendable {
    /// When the clients start sending.
    var start: UInt64
    /// When measuring starts (`start` plus the warm-up).
    var measureFrom: UInt64
    /// When the clients stop starting new sends.
    var end: UInt64
    /// Nanoseconds between one client's sends; 0 sends the next as soon as the last is acknowledged.
    var interval: UInt64

    /// A plan starting a moment from now.
    init(rate: Double, warmup: Double, duration: Double, lead: Double = 0.2) {
        let now = LoadClock.now()
        start = now + UInt64(lead * 1e9)
        measureFrom = start + UInt64(warmup * 1e9)
        end = measureFrom + UInt64(duration * 1e9)
        interval = rate > 0 ? UInt64(1e9 / rate) : 0
    }

    var isClosedLoop: Bool { interval == 0 }

    /// Whether an operation sent at `time` counts.
    func measures(_ time: UInt64) -> Bool { time >= measureFrom && time < end }

    /// The length of the measured window in seconds.
    var measuredSeconds: Double { Double(end - measureFrom) / 1e9 }
}
