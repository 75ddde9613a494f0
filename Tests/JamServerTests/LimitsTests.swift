import Foundation
import JamClient
import JamCore
import JamProtocol
import JamServer
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// Limits and bad input, end to end over real TLS (issue #3, PROTOCOL.md §5 and §6): each refusal has its
/// ERR code and closes the connection exactly when §5 says so, and afterwards the session and the other
/// clients carry on with nothing committed lost. Small `Limits` keep every test fast.
@Suite("Limits and bad input")
struct LimitsTests {
    // MARK: - Line length

    /// A line over `lineBytes` is refused with `line_too_long` and the connection closed, whether it is
    /// complete or still being received (no newline yet: the server must not wait for one).
    @Test(arguments: [false, true])
    func lineTooLong(partial: Bool) async throws {
        var limits = JamProtocol.Limits.default
        limits.lineBytes = 1024
        try await withScene(limits: limits) { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            _ = try await player.edit()
            if partial {
                // In pieces, each well under the limit, and never a newline: the part buffered is what counts.
                let piece = Array(("CHAT {\"text\":\"" + String(repeating: "x", count: 200)).utf8.prefix(200))
                for _ in 0..<6 { try await player.client.send(raw: piece) }
            } else {
                try await player.client.send(raw: "CHAT {\"text\":\"" + String(repeating: "x", count: 2000) + "\"}\n")
            }
            let error = try await player.client.expectError()
            #expect(error.code == .lineTooLong)
            #expect(error.closesConnection)
            #expect(try await player.client.isClosed())
            try await bystander.sawLeave(of: player)
            try await bystander.stillWorks(after: 1)
            try await scene.expectWitness(revision: 2)
        }
    }

    /// `lineBytes` counts the line without its terminator, LF or CRLF: a line of exactly `lineBytes` is
    /// accepted, one byte more is not.
    @Test(arguments: ["\n", "\r\n"], [0, 1])
    func lineLengthBoundary(terminator: String, over: Int) async throws {
        var limits = JamProtocol.Limits.default
        limits.lineBytes = 1024
        try await withScene(limits: limits) { scene in
            let prefix = "CHAT {\"text\":\"", suffix = "\"}"
            let text = String(repeating: "y", count: limits.lineBytes - prefix.utf8.count - suffix.utf8.count + over)
            let line = prefix + text + suffix
            #expect(line.utf8.count == limits.lineBytes + over)
            try await scene.player.client.send(raw: line + terminator)
            if over == 0 {
                let echoed = try await scene.player.client.expect("CHAT") { if case .chat(let c) = $0 { c.text } else { nil } }
                #expect(echoed == text)
            } else {
                let error = try await scene.player.client.expectError()
                #expect(error.code == .lineTooLong)
                #expect(try await scene.player.client.isClosed())
            }
            var bystander = scene.bystander
            try await bystander.stillWorks(after: 0)
        }
    }

    // MARK: - Bad lines

    struct BadLine: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var code: ProtocolError.Code
        var verb: String?
        var seq: Int? = nil
        var component: Int? = nil
        var testDescription: String { name }

        init(_ name: String, _ text: String, _ code: ProtocolError.Code, verb: String?, seq: Int? = nil, component: Int? = nil) {
            self.init(name, Array(text.utf8), code, verb: verb, seq: seq, component: component)
        }

        init(_ name: String, _ bytes: [UInt8], _ code: ProtocolError.Code, verb: String?, seq: Int? = nil, component: Int? = nil) {
            self.name = name
            self.bytes = bytes
            self.code = code
            self.verb = verb
            self.seq = seq
            self.component = component
        }
    }

    static let depth33 = "CHAT {\"text\":\"deep\",\"x\":" + String(repeating: "[", count: 32) + String(repeating: "]", count: 32) + "}"

    static let badLines: [BadLine] = [
        BadLine("unknown verb", "DANCE {}", .unknownVerb, verb: "DANCE"),
        BadLine("INVITE without a style", "INVITE {\"role\":\"bass\"}", .missingField, verb: "INVITE"),
        BadLine("server verb", "ACK {\"revision\":1,\"seq\":1}", .unknownVerb, verb: "ACK"),
        BadLine("lower-case verb", "chat {\"text\":\"hi\"}", .unknownVerb, verb: "chat"),
        BadLine("no verb", "   ", .unknownVerb, verb: nil),
        BadLine("leading space", " PING", .unknownVerb, verb: nil),
        BadLine("malformed JSON", "CHAT {\"text\":\"hi\"", .malformedJSON, verb: "CHAT"),
        BadLine("not JSON", "CHAT {text: hi}", .malformedJSON, verb: "CHAT"),
        BadLine("payload not an object", "CHAT [\"hi\"]", .malformedJSON, verb: "CHAT"),
        BadLine("bad payload of PING", "PING {", .malformedJSON, verb: "PING"),
        BadLine("invalid UTF-8", Array("CHAT {\"text\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8), .invalidUTF8, verb: nil),
        BadLine("overlong UTF-8", Array("CHAT {\"text\":\"".utf8) + [0xC0, 0xAF] + Array("\"}".utf8), .invalidUTF8, verb: nil),
        BadLine("UTF-16 surrogate", Array("CHAT {\"text\":\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}".utf8), .invalidUTF8, verb: nil),
        BadLine("invalid UTF-8 in the verb", [0xFF] + Array("CHAT {}".utf8), .invalidUTF8, verb: nil),
        BadLine("depth 33", depth33, .tooDeep, verb: "CHAT"),
        BadLine(
            "100000 open brackets", "CHAT {\"x\":" + String(repeating: "[", count: 100_000) + "}", .tooDeep, verb: "CHAT"),
        BadLine("missing field", "CHAT {}", .missingField, verb: "CHAT"),
        BadLine("wrong type", "CHAT {\"text\":1}", .wrongType, verb: "CHAT"),
        BadLine("invalid value", "CURSOR {\"tick\":-1}", .invalidValue, verb: "CURSOR"),
        BadLine("seq below 1", "OP {\"base\":0,\"op\":[],\"seq\":0}", .invalidValue, verb: "OP", seq: 0),
        BadLine("unknown component", "OP {\"base\":0,\"op\":[{\"type\":\"bogus\"}],\"seq\":7}", .init(.malformed), verb: "OP", seq: 7, component: 0),
        BadLine("operation not an array", "OP {\"base\":0,\"op\":{},\"seq\":7}", .init(.malformed), verb: "OP", seq: 7),
        BadLine(
            "field of the wrong type", "OP {\"base\":0,\"op\":[{\"type\":\"session.set\",\"field\":\"tempo\",\"old\":120,\"value\":\"fast\"}],\"seq\":7}",
            .init(.fieldTypeMismatch), verb: "OP", seq: 7, component: 0),
    ]

    /// A bad line gets its ERR and nothing else: the connection stays open, the member stays in the session,
    /// and everybody carries on.
    @Test(arguments: badLines)
    func badLineIsRefusedAndConnectionSurvives(_ bad: BadLine) async throws {
        try await withScene { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            _ = try await player.edit()
            try await player.client.send(raw: bad.bytes + [UInt8(ascii: "\n")])
            guard case .err(let error) = try await player.client.next() else {
                Issue.record("no ERR for \(bad.name)")
                return
            }
            #expect(error.code == bad.code)
            #expect(error.verb == bad.verb)
            #expect(error.seq == bad.seq)
            if let component = bad.component { #expect(error.component == component) }
            #expect(!error.closesConnection)
            try await player.client.send(.ping)
            #expect(try await player.client.next() == .pong)
            _ = try await player.edit()
            try await bystander.stillWorks(after: 2)
            try await scene.expectWitness(revision: 3)
        }
    }

    /// The deepest payload allowed, `depth` levels with the payload object itself, is accepted.
    @Test func payloadAtMaximumDepthIsAccepted() async throws {
        try await withScene { scene in
            let nested = String(repeating: "[", count: 31) + String(repeating: "]", count: 31)
            #expect(JSONDepth.measure(Array(("{\"x\":" + nested + "}").utf8)) == JamProtocol.Limits.default.depth)
            try await scene.player.client.send(raw: "CHAT {\"text\":\"deep\",\"x\":\(nested)}\n")
            let echoed = try await scene.player.client.expect("CHAT") { if case .chat(let c) = $0 { c.text } else { nil } }
            #expect(echoed == "deep")
        }
    }

    // MARK: - Operations that do not apply

    struct BadOperation: Sendable, CustomTestStringConvertible {
        var name: String
        /// Added to the session's revision for the OP's base.
        var baseOffset = 0
        var components: [Component]
        var code: ProtocolError.Code
        var component: Int?
        var testDescription: String { name }
    }

    static let note = Note(id: "n1", tick: 0, duration: 240, pitch: 60, velocity: 100)

    static let badOperations: [BadOperation] = [
        BadOperation(name: "stale value", components: [.sessionSet(value: .loopBars(8), old: .loopBars(5))], code: .init(.staleValue), component: 0),
        BadOperation(name: "unknown track", components: [.noteAdd(track: "nope", note: note)], code: .init(.unknownTrack), component: 0),
        BadOperation(name: "loop out of range", components: [.sessionSet(value: .loopBars(0), old: .loopBars(4))], code: .init(.loopOutOfRange), component: 0),
        BadOperation(
            name: "second component fails",
            components: [.sessionSet(value: .title("half done"), old: .title("Untitled")), .sessionSet(value: .loopBars(8), old: .loopBars(5))],
            code: .init(.staleValue), component: 1),
        BadOperation(
            name: "revision from the future", baseOffset: 5, components: [.sessionSet(value: .loopBars(8), old: .loopBars(4))],
            code: .futureRevision, component: nil),
    ]

    /// An operation the core refuses (or whose base is in the future) is answered with ERR carrying the code,
    /// its seq and the component; it changes nothing and takes no revision.
    @Test(arguments: badOperations)
    func badOperationChangesNothing(_ bad: BadOperation) async throws {
        try await withScene { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            _ = try await player.edit()
            let seq = player.nextSeq()
            try await player.client.send(.op(.init(base: player.revision + bad.baseOffset, seq: seq, op: JamCore.Operation(bad.components))))
            let error = try await player.client.expectError()
            #expect(error.code == bad.code)
            #expect(error.verb == "OP")
            #expect(error.seq == seq)
            #expect(error.component == bad.component)
            #expect(!error.closesConnection)
            #expect(try await player.edit() == 2)
            try await bystander.stillWorks(after: 2)
            let document = try await scene.expectWitness(revision: 3)
            #expect(document.loopBars == 4)
            #expect(document.title == bystander.title)
            #expect(document.tracks.isEmpty)
        }
    }

    /// `revision_too_old`: a base more than `transformWindow` revisions behind is refused; one exactly
    /// `transformWindow` behind is transformed and committed.
    @Test func revisionTooOld() async throws {
        var limits = JamProtocol.Limits.default
        limits.transformWindow = 2
        try await withScene(limits: limits) { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            for _ in 1...4 { _ = try await player.edit() }
            let tooOld = player.nextSeq()
            try await player.client.send(.op(.init(base: 1, seq: tooOld, op: [])))
            let error = try await player.client.expectError()
            #expect(error.code == .revisionTooOld)
            #expect(error.seq == tooOld)
            #expect(!error.closesConnection)
            let oldest = player.nextSeq()
            try await player.client.send(.op(.init(base: 2, seq: oldest, op: [.sessionSet(value: .loopBars(8), old: .loopBars(4))])))
            #expect(try await player.ack(oldest) == 5)
            try await bystander.stillWorks(after: 5)
            let document = try await scene.expectWitness(revision: 6)
            #expect(document.loopBars == 8)
        }
    }

    /// `bad_sequence` for a seq below the last committed one; the last committed one again is acknowledged
    /// again with its original revision and not applied twice.
    @Test func badSequenceAndExactlyOnce() async throws {
        try await withScene { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            for _ in 1...3 { _ = try await player.edit() }
            try await player.client.send(.op(.init(base: 3, seq: 2, op: [])))
            let error = try await player.client.expectError()
            #expect(error.code == .badSequence)
            #expect(error.seq == 2)
            #expect(!error.closesConnection)
            // The last committed seq again, whatever its payload: the original revision, nothing applied.
            try await player.client.send(.op(.init(base: 3, seq: 3, op: [.sessionSet(value: .loopBars(9), old: .loopBars(4))])))
            #expect(try await player.ack(3) == 3)
            #expect(try await player.edit() == 4)
            try await bystander.stillWorks(after: 4)
            let document = try await scene.expectWitness(revision: 5)
            #expect(document.loopBars == 4)
            #expect(document.tempo == player.tempo)
        }
    }

    // MARK: - Rates

    enum Rate: String, CaseIterable, Sendable {
        case ops, chats, lines
    }

    /// A token bucket per connection: past the burst, lines are dropped with `rate_limited` (not closed);
    /// another connection has its own bucket; the bucket refills at the rate.
    @Test(arguments: Rate.allCases)
    func rateLimited(_ rate: Rate) async throws {
        var limits = JamProtocol.Limits.default
        let burst = 3, perSecond = 2
        switch rate {
        case .ops: (limits.opsPerSecond, limits.opsBurst) = (perSecond, burst)
        case .chats: (limits.chatPerSecond, limits.chatBurst) = (perSecond, burst)
        case .lines: (limits.messagesPerSecond, limits.messagesBurst) = (perSecond, burst)
        }
        try await withScene(limits: limits) { scene in
            var (bystander, player) = (scene.bystander, scene.player)

            /// `count` lines of the kind in one write, with the answers in the order of the lines: true for
            /// accepted, false for refused. An OP's answer is found by its seq: a refusal goes at once, an ACK
            /// once the log has the operation, so a later OP's refusal may arrive before an earlier one's ACK.
            func burstOf(_ count: Int, from member: inout Member) async throws -> [Bool] {
                var lines: [UInt8] = []
                var seqs: [Int] = []
                for i in 0..<count {
                    switch rate {
                    case .ops:
                        let seq = member.nextSeq()
                        seqs.append(seq)
                        lines += ClientMessage.op(.init(base: 0, seq: seq, op: [])).encodeLine()
                    case .chats: lines += ClientMessage.chat(.init(text: "\(member.name) \(i)")).encodeLine()
                    case .lines: lines += ClientMessage.ping.encodeLine()
                    }
                }
                try await member.client.send(raw: lines)
                var answers: [Bool?] = Array(repeating: nil, count: count)
                var inOrder = 0
                func answer(_ accepted: Bool, seq: Int?) {
                    if rate == .ops {
                        guard let seq, let index = seqs.firstIndex(of: seq) else {
                            Issue.record("an answer for seq \(seq.map(String.init) ?? "none"), not one of \(seqs)")
                            return
                        }
                        #expect(answers[index] == nil, "two answers for seq \(seq)")
                        answers[index] = accepted
                    } else {
                        answers[inOrder] = accepted
                        inOrder += 1
                    }
                }
                while answers.contains(nil) {
                    guard let message = try await member.client.next() else { throw TestFailure("closed") }
                    switch message {
                    case .ack(let ack):
                        #expect(rate == .ops)
                        answer(true, seq: ack.seq)
                    case .chat(let chat) where chat.client == member.id: answer(true, seq: nil)
                    case .pong: answer(true, seq: nil)
                    case .err(let error):
                        #expect(error.code == .rateLimited)
                        #expect(!error.closesConnection)
                        #expect(error.verb == ["ops": "OP", "chats": "CHAT", "lines": "PING"][rate.rawValue])
                        answer(false, seq: error.seq)
                    default: continue
                    }
                }
                return answers.compactMap { $0 }
            }

            let answers = try await burstOf(burst + 2, from: &player)
            let accepted = answers.filter { $0 }.count
            #expect(answers.contains(false))
            #expect(accepted <= burst)
            #expect(answers == Array(repeating: true, count: accepted) + Array(repeating: false, count: answers.count - accepted))
            // The bystander's bucket is its own (its JOIN took one line).
            #expect(try await burstOf(burst - 1, from: &bystander) == Array(repeating: true, count: burst - 1))
            // The bucket refills at the rate.
            try await Task.sleep(for: .milliseconds(1000 / perSecond + 150))
            #expect(try await burstOf(1, from: &player) == [true])
            if rate == .ops {
                // A dropped OP took no revision.
                try await scene.expectWitness(revision: accepted + burst - 1 + 1)
            } else {
                try await bystander.stillWorks(after: 0)
            }
        }
    }

    // MARK: - Document size

    enum Cap: String, CaseIterable, Sendable {
        case tracks, notes, documentBytes
    }

    static func track(_ id: String, notes: Int = 0) -> Track {
        Track(id: id, name: id, notes: (0..<notes).map { Note(id: "\(id).n\($0)", tick: 480 * $0, duration: 240, pitch: 60, velocity: 100) })
    }

    /// An operation that would take the document past `tracks`, `notes` or `documentBytes` is refused with
    /// `document_too_large`, changes nothing and takes no revision; edits within the caps go on.
    @Test(arguments: Cap.allCases)
    func documentTooLarge(_ cap: Cap) async throws {
        var limits = JamProtocol.Limits.default
        // Each step: the operation, and whether it fits.
        let steps: [([Component], Bool)]
        switch cap {
        case .tracks:
            limits.tracks = 2
            steps = [
                ([.trackAdd(index: 0, track: Self.track("t1"))], true),
                ([.trackAdd(index: 1, track: Self.track("t2"))], true),
                ([.trackAdd(index: 2, track: Self.track("t3"))], false),
                ([.trackRemove(index: 1, track: Self.track("t2")), .trackAdd(index: 1, track: Self.track("t3"))], true),
            ]
        case .notes:
            limits.notes = 3
            steps = [
                ([.trackAdd(index: 0, track: Self.track("t1", notes: 2))], true),
                ([.noteAdd(track: "t1", note: Note(id: "t1.n2", tick: 960, duration: 240, pitch: 62, velocity: 90))], true),
                ([.noteAdd(track: "t1", note: Note(id: "t1.n3", tick: 1440, duration: 240, pitch: 64, velocity: 90))], false),
                ([.trackAdd(index: 1, track: Self.track("t2", notes: 1))], false),
                ([.trackAdd(index: 1, track: Self.track("t2"))], true),
            ]
        case .documentBytes:
            // Room for exactly one small track.
            limits.documentBytes = Document(tracks: [Self.track("t1")]).canonicalJSON().count
            steps = [
                ([.trackAdd(index: 0, track: Self.track("t1"))], true),
                ([.trackAdd(index: 1, track: Self.track("t2"))], false),
                ([.sessionSet(value: .title(String(repeating: "T", count: 200)), old: .title("Untitled"))], false),
            ]
        }
        try await withScene(limits: limits) { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            var committed = 0
            for (components, fits) in steps {
                let seq = player.nextSeq()
                try await player.client.send(.op(.init(base: committed, seq: seq, op: JamCore.Operation(components))))
                if fits {
                    committed += 1
                    #expect(try await player.ack(seq) == committed, "\(components)")
                } else {
                    let error = try await player.client.expectError()
                    #expect(error.code == .documentTooLarge, "\(components)")
                    #expect(error.seq == seq)
                    #expect(error.verb == "OP")
                    #expect(!error.closesConnection)
                }
            }
            try await bystander.stillWorks(after: committed)
            let document = try await scene.expectWitness(revision: committed + 1)
            #expect(document.tracks.count <= limits.tracks)
            #expect(document.noteCount <= limits.notes)
            #expect(document.canonicalJSON().count <= limits.documentBytes)
        }
    }

    // MARK: - Connections

    /// Past `connections`, a new connection gets `ERR server_full` instead of HELLO and is closed; once a
    /// connection ends, its place is free again.
    @Test func serverFull() async throws {
        var limits = JamProtocol.Limits.default
        limits.connections = 3
        try await withScene(limits: limits) { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            let third = try await scene.server.connect()
            guard case .hello = try await third.next() else { throw TestFailure("no HELLO for the third connection") }
            // Several times: the ERR must arrive every time, however the close races the handshake.
            for _ in 0..<5 {
                let over = try await scene.server.connect()
                let first = try await over.next()
                guard case .err(let error) = first else { throw TestFailure("\(String(describing: first)) instead of ERR server_full") }
                #expect(error.code == .serverFull)
                #expect(error.closesConnection)
                #expect(error.verb == nil)
                #expect(try await over.isClosed())
            }
            await third.close()
            let again = try await scene.connectEventually()
            try await again.send(.join(.init(session: scene.session, name: "Cy")))
            guard case .welcome(let welcome) = try await again.next() else { throw TestFailure("no WELCOME") }
            #expect(welcome.revision == 0)
            #expect(try await player.edit() == 1)
            try await bystander.stillWorks(after: 1)
        }
    }

    // MARK: - Idle

    /// A silent member is sent PING after `pingSeconds`; answering keeps it in past `idleSeconds`; silence
    /// for `idleSeconds` gets `ERR idle_timeout` and a close. Its committed edit survives.
    @Test func idleMemberIsPingedThenClosed() async throws {
        var limits = JamProtocol.Limits.default
        // The server pings within a quarter of idleSeconds of silence; the rest is the client's time to
        // answer, which at idleSeconds = 1 (750 ms) the whole suite on two cores once overran.
        limits.idleSeconds = 3
        limits.pingSeconds = 0
        try await withScene(limits: limits, bystander: false) { scene in
            var player = scene.player
            #expect(try await player.edit() == 1)
            // Answer every PING for longer than idleSeconds: the connection stays.
            let started = ContinuousClock.now
            var pings = 0
            var lastLine = ContinuousClock.now
            while ContinuousClock.now - started < .milliseconds(3600) {
                guard let message = try await player.client.next(timeout: .seconds(4)) else { throw TestFailure("closed while answering PINGs") }
                if case .err(let error) = message { throw TestFailure("\(error) while answering PINGs") }
                if message == .ping {
                    pings += 1
                    lastLine = .now
                    try await player.client.send(.pong)
                }
            }
            #expect(pings >= 2)
            // Now silence.
            var error: ProtocolError?
            while error == nil {
                guard let message = try await player.client.next(timeout: .seconds(6)) else { break }
                if case .err(let e) = message { error = e } else { #expect(message == .ping) }
            }
            #expect(error?.code == .idleTimeout)
            #expect(error?.closesConnection == true)
            #expect(ContinuousClock.now - lastLine >= .milliseconds(2900))
            #expect(try await player.client.isClosed())
            let document = try await scene.expectWitness(revision: 1)
            #expect(document.tempo == player.tempo)
        }
    }

    /// A connection that talks but never joins is closed after `joinSeconds` with `idle_timeout`.
    @Test func noJoinInTime() async throws {
        var limits = JamProtocol.Limits.default
        // Long enough that the scene's own members, joining over debug TLS while the whole suite runs
        // on two cores, are in time (at 1 s they were not, once in a while).
        limits.joinSeconds = 3
        try await withScene(limits: limits) { scene in
            // The server's clock starts at its accept, after this and before the HELLO arrives.
            let connecting = ContinuousClock.now
            let lurker = try await scene.server.connect()
            guard case .hello = try await lurker.next() else { throw TestFailure("no HELLO") }
            let started = ContinuousClock.now
            var error: ProtocolError?
            while error == nil, ContinuousClock.now - started < .seconds(limits.joinSeconds + 3) {
                // Talking does not help: the write may even find the connection closed already.
                try? await lurker.send(.ping)
                guard let message = try await lurker.next(timeout: .seconds(3)) else { break }
                if case .err(let e) = message { error = e } else { #expect(message == .pong) }
                if error == nil { try await Task.sleep(for: .milliseconds(150)) }
            }
            #expect(error?.code == .idleTimeout)
            #expect(error?.closesConnection == true)
            #expect(ContinuousClock.now - connecting >= .seconds(limits.joinSeconds))
            #expect(try await lurker.isClosed())
            var (bystander, player) = (scene.bystander, scene.player)
            #expect(try await player.edit() == 1)
            try await bystander.stillWorks(after: 1)
        }
    }

    // MARK: - Joining

    /// Before WELCOME only JOIN, PING, PONG and BYE: the rest is `not_joined`, and the connection can still join.
    @Test(arguments: ["OP {\"base\":0,\"op\":[],\"seq\":1}", "CURSOR {\"tick\":0}", "CHAT {\"text\":\"hi\"}"])
    func notJoined(line: String) async throws {
        try await withScene { scene in
            let client = try await scene.server.connect()
            guard case .hello = try await client.next() else { throw TestFailure("no HELLO") }
            try await client.send(raw: line + "\n")
            let error = try await client.expectError()
            #expect(error.code == .notJoined)
            #expect(error.verb == String(line.prefix { $0 != " " }))
            #expect(!error.closesConnection)
            try await client.send(.join(.init(session: scene.session, name: "Late")))
            guard case .welcome(let welcome) = try await client.next() else { throw TestFailure("no WELCOME") }
            var late = try Member(client, welcome, knob: .loopBars)
            #expect(try await late.edit() == 1)
            var bystander = scene.bystander
            try await bystander.stillWorks(after: 1)
        }
    }

    /// A second JOIN is `already_joined`; the member stays as it was.
    @Test func alreadyJoined() async throws {
        try await withScene { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            for session in [scene.session, "elsewhere"] {
                try await player.client.send(.join(.init(session: session, name: "Ann again")))
                let error = try await player.client.expectError()
                #expect(error.code == .alreadyJoined)
                #expect(error.verb == "JOIN")
                #expect(!error.closesConnection)
            }
            #expect(try await player.edit() == 1)
            try await bystander.stillWorks(after: 1)
        }
    }

    static let badSessionNames = ["", "Tuesday", "-tuesday", "_x", "tues day", "tüesday", "a/b", String(repeating: "a", count: 65)]

    /// A session name outside `[a-z0-9][a-z0-9_-]{0,63}` is `bad_session_name`; the connection may join again.
    @Test(arguments: badSessionNames)
    func badSessionName(_ name: String) async throws {
        try await withScene { scene in
            let client = try await scene.server.connect()
            guard case .hello = try await client.next() else { throw TestFailure("no HELLO") }
            try await client.send(.join(.init(session: name, name: "Dee")))
            let error = try await client.expectError()
            #expect(error.code == .badSessionName)
            #expect(error.verb == "JOIN")
            #expect(!error.closesConnection)
            try await client.send(.join(.init(session: String(repeating: "a", count: 64), name: "Dee")))
            guard case .welcome = try await client.next() else { throw TestFailure("no WELCOME for a 64-character name") }
            var bystander = scene.bystander
            try await bystander.stillWorks(after: 0)
        }
    }

    /// A display name that is empty, too long or has control characters is `invalid_value`.
    @Test(arguments: ["", "tab\there", "line\nbreak", String(repeating: "n", count: 9)])
    func invalidDisplayName(_ name: String) async throws {
        var limits = JamProtocol.Limits.default
        limits.nameBytes = 8
        try await withScene(limits: limits) { scene in
            let client = try await scene.server.connect()
            guard case .hello = try await client.next() else { throw TestFailure("no HELLO") }
            try await client.send(.join(.init(session: scene.session, name: name)))
            let error = try await client.expectError()
            #expect(error.code == .invalidValue)
            #expect(error.verb == "JOIN")
            #expect(!error.closesConnection)
            try await client.send(.join(.init(session: scene.session, name: String(repeating: "n", count: 8))))
            guard case .welcome = try await client.next() else { throw TestFailure("no WELCOME for an 8-byte name") }
            var bystander = scene.bystander
            try await bystander.stillWorks(after: 0)
        }
    }

    /// With a token, a JOIN without it or with another is `auth_failed` and closed; with it, it joins.
    @Test(arguments: [nil, "wrong", "s3cret "] as [String?])
    func authFailed(token: String?) async throws {
        try await withScene(token: "s3cret") { scene in
            let client = try await scene.server.connect()
            guard case .hello(let hello) = try await client.next() else { throw TestFailure("no HELLO") }
            #expect(hello.auth == .token)
            try await client.send(.join(.init(session: scene.session, name: "Eve", token: token)))
            let error = try await client.expectError()
            #expect(error.code == .authFailed)
            #expect(error.verb == "JOIN")
            #expect(error.closesConnection)
            #expect(try await client.isClosed())
            var (bystander, player) = (scene.bystander, scene.player)
            #expect(try await player.edit() == 1)
            try await bystander.stillWorks(after: 1)
        }
    }

    /// A display name a connected member has is `name_taken`; another name joins; the name is free again
    /// once its member has left.
    @Test func nameTaken() async throws {
        try await withScene { scene in
            let client = try await scene.server.connect()
            guard case .hello = try await client.next() else { throw TestFailure("no HELLO") }
            try await client.send(.join(.init(session: scene.session, name: scene.player.name)))
            let error = try await client.expectError()
            #expect(error.code == .nameTaken)
            #expect(error.verb == "JOIN")
            #expect(!error.closesConnection)
            // The same name in another session is fine.
            try await client.send(.join(.init(session: "elsewhere", name: scene.player.name)))
            guard case .welcome = try await client.next() else { throw TestFailure("no WELCOME elsewhere") }
            // Once the member has left, its name is free.
            try await scene.player.client.send(.bye(Bye()))
            #expect(try await scene.player.client.isClosed())
            var bystander = scene.bystander
            try await bystander.sawLeave(of: scene.player)
            let (again, _) = try await scene.server.join(scene.session, name: scene.player.name)
            await again.close()
            try await bystander.stillWorks(after: 0)
        }
    }

    /// Past `peersPerSession` members a JOIN is `session_full`, not closed; the connection can join another
    /// session, and the session takes a member again once one has left.
    @Test func sessionFull() async throws {
        var limits = JamProtocol.Limits.default
        limits.peersPerSession = 2
        try await withScene(limits: limits) { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            let client = try await scene.server.connect()
            guard case .hello = try await client.next() else { throw TestFailure("no HELLO") }
            try await client.send(.join(.init(session: scene.session, name: "Flo")))
            let error = try await client.expectError()
            #expect(error.code == .sessionFull)
            #expect(error.verb == "JOIN")
            #expect(!error.closesConnection)
            try await client.send(.join(.init(session: "elsewhere", name: "Flo")))
            guard case .welcome = try await client.next() else { throw TestFailure("no WELCOME elsewhere") }
            #expect(try await player.edit() == 1)
            try await player.client.send(.bye(Bye()))
            #expect(try await player.client.isClosed())
            try await bystander.sawLeave(of: player)
            let (late, welcome) = try await scene.server.join(scene.session, name: "Gus")
            #expect(welcome.revision == 1)
            await late.close()
            try await bystander.stillWorks(after: 1)
        }
    }

    /// A rejoin with the wrong secret is `unknown_client`, one from a future revision `future_revision`;
    /// neither closes, and a correct rejoin then replaces the old connection.
    @Test func badRejoins() async throws {
        try await withScene { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            #expect(try await player.edit() == 1)
            let client = try await scene.server.connect()
            guard case .hello = try await client.next() else { throw TestFailure("no HELLO") }
            let cases: [(ClientMessage.Rejoin, ProtocolError.Code)] = [
                (.init(client: player.id, resume: "0123456789abcdef", revision: 1), .unknownClient),
                (.init(client: "c0", resume: player.resume, revision: 1), .unknownClient),
                (.init(client: player.id, resume: player.resume, revision: 2), .futureRevision),
            ]
            for (rejoin, code) in cases {
                try await client.send(.join(.init(session: scene.session, name: player.name, rejoin: rejoin)))
                let error = try await client.expectError()
                #expect(error.code == code)
                #expect(error.verb == "JOIN")
                #expect(!error.closesConnection)
            }
            try await client.send(.join(.init(session: scene.session, name: player.name, rejoin: .init(client: player.id, resume: player.resume, revision: 1))))
            guard case .welcome(let welcome) = try await client.next() else { throw TestFailure("no WELCOME for the rejoin") }
            #expect(welcome.client == player.id)
            #expect(welcome.content == .missed([]))
            let bye = try await player.client.expect("BYE") { if case .bye(let b) = $0 { b } else { nil } }
            #expect(bye.reason == "replaced")
            try await bystander.stillWorks(after: 1)
        }
    }

    // MARK: - Not TLS, or TLS that fails

    struct Garbage: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var testDescription: String { name }
    }

    static let garbage: [Garbage] = [
        Garbage(name: "plaintext JOIN", bytes: Array("JOIN {\"name\":\"Mallory\",\"session\":\"limits\"}\n".utf8)),
        Garbage(name: "plaintext HTTP", bytes: Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)),
        // A TLS handshake record header around bytes that are no ClientHello.
        Garbage(name: "TLS record of junk", bytes: [0x16, 0x03, 0x01, 0x00, 0x40] + (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }),
    ]

    /// Plain text (or junk) on the TLS port: the server closes the connection without a word of the
    /// protocol, logs it, frees its place, and keeps serving everybody else.
    @Test(arguments: garbage)
    func plaintextOnTheTLSPort(_ garbage: Garbage) async throws {
        var limits = JamProtocol.Limits.default
        limits.connections = 3
        try await withScene(limits: limits, capturingLogs: true) { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            #expect(try await player.edit() == 1)
            // More such connections than there are places: each must be closed and its place freed.
            for _ in 0..<2 {
                let raw = try await RawConnection.open(port: scene.server.port)
                try await raw.send(garbage.bytes)
                let outcome = try await raw.drain()
                #expect(!String(decoding: outcome.bytes, as: UTF8.self).contains("HELLO"))
                #expect(!String(decoding: outcome.bytes, as: UTF8.self).contains("WELCOME"))
                await raw.close()
            }
            try await scene.expectLogged("a connection that is not TLS")
            // The place is free again (there is only one), for a member.
            let fresh = try await scene.connectEventually()
            #expect(try await player.edit() == 2)
            try await bystander.stillWorks(after: 2)
            try await scene.expectWitness(revision: 3, on: fresh)
        }
    }

    /// A TCP connection that never starts its TLS handshake is closed after `joinSeconds`, within the
    /// limit or over it: it cannot hold a place, or a task, for ever.
    @Test(arguments: [false, true])
    func silentTCPConnectionIsClosed(overTheLimit: Bool) async throws {
        var limits = JamProtocol.Limits.default
        limits.joinSeconds = 3  // the scene's own members must join in time on a busy machine
        limits.connections = overTheLimit ? 2 : 3
        try await withScene(limits: limits) { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            let started = ContinuousClock.now
            let raw = try await RawConnection.open(port: scene.server.port)
            let outcome = try await raw.drain(timeout: .seconds(limits.joinSeconds + 3))
            #expect(outcome.bytes.isEmpty)
            if !overTheLimit { #expect(ContinuousClock.now - started >= .seconds(limits.joinSeconds) - .milliseconds(100)) }
            await raw.close()
            #expect(try await player.edit() == 1)
            try await bystander.stillWorks(after: 1)
        }
    }

    enum BadTrust: String, CaseIterable, Sendable {
        case wrongFingerprint, otherCertificate, systemRoots
    }

    /// A client whose TLS handshake fails (it does not trust the server) gets no line; the server logs it,
    /// frees its place, and keeps serving.
    @Test(arguments: BadTrust.allCases)
    func tlsHandshakeFailure(_ bad: BadTrust) async throws {
        var limits = JamProtocol.Limits.default
        limits.connections = 3
        try await withScene(limits: limits, capturingLogs: true) { scene in
            var (bystander, player) = (scene.bystander, scene.player)
            #expect(try await player.edit() == 1)
            let trust: ClientTrust
            switch bad {
            case .wrongFingerprint:
                var wrong = Array(scene.server.identity.fingerprint)
                wrong[0] = wrong[0] == "0" ? "1" : "0"
                trust = .fingerprint(String(wrong))
            case .otherCertificate:
                trust = .pinnedCertificate(path: try ServerIdentity.loadOrCreate(dataDirectory: temporaryDirectory()).certificatePath)
            case .systemRoots:
                trust = .systemRoots
            }
            for _ in 0..<2 {
                let raw = try await RawConnection.open(port: scene.server.port, trust: trust)
                let outcome = try await raw.drain()
                #expect(outcome.bytes.isEmpty)
                #expect(outcome.failure != nil)
                await raw.close()
            }
            try await scene.expectLogged("a failed TLS handshake")
            // The right fingerprint, through the same code path, works once the failed connections' places
            // are freed (the server frees them when their TLS shutdown ends, a moment after the failure).
            let deadline = ContinuousClock.now + .seconds(10)
            var hello = ""
            repeat {
                let good = try await RawConnection.open(port: scene.server.port, trust: .fingerprint(scene.server.identity.fingerprint))
                hello = try await good.readLine()
                await good.close()
                if hello.contains("server_full") { try await Task.sleep(for: .milliseconds(50)) }
            } while hello.contains("server_full") && ContinuousClock.now < deadline
            #expect(hello.hasPrefix("HELLO "))
            let fresh = try await scene.connectEventually()
            #expect(try await player.edit() == 2)
            try await bystander.stillWorks(after: 2)
            try await scene.expectWitness(revision: 3, on: fresh)
        }
    }
}

// MARK: - Support

extension LimitsTests {
    /// A joined client that edits one session field of its own, so that members never conflict.
    struct Member {
        enum Knob { case title, tempo, loopBars }

        let client: LineClient
        let id: String
        let name: String
        let resume: String
        let knob: Knob
        /// The latest revision this member has seen.
        var revision: Int
        var seq = 0
        var title: String
        var tempo: Double
        var loopBars: Int

        init(_ client: LineClient, _ welcome: ServerMessage.Welcome, knob: Knob) throws {
            guard case .snapshot(let document) = welcome.content else { throw TestFailure("a fresh join without a snapshot") }
            self.client = client
            id = welcome.client
            name = welcome.roster.first { $0.client == welcome.client }?.name ?? ""
            resume = welcome.resume
            self.knob = knob
            revision = welcome.revision
            title = document.title
            tempo = document.tempo
            loopBars = document.loopBars
        }

        mutating func nextSeq() -> Int {
            seq += 1
            return seq
        }

        /// Changes this member's field; returns the revision of the ACK.
        @discardableResult
        mutating func edit() async throws -> Int {
            let seq = nextSeq()
            let component: Component
            switch knob {
            case .title:
                component = .sessionSet(value: .title("\(name) \(seq)"), old: .title(title))
                title = "\(name) \(seq)"
            case .tempo:
                component = .sessionSet(value: .tempo(60 + Double(seq)), old: .tempo(tempo))
                tempo = 60 + Double(seq)
            case .loopBars:
                component = .sessionSet(value: .loopBars(loopBars % 64 + 1), old: .loopBars(loopBars))
                loopBars = loopBars % 64 + 1
            }
            try await client.send(.op(.init(base: revision, seq: seq, op: [component])))
            return try await ack(seq)
        }

        /// Reads until the ACK of `seq`, failing on an ERR or a close.
        mutating func ack(_ seq: Int) async throws -> Int {
            while true {
                guard let message = try await client.next() else { throw TestFailure("\(name) closed while waiting for ACK \(seq)") }
                switch message {
                case .ack(let ack) where ack.seq == seq:
                    revision = max(revision, ack.revision)
                    return ack.revision
                case .err(let error):
                    throw TestFailure("\(name) got \(error) while waiting for ACK \(seq)")
                default:
                    try await handle(message)
                }
            }
        }

        /// Reads the OPs up to `revision`, then edits: the ACK must come with the next revision.
        mutating func stillWorks(after revision: Int) async throws {
            while self.revision < revision {
                guard let message = try await client.next() else { throw TestFailure("\(name) closed") }
                try await handle(message)
            }
            #expect(self.revision == revision, "\(name) saw revision \(self.revision)")
            #expect(try await edit() == revision + 1, "\(name)'s edit after revision \(revision)")
        }

        /// Reads until the session says `other` left.
        mutating func sawLeave(of other: Member) async throws {
            while true {
                guard let message = try await client.next() else { throw TestFailure("\(name) closed while waiting for \(other.name) to leave") }
                switch message {
                case .peer(let event) where event.event == .leave && event.peer.client == other.id:
                    #expect(event.peer.name == other.name)
                    return
                default:
                    try await handle(message)
                }
            }
        }

        /// What a member does with a message it does not wait for: note the revision, answer PING.
        mutating func handle(_ message: ServerMessage) async throws {
            switch message {
            case .op(let op): revision = max(revision, op.revision)
            case .ack(let ack): revision = max(revision, ack.revision)
            case .ping: try await client.send(.pong)
            case .err(let error): throw TestFailure("\(name) got \(error)")
            default: break
            }
        }
    }

    /// A server, a bystander (who joined first, and edits the title) and a player (who edits the tempo).
    struct Scene {
        let server: TestServer
        let session = "limits"
        var bystander: Member
        var player: Member
        let token: String?
        let logs: LogRecords?

        /// Joins a new member (on `connection`, past its HELLO, if given), which must see `revision`; it
        /// edits, and the document it was given is returned.
        @discardableResult
        func expectWitness(revision: Int, on connection: LineClient? = nil) async throws -> Document {
            let (client, welcome) = try await server.join(session, name: "Witness", token: token, on: connection)
            #expect(welcome.revision == revision, "the revision a new member sees")
            guard case .snapshot(let document) = welcome.content else { throw TestFailure("no snapshot") }
            var witness = try Member(client, welcome, knob: .loopBars)
            #expect(try await witness.edit() == revision + 1, "the witness's edit")
            await client.close()
            return document
        }

        /// A new connection, retrying while the server is still full (a closed connection's place is freed
        /// a moment after the close).
        func connectEventually() async throws -> LineClient {
            let deadline = ContinuousClock.now + .seconds(5)
            while true {
                let client = try await server.connect()
                switch try await client.next() {
                case .hello: return client
                case .err(let error) where error.code == .serverFull && ContinuousClock.now < deadline:
                    await client.close()
                    try await Task.sleep(for: .milliseconds(20))
                default:
                    throw TestFailure("no HELLO: the server's places were not freed")
                }
            }
        }

        /// Waits until the server has logged a connection's failure, with the connection and the error, at a
        /// level an operator sees (info or above).
        func expectLogged(_ what: String) async throws {
            guard let logs else { throw TestFailure("logs are not captured") }
            let deadline = ContinuousClock.now + .seconds(3)
            while !logs.contains(where: { $0.level >= .info && $0.metadata["connection"] != nil && $0.metadata["error"] != nil }) {
                guard ContinuousClock.now < deadline else {
                    Issue.record("nothing logged for \(what)")
                    return
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Starts a server, joins a bystander and a player, runs `body`, and stops the server.
    func withScene(
        limits: JamProtocol.Limits = .default, token: String? = nil, bystander joinBystander: Bool = true, capturingLogs: Bool = false,
        _ body: (Scene) async throws -> Void
    ) async throws {
        let logs = capturingLogs ? LogRecords() : nil
        let server = try await TestServer.start(limits: limits, token: token, logs: logs)
        do {
            let session = "limits"
            var bystander: Member?
            if joinBystander {
                let (client, welcome) = try await server.join(session, name: "Bea", token: token)
                bystander = try Member(client, welcome, knob: .title)
            }
            let (client, welcome) = try await server.join(session, name: "Ann", token: token)
            let player = try Member(client, welcome, knob: .tempo)
            let scene = Scene(server: server, bystander: bystander ?? player, player: player, token: token, logs: logs)
            try await body(scene)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }
}

extension TestServer {
    /// `start`, with the server's log (debug and up) captured in `logs`.
    static func start(limits: JamProtocol.Limits, token: String?, logs: LogRecords?) async throws -> TestServer {
        guard let logs else { return try await start(limits: limits, token: token) }
        let directory = temporaryDirectory()
        let identity = try ServerIdentity.loadOrCreate(dataDirectory: directory)
        var configuration = JamServer.Configuration(dataDirectory: directory, tls: try identity.makeServerContext())
        configuration.port = 0
        configuration.limits = limits
        configuration.token = token
        var logger = Logger(label: "jam.test") { _ in CapturingLogHandler(records: logs) }
        logger.logLevel = .debug
        let server = try await JamServer.bind(configuration, logger: logger)
        let task = Task { try await server.run() }
        return TestServer(server: server, directory: directory, identity: identity, task: task)
    }
}

/// Log records kept in memory.
final class LogRecords: @unchecked Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let lock = NSLock()
    private var records: [Record] = []

    func append(_ record: Record) { lock.withLock { records.append(record) } }

    func contains(where predicate: (Record) -> Bool) -> Bool {
        lock.withLock { records.contains(where: predicate) }
    }
}

struct CapturingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.append(.init(level: event.level, message: event.message.description, metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }
}

/// A TCP connection to the server without the line protocol: plain, or TLS with a given trust.
final class RawConnection: Sendable {
    struct Outcome: Sendable {
        var bytes: [UInt8]
        /// Why the stream ended, if it ended with an error rather than a clean close.
        var failure: String?
    }

    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.channel = channel
    }

    deinit {
        // NIO traps if a channel's writer is dropped unfinished, even on a test's failure path.
        channel.outbound.finish()
    }

    static func open(port: Int, trust: ClientTrust? = nil) async throws -> RawConnection {
        let context = try trust?.makeClientContext()
        let channel = try await withTimeout(.seconds(5)) {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let trust, let context {
                            try channel.pipeline.syncOperations.addHandler(trust.makeClientHandler(context: context, serverHostname: "localhost"))
                        }
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        }
        return RawConnection(channel: channel)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await withTimeout(.seconds(5)) { [channel] in
            try await channel.channel.writeAndFlush(ByteBuffer(bytes: bytes))
        }
    }

    /// Everything the server sends until it closes (failing if it does not within `timeout`).
    func drain(timeout: Duration = .seconds(5)) async throws -> Outcome {
        try await withTimeout(timeout) { [channel] in
            var bytes: [UInt8] = []
            do {
                for try await buffer in channel.inbound { bytes += Array(buffer.readableBytesView) }
                return Outcome(bytes: bytes, failure: nil)
            } catch {
                return Outcome(bytes: bytes, failure: "\(error)")
            }
        }
    }

    /// The first line the server sends.
    func readLine(timeout: Duration = .seconds(5)) async throws -> String {
        try await withTimeout(timeout) { [channel] in
            var bytes: [UInt8] = []
            for try await buffer in channel.inbound {
                bytes += Array(buffer.readableBytesView)
                if let end = bytes.firstIndex(of: UInt8(ascii: "\n")) { return String(decoding: bytes[..<end], as: UTF8.self) }
            }
            throw TestFailure("closed before a line")
        }
    }

    func close() async {
        channel.outbound.finish()
        try? await channel.channel.close()
    }
}
