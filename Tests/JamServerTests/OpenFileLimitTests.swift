import Testing

@testable import JamServer

/// The server raises its soft open-file limit to fit its connections, within the hard limit, and never
/// lowers it.
@Suite(.serialized) struct OpenFileLimitTests {
    @Test func raisesTheSoftLimitWithinTheHardOne() throws {
        let before = try #require(OpenFileLimit.current)
        let wanted = 3000
        let after = try #require(OpenFileLimit.raise(toServe: wanted))
        #expect(after.hard == before.hard)
        #expect(after.soft >= before.soft)
        #expect(after.soft == max(before.soft, min(before.hard, wanted + OpenFileLimit.headroom)))
        #expect(OpenFileLimit.current == after)
    }

    @Test func neverLowersIt() throws {
        let before = try #require(OpenFileLimit.current)
        let after = try #require(OpenFileLimit.raise(toServe: 1))
        #expect(after == before)
    }

    @Test(arguments: [(1024, 768), (300, 44), (100, 0)])
    func roomForConnections(soft: Int, connections: Int) {
        #expect(OpenFileLimit(soft: soft, hard: 1 << 20).connections == connections)
    }
}
