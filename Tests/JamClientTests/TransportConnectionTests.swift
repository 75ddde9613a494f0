import Foundation
import JamClient
import JamCore
import JamProtocol
import Testing

/// The shared transport through real connections: clock sync by PING/PONG and the beat both compute.
@Suite("JamConnection transport")
struct TransportConnectionTests {
    @Test("two connections agree on the current tick within a few ms once their clocks are measured")
    func clientsAgreeOnTheBeat() async throws {
        try await withServer { server in
            let a = try await server.connect("ana")
            let b = try await server.connect("ben")
            #expect(await a.transport?.segments.first?.playing == false, "WELCOME carries the transport")
            await a.play()
            try await waitFor(a) { $0.transport?.segments.last?.playing == true }
            try await waitFor(b) { $0.transport?.segments.last?.playing == true }
            #expect(await a.transport == b.transport)
            for connection in [a, b] {
                try await waitFor(connection) { c in !c.clock.samples.isEmpty && c.isPlaying() }
            }
            let now = ContinuousClock.now
            let tickA = try #require(await a.currentTick(at: now))
            let tickB = try #require(await b.currentTick(at: now))
            let tempo = try #require(await a.transport?.segments.last?.tempo)
            let milliseconds = abs(tickA - tickB) * 60_000 / (tempo * Double(Document.ppq))
            // Each offset is off by at most half the slowest round trip it kept (a few ms on loopback; more
            // when the machine is busy): the two beats can differ by the sum of those, and no more.
            let slowest = [await a.clock.samples, await b.clock.samples].map { Double($0.map(\.roundTrip).max() ?? 0) / 1000 }
            let bound = max(5, slowest.reduce(0, +) / 2 + 1)
            #expect(milliseconds < bound, "the two clients' beats differ by \(milliseconds) ms; kept round trips up to \(slowest) ms")
            // Playing, the beat moves on: half a second later is half a second of ticks further (the clock
            // estimate may move a little between the calls, never by that much).
            let later = try #require(await a.currentTick(at: now + .milliseconds(500)))
            #expect(later - tickA > tempo * Double(Document.ppq) / 120 * 0.9)
            await a.leave()
            await b.leave()
        }
    }

    @Test("play and stop reach every member as .transport events; a listener's play is refused")
    func events() async throws {
        try await withServer { server in
            let a = try await server.connect("ana")
            let lee = try await server.connect("lee", role: .listener)
            let seen = Task {
                var transports: [Transport] = []
                for await event in lee.events {
                    if case .transport(let t) = event { transports.append(t) }
                    if transports.count == 3 { break }
                }
                return transports
            }
            await a.play()
            try await waitFor(a) { $0.transport?.segments.last?.playing == true }
            await a.stop()
            try await waitFor(a) { $0.transport?.segments.last?.playing == false }
            let transports = await seen.value
            // The WELCOME's (stopped), the start, the stop.
            #expect(transports.map { $0.segments.last?.playing } == [false, true, false])
            let refused = Task {
                for await event in lee.events {
                    if case .error(let error) = event { return error.code }
                }
                return "closed"
            }
            await lee.play()
            #expect(await refused.value == "forbidden")
            await a.leave()
            await lee.leave()
        }
    }
}

@Suite("Transport in words")
struct TransportDescriptionTests {
    @Test("jam tail says what the transport does and when")
    func line() {
        var description = EventDescription()
        let transport = Transport(segments: [
            .init(time: 1_000_000, tick: 0, tempo: 120, playing: false),
            .init(time: 1_250_000, tick: 0, tempo: 96.5, playing: true),
        ])
        #expect(description.line(for: .transport(transport))
            == "transport stopped at tick 0 at 120 bpm, server time 1000000, then playing from tick 0 at 96.5 bpm, server time 1250000")
    }
}
