import Foundation
@testable import JamBand
import JamClient
import JamCore
import JamProtocol
import JamServer
import Logging
import Testing

extension BandHost: Bandmates {}

/// The bandmate as a member of a real session: invited over TLS, answering a human's chords.
@Suite("the bandmate in a session")
struct AgentTests {
    @Test("a human plays a ii–V–I; the invited bass answers on its own track, in range, and leaves when dismissed")
    func invitedBassAnswers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jam-band-\(UUID().uuidString)").path
        let identity = try ServerIdentity.loadOrCreate(dataDirectory: directory)
        var configuration = JamServer.Configuration(dataDirectory: directory, tls: try identity.makeServerContext())
        configuration.port = 0
        let band = BandHost(trust: .fingerprint(identity.fingerprint))
        configuration.bandmates = band
        var logger = Logger(label: "jam.test")
        logger.logLevel = .critical
        let server = try await JamServer.bind(configuration, logger: logger)
        let running = Task { try await server.run() }
        defer { server.shutdown() }

        let endpoint = Endpoint(port: server.port, trust: .pinnedCertificate(path: identity.certificatePath))
        let human = try await JamConnection.connect(to: endpoint, join: JoinRequest(session: "jam", name: "ana"))
        let chords = Fixtures.chords(["Cm7", "F7", "Bbmaj7", "Bbmaj7"], id: "ana.keys")
        var keys = chords
        keys.owner = await human.client!
        try await human.submit([.trackAdd(index: 0, track: keys)])
        try await human.flush()

        await human.invite(ClientMessage.Invite(role: "bass", style: "swing", seed: 7))
        let bass = try await within(.seconds(20)) {
            for await event in human.events {
                if case .peer(let event, _) = event, event.event == .join, event.peer.kind == .ai { return event.peer }
            }
            throw Failure("no bandmate joined")
        }
        #expect(bass.name == "Bass")
        let start = ContinuousClock.now
        let bassTrack = try await within(.seconds(20)) {
            while true {
                if let track = await human.document.tracks.first(where: { $0.owner == bass.client }), !track.notes.isEmpty {
                    return track
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        print("bandmate: invite to committed bass part in \(start.duration(to: .now)) (debounce included)")
        #expect(bassTrack.notes.values.allSatisfy { (28...55).contains($0.pitch) }, "E1–G3")
        // Roots of the changes on the first beat of each bar (humanised: within a 32nd of the bar line).
        let bar = 4 * Document.ppq
        let downbeats = bassTrack.sortedNotes.filter { abs($0.tick - ($0.tick + bar / 2) / bar * bar) <= Document.ppq / 8 }
        #expect(downbeats.prefix(3).map { $0.pitch % 12 } == [0, 5, 10], "C, F, B♭ on the downbeats: \(bassTrack.sortedNotes.map { "\($0.tick):\($0.pitch)" })")
        #expect(await human.document.tracks.first { $0.id == "ana.keys" } == keys, "the human's track is untouched")

        // A human edit: the bandmate follows within a beat or so (its debounce is 250 ms).
        let edited = Date()
        let newChords = Fixtures.chords(["Dm7", "G7", "Cmaj7", "Cmaj7"], id: "ana.keys2")
        var second = newChords
        second.owner = await human.client!
        let removeOld = Component.trackRemove(index: 0, track: keys)
        try await human.submit([removeOld, .trackAdd(index: 0, track: second)])
        try await human.flush()
        try await within(.seconds(20)) {
            while true {
                let track = await human.document.tracks.first { $0.owner == bass.client }
                let first = track?.sortedNotes.first
                if let pitch = first?.pitch, pitch % 12 == 2 { return }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        print("bandmate: human edit to committed answer in \(Int(Date().timeIntervalSince(edited) * 1000)) ms")

        await human.dismiss("Bass")
        try await within(.seconds(20)) {
            while await human.roster.contains(where: { $0.kind == .ai }) { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(await band.members(of: "jam").isEmpty)
        await human.leave()
        server.shutdown()
        try await running.value
    }
}

@Suite struct HorizonTests {
    @Test("while playing, the bar under the playhead and the next are committed, wrapping at the loop's end")
    func committedBars() {
        let document = Document(meter: Meter(3, 4), loopBars: 4)
        let bar = Double(document.meter.ticksPerBar())
        #expect(BandAgent.committedBars(at: 0, in: document) == [0, 1])
        #expect(BandAgent.committedBars(at: bar * 2.5, in: document) == [2, 3])
        #expect(BandAgent.committedBars(at: bar * 3.9, in: document) == [3, 0])
        #expect(BandAgent.committedBars(at: bar * 9.1, in: document) == [1, 2], "the transport counts on; the loop repeats")
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body`, failing if it takes longer than `limit`.
func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw Failure("timed out after \(limit)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
