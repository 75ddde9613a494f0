/// Swing: off-beat eighths (or sixteenths) played late, as a ratio of the long note to the short one.
public struct Swing: Hashable, Sendable, Codable {
    public enum Level: String, Hashable, Sendable, Codable {
        case eighth, sixteenth
    }

    /// Long to short: 1 is straight, 2 is the triplet feel of jazz, 3 a dotted feel.
    public var ratio: Double
    public var level: Level

    public init(ratio: Double, level: Level = .eighth) {
        self.ratio = max(1, min(3, ratio))
        self.level = level
    }

    public static let straight = Swing(ratio: 1)

    public var isStraight: Bool { ratio < 1.05 }

    /// Where a position within a beat (0 ≤ fraction < 1) is played: the off-beat of each pair moves late.
    public func place(_ fraction: Double) -> Double {
        guard !isStraight else { return fraction }
        let span = level == .eighth ? 1.0 : 0.5
        let base = (fraction / span).rounded(.down) * span
        let within = (fraction - base) / span
        let split = ratio / (1 + ratio)
        let moved = within <= 0.5 ? within / 0.5 * split : split + (within - 0.5) / 0.5 * (1 - split)
        return base + moved * span
    }
}
