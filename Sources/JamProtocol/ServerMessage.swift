import JamCore
import NIOCore

/// A message the server sends to a client (PROTOCOL.md §2.1).
///
/// The server writes them with ``encodeLine()`` (encode a broadcast once and send the bytes to every
/// member); a client library reads them with ``decode(line:limits:)-(ByteBuffer,_)``.
public enum ServerMessage: Hashable, Sendable {
    /// The greeting, first on every connection.
    case hello(Hello)
    /// The answer to a successful JOIN.
    case welcome(Welcome)
    /// To an OP's author: the operation is committed.
    case ack(Ack)
    /// To the other members: an operation was committed.
    case op(CommittedOperation)
    /// Another member's cursor.
    case cursor(Cursor)
    /// A chat message, to every member, its author included.
    case chat(Chat)
    /// A member joined or left.
    case peer(PeerEvent)
    /// The client has been silent; answer PONG.
    case ping
    /// The answer to the client's PING.
    case pong
    /// The answer to a PING that measures the clock: its `t` and the server's clock.
    case clockPong(ClockPong)
    /// The session's shared transport changed (or a change was scheduled).
    case transport(Transport)
    /// The server closes the connection after this.
    case bye(Bye)
    /// A line was refused, or the connection is ending.
    case err(ProtocolError)

    /// The authentication a server wants.
    public enum Auth: String, Codable, Hashable, Sendable, CaseIterable {
        /// Anyone may join.
        case none
        /// JOIN must carry the server's token.
        case token
    }

    /// The payload of HELLO.
    public struct Hello: Hashable, Sendable {
        /// The protocol version this document describes.
        public static let currentProtocol = 1

        /// This program's name and version, `jam/` and ``JamVersion/program``.
        public static let thisServer = "jam/" + JamVersion.program

        /// The protocol version the server speaks.
        public var protocolVersion: Int
        /// The server's name and version (`jam/0.1.0`).
        public var server: String
        public var auth: Auth
        /// The limits in force, if the server tells them.
        public var limits: Limits?

        public init(
            protocolVersion: Int = Hello.currentProtocol, server: String = Hello.thisServer, auth: Auth,
            limits: Limits? = nil
        ) {
            self.protocolVersion = protocolVersion
            self.server = server
            self.auth = auth
            self.limits = limits
        }
    }

    /// The payload of WELCOME.
    public struct Welcome: Hashable, Sendable {
        /// Where the client's replica starts.
        public enum Content: Hashable, Sendable {
            /// The document at `revision`: a fresh join, or a rejoin too far behind.
            case snapshot(Document)
            /// The operations committed after the rejoin's revision, in revision order.
            case missed([CommittedOperation])
        }

        /// This connection's client id.
        public var client: String
        /// The session's name.
        public var session: String
        /// The session's revision after the snapshot or after the last missed operation.
        public var revision: Int
        /// The hash (DOCUMENT.md §1) of the document at `revision`.
        public var hash: String
        /// The secret to present when rejoining as this client.
        public var resume: String
        /// The members connected, this one included, in joining order.
        public var roster: [Peer]
        public var content: Content
        /// For a rejoin: the rejoin's pending sequences already committed, with their revisions.
        public var committed: [CommittedSequence]
        /// The session's shared transport (absent from servers that keep none).
        public var transport: Transport?

        public init(
            client: String, session: String, revision: Int, hash: String, resume: String, roster: [Peer],
            content: Content, committed: [CommittedSequence] = [], transport: Transport? = nil
        ) {
            self.client = client
            self.session = session
            self.revision = revision
            self.hash = hash
            self.resume = resume
            self.roster = roster
            self.content = content
            self.committed = committed
            self.transport = transport
        }
    }

    /// The payload of a PONG answering a clock PING.
    public struct ClockPong: Codable, Hashable, Sendable {
        /// The PING's `t`, echoed.
        public var t: Int64?
        /// The server's clock when it answered: microseconds since the Unix epoch.
        public var server: Int64

        public init(t: Int64?, server: Int64) {
            self.t = t
            self.server = server
        }
    }

    /// The most segments a TRANSPORT carries: the one in force and the changes scheduled.
    public static let transportSegments = 8

    /// The payload of ACK.
    public struct Ack: Codable, Hashable, Sendable {
        /// The sequence of the OP acknowledged.
        public var seq: Int
        /// The revision it made (its original one, for a resubmission).
        public var revision: Int

        public init(seq: Int, revision: Int) {
            self.seq = seq
            self.revision = revision
        }
    }

    /// The payload of a server's CURSOR.
    public struct Cursor: Codable, Hashable, Sendable {
        /// Whose cursor.
        public var client: String
        public var track: String?
        public var tick: Int
        public var pitch: Int?

        public init(client: String, track: String? = nil, tick: Int, pitch: Int? = nil) {
            self.client = client
            self.track = track
            self.tick = tick
            self.pitch = pitch
        }

        /// A member's cursor, as forwarded to the others.
        public init(client: String, _ cursor: ClientMessage.Cursor) {
            self.init(client: client, track: cursor.track, tick: cursor.tick, pitch: cursor.pitch)
        }
    }

    /// The payload of a server's CHAT.
    public struct Chat: Codable, Hashable, Sendable {
        /// Who wrote it.
        public var client: String
        public var text: String

        public init(client: String, text: String) {
            self.client = client
            self.text = text
        }
    }

    /// The payload of PEER: a member joined or left.
    public struct PeerEvent: Hashable, Sendable {
        public enum Event: String, Codable, Hashable, Sendable, CaseIterable {
            case join
            case leave
        }

        public var event: Event
        public var peer: Peer

        public init(_ event: Event, _ peer: Peer) {
            self.event = event
            self.peer = peer
        }
    }

    /// The message's verb.
    public var verb: Verb {
        switch self {
        case .hello: .hello
        case .welcome: .welcome
        case .ack: .ack
        case .op: .op
        case .cursor: .cursor
        case .chat: .chat
        case .peer: .peer
        case .ping: .ping
        case .pong, .clockPong: .pong
        case .transport: .transport
        case .bye: .bye
        case .err: .err
        }
    }
}

// MARK: - Lines

extension ServerMessage: LineMessage {
    /// Decodes the bytes of one line (without its terminator), checking them against `limits`.
    public static func decode(bytes: UnsafeRawBufferPointer, limits: Limits) throws(ProtocolError) -> ServerMessage {
        let line = try LineCoding.split(bytes, direction: .serverToClient, limits: limits)
        let message: ServerMessage
        switch line.verb {
        case .hello: message = .hello(try line.payload(Hello.self))
        case .welcome: message = .welcome(try line.payload(Welcome.self))
        case .ack: message = .ack(try line.payload(Ack.self))
        case .op: message = .op(try line.payload(CommittedOperation.self))
        case .cursor: message = .cursor(try line.payload(Cursor.self))
        case .chat: message = .chat(try line.payload(Chat.self))
        case .peer: message = .peer(try line.payload(PeerEvent.self))
        case .ping:
            try line.ignoredPayload()
            message = .ping
        case .pong:
            let probe = try line.payload(PongProbe.self)
            if let server = probe.server {
                message = .clockPong(ClockPong(t: probe.t, server: server))
            } else {
                message = .pong
            }
        case .transport: message = .transport(try line.payload(Transport.self))
        case .bye: message = .bye(try line.payload(Bye.self))
        case .err: message = .err(try line.payload(ProtocolError.self))
        default: throw ProtocolError(.unknownVerb, "\(line.verb) is not a server verb", verb: line.verb.rawValue)
        }
        do {
            try message.validate()
        } catch {
            var error = error
            error.verb = message.verb.rawValue
            throw error
        }
        return message
    }

    /// The line, LF included, that sends this message.
    public func encodeLine() -> [UInt8] {
        switch self {
        case .hello(let payload): LineCoding.encode(verb, payload)
        case .welcome(let payload): LineCoding.encode(verb, payload)
        case .ack(let payload): LineCoding.encode(verb, payload)
        case .op(let payload): LineCoding.encode(verb, payload)
        case .cursor(let payload): LineCoding.encode(verb, payload)
        case .chat(let payload): LineCoding.encode(verb, payload)
        case .peer(let payload): LineCoding.encode(verb, payload)
        case .ping, .pong: LineCoding.encode(verb, LineCoding.Empty())
        case .clockPong(let payload): LineCoding.encode(verb, payload)
        case .transport(let payload): LineCoding.encode(verb, payload)
        case .bye(let payload): LineCoding.encode(verb, payload)
        case .err(let payload): LineCoding.encode(verb, payload)
        }
    }

    /// Checks the fields' values (their JSON types were checked while decoding).
    public func validate() throws(ProtocolError) {
        switch self {
        case .hello(let hello):
            try Check.range(hello.protocolVersion, 1...Check.maxInteger, field: "protocol")
        case .welcome(let welcome):
            try Check.text(welcome.client, field: "client", max: 64)
            try Check.range(welcome.revision, 0...Check.maxInteger, field: "revision")
            if case .missed(let ops) = welcome.content {
                // Not `Check.range(_, 1...welcome.revision)`: at revision 0 that range traps (found by fuzzing).
                for op in ops where op.revision < 1 || op.revision > welcome.revision {
                    throw ProtocolError(.invalidValue, "ops.revision is \(op.revision); it must be within 1…\(welcome.revision)")
                }
            }
            if let transport = welcome.transport { try Self.validate(transport) }
            for entry in welcome.committed {
                try Check.range(entry.seq, 1...Check.maxInteger, field: "committed.seq")
                try Check.range(entry.revision, 1...Check.maxInteger, field: "committed.revision")
            }
        case .ack(let ack):
            try Check.range(ack.seq, 1...Check.maxInteger, field: "seq")
            try Check.range(ack.revision, 1...Check.maxInteger, field: "revision")
        case .op(let op):
            try Check.range(op.revision, 1...Check.maxInteger, field: "revision")
        case .cursor(let cursor):
            try Check.range(cursor.tick, 0...Check.maxTick, field: "tick")
            if let pitch = cursor.pitch { try Check.range(pitch, 0...127, field: "pitch") }
        case .transport(let transport):
            try Self.validate(transport)
        case .chat, .peer, .ping, .pong, .clockPong, .bye, .err:
            break
        }
    }

    /// Checks a transport: 1…`transportSegments` segments in increasing time, ticks ≥ 0, tempos in
    /// DOCUMENT.md's range.
    static func validate(_ transport: Transport) throws(ProtocolError) {
        let segments = transport.segments
        guard (1...transportSegments).contains(segments.count) else {
            throw ProtocolError(.invalidValue, "a transport has 1…\(transportSegments) segments, not \(segments.count)")
        }
        for (i, segment) in segments.enumerated() {
            try Check.range(segment.tick, 0...Check.maxTick, field: "segments.tick")
            guard segment.tempo.isFinite, DocumentLimits.tempo.contains(segment.tempo) else {
                throw ProtocolError(.invalidValue, "segments.tempo is 20…400, not \(segment.tempo)")
            }
            if i > 0, segment.time <= segments[i - 1].time {
                throw ProtocolError(.invalidValue, "segments are in increasing time")
            }
        }
    }
}

// MARK: - Payload coding

extension ServerMessage.Hello: Codable {
    enum CodingKeys: String, CodingKey {
        case protocolVersion = "protocol"
        case server, auth, limits
    }
}

extension ServerMessage.Welcome: Codable {
    enum CodingKeys: String, CodingKey {
        case client, session, revision, hash, resume, roster, document, ops, committed, transport
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        client = try c.decode(String.self, forKey: .client)
        session = try c.decode(String.self, forKey: .session)
        revision = try c.decode(Int.self, forKey: .revision)
        hash = try c.decode(String.self, forKey: .hash)
        resume = try c.decode(String.self, forKey: .resume)
        roster = try c.decode([Peer].self, forKey: .roster)
        committed = try c.decodeIfPresent([CommittedSequence].self, forKey: .committed) ?? []
        transport = try c.decodeIfPresent(Transport.self, forKey: .transport)
        switch (c.contains(.document), c.contains(.ops)) {
        case (true, false):
            content = .snapshot(try c.decode(WireDocument.self, forKey: .document).document)
        case (false, true):
            content = .missed(try c.decode([CommittedOperation].self, forKey: .ops))
        case (true, true):
            throw ProtocolError(.invalidValue, "WELCOME carries either document or ops, not both")
        case (false, false):
            throw ProtocolError(.missingField, "WELCOME needs document or ops")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(client, forKey: .client)
        try c.encode(session, forKey: .session)
        try c.encode(revision, forKey: .revision)
        try c.encode(hash, forKey: .hash)
        try c.encode(resume, forKey: .resume)
        try c.encode(roster, forKey: .roster)
        switch content {
        case .snapshot(let document): try c.encode(document, forKey: .document)
        case .missed(let ops): try c.encode(ops, forKey: .ops)
        }
        if !committed.isEmpty { try c.encode(committed, forKey: .committed) }
        try c.encodeIfPresent(transport, forKey: .transport)
    }
}

/// A PONG's payload: any object; a clock PONG has `server` and, when its PING had one, `t`.
private struct PongProbe: Decodable {
    var t: Int64?
    var server: Int64?
}

extension ServerMessage.PeerEvent: Codable {
    enum CodingKeys: String, CodingKey { case event }

    public init(from decoder: any Decoder) throws {
        event = try decoder.container(keyedBy: CodingKeys.self).decode(Event.self, forKey: .event)
        peer = try Peer(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(event, forKey: .event)
        try peer.encode(to: encoder)
    }
}
