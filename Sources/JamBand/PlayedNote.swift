/// A note a generator plays, before it gets an id: absolute tick, length, pitch and velocity.
public struct PlayedNote: Hashable, Sendable {
    public var tick: Int
    public var duration: Int
    public var pitch: Int
    public var velocity: Int

    public init(tick: Int, duration: Int, pitch: Int, velocity: Int) {
        self.tick = tick
        self.duration = max(1, duration)
        self.pitch = min(127, max(0, pitch))
        self.velocity = min(127, max(1, velocity))
    }

    public var end: Int { tick + duration }

    /// Canonical order: by start, then pitch.
    static func before(_ a: PlayedNote, _ b: PlayedNote) -> Bool {
        a.tick != b.tick ? a.tick < b.tick : (a.pitch != b.pitch ? a.pitch < b.pitch : a.duration < b.duration)
    }
}
