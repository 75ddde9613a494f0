import JamClient
import JamCore
import Testing

/// Clock sync and the shared transport over a simulated network: clients with drifting clocks measure
/// their offset to the server by PING/PONG through paths of 0–100 ms with ±20 ms jitter and asymmetric
/// directions, and compute the beat locally. Simulated time: deterministic, nothing waits.
@Suite struct BeatSyncTests {
    /// One participant's view of time and the network.
    struct SimulatedClient {
        /// Local clock = true time × (1 + drift) + offset.
        var clockOffset: Int64
        var drift: Double
        /// Base one-way delays, microseconds; up and down differ.
        var up: Int64
        var down: Int64
        var sync = ClockSync()

        func local(_ trueTime: Int64) -> Int64 {
            Int64((Double(trueTime) * (1 + drift)).rounded()) + clockOffset
        }
    }

    struct Network {
        var random: SeededGenerator
        let jitter: Int64 = 20_000

        mutating func delay(_ base: Int64) -> Int64 {
            max(500, base + Int64.random(in: -jitter...jitter, using: &random))
        }
    }

    /// Clients keep pinging (``ClockSync/pingInterval``) for `seconds`, measured once a second.
    static func run(clients: inout [SimulatedClient], network: inout Network, from start: Int64, seconds: Int, measure: (Int64, [SimulatedClient]) -> Void) {
        let interval = Int64(ClockSync.pingInterval.components.seconds) * 1_000_000 + ClockSync.pingInterval.components.attoseconds / 1_000_000_000_000
        let pingsPerSecond = Int(1_000_000 / interval)
        for second in 0..<seconds {
            for ping in 0..<pingsPerSecond {
                let now = start + Int64(second) * 1_000_000 + Int64(ping) * interval
                for index in clients.indices {
                    let sent = now + Int64(index) * 7_919
                    let arrives = sent + network.delay(clients[index].up)
                    let back = arrives + network.delay(clients[index].down)
                    clients[index].sync.add(sent: clients[index].local(sent), server: arrives, received: clients[index].local(back))
                }
            }
            measure(start + Int64(second) * 1_000_000 + 999_000, clients)
        }
    }

    static func makeClients(_ count: Int, random: inout SeededGenerator) -> [SimulatedClient] {
        (0..<count).map { _ in
            let base = Int64.random(in: 0...50_000, using: &random)
            let asymmetry = Int64.random(in: -4_000...4_000, using: &random)
            return SimulatedClient(
                clockOffset: Int64.random(in: -10_000_000...10_000_000, using: &random),
                drift: Double.random(in: -50e-6...50e-6, using: &random),
                up: base + asymmetry, down: base)
        }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }

    @Test("beat-phase error between clients: p95 ≤ 5 ms, and no drift over 10 simulated minutes", arguments: [1, 2, 3])
    func beatPhase(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var clients = Self.makeClients(8, random: &random)
        var network = Network(random: random)
        let tempo = 120.0
        let transport = Transport(tempo: tempo).scheduling(.play, now: 0, meter: Meter(4, 4), lead: 250_000)
        let microsecondsPerTick = 60_000_000 / (tempo * Double(Document.ppq))
        var errors: [(second: Int, milliseconds: Double)] = []
        var second = 0
        Self.run(clients: &clients, network: &network, from: 0, seconds: 600) { trueTime, clients in
            second += 1
            guard second > 20 else { return }  // twenty pings to settle
            let ticks = clients.map { client in
                transport.tick(at: client.sync.serverTime(at: client.local(trueTime))!)
            }
            for i in ticks.indices {
                for j in ticks.indices where j > i {
                    errors.append((second, abs(ticks[i] - ticks[j]) * microsecondsPerTick / 1000))
                }
            }
        }
        let all = errors.map(\.milliseconds)
        let p95 = Self.percentile(all, 0.95)
        // Drift: once the estimator's window is full (five minutes), the error must not grow.
        let firstMinute = Self.percentile(errors.filter { (300..<360).contains($0.second) }.map(\.milliseconds), 0.5)
        let lastMinute = Self.percentile(errors.filter { $0.second >= 540 }.map(\.milliseconds), 0.5)
        print("beat sync seed \(seed): phase error between clients p50 \(Self.percentile(all, 0.5)) ms, p95 \(p95) ms, max \(all.max()!) ms; p95 after two minutes \(Self.percentile(errors.filter { $0.second > 120 }.map(\.milliseconds), 0.95)) ms; median in minute 6 \(firstMinute) ms, in minute 10 \(lastMinute) ms")
        #expect(p95 <= 5, "p95 phase error between clients ≤ 5 ms")
        #expect(abs(lastMinute - firstMinute) < 1, "drift under 1 ms over ten minutes")
    }

    @Test("a tempo change lands on the next bar line for everyone")
    func tempoChangeOnTheBar() {
        var random = SeededGenerator(seed: 9)
        var clients = Self.makeClients(6, random: &random)
        var network = Network(random: random)
        let meter = Meter(3, 4)
        var transport = Transport(tempo: 100).scheduling(.play, now: 0, meter: meter, lead: 250_000)
        Self.run(clients: &clients, network: &network, from: 0, seconds: 30) { _, _ in }
        let asked: Int64 = 30_300_000
        transport = transport.scheduling(.tempo(140), now: asked, meter: meter, lead: 250_000)
        let change = transport.segments.last!
        #expect(change.tempo == 140 && change.tick % meter.ticksPerBar() == 0, "on a bar line")
        #expect(change.time >= asked + 250_000, "late enough for the news to arrive first")
        #expect(transport.tick(at: asked) < Double(change.tick))
        for client in clients {
            // The news reaches the client after its down path, before the change is due.
            let arrival = asked + network.delay(client.down)
            #expect(arrival < change.time)
            // Each client switches where its own clock says the bar line is: within a few ms of the others.
            let localSwitch = change.time - client.sync.offset(at: client.local(change.time))!
            let trueSwitch = Double(localSwitch - client.clockOffset) / (1 + client.drift)
            #expect(abs(trueSwitch - Double(change.time)) < 5_000)
        }
    }

    @Test("the transport: play starts on a bar after the lead, stop lands on the next bar, tempo is exact")
    func transportTimeline() {
        let meter = Meter(4, 4)
        let bar = meter.ticksPerBar()
        var transport = Transport(tempo: 120)
        #expect(!transport.isPlaying(at: 1_000_000))
        transport = transport.scheduling(.play, now: 1_000_000, meter: meter, lead: 200_000)
        #expect(!transport.isPlaying(at: 1_100_000) && transport.isPlaying(at: 1_200_000))
        // 120 bpm: a quarter note (480 ticks) every 500 ms.
        #expect(transport.tick(at: 1_700_000) == 480)
        transport = transport.scheduling(.stop, now: 2_000_000, meter: meter, lead: 200_000)
        let stop = transport.segments.last!
        #expect(!stop.playing && stop.tick == bar && stop.time == 3_200_000)
        #expect(transport.tick(at: 9_000_000) == Double(bar))
        transport = transport.scheduling(.play, now: 2_500_000, meter: meter, lead: 200_000)
        #expect(transport.isPlaying(at: 9_000_000), "play cancels a pending stop")
        #expect(transport.trimmed(at: 9_000_000).segments.count == 1)
    }

    @Test("clock sync without drift or jitter finds the offset exactly; a reply from the past is ignored")
    func exactOffset() {
        var sync = ClockSync()
        #expect(sync.offset(at: 0) == nil)
        for i in Int64(0)..<10 { sync.add(sent: i * 1_000_000, server: i * 1_000_000 + 5_000_500, received: i * 1_000_000 + 1000) }
        #expect(sync.offset(at: 20_000_000) == 5_000_000)
        #expect(sync.samples.count == 2, "the fastest of each five seconds is kept")
        sync.add(sent: 50_000_000, server: 0, received: 40_000_000)
        #expect(sync.samples.count == 2)
    }
}
