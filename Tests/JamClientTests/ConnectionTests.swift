import Foundation
@testable import JamClient
import JamCore
import JamLog
import JamProtocol
import JamServer
import Logging
import Testing

/// The networked client against a real server over real TLS on loopback.
@Suite("JamConnection over TLS")
struct ConnectionTests {
    @Test("edits from one client reach the other, and both replicas converge")
    func twoClientsConverge() async throws {
        try await withServer { server in
            let a = try await server.connect("ana")
            let b = try await server.connect("ben")
            try await a.submit([.trackAdd(index: 0, track: Track(id: "keys", name: "Keys"))])
            for i in 0..<20 {
                try await a.submit([.noteAdd(track: "keys", note: Note(id: "a\(i)", tick: i * 120, duration: 120, pitch: 60 + i, velocity: 90))])
            }
            try await a.flush()
            try await waitFor(b) { $0.document.tracks.first?.notes.count == 20 }
            #expect(await b.document == a.document)
            #expect(await b.revision == a.revision)
            await a.leave()
            await b.leave()
        }
    }

    @Test("a restarted server loses no edit and doubles none: the client rejoins and resends with the same seq")
    func reconnectAfterRestart() async throws {
        let directory = temporaryDirectory()
        var server = try await Server.start(directory: directory)
        let port = server.port
        let fast = ReconnectPolicy(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))
        let a = try await server.connect("ana", policy: fast)
        try await a.submit([.trackAdd(index: 0, track: Track(id: "bass", name: "Bass"))])
        // A burst, then the server goes away while some of it is in flight.
        for i in 0..<30 {
            try await a.submit([.noteAdd(track: "bass", note: Note(id: "n\(i)", tick: i * 240, duration: 240, pitch: 40 + i % 12, velocity: 80))])
        }
        try await server.stop()
        // Edits made while disconnected are kept locally and sent after the rejoin.
        for i in 30..<40 {
            try await a.submit([.noteAdd(track: "bass", note: Note(id: "n\(i)", tick: i * 240, duration: 240, pitch: 40 + i % 12, velocity: 80))])
        }
        server = try await Server.start(directory: directory, port: port)
        try await withTimeout(.seconds(20)) { try await a.flush() }
        let b = try await server.connect("ben")
        let notes = await b.document.tracks.first?.notes.keys.sorted()
        #expect(notes == (0..<40).map { "n\($0)" }.sorted())
        #expect(await b.document == a.document)
        await a.leave()
        await b.leave()
        try await server.stop()
        // The log holds every note's addition exactly once, under one author, with strictly rising seqs.
        let reader = try LogReader(directory: directory, session: "s")
        var records = reader.records()
        var added: [String] = []
        var seqs: [Int] = []
        while let located = try records.next() {
            guard case .operation(let entry) = located.record else { continue }
            seqs.append(entry.seq)
            for case .noteAdd(_, let note) in entry.operation.components { added.append(note.id) }
        }
        #expect(added.sorted() == (0..<40).map { "n\($0)" }.sorted())
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count)
    }

    @Test("a refused edit is reverted and flush reports the server's code")
    func refusalIsReported() async throws {
        try await withServer { server in
            let listener = try await server.connect("lee", role: .listener)
            let before = await listener.document
            try await listener.submit([.sessionSet(value: .tempo(100), old: .tempo(before.tempo))])
            let error = await #expect(throws: ClientError.self) { try await listener.flush() }
            #expect(error?.code == "forbidden")
            #expect(await listener.document == before)
            await listener.leave()
        }
    }

    @Test("undo over the network reverts only this author's edit")
    func undoOverTheNetwork() async throws {
        try await withServer { server in
            let a = try await server.connect("ana")
            let b = try await server.connect("ben")
            try await a.submit([.trackAdd(index: 0, track: Track(id: "t", name: "T"))])
            try await a.flush()
            try await waitFor(b) { !$0.document.tracks.isEmpty }
            try await a.submit([.noteAdd(track: "t", note: Note(id: "mine", tick: 0, duration: 480, pitch: 60, velocity: 100))])
            try await b.submit([.noteAdd(track: "t", note: Note(id: "yours", tick: 480, duration: 480, pitch: 64, velocity: 100))])
            try await a.flush()
            try await b.flush()
            try await waitFor(a) { $0.document.tracks[0].notes.count == 2 }
            #expect(await a.undo())
            try await a.flush()
            try await waitFor(b) { $0.document.tracks[0].notes.keys.sorted() == ["yours"] }
            #expect(await a.redo())
            try await a.flush()
            try await waitFor(b) { $0.document.tracks[0].notes.count == 2 }
            await a.leave()
            await b.leave()
        }
    }

    @Test("a wrong fingerprint fails the connection with tls_failed, and a wrong port with connect_failed")
    func wrongTrustFailsClearly() async throws {
        try await withServer { server in
            let wrong = Endpoint(port: server.port, trust: .fingerprint(String(repeating: "ab", count: 32)))
            let error = await #expect(throws: ClientError.self) {
                _ = try await JamConnection.connect(to: wrong, join: JoinRequest(session: "s", name: "x"), timeout: .seconds(10))
            }
            #expect(error?.code == "tls_failed")
            let right = Endpoint(port: server.port, trust: .fingerprint(server.identity.fingerprint))
            let connection = try await JamConnection.connect(to: right, join: JoinRequest(session: "s", name: "x"))
            await connection.leave()
        }
        let closed = Endpoint(port: 1, trust: .systemRoots)
        let error = await #expect(throws: ClientError.self) {
            _ = try await JamConnection.connect(to: closed, join: JoinRequest(session: "s", name: "x"), timeout: .seconds(10))
        }
        #expect(error?.code == "connect_failed")
    }

    @Test("a taken name is refused at connect, with the server's code")
    func nameTaken() async throws {
        try await withServer { server in
            let a = try await server.connect("ana")
            let error = await #expect(throws: ClientError.self) { _ = try await server.connect("ana") }
            #expect(error?.code == "name_taken")
            await a.leave()
        }
    }

    @Test("withJamConnection leaves when its body throws, and the others see the member go")
    func scopedConnectionAlwaysLeaves() async throws {
        struct Oops: Error {}
        try await withServer { server in
            let b = try await server.connect("ben")
            await #expect(throws: Oops.self) {
                try await withJamConnection(to: server.endpoint, join: JoinRequest(session: "s", name: "ana")) { _ in
                    throw Oops()
                }
            }
            try await waitFor(b) { $0.roster.map(\.name) == ["ben"] }
            await b.leave()
        }
    }

    @Test("chat and cursors reach the others as events")
    func chatAndCursor() async throws {
        try await withServer { server in
            let a = try await server.connect("ana")
            let b = try await server.connect("ben")
            let events = Task {
                var seen: [JamEvent] = []
                for await event in b.events {
                    switch event {
                    case .chat, .cursor: seen.append(event)
                    default: break
                    }
                    if seen.count == 2 { break }
                }
                return seen
            }
            await a.chat("hello")
            await a.setCursor(track: nil, tick: 960, pitch: 62)
            let seen = try await withTimeout(.seconds(10)) { await events.value }
            let ana = try #require(await a.client)
            #expect(seen.contains(.chat(ServerMessage.Chat(client: ana, text: "hello"))))
            #expect(seen.contains(.cursor(ServerMessage.Cursor(client: ana, tick: 960, pitch: 62))))
            await a.leave()
            await b.leave()
        }
    }
}

// MARK: - Support

/// A real server on loopback with a real data directory.
struct Server {
    let server: JamServer
    let identity: ServerIdentity
    let task: Task<Void, any Error>
    var port: Int { server.port }
    var endpoint: Endpoint { Endpoint(port: port, trust: .pinnedCertificate(path: identity.certificatePath)) }

    static func start(directory: String = temporaryDirectory(), port: Int = 0) async throws -> Server {
        let identity = try ServerIdentity.loadOrCreate(dataDirectory: directory)
        var configuration = JamServer.Configuration(dataDirectory: directory, tls: try identity.makeServerContext())
        configuration.port = port
        var logger = Logger(label: "jam.test")
        logger.logLevel = .critical
        let server = try await JamServer.bind(configuration, logger: logger)
        return Server(server: server, identity: identity, task: Task { try await server.run() })
    }

    func stop() async throws {
        server.shutdown()
        try await withTimeout(.seconds(10)) { try await task.value }
    }

    func connect(_ name: String, role: Role = .player, policy: ReconnectPolicy = .never) async throws -> JamConnection {
        try await JamConnection.connect(to: endpoint, join: JoinRequest(session: "s", name: name, role: role), reconnect: policy, timeout: .seconds(10))
    }
}

func withServer(_ body: (Server) async throws -> Void) async throws {
    let server = try await Server.start()
    do {
        try await body(server)
    } catch {
        try? await server.stop()
        throw error
    }
    try await server.stop()
}

/// Polls the connection until `condition` holds, failing after 10 s.
func waitFor(_ connection: JamConnection, _ condition: @escaping @Sendable (isolated JamConnection) -> Bool) async throws {
    try await withTimeout(.seconds(10)) {
        while await !connection.check(condition) {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

extension JamConnection {
    func check(_ condition: @Sendable (isolated JamConnection) -> Bool) -> Bool { condition(self) }
}

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("jam-client-test-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

struct Timeout: Error, CustomStringConvertible {
    var description: String
}

/// Runs `body`, failing if it takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw Timeout(description: "timed out after \(limit)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

@Suite struct PacingTests {
    @Test("the pacer lets a burst through, then spaces messages at 90% of the rate")
    func pacer() {
        var pacer = Pacer()
        let start = ContinuousClock.now
        for _ in 0..<10 { #expect(pacer.delay(now: start, perSecond: 50, burst: 10) == nil) }
        let wait = pacer.delay(now: start, perSecond: 50, burst: 10) ?? .zero
        #expect(wait > .milliseconds(20) && wait < .milliseconds(25), "one interval of 1/45 s")
        let later = pacer.delay(now: start, perSecond: 50, burst: 10) ?? .zero
        #expect(later > wait)
        #expect(pacer.delay(now: start + .seconds(10), perSecond: 50, burst: 10) == nil, "the bucket refills")
    }

    @Test("cursor moves are thinned to the rate and the last one is always sent")
    func cursorThrottle() {
        var throttle = CursorThrottle<Int>()
        let start = ContinuousClock.now
        let interval = Duration.milliseconds(50)
        #expect(throttle.offer(1, now: start, interval: interval) == .sendNow)
        #expect(throttle.offer(2, now: start + .milliseconds(10), interval: interval) == .sendAt(start + interval))
        #expect(throttle.offer(3, now: start + .milliseconds(20), interval: interval) == .wait)
        #expect(throttle.takeDeferred(now: start + interval) == 3)
        #expect(throttle.takeDeferred(now: start + interval) == nil)
        #expect(throttle.offer(4, now: start + .milliseconds(200), interval: interval) == .sendNow)
    }
}
