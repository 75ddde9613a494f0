import Foundation
import JamCore
import JamProtocol
import NIOCore
import Testing

let bass = Track(
    id: "c7.t1", name: "Bass", instrument: .program(33), channel: 1, owner: "c7",
    notes: [Note(id: "c7.n1", tick: 0, duration: 480, pitch: 38, velocity: 96)])
let note = Note(id: "c7.n2", tick: 960, duration: 240, pitch: 41, velocity: 90)
let operation: JamCore.Operation = [
    .trackAdd(index: 0, track: bass),
    .noteAdd(track: "c7.t1", note: note),
    .noteSet(track: "c7.t1", note: "c7.n2", field: .pitch, value: 43, old: 41),
    .trackSet(track: "c7.t1", value: .instrument(.drums), old: .instrument(.program(33))),
    .timeInsert(at: 1920, span: 480),
    .timeRemove(at: 0, span: 480, removed: [RemovedNote(track: "c7.t1", note: bass.notes["c7.n1"]!)]),
    .sessionSet(value: .tempo(96.5), old: .tempo(120)),
    .sessionSet(value: .key(nil), old: .key(Key(tonic: "D", mode: "minor"))),
]
let ana = Peer(client: "c7", name: "Ana")
let drummer = Peer(client: "c4", name: "Drummer", role: .player, kind: .ai)

let clientMessages: [ClientMessage] = [
    .join(.init(session: "tuesday", name: "Ana")),
    .join(.init(session: "t-2", name: "Zoë", role: .listener, kind: .human, token: "s3cret",
                rejoin: .init(client: "c9", resume: "abc", revision: 40, pending: [5, 6]))),
    .op(.init(base: 42, seq: 5, op: operation)),
    .op(.init(base: 0, seq: 1, op: [])),
    .cursor(.init(track: "c7.t1", tick: 960, pitch: 62)),
    .cursor(.init(tick: 0)),
    .chat(.init(text: "line one\nline two \"quoted\" 🎹")),
    .ping, .pong, .bye(.init()), .bye(.init(reason: "dinner")),
]

let serverMessages: [ServerMessage] = [
    .hello(.init(server: "jam/0.1.0", auth: .none)),
    .hello(.init(server: "jam/0.1.0", auth: .token, limits: Limits())),
    .welcome(.init(
        client: "c7", session: "tuesday", revision: 42,
        hash: Document(title: "Tuesday jam", tracks: [bass]).contentHash, resume: "abc", roster: [ana, drummer],
        content: .snapshot(Document(title: "Tuesday jam", tempo: 96.5, key: Key(tonic: "D", mode: "minor"), tracks: [bass])))),
    .welcome(.init(
        client: "c7", session: "tuesday", revision: 41, hash: "00", resume: "abc", roster: [ana],
        content: .missed([CommittedOperation(revision: 41, author: "c4", op: operation)]),
        committed: [CommittedSequence(seq: 5, revision: 41)])),
    .ack(.init(seq: 5, revision: 43)),
    .op(CommittedOperation(revision: 43, author: "c7", op: operation)),
    .cursor(.init(client: "c3", ClientMessage.Cursor(track: "c3.t1", tick: 960, pitch: 62))),
    .chat(.init(client: "c3", text: "hi")),
    .peer(.init(.join, drummer)),
    .peer(.init(.leave, ana)),
    .ping, .pong, .bye(.init(reason: "shutdown")),
    .err(ProtocolError(.nameTaken, "Ana is taken", verb: "JOIN")),
    .err(ProtocolError(JamError(.staleValue, "old is 4", component: 2), seq: 9)),
]

@Suite("Messages")
struct MessageTests {
    @Test("client messages survive encoding and decoding", arguments: clientMessages)
    func clientRoundTrip(message: ClientMessage) throws {
        let line = message.encodeLine()
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false, "one line, whatever the text")
        #expect(try ClientMessage.decode(line: Array(line.dropLast())) == message)
        #expect(try ClientMessage.decode(line: ByteBuffer(bytes: line.dropLast())) == message)
        #expect(try ClientMessage.decode(line: String(decoding: line.dropLast(), as: UTF8.self)) == message)
    }

    @Test("server messages survive encoding and decoding", arguments: serverMessages)
    func serverRoundTrip(message: ServerMessage) throws {
        let line = message.encodeLine()
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
        #expect(try ServerMessage.decode(line: Array(line.dropLast())) == message)
        #expect(try ServerMessage.decode(line: ByteBuffer(bytes: line.dropLast())) == message)
    }

    @Test("the ByteBuffer encoders write the same bytes")
    func byteBufferEncoding() {
        for message in serverMessages {
            var buffer = ByteBuffer(string: "prefix:")
            message.encodeLine(into: &buffer)
            #expect(Array(buffer.readableBytesView) == Array("prefix:".utf8) + message.encodeLine())
            #expect(Array(message.encodeLine(allocator: ByteBufferAllocator()).readableBytesView) == message.encodeLine())
        }
        for message in clientMessages {
            var buffer = ByteBuffer()
            message.encodeLine(into: &buffer)
            #expect(Array(buffer.readableBytesView) == message.encodeLine())
            #expect(Array(message.encodeLine(allocator: ByteBufferAllocator()).readableBytesView) == message.encodeLine())
        }
    }

    @Test("the verbs without a payload are written bare")
    func bareVerbs() {
        #expect(ClientMessage.ping.encodeLine() == Array("PING\n".utf8))
        #expect(ServerMessage.pong.encodeLine() == Array("PONG\n".utf8))
        #expect(ClientMessage.bye(Bye()).encodeLine() == Array("BYE\n".utf8))
    }

    @Test("payloads are written with sorted keys, no white space and absent optionals omitted")
    func encodingForm() {
        let ack = ServerMessage.ack(.init(seq: 5, revision: 43)).encodeLine()
        #expect(String(decoding: ack, as: UTF8.self) == "ACK {\"revision\":43,\"seq\":5}\n")
        let cursor = ClientMessage.cursor(.init(tick: 7)).encodeLine()
        #expect(String(decoding: cursor, as: UTF8.self) == "CURSOR {\"tick\":7}\n")
        let chat = ServerMessage.chat(.init(client: "c1", text: "a/b é")).encodeLine()
        #expect(String(decoding: chat, as: UTF8.self) == "CHAT {\"client\":\"c1\",\"text\":\"a/b é\"}\n")
    }

    @Test("an ERR from the core carries its code, component and seq, and keeps the connection")
    func coreErrorPassesThrough() throws {
        let error = ProtocolError(JamError(.unknownTrack, "no track c9.t1", component: 1), seq: 12)
        #expect(error.code.rawValue == "unknown_track")
        #expect(error.code == ProtocolError.Code(JamError.Code.unknownTrack))
        #expect(!error.closesConnection)
        let line = String(decoding: ServerMessage.err(error).encodeLine(), as: UTF8.self)
        #expect(line == "ERR {\"code\":\"unknown_track\",\"component\":1,\"message\":\"no track c9.t1\",\"seq\":12,\"verb\":\"OP\"}\n")
    }

    @Test("an OP whose operation does not apply-decode reports the core's code for its component")
    func malformedOperation() throws {
        let error = decodeError(#"OP {"base":3,"op":[{"type":"time.insert","at":0,"span":1},{"type":"track.set","track":"t","field":"colour","value":1,"old":2}],"seq":8}"#)
        #expect(error?.code == ProtocolError.Code(JamError.Code.malformed))
        #expect(error?.component == 1)
        #expect(error?.seq == 8)
        #expect(error?.verb == "OP")
    }

    @Test("the closing codes are those of PROTOCOL.md §5", arguments: ProtocolError.Code.all)
    func closingCodes(code: ProtocolError.Code) {
        let closing: Set<String> = ["line_too_long", "auth_failed", "server_full", "idle_timeout", "slow_consumer", "internal_error"]
        #expect(code.closesConnection == closing.contains(code.rawValue))
        #expect(ProtocolError(code, "x").closesConnection == code.closesConnection)
        #expect(ProtocolError(code, "x", closesConnection: true).closesConnection)
    }

    @Test("limits decode from any subset of their fields; the others keep their defaults")
    func limitsCoding() throws {
        let hello = try ServerMessage.decode(line: #"HELLO {"auth":"none","limits":{},"protocol":1,"server":"x"}"#)
        #expect(hello == .hello(.init(server: "x", auth: .none, limits: Limits())))
        var custom = Limits()
        custom.chatBytes = 10
        custom.transformWindow = 5
        let line = ServerMessage.hello(.init(server: "x", auth: .token, limits: custom)).encodeLine()
        #expect(try ServerMessage.decode(line: Array(line.dropLast())) == .hello(.init(server: "x", auth: .token, limits: custom)))
    }

    @Test("decoding honours the limits it is given")
    func customLimits() {
        var limits = Limits()
        limits.chatBytes = 5
        limits.lineBytes = 40
        limits.nameBytes = 3
        #expect(decodeError(#"CHAT {"text":"12345"}"#, limits: limits) == nil)
        #expect(decodeError(#"CHAT {"text":"123456"}"#, limits: limits)?.code == .invalidValue)
        #expect(decodeError(#"JOIN {"name":"Ann","session":"s"}"#, limits: limits) == nil)
        #expect(decodeError(#"JOIN {"name":"Anna","session":"s"}"#, limits: limits)?.code == .invalidValue)
        #expect(decodeError(#"CHAT {"text":"12345","padding":"xxxxxxxxxxx"}"#, limits: limits)?.code == .lineTooLong)
        limits.lineBytes = 1000
        limits.rejoinPending = 1
        #expect(decodeError(#"JOIN {"name":"A","rejoin":{"client":"c1","pending":[1,2],"resume":"r","revision":1},"session":"s"}"#, limits: limits)?.code == .invalidValue)
    }

    @Test("session names", arguments: [
        ("tuesday", true), ("0", true), ("a-b_c", true), (String(repeating: "a", count: 64), true),
        ("", false), ("Tuesday", false), ("_a", false), ("-a", false), ("a b", false), ("é", false),
        (String(repeating: "a", count: 65), false),
    ])
    func sessionNames(name: String, valid: Bool) throws {
        let line = String(decoding: try JSONEncoder().encode(["name": "Ana", "session": name]), as: UTF8.self)
        let error = decodeError("JOIN " + line)
        #expect(error?.code == (valid ? nil : .badSessionName), "\(error?.description ?? "accepted")")
    }

    @Test("an unknown verb is quoted back, cut to 32 characters")
    func unknownVerbQuoted() {
        let word = String(repeating: "X", count: 100)
        let error = decodeError(word + " {}")
        #expect(error?.code == .unknownVerb)
        #expect(error?.verb == String(repeating: "X", count: 32))
    }

    @Test("Verb sets: every verb has a direction")
    func verbSets() {
        #expect(Verb.fromClient.union(Verb.fromServer) == Set(Verb.allCases))
        #expect(Direction.clientToServer.verbs == Verb.fromClient)
    }
}
