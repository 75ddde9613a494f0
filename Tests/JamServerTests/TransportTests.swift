import Foundation
import JamCore
import JamProtocol
import JamServer
import Testing

/// The shared transport over the wire (PROTOCOL.md §2.4): clock PONGs, TRANSPORT from players, tempo
/// operations while playing, WELCOME and restarts.
@Suite("Transport")
struct TransportTests {
    static func wallMicros() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down)) }

    static func transport(of client: LineClient) async throws -> Transport {
        try await client.expect("TRANSPORT") { if case .transport(let t) = $0 { t } else { nil } }
    }

    @Test("a PING with t gets a PONG echoing it with the server's clock; a bare PING a bare PONG")
    func clockPong() async throws {
        let server = try await TestServer.start()
        let (client, _) = try await server.join("clock", name: "Ana")
        let before = Self.wallMicros()
        try await client.send(.clockPing(.init(t: 4242)))
        let pong = try await client.expect("PONG") { if case .clockPong(let p) = $0 { p } else { nil } }
        let after = Self.wallMicros()
        #expect(pong.t == 4242)
        #expect((before...after).contains(pong.server))
        try await client.send(.ping)
        #expect(try await client.expect("PONG") { $0.verb == .pong ? $0 : nil } == .pong)
        await client.close()
        try await server.stop()
    }

    @Test("TRANSPORT play: every member gets the same segments, starting on the bar a quarter second on")
    func playReachesEveryone() async throws {
        let server = try await TestServer.start()
        let (ana, welcome) = try await server.join("band", name: "Ana")
        #expect(welcome.transport?.segments.count == 1)
        #expect(welcome.transport?.segments.first?.playing == false)
        let (bo, _) = try await server.join("band", name: "Bo")
        let asked = Self.wallMicros()
        try await ana.send(.transport(.init(action: .play)))
        let toAna = try await Self.transport(of: ana)
        let toBo = try await Self.transport(of: bo)
        #expect(toAna == toBo)
        let start = try #require(toAna.segments.last)
        #expect(start.playing && start.tick == 0 && start.tempo == 120)
        #expect(start.time >= asked + SessionState.transportLead)
        #expect(toAna.segments.first?.playing == false)

        // A newcomer's WELCOME carries it too.
        let (_, late) = try await server.join("band", name: "Cy")
        #expect(late.transport?.segments.last == start)

        // Play again while a start is pending changes nothing; stop lands on a bar line.
        try await bo.send(.transport(.init(action: .play)))
        try await bo.send(.transport(.init(action: .stop)))
        let stopped = try await Self.transport(of: ana)
        let stop = try #require(stopped.segments.last)
        #expect(!stop.playing)
        #expect(stop.tick % Meter(4, 4).ticksPerBar() == 0)
        #expect(try await Self.transport(of: bo) == stopped, "Bo's second request was the stop, not a second play")
        await ana.close()
        await bo.close()
        try await server.stop()
    }

    @Test("a tempo operation while playing takes effect on a bar line, for everyone")
    func tempoWhilePlaying() async throws {
        let server = try await TestServer.start()
        let (ana, _) = try await server.join("tempo", name: "Ana")
        let (bo, _) = try await server.join("tempo", name: "Bo")
        try await ana.send(.transport(.init(action: .play)))
        let playing = try await Self.transport(of: ana)
        _ = try await Self.transport(of: bo)
        // Wait until the start has happened (the lead is a quarter second), so the tempo meets a playing transport.
        let startsIn = (playing.segments.last?.time ?? 0) - Self.wallMicros()
        try await Task.sleep(for: .microseconds(max(0, startsIn) + 50_000))
        let asked = Self.wallMicros()
        try await ana.send(.op(.init(base: 0, seq: 1, op: [.sessionSet(value: .tempo(100), old: .tempo(120))])))
        let changed = try await Self.transport(of: bo)
        #expect(try await Self.transport(of: ana) == changed)
        #expect(changed.segments.count == 2)
        let (before, after) = (changed.segments[0], changed.segments[1])
        #expect(before.playing && before.tempo == 120)
        #expect(after.playing && after.tempo == 100)
        #expect(after.tick > 0 && after.tick % Meter(4, 4).ticksPerBar() == 0)
        #expect(after.time >= asked + SessionState.transportLead)
        // Continuous: the old segment reaches the bar line exactly when the new one starts.
        #expect(abs(changed.tick(at: after.time - 1) - Double(after.tick)) < 1)
        await ana.close()
        await bo.close()
        try await server.stop()
    }

    @Test("a listener may not start the transport")
    func listenerRefused() async throws {
        let server = try await TestServer.start()
        let (listener, _) = try await server.join("quiet", name: "Lu", role: .listener)
        try await listener.send(.transport(.init(action: .play)))
        let error = try await listener.expectError()
        #expect(error.code == .forbidden && error.verb == "TRANSPORT")
        await listener.close()
        try await server.stop()
    }

    @Test("TRANSPORT before JOIN is not_joined")
    func beforeJoin() async throws {
        let server = try await TestServer.start()
        let client = try await server.connect()
        _ = try await client.next()
        try await client.send(.transport(.init(action: .play)))
        #expect(try await client.expectError().code == .notJoined)
        await client.close()
        try await server.stop()
    }

    @Test("a restart keeps the transport (the log's transport record)")
    func restartKeepsTransport() async throws {
        let directory = temporaryDirectory()
        var server = try await TestServer.start(directory: directory)
        let (ana, _) = try await server.join("durable", name: "Ana")
        try await ana.send(.transport(.init(action: .play)))
        let playing = try await Self.transport(of: ana)
        await ana.close()
        try await server.stop()

        server = try await TestServer.start(directory: directory)
        let (again, welcome) = try await server.join("durable", name: "Ana")
        #expect(welcome.transport?.segments.last == playing.segments.last)
        await again.close()
        try await server.stop()
    }
}

/// The session's transport decisions, without I/O.
@Suite("Transport decisions")
struct TransportDecisionTests {
    static let now: Int64 = 1_764_028_800_000_000

    static func state(tempo: Double = 120) -> SessionState {
        SessionState(document: Document(tempo: tempo), revision: 0, clients: [:], limits: .default)
    }

    @Test("play, play again while the start is pending, stop: one change each, nothing for the repeat")
    func repeats() {
        var state = Self.state()
        let stopWhileStopped = state.requestTransport(.stop, now: Self.now)
        #expect(stopWhileStopped == nil)
        let started = state.requestTransport(.play, now: Self.now)
        #expect(started?.segments.last?.time == Self.now + SessionState.transportLead)
        let playWhilePending = state.requestTransport(.play, now: Self.now + 100_000)
        #expect(playWhilePending == nil, "the pending start stands")
        let playWhilePlaying = state.requestTransport(.play, now: Self.now + 1_000_000)
        #expect(playWhilePlaying == nil)
        let stopped = state.requestTransport(.stop, now: Self.now + 1_000_000)
        #expect(stopped?.segments.last?.playing == false)
        #expect(stopped.map { $0.segments.last!.tick % Meter(4, 4).ticksPerBar() } == 0)
    }

    @Test("a tempo op while stopped sends nothing, and the next start takes it")
    func tempoStopped() throws {
        var state = Self.state()
        let unchanged = state.followTempo(now: Self.now)
        #expect(unchanged == nil)
        let outcome = state.submit(author: "a", base: 0, seq: 1, operation: [.sessionSet(value: .tempo(90), old: .tempo(120))], time: 0)
        guard case .committed = outcome else {
            Issue.record("the tempo operation was not committed: \(outcome)")
            return
        }
        let told = state.followTempo(now: Self.now)
        #expect(told == nil)
        let started = state.requestTransport(.play, now: Self.now)
        #expect(started?.segments.last?.tempo == 90)
        #expect(started?.segments.last?.playing == true)
    }
}
