import JamClient
import JamCore
import Testing

/// Runs `count` seeded simulations from `first` and reports every problem with its seed.
private func simulate(from first: UInt64, count: UInt64, config: Simulation.Config) -> (problems: [String], stats: Simulation.Stats) {
    var problems: [String] = []
    var stats = Simulation.Stats()
    for seed in first..<first + count {
        var simulation = Simulation(seed: seed, config: config)
        simulation.run()
        problems += simulation.problems.prefix(3)
        stats = stats + simulation.stats
    }
    return (problems, stats)
}

@Suite struct SimulationTests {
    @Test("three members editing, undoing, dropping and rejoining at random converge on the server's document", arguments: 0..<16)
    func threeMembersConverge(batch: UInt64) {
        let (problems, stats) = simulate(from: batch * 20, count: 20, config: Simulation.Config())
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // Each batch exercises every path it is meant to.
        #expect(stats.edits > 500)
        #expect(stats.undos > 20 && stats.redos > 10)
        #expect(stats.refusals > 0)
        #expect(stats.rejoins > 10 && stats.snapshots > 0)
        #expect(stats.acksInWelcome > 0, "some rejoin learned that its pending operation was committed")
    }

    @Test("two members, busy channels and many drops, converge", arguments: 0..<4)
    func twoMembersManyDrops(batch: UInt64) {
        var config = Simulation.Config()
        config.clients = 2
        config.dropPerMille = 80
        config.snapshotPercent = 50
        config.refusePerMille = 80
        let (problems, stats) = simulate(from: 10_000 + batch * 20, count: 20, config: config)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(stats.rejoins > 50 && stats.refusals > 20, "\(stats)")
    }

    @Test("an author's undo never touches a note it did not edit, whatever the others do concurrently", arguments: 0..<8)
    func undoTouchesOnlyTheAuthorsNotes(batch: UInt64) {
        var config = Simulation.Config()
        config.checkAuthorUndo = true
        config.undoPercent = 25
        config.refusePerMille = 0
        config.snapshotPercent = 0
        let (problems, stats) = simulate(from: 20_000 + batch * 20, count: 20, config: config)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(stats.undoChecks > 50)
        #expect(stats.discarded == 0, "with no refusal and no snapshot, every undo and redo step still applies when its turn comes")
    }
}
