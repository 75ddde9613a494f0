/// Many chaos sessions, one after another, with what they found.
public struct ChaosRun: Sendable {
    /// A session that found problems, and how to replay it alone.
    public struct Failure: Sendable {
        public var seed: UInt64
        public var problems: [String]
        public var replay: String
    }

    public private(set) var stats = ChaosStats()
    public private(set) var failures: [Failure] = []

    public init() {}

    /// Runs the sessions seeded `seeds` (with `agent`, or ``ChaosAgent/mixed(seed:)``'s choice), calling
    /// `progress` after each with the number done.
    public static func run(
        seeds: Range<UInt64>, config: ChaosConfig = .ci, agent: ChaosAgent? = nil, progress: ((Int) -> Void)? = nil
    ) -> ChaosRun {
        var run = ChaosRun()
        for (done, seed) in seeds.enumerated() {
            run.add(seed: seed, config: config, agent: agent)
            progress?(done + 1)
        }
        return run
    }

    /// Runs one session and adds what it found.
    public mutating func add(seed: UInt64, config: ChaosConfig, agent: ChaosAgent?) {
        do {
            var session = try ChaosSession(seed: seed, config: config, agent: agent)
            session.run()
            add(seed: seed, session: session)
        } catch {
            failures.append(Failure(seed: seed, problems: ["seed \(seed): cannot set up: \(error)"], replay: ""))
        }
    }

    /// Adds what a session that has run found.
    public mutating func add(seed: UInt64, session: ChaosSession) {
        stats.add(session.stats)
        if !session.problems.isEmpty {
            failures.append(Failure(seed: seed, problems: session.problems, replay: session.replayCommand))
        }
    }

    /// Adds another run's counts and failures to this one's.
    public mutating func add(_ other: ChaosRun) {
        stats.add(other.stats)
        failures += other.failures
    }
}
