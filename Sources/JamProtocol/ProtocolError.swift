import JamCore

/// Why a line was refused or a connection is ending: what an `ERR` line carries.
///
/// `code` is stable and snake_case on the wire (PROTOCOL.md §5); `message` is for people. The OT core's
/// ``JamError`` codes pass through unchanged, with the offending component's index.
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code, spelled in snake_case on the wire. Codes this version does not know (from a
    /// newer server, or the core's) are kept as they are.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The code of an error of the OT core.
        public init(_ code: JamError.Code) { self.rawValue = code.rawValue }
        public var description: String { rawValue }

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }

        /// A line, or the part of one buffered so far, is longer than the limit.
        public static let lineTooLong = Code(rawValue: "line_too_long")
        /// The line is not valid UTF-8.
        public static let invalidUTF8 = Code(rawValue: "invalid_utf8")
        /// The first word is not a verb of this direction (unknown, reserved, or missing).
        public static let unknownVerb = Code(rawValue: "unknown_verb")
        /// The payload is not a JSON object, or not JSON at all.
        public static let malformedJSON = Code(rawValue: "malformed_json")
        /// The payload nests arrays and objects deeper than the limit.
        public static let tooDeep = Code(rawValue: "too_deep")
        /// A required field is absent.
        public static let missingField = Code(rawValue: "missing_field")
        /// A field has the wrong JSON type.
        public static let wrongType = Code(rawValue: "wrong_type")
        /// A field has the right type but a value out of its range or form.
        public static let invalidValue = Code(rawValue: "invalid_value")
        /// A session name does not match `[a-z0-9][a-z0-9_-]{0,63}`.
        public static let badSessionName = Code(rawValue: "bad_session_name")
        /// The server wants a token and the JOIN has none or a wrong one.
        public static let authFailed = Code(rawValue: "auth_failed")
        /// Another connected member of the session has that display name.
        public static let nameTaken = Code(rawValue: "name_taken")
        /// The session has as many members as it may.
        public static let sessionFull = Code(rawValue: "session_full")
        /// The server has as many connections as it may.
        public static let serverFull = Code(rawValue: "server_full")
        /// A verb that needs a joined session came before WELCOME.
        public static let notJoined = Code(rawValue: "not_joined")
        /// A second JOIN on one connection.
        public static let alreadyJoined = Code(rawValue: "already_joined")
        /// A rejoin names a client the session does not know, or the wrong resume secret.
        public static let unknownClient = Code(rawValue: "unknown_client")
        /// A listener sent OP or CURSOR.
        public static let forbidden = Code(rawValue: "forbidden")
        /// A revision above the session's.
        public static let futureRevision = Code(rawValue: "future_revision")
        /// An OP's base is further behind than the server transforms from.
        public static let revisionTooOld = Code(rawValue: "revision_too_old")
        /// An OP's seq is below the client's last committed seq.
        public static let badSequence = Code(rawValue: "bad_sequence")
        /// The operation would make the document larger than the limits.
        public static let documentTooLarge = Code(rawValue: "document_too_large")
        /// Too many lines, OPs or CHATs; the line was dropped.
        public static let rateLimited = Code(rawValue: "rate_limited")
        /// No line (or no JOIN) in time.
        public static let idleTimeout = Code(rawValue: "idle_timeout")
        /// Too many bytes wait to be sent to the client.
        public static let slowConsumer = Code(rawValue: "slow_consumer")
        /// The server failed; nothing was committed.
        public static let internalError = Code(rawValue: "internal_error")
        /// The server cannot do this: it runs no AI bandmates, or none of that kind or style.
        public static let unavailable = Code(rawValue: "unavailable")

        /// Every code of PROTOCOL.md §5 (the core's codes aside), in the order of its table.
        public static let all: [Code] = [
            .lineTooLong, .invalidUTF8, .unknownVerb, .malformedJSON, .tooDeep, .missingField, .wrongType,
            .invalidValue, .badSessionName, .authFailed, .nameTaken, .sessionFull, .serverFull, .notJoined,
            .alreadyJoined, .unknownClient, .forbidden, .futureRevision, .revisionTooOld, .badSequence,
            .documentTooLarge, .rateLimited, .idleTimeout, .slowConsumer, .internalError, .unavailable,
        ]

        /// The codes after which the server closes the connection.
        public static let closing: Set<Code> = [
            .lineTooLong, .authFailed, .serverFull, .idleTimeout, .slowConsumer, .internalError,
        ]

        /// Whether the server closes the connection after an ERR with this code.
        public var closesConnection: Bool { Code.closing.contains(self) }
    }

    public var code: Code
    public var message: String
    /// The verb of the line this answers (for `unknown_verb`, the unknown word), if any.
    public var verb: String?
    /// The `seq` of the OP this answers, if any.
    public var seq: Int?
    /// The index of the offending component of an operation, for the core's codes.
    public var component: Int?
    /// Whether the connection is closed after this error (`close` on the wire).
    public var closesConnection: Bool

    /// An error; `closesConnection` defaults to what PROTOCOL.md §5 says for `code`.
    public init(
        _ code: Code, _ message: String, verb: String? = nil, seq: Int? = nil, component: Int? = nil,
        closesConnection: Bool? = nil
    ) {
        self.code = code
        self.message = message
        self.verb = verb
        self.seq = seq
        self.component = component
        self.closesConnection = closesConnection ?? code.closesConnection
    }

    /// An error of the OT core, answering an OP: its code, message and component pass through.
    public init(_ error: JamError, verb: String? = Verb.op.rawValue, seq: Int? = nil) {
        self.init(Code(error.code), error.message, verb: verb, seq: seq, component: error.component)
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let verb { text += " [\(verb)" + (seq.map { " seq \($0)" } ?? "") + "]" }
        if let component { text += " (component \(component))" }
        return text
    }
}

extension ProtocolError: Codable {
    enum CodingKeys: String, CodingKey {
        case code, message, verb, seq, component, close
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(Code.self, forKey: .code)
        message = try c.decode(String.self, forKey: .message)
        verb = try c.decodeIfPresent(String.self, forKey: .verb)
        seq = try c.decodeIfPresent(Int.self, forKey: .seq)
        component = try c.decodeIfPresent(Int.self, forKey: .component)
        closesConnection = try c.decodeIfPresent(Bool.self, forKey: .close) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encodeIfPresent(verb, forKey: .verb)
        try c.encodeIfPresent(seq, forKey: .seq)
        try c.encodeIfPresent(component, forKey: .component)
        if closesConnection { try c.encode(true, forKey: .close) }
    }
}
