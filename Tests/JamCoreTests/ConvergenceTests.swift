import Foundation
import JamCore
import Testing

/// The OT laws on random concurrent edits. `JAM_OT_CASES` raises the count, `JAM_SEED` changes the seed;
/// a failure prints both, with the document and operations to replay it.
@Suite struct ConvergenceTests {
    static let environment = ProcessInfo.processInfo.environment
    static let cases = environment["JAM_OT_CASES"].flatMap(Int.init) ?? 20_000
    static let seed = environment["JAM_SEED"].flatMap(UInt64.init) ?? 0x4A41_4D21

    @Test("TP1 holds on random concurrent pairs", arguments: 0..<4)
    func tp1(shard: Int) {
        let failure = Convergence.checkTP1(pairs: Self.cases / 4, seed: Self.seed &+ UInt64(shard))
        #expect(failure == nil, "\(failure!)")
    }

    @Test("apply then apply the inverse gives the original")
    func inverse() {
        let failure = Convergence.checkInverse(count: Self.cases / 4, seed: Self.seed)
        #expect(failure == nil, "\(failure!)")
    }

    @Test("transform against a sequence equals transforming step by step; compose equals sequence")
    func sequences() {
        let failure = Convergence.checkSequences(count: Self.cases / 4, seed: Self.seed)
        #expect(failure == nil, "\(failure!)")
    }
}
