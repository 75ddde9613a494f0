import JamCore

/// Small deviations of timing and velocity that make a generated part breathe, drawn from a seeded
/// generator: the same bar is humanised the same way every time.
public struct Humanizer: Hashable, Sendable {
    /// The most a note moves early or late, in ticks.
    public var timing: Int
    /// The most a velocity moves up or down.
    public var velocity: Int

    public init(timing: Int, velocity: Int) {
        self.timing = timing
        self.velocity = velocity
    }

    /// How loosely each style is played (house is machine-tight, a ballad breathes).
    public static func drums(_ style: Style) -> Humanizer {
        switch style {
        case .house: Humanizer(timing: 2, velocity: 4)
        case .funk: Humanizer(timing: 4, velocity: 8)
        case .rock, .bossa: Humanizer(timing: 6, velocity: 8)
        case .swing: Humanizer(timing: 8, velocity: 10)
        case .ballad: Humanizer(timing: 10, velocity: 8)
        }
    }

    /// Pitched parts move less than drums: they must stay on the chord they belong to.
    public static func pitched(_ style: Style) -> Humanizer {
        style == .house ? Humanizer(timing: 1, velocity: 3) : Humanizer(timing: 4, velocity: 6)
    }

    /// The notes moved; none starts before `floor`, and a moved note keeps its end where it was
    /// when that keeps it from sounding into the next one.
    public func apply(_ notes: [PlayedNote], floor: Int, using generator: inout SeededGenerator) -> [PlayedNote] {
        notes.map { note in
            let shift = generator.jitter(timing)
            let tick = max(floor, note.tick + shift)
            let duration = max(1, note.duration - max(0, tick - note.tick))
            return PlayedNote(tick: tick, duration: duration, pitch: note.pitch, velocity: note.velocity + generator.jitter(velocity))
        }
    }
}
