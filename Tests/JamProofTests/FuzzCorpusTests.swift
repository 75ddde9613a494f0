import Foundation
import JamProof
import Testing

/// Every kept fuzz input — the seed corpus and every crash ever found — runs through its harness on
/// every test run: a finding, once fixed, stays fixed.
@Suite struct FuzzCorpusTests {
    private static let tools = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tools/Fuzz")

    private static func inputs(of harness: FuzzHarness) -> [String] {
        FuzzHarness.files(in: ["corpus", "crashes"].map { tools.appendingPathComponent("\($0)/\(harness.name)").path })
    }

    @Test("the kept inputs run through their harness without a finding", arguments: FuzzHarness.all.map(\.name))
    func keptInputsPass(name: String) throws {
        let harness = try #require(FuzzHarness.all.first { $0.name == name })
        let files = Self.inputs(of: harness)
        #expect(files.count >= 40, "the seed corpus of \(name) is missing")
        for file in files {
            let data = try #require(FileManager.default.contents(atPath: file))
            _ = harness.body(Array(data))
        }
    }

    /// Only the written seeds (`seed-NNN`): inputs kept from fuzzing runs are often refused on purpose.
    @Test("the operations corpus starts from operations that apply, so every property is checked")
    func operationSeedsApply() throws {
        let files = Self.inputs(of: .operations).filter { $0.contains("/corpus/") && ($0 as NSString).lastPathComponent.hasPrefix("seed-") }
        let applied = try files.filter { OperationFuzzer.run(Array(try #require(FileManager.default.contents(atPath: $0)))) }
        #expect(applied.count * 10 >= files.count * 9, "\(applied.count) of \(files.count) apply")
    }
}
