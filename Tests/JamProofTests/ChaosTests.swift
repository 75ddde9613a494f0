import JamCore
import JamProof
import Testing

@Suite struct ChaosTests {
    /// CI's 2,000 sessions, in batches that run in parallel.
    @Test("2,000 chaos sessions: replicas converge on the server, the log holds every acknowledged operation exactly once", arguments: 0..<20)
    func chaosSessions(batch: UInt64) {
        let run = ChaosRun.run(seeds: batch * 100..<batch * 100 + 100)
        let report = run.failures.prefix(3).map { "\($0.problems.prefix(4).joined(separator: "\n"))\nreplay: \($0.replay)" }
        #expect(run.failures.isEmpty, "\(run.failures.count) sessions failed:\n\(report.joined(separator: "\n"))")
        // Every batch goes down every path it claims to.
        let stats = run.stats
        for counter: ChaosStats.Counter in [
            .edits, .agentEdits, .undos, .redos, .transformed, .duplicates, .breaks, .rejoins, .snapshotRejoins,
            .committedInWelcome, .resends, .crashes, .cleanRestarts, .tailsCut,
        ] {
            #expect(stats[counter] > 0, "no \(counter.rawValue) in batch \(batch): \(stats)")
        }
    }

    @Test("a seed replays exactly: the same events, the same counts")
    func seedsReplay() throws {
        func trace(_ seed: UInt64) throws -> (lines: [String], stats: ChaosStats) {
            var lines: [String] = []
            var session = try ChaosSession(seed: seed)
            session.trace = { lines.append($0) }
            session.run()
            #expect(session.problems.isEmpty, "\(session.problems)")
            return (lines, session.stats)
        }
        for seed: UInt64 in [7, 1234] {
            let first = try trace(seed), second = try trace(seed)
            #expect(first.lines.count > 100)
            #expect(first.lines == second.lines)
            #expect(first.stats == second.stats)
        }
    }
}
