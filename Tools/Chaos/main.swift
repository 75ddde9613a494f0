import ArgumentParser
import Foundation
import JamProof

/// `jam-chaos`: runs seeded chaos sessions against the real server logic, client state machine and log.
struct JamChaos: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jam-chaos",
        abstract: "Run seeded chaos sessions: members editing over broken links, a server crashing and reloading its log.",
        discussion: """
            Each session is seeded: session i of a run uses seed --seed + i, and a failing seed replays \
            alone with `jam-chaos --seed S --sessions 1 --verbose`. Exits 1 if any session found a problem.
            """)

    @Option(help: "The first session's seed.")
    var seed: UInt64 = 1

    @Option(help: "How many sessions to run.")
    var sessions: Int = 2000

    @Flag(help: "Long-mode sessions: 5–50 members, longer runs.")
    var long = false

    @Option(help: "The AI bandmate among the members: bandmate (JamBand's), arpeggiator (a cheap stand-in), or mixed (bandmate in one session in fifty).")
    var agent: String = "mixed"

    @Option(help: "Run sessions on this many threads.")
    var jobs: Int = 1

    @Flag(help: "Print every event of every session (use with --sessions 1).")
    var verbose = false

    @Flag(help: "Keep each session's log directory (printed with --verbose).")
    var keep = false

    @Flag(inversion: .prefixedNo, help: "Sync the log after every batch, as the server does.")
    var sync = true

    @Flag(inversion: .prefixedNo, help: "Encode and decode every message as its line.")
    var wire = true

    mutating func validate() throws {
        guard agent == "mixed" || ChaosAgent.named(agent) != nil else {
            throw ValidationError("--agent is bandmate, arpeggiator or mixed, not \(agent)")
        }
    }

    /// Nil for mixed: each session chooses by its seed.
    private var chosenAgent: ChaosAgent? {
        ChaosAgent.named(agent)
    }

    mutating func run() throws {
        var config: ChaosConfig = long ? .long : .ci
        config.sync = sync
        config.wire = wire
        let started = Date()
        let run: ChaosRun
        if verbose || keep {
            run = verboseRun(config: config)
        } else {
            run = parallelRun(config: config)
        }
        let seconds = Date().timeIntervalSince(started)
        print("\(sessions) sessions (seeds \(seed)..<\(seed + UInt64(sessions))), \(long ? "long" : "ci") mode, in \(String(format: "%.1f", seconds)) s (\(String(format: "%.1f", Double(sessions) / max(seconds, 1e-9))) sessions/s)")
        print(run.stats.description)
        for failure in run.failures.sorted(by: { $0.seed < $1.seed }).prefix(20) {
            print("FAILED seed \(failure.seed): replay with `\(failure.replay)`")
            for line in failure.problems.prefix(5) { print("  \(line)") }
        }
        if !run.failures.isEmpty {
            print("\(run.failures.count) of \(sessions) sessions failed")
            throw ExitCode.failure
        }
        print("no problem found")
    }

    private func verboseRun(config: ChaosConfig) -> ChaosRun {
        var run = ChaosRun()
        for seed in seed..<seed + UInt64(sessions) {
            do {
                var session = try ChaosSession(seed: seed, config: config, agent: chosenAgent)
                if verbose { session.trace = { print($0) } }
                if keep { print("log directory: \(session.directory)") }
                session.run(keepDirectory: keep)
                var one = ChaosRun()
                one.add(seed: seed, session: session)
                run.add(one)
            } catch {
                print("seed \(seed): cannot set up: \(error)")
            }
        }
        return run
    }

    private func parallelRun(config: ChaosConfig) -> ChaosRun {
        let jobs = max(1, jobs)
        let total = UInt64(sessions)
        let first = seed
        let agent = chosenAgent
        let results = Results(count: jobs)
        let done = DispatchSemaphore(value: 0)
        for job in 0..<jobs {
            let lower = first + total * UInt64(job) / UInt64(jobs)
            let upper = first + total * UInt64(job + 1) / UInt64(jobs)
            let thread = Thread {
                results.set(job, ChaosRun.run(seeds: lower..<upper, config: config, agent: agent))
                done.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        for _ in 0..<jobs { done.wait() }
        return results.merged()
    }
}

/// The runs of the threads, gathered under a lock.
private final class Results: @unchecked Sendable {
    private var runs: [ChaosRun]
    private let lock = NSLock()

    init(count: Int) { runs = Array(repeating: ChaosRun(), count: count) }

    func set(_ index: Int, _ run: ChaosRun) {
        lock.lock()
        runs[index] = run
        lock.unlock()
    }

    func merged() -> ChaosRun {
        lock.lock()
        defer { lock.unlock() }
        var all = ChaosRun()
        for run in runs { all.add(run) }
        return all
    }
}

JamChaos.main()
