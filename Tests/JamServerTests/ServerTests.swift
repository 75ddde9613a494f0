import Foundation
import JamCore
import JamProtocol
import JamServer
import Testing

/// A participant that keeps a replica: sends one operation at a time, made on a replica that may be
/// behind, and on ACK applies its own operation transformed over what it saw committed meanwhile.
struct Participant {
    let client: LineClient
    let id: String
    var replica: Document
    var revision: Int
    var seq = 0
    /// Broadcasts seen since the pending operation's base.
    private var seen: [CommittedOperation] = []

    init(_ client: LineClient, _ welcome: ServerMessage.Welcome) throws {
        guard case .snapshot(let document) = welcome.content else { throw TestFailure("expected a snapshot") }
        self.client = client
        id = welcome.client
        replica = document
        revision = welcome.revision
    }

    /// Sends `op` (made on the replica) and waits for its ACK, applying what others committed meanwhile.
    mutating func submit(_ op: JamCore.Operation) async throws -> Int {
        seq += 1
        let base = revision
        seen = []
        try await client.send(.op(.init(base: base, seq: seq, op: op)))
        while true {
            guard let message = try await client.next() else { throw TestFailure("\(id): closed while waiting for ACK") }
            switch message {
            case .op(let committed):
                try receive(committed)
                seen.append(committed)
            case .ack(let ack):
                #expect(ack.seq == seq)
                var mine = op
                for other in seen { mine = transform(mine, other.op, aWins: false).aPrime }
                try replica.apply(mine)
                #expect(ack.revision == revision + 1, "ACKs and OPs come in revision order with no gap")
                revision = ack.revision
                return ack.revision
            case .err(let error):
                throw TestFailure("\(id): \(error)")
            default:
                continue
            }
        }
    }

    mutating func receive(_ committed: CommittedOperation) throws {
        #expect(committed.revision == revision + 1, "OPs come in revision order with no gap")
        try replica.apply(committed.op)
        revision = committed.revision
    }

    /// Reads broadcasts until the replica is at `target`.
    mutating func catchUp(to target: Int) async throws {
        while revision < target {
            guard let message = try await client.next() else { throw TestFailure("\(id): closed while catching up") }
            if case .op(let committed) = message { try receive(committed) }
        }
    }
}

@Suite struct ServerTests {
    @Test("three clients editing one session concurrently converge on the server's document")
    func threeClientsConverge() async throws {
        let server = try await TestServer.start()
        var participants: [Participant] = []
        for name in ["ana", "ben", "cy"] {
            let (client, welcome) = try await server.join("trio", name: name)
            participants.append(try Participant(client, welcome))
        }
        let finals = try await withThrowingTaskGroup(of: Participant.self) { group in
            for (index, participant) in participants.enumerated() {
                group.addTask {
                    var participant = participant
                    var edits = RandomEdits(seed: UInt64(100 + index), site: participant.id)
                    for _ in 0..<40 {
                        let op = edits.operation(on: participant.replica)
                        _ = try await participant.submit(op)
                    }
                    return participant
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let total = 3 * 40
        let (observer, welcome) = try await server.join("trio", name: "observer", role: .listener)
        #expect(welcome.revision == total)
        for var participant in finals {
            try await participant.catchUp(to: total)
            #expect(participant.replica.contentHash == welcome.hash, "\(participant.id) diverged")
            await participant.client.close()
        }
        guard case .snapshot(let document) = welcome.content else { throw TestFailure("no snapshot") }
        #expect(document.contentHash == welcome.hash)
        await observer.close()
        try await server.stop()
    }

    @Test("a listener receives edits but cannot make them")
    func listenerCannotEdit() async throws {
        let server = try await TestServer.start()
        let (player, playerWelcome) = try await server.join("room", name: "player")
        let (listener, _) = try await server.join("room", name: "ear", role: .listener)
        try await listener.send(.op(.init(base: 0, seq: 1, op: [.sessionSet(value: .tempo(90), old: .tempo(120))])))
        let error = try await listener.expectError()
        #expect(error.code == .forbidden)
        #expect(error.seq == 1)
        var author = try Participant(player, playerWelcome)
        let revision = try await author.submit([.sessionSet(value: .tempo(100), old: .tempo(120))])
        let seen = try await listener.expect("OP") { if case .op(let op) = $0 { op } else { nil } }
        #expect(seen.revision == revision)
        #expect(seen.author == author.id)
        await player.close()
        await listener.close()
        try await server.stop()
    }

    @Test("a restart keeps every acknowledged operation, and exactly-once holds across it")
    func restartKeepsAcknowledgedOperations() async throws {
        let directory = temporaryDirectory()
        var server = try await TestServer.start(directory: directory)
        let (client, welcome) = try await server.join("keep", name: "ana")
        var ana = try Participant(client, welcome)
        var edits = RandomEdits(seed: 7, site: ana.id)
        var lastOp: JamCore.Operation = []
        for _ in 0..<25 {
            lastOp = edits.operation(on: ana.replica)
            _ = try await ana.submit(lastOp)
        }
        let hash = ana.replica.contentHash
        try await server.stop()
        #expect(try await client.isClosed(), "the server said goodbye")

        server = try await TestServer.start(directory: directory)
        let rejoin = ClientMessage.Rejoin(client: ana.id, resume: welcome.resume, revision: 0, pending: [ana.seq])
        let (again, rewelcome) = try await server.join("keep", name: "ana", rejoin: rejoin)
        #expect(rewelcome.client == ana.id)
        #expect(rewelcome.revision == 25)
        #expect(rewelcome.hash == hash)
        #expect(rewelcome.committed == [CommittedSequence(seq: ana.seq, revision: 25)])

        let (watcher, _) = try await server.join("keep", name: "ben")
        try await again.send(.op(.init(base: 24, seq: ana.seq, op: lastOp)))
        let ack = try await again.expect("ACK") { if case .ack(let ack) = $0 { ack } else { nil } }
        #expect(ack == ServerMessage.Ack(seq: ana.seq, revision: 25), "a resent operation is acknowledged again, not applied")
        try await watcher.send(.ping)
        let next = try await watcher.expect("PONG or OP") { message -> ServerMessage? in
            switch message {
            case .pong, .op: message
            default: nil
            }
        }
        #expect(next == .pong, "nothing was broadcast for the duplicate")
        await again.close()
        await watcher.close()
        try await server.stop()
    }

    @Test("a client that rejoins gets the operations it missed and learns which of its own were committed")
    func rejoinCatchesUp() async throws {
        let server = try await TestServer.start()
        let (a, aWelcome) = try await server.join("catch", name: "ana")
        let (b, bWelcome) = try await server.join("catch", name: "ben")
        var ana = try Participant(a, aWelcome)
        var ben = try Participant(b, bWelcome)
        _ = try await ana.submit([.sessionSet(value: .title("one"), old: .title("Untitled"))])
        try await ben.catchUp(to: 1)
        await a.close()
        for bpm in [90.0, 91, 92] {
            _ = try await ben.submit([.sessionSet(value: .tempo(bpm), old: .tempo(ben.replica.tempo))])
        }
        let rejoin = ClientMessage.Rejoin(client: ana.id, resume: aWelcome.resume, revision: 1, pending: [1])
        let (back, welcome) = try await server.join("catch", name: "ana", rejoin: rejoin)
        guard case .missed(let missed) = welcome.content else { throw TestFailure("expected missed operations") }
        #expect(missed.map(\.revision) == [2, 3, 4])
        #expect(welcome.committed == [CommittedSequence(seq: 1, revision: 1)])
        for op in missed { try ana.receive(op) }
        #expect(ana.replica.contentHash == welcome.hash)
        #expect(ana.replica.tempo == 92)

        let (_, stranger) = try await server.join("catch", name: "eve")
        let forged = ClientMessage.Rejoin(client: ana.id, resume: stranger.resume, revision: 1)
        let impostor = try await server.connect()
        _ = try await impostor.next()
        try await impostor.send(.join(.init(session: "catch", name: "mallory", rejoin: forged)))
        #expect(try await impostor.expectError().code == .unknownClient)
        for client in [back, b, impostor] { await client.close() }
        try await server.stop()
    }

    @Test("shutdown tells every client it is going and ends the server")
    func gracefulShutdown() async throws {
        let server = try await TestServer.start()
        let (joined, _) = try await server.join("bye", name: "ana")
        let waiting = try await server.connect()
        _ = try await waiting.next()
        try await server.stop()
        let bye = try await joined.expect("BYE") { if case .bye(let bye) = $0 { bye } else { nil } }
        #expect(bye.reason == "shutdown")
        #expect(try await joined.isClosed())
        #expect(try await waiting.isClosed())
    }

    @Test("a client that does not read is cut off; the others keep receiving")
    func slowConsumerIsCutOff() async throws {
        var limits = Limits.default
        limits.outboundBytes = 256 * 1024
        limits.opsPerSecond = 1000
        limits.opsBurst = 1000
        let metrics = ServerMetrics()
        let server = try await TestServer.start(limits: limits, metrics: metrics)
        let (writer, writerWelcome) = try await server.join("flood", name: "writer")
        let (reader, readerWelcome) = try await server.join("flood", name: "reader")
        let (sleeper, _) = try await server.join("flood", name: "sleeper")
        try await sleeper.stopReading()
        var author = try Participant(writer, writerWelcome)
        var listener = try Participant(reader, readerWelcome)
        let notes = (0..<1500).map { Note(id: "n\($0)", tick: $0 * 10, duration: 10, pitch: 60, velocity: 90) }
        var cutOff = false
        for round in 0..<60 {
            let track = Track(id: "t\(round)", name: "Flood", notes: notes)
            let op: JamCore.Operation = author.replica.tracks.isEmpty
                ? [.trackAdd(index: 0, track: track)]
                : [.trackRemove(index: 0, track: author.replica.tracks[0]), .trackAdd(index: 0, track: track)]
            _ = try await author.submit(op)
            if !cutOff && metrics.exposition().contains("jam_slow_consumer_disconnects_total 1") {
                // The sleeper wakes as soon as it is cut off: its last line, the ERR, waits behind what it
                // left unread for the server's grace (`Outbox.closeGrace`), and no longer.
                cutOff = true
                try await sleeper.resumeReading()
                let error = try await sleeper.expectError(timeout: .seconds(20))
                #expect(error.code == .slowConsumer)
                #expect(try await sleeper.isClosed())
            }
        }
        #expect(cutOff, "the sleeper passed the cap")
        try await listener.catchUp(to: 60)
        #expect(listener.replica == author.replica, "the reading client got every operation")
        for client in [writer, reader] { await client.close() }
        try await server.stop()
    }

    @Test("the server's metrics count sessions, connections, commits, transforms and errors")
    func metricsFollowTheServer() async throws {
        let metrics = ServerMetrics()
        let server = try await TestServer.start(metrics: metrics)
        let (a, aWelcome) = try await server.join("counted", name: "ana")
        let (b, bWelcome) = try await server.join("counted", name: "ben")
        var ana = try Participant(a, aWelcome)
        var ben = try Participant(b, bWelcome)
        _ = try await ana.submit([.sessionSet(value: .tempo(100), old: .tempo(120))])
        _ = try await ben.submit([.sessionSet(value: .title("late"), old: .title("Untitled"))])
        try await b.send(raw: "NOPE {}\n")
        #expect(try await b.expectError().code == .unknownVerb)
        let text = metrics.exposition()
        #expect(text.contains("jam_sessions 1"))
        #expect(text.contains("jam_connections 2"))
        #expect(text.contains("jam_operations_committed_total 2"))
        #expect(text.contains("jam_transforms_total 1"), "ben's operation was made at revision 0 and transformed over ana's")
        #expect(text.contains(#"jam_protocol_errors_total{code="unknown_verb"} 1"#))
        #expect(text.contains("jam_commit_latency_seconds_count 2"))
        await a.close()
        await b.close()
        try await server.stop()
    }

    @Test("a session unloads when its last member leaves and comes back from its log on the next join")
    func idleSessionUnloadsAndReloads() async throws {
        let metrics = ServerMetrics()
        let server = try await TestServer.start(metrics: metrics)
        let (client, welcome) = try await server.join("tide", name: "ana")
        var ana = try Participant(client, welcome)
        for bpm in [100.0, 110, 120.5] {
            _ = try await ana.submit([.sessionSet(value: .tempo(bpm), old: .tempo(ana.replica.tempo))])
        }
        #expect(metrics.exposition().contains("jam_sessions 1"))
        await client.close()
        try await withTimeout(.seconds(10)) {
            while !metrics.exposition().contains("jam_sessions 0") { try await Task.sleep(for: .milliseconds(20)) }
        }
        let (again, reloaded) = try await server.join("tide", name: "ana")
        #expect(reloaded.revision == 3)
        #expect(reloaded.hash == ana.replica.contentHash)
        #expect(reloaded.client != welcome.client, "a fresh join gets a new client id")
        await again.close()
        try await server.stop()
    }

    @Test("presence: PEER on join and leave, cursors coalesced to the latest, chat to everyone")
    func presence() async throws {
        var limits = Limits.default
        limits.cursorHz = 5
        let server = try await TestServer.start(limits: limits)
        let (ana, _) = try await server.join("stage", name: "ana")
        let (ben, benWelcome) = try await server.join("stage", name: "ben")
        let joined = try await ana.expect("PEER join") { if case .peer(let event) = $0 { event } else { nil } }
        #expect(joined.event == .join)
        #expect(joined.peer == Peer(client: benWelcome.client, name: "ben"))
        #expect(benWelcome.roster.map(\.name) == ["ana", "ben"])

        for tick in stride(from: 0, through: 1900, by: 100) {
            try await ben.send(.cursor(.init(track: nil, tick: tick, pitch: 60)))
        }
        var ticks: [Int] = []
        while ticks.last != 1900 {
            let cursor = try await ana.expect("CURSOR") { if case .cursor(let cursor) = $0 { cursor } else { nil } }
            #expect(cursor.client == benWelcome.client)
            ticks.append(cursor.tick)
        }
        #expect(ticks.count < 20, "twenty cursors in a burst are coalesced at 5 Hz: \(ticks)")
        #expect(ticks == ticks.sorted(), "cursors arrive in order")

        try await ben.send(.chat(.init(text: "in D minor?")))
        for client in [ana, ben] {
            let chat = try await client.expect("CHAT") { if case .chat(let chat) = $0 { chat } else { nil } }
            #expect(chat == ServerMessage.Chat(client: benWelcome.client, text: "in D minor?"))
        }
        await ben.close()
        let left = try await ana.expect("PEER leave") { if case .peer(let event) = $0 { event } else { nil } }
        #expect(left.event == .leave)
        #expect(left.peer.client == benWelcome.client)
        await ana.close()
        try await server.stop()
    }
}
