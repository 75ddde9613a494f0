/// Counts of what chaos sessions did, so that a run shows it exercised every path it claims to.
public struct ChaosStats: Sendable, Hashable, CustomStringConvertible {
    /// One thing counted.
    public enum Counter: String, CaseIterable, Sendable {
        case sessions, members, edits, undos, redos, agentEdits
        case committed, transformed, duplicates, refusals, joinRefusals, batches
        case breaks, rejoins, snapshotRejoins, committedInWelcome, acknowledged, resends
        case crashes, cleanRestarts, writesKept, writesLost, writesTorn, tailsCut
        case messages, revisions
    }

    private var counts: [Counter: Int] = [:]

    public init() {}

    public subscript(counter: Counter) -> Int {
        get { counts[counter, default: 0] }
        set { counts[counter] = newValue }
    }

    /// Adds another run's counts to these.
    public mutating func add(_ other: ChaosStats) {
        counts.merge(other.counts, uniquingKeysWith: +)
    }

    public var description: String {
        Counter.allCases.map { "\($0.rawValue) \(self[$0])" }.joined(separator: ", ")
    }
}
