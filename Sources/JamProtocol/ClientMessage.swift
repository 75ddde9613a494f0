import JamCore
import NIOCore

/// A message a client sends to the server (PROTOCOL.md §2.2).
///
/// The server reads lines with ``LineDecoder`` and turns each into a message with
/// ``decode(line:limits:)-(ByteBuffer,_)``; a client library writes them with ``encodeLine()``.
public enum ClientMessage: Hashable, Sendable {
    /// Join a session, or rejoin it after a dropped connection.
    case join(Join)
    /// Submit an operation.
    case op(Op)
    /// Presence: where this member's cursor is.
    case cursor(Cursor)
    /// A chat message.
    case chat(Chat)
    /// A keep-alive or round-trip probe; the server answers PONG.
    case ping
    /// A clock probe: PING carrying the client's clock, which the server's PONG echoes with its own.
    case clockPing(ClockPing)
    /// The answer to the server's PING.
    case pong
    /// Leaving; the server answers BYE and closes.
    case bye(Bye)
    /// Ask the server to start an AI bandmate in the session.
    case invite(Invite)
    /// Ask the server to stop an AI bandmate it started.
    case dismiss(Dismiss)
    /// A player starts or stops the session's shared transport.
    case transport(TransportRequest)

    /// The payload of JOIN.
    public struct Join: Hashable, Sendable {
        /// The session's name, `[a-z0-9][a-z0-9_-]{0,63}`.
        public var session: String
        /// The display name: 1…`nameBytes` UTF-8 bytes, no control characters.
        public var name: String
        public var role: Role
        public var kind: PeerKind
        /// The token, when HELLO says `"auth":"token"`.
        public var token: String?
        /// Present when rejoining after a dropped connection.
        public var rejoin: Rejoin?

        public init(
            session: String, name: String, role: Role = .player, kind: PeerKind = .human, token: String? = nil,
            rejoin: Rejoin? = nil
        ) {
            self.session = session
            self.name = name
            self.role = role
            self.kind = kind
            self.token = token
            self.rejoin = rejoin
        }
    }

    /// What a rejoining client tells the server about itself (PROTOCOL.md §3).
    public struct Rejoin: Codable, Hashable, Sendable {
        /// The client id of the earlier WELCOME.
        public var client: String
        /// The `resume` secret of the earlier WELCOME.
        public var resume: String
        /// The last revision the client saw (from WELCOME, ACK or OP).
        public var revision: Int
        /// The sequences of its OPs sent but not acknowledged.
        public var pending: [Int]

        public init(client: String, resume: String, revision: Int, pending: [Int] = []) {
            self.client = client
            self.resume = resume
            self.revision = revision
            self.pending = pending
        }
    }

    /// The payload of a client's OP.
    public struct Op: Hashable, Sendable {
        /// The revision the operation was made on.
        public var base: Int
        /// The client's sequence number for it, from 1, strictly increasing.
        public var seq: Int
        /// The operation.
        public var op: JamCore.Operation

        public init(base: Int, seq: Int, op: JamCore.Operation) {
            self.base = base
            self.seq = seq
            self.op = op
        }
    }

    /// The payload of a client's CURSOR.
    public struct Cursor: Codable, Hashable, Sendable {
        /// The track the cursor is on, if any.
        public var track: String?
        /// The cursor's time, in ticks, 0…2^40.
        public var tick: Int
        /// The pitch under the cursor, 0…127, if any.
        public var pitch: Int?

        public init(track: String? = nil, tick: Int, pitch: Int? = nil) {
            self.track = track
            self.tick = tick
            self.pitch = pitch
        }
    }

    /// The payload of a client's CHAT.
    public struct Chat: Codable, Hashable, Sendable {
        /// 1…`chatBytes` UTF-8 bytes.
        public var text: String

        public init(text: String) {
            self.text = text
        }
    }

    /// The payload of INVITE: which part the bandmate plays, and how.
    public struct Invite: Codable, Hashable, Sendable {
        /// `bass`, `drums`, `keys` or `lead`.
        public var role: String
        /// A style the bandmate knows (`rock`, `funk`, `swing`, `bossa`, `ballad`, `house`).
        public var style: String
        /// Makes its playing repeatable; the server picks one when absent.
        public var seed: Int?
        /// 0…1: how many notes it plays (default 0.5).
        public var density: Double?
        /// 0…1: how adventurous its rhythms and harmony are (default 0.5).
        public var complexity: Double?

        /// The parts a bandmate can play.
        public static let roles = ["bass", "drums", "keys", "lead"]

        public init(role: String, style: String, seed: Int? = nil, density: Double? = nil, complexity: Double? = nil) {
            self.role = role
            self.style = style
            self.seed = seed
            self.density = density
            self.complexity = complexity
        }
    }

    /// The payload of DISMISS: the bandmate, by display name or client id (at least one).
    public struct Dismiss: Codable, Hashable, Sendable {
        public var name: String?
        public var client: String?

        public init(name: String? = nil, client: String? = nil) {
            self.name = name
            self.client = client
        }
    }

    /// The payload of a PING that measures the clock: the client's clock, any unit, echoed in PONG.
    public struct ClockPing: Codable, Hashable, Sendable {
        public var t: Int64

        public init(t: Int64) {
            self.t = t
        }
    }

    /// The payload of a client's TRANSPORT: start or stop the shared transport on the next bar line.
    public struct TransportRequest: Codable, Hashable, Sendable {
        public enum Action: String, Codable, Hashable, Sendable, CaseIterable {
            case play
            case stop
        }

        public var action: Action

        public init(action: Action) {
            self.action = action
        }
    }

    /// The message's verb.
    public var verb: Verb {
        switch self {
        case .transport: .transport
        case .clockPing: .ping
        case .invite: .invite
        case .dismiss: .dismiss
        case .join: .join
        case .op: .op
        case .cursor: .cursor
        case .chat: .chat
        case .ping: .ping
        case .pong: .pong
        case .bye: .bye
        }
    }
}

// MARK: - Lines

extension ClientMessage: LineMessage {
    /// Decodes the bytes of one line (without its terminator), checking them against `limits`.
    public static func decode(bytes: UnsafeRawBufferPointer, limits: Limits) throws(ProtocolError) -> ClientMessage {
        let line = try LineCoding.split(bytes, direction: .clientToServer, limits: limits)
        let message: ClientMessage
        switch line.verb {
        case .join: message = .join(try line.payload(Join.self))
        case .op: message = .op(try line.payload(Op.self))
        case .cursor: message = .cursor(try line.payload(Cursor.self))
        case .chat: message = .chat(try line.payload(Chat.self))
        case .ping:
            let probe = try line.payload(PingProbe.self)
            message = probe.t.map { .clockPing(ClockPing(t: $0)) } ?? .ping
        case .pong:
            try line.ignoredPayload()
            message = .pong
        case .transport: message = .transport(try line.payload(TransportRequest.self))
        case .bye: message = .bye(try line.payload(Bye.self))
        case .invite: message = .invite(try line.payload(Invite.self))
        case .dismiss: message = .dismiss(try line.payload(Dismiss.self))
        default: throw ProtocolError(.unknownVerb, "\(line.verb) is not a client verb", verb: line.verb.rawValue)
        }
        do {
            try message.validate(limits: limits)
        } catch {
            var error = error
            error.verb = message.verb.rawValue
            if case .op(let op) = message { error.seq = op.seq }
            throw error
        }
        return message
    }

    /// The line, LF included, that sends this message.
    public func encodeLine() -> [UInt8] {
        switch self {
        case .join(let payload): LineCoding.encode(verb, payload)
        case .op(let payload): LineCoding.encode(verb, payload)
        case .cursor(let payload): LineCoding.encode(verb, payload)
        case .chat(let payload): LineCoding.encode(verb, payload)
        case .ping, .pong: LineCoding.encode(verb, LineCoding.Empty())
        case .clockPing(let payload): LineCoding.encode(verb, payload)
        case .transport(let payload): LineCoding.encode(verb, payload)
        case .bye(let payload): LineCoding.encode(verb, payload)
        case .invite(let payload): LineCoding.encode(verb, payload)
        case .dismiss(let payload): LineCoding.encode(verb, payload)
        }
    }

    /// Checks the fields' values (their JSON types were checked while decoding).
    public func validate(limits: Limits = .default) throws(ProtocolError) {
        switch self {
        case .join(let join):
            guard SessionName.isValid(join.session) else {
                throw ProtocolError(
                    .badSessionName, "a session name matches [a-z0-9][a-z0-9_-]{0,63}; \(Quoted(join.session)) does not")
            }
            try Check.displayName(join.name, field: "name", limits: limits)
            if let rejoin = join.rejoin {
                try Check.text(rejoin.client, field: "rejoin.client", max: 64)
                try Check.text(rejoin.resume, field: "rejoin.resume", max: 256)
                try Check.range(rejoin.revision, 0...Check.maxInteger, field: "rejoin.revision")
                guard rejoin.pending.count <= limits.rejoinPending else {
                    throw ProtocolError(
                        .invalidValue, "rejoin.pending has \(rejoin.pending.count) entries; at most \(limits.rejoinPending)")
                }
                for seq in rejoin.pending { try Check.range(seq, 1...Check.maxInteger, field: "rejoin.pending") }
            }
        case .op(let op):
            try Check.range(op.base, 0...Check.maxInteger, field: "base")
            try Check.range(op.seq, 1...Check.maxInteger, field: "seq")
        case .cursor(let cursor):
            if let track = cursor.track { try Check.trackID(track, field: "track") }
            try Check.range(cursor.tick, 0...Check.maxTick, field: "tick")
            if let pitch = cursor.pitch { try Check.range(pitch, 0...127, field: "pitch") }
        case .chat(let chat):
            try Check.text(chat.text, field: "text", max: limits.chatBytes)
        case .invite(let invite):
            guard Invite.roles.contains(invite.role) else {
                throw ProtocolError(.invalidValue, "role is one of \(Invite.roles.joined(separator: ", ")), not \(Quoted(invite.role))")
            }
            try Check.text(invite.style, field: "style", max: 32)
            if let seed = invite.seed { try Check.range(seed, 0...Check.maxInteger, field: "seed") }
            for (value, field) in [(invite.density, "density"), (invite.complexity, "complexity")] {
                if let value, !(0...1).contains(value) {
                    throw ProtocolError(.invalidValue, "\(field) is 0…1, not \(value)")
                }
            }
        case .dismiss(let dismiss):
            guard dismiss.name != nil || dismiss.client != nil else {
                throw ProtocolError(.missingField, "DISMISS names the bandmate by name or client")
            }
            if let name = dismiss.name { try Check.text(name, field: "name", max: limits.nameBytes) }
            if let client = dismiss.client { try Check.text(client, field: "client", max: 64) }
        case .ping, .pong, .bye, .clockPing, .transport:
            break
        }
    }
}

// MARK: - Payload coding

/// A PING's payload: any object; `t`, when present, must be an integer.
private struct PingProbe: Decodable {
    var t: Int64?
}

extension ClientMessage.Join: Codable {
    enum CodingKeys: String, CodingKey { case session, name, role, kind, token, rejoin }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        session = try c.decode(String.self, forKey: .session)
        name = try c.decode(String.self, forKey: .name)
        role = try c.decodeIfPresent(Role.self, forKey: .role) ?? .player
        kind = try c.decodeIfPresent(PeerKind.self, forKey: .kind) ?? .human
        token = try c.decodeIfPresent(String.self, forKey: .token)
        rejoin = try c.decodeIfPresent(ClientMessage.Rejoin.self, forKey: .rejoin)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(session, forKey: .session)
        try c.encode(name, forKey: .name)
        try c.encode(role, forKey: .role)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(token, forKey: .token)
        try c.encodeIfPresent(rejoin, forKey: .rejoin)
    }
}

extension ClientMessage.Rejoin {
    enum CodingKeys: String, CodingKey { case client, resume, revision, pending }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        client = try c.decode(String.self, forKey: .client)
        resume = try c.decode(String.self, forKey: .resume)
        revision = try c.decode(Int.self, forKey: .revision)
        pending = try c.decodeIfPresent([Int].self, forKey: .pending) ?? []
    }
}

extension ClientMessage.Op: Codable {
    enum CodingKeys: String, CodingKey { case base, seq, op }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        base = try c.decode(Int.self, forKey: .base)
        seq = try c.decode(Int.self, forKey: .seq)
        op = try c.decode(WireOperation.self, forKey: .op).operation
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(base, forKey: .base)
        try c.encode(seq, forKey: .seq)
        try c.encode(op, forKey: .op)
    }
}
