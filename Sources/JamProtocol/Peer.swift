import JamCore

/// What a member may do: a player edits, a listener only receives (and chats).
public enum Role: String, Codable, Hashable, Sendable, CaseIterable {
    case player
    case listener
}

/// Who is behind a connection.
public enum PeerKind: String, Codable, Hashable, Sendable, CaseIterable {
    case human
    case ai
}

/// One member of a session, as the roster and PEER show it.
public struct Peer: Codable, Hashable, Sendable {
    /// The client id the server gave it (`c3`); also the prefix of the ids it makes.
    public var client: String
    /// Its display name, unique among the connected members.
    public var name: String
    public var role: Role
    public var kind: PeerKind

    public init(client: String, name: String, role: Role = .player, kind: PeerKind = .human) {
        self.client = client
        self.name = name
        self.role = role
        self.kind = kind
    }
}

/// An operation as committed to a session: server `OP` lines and `WELCOME.ops` entries.
public struct CommittedOperation: Codable, Hashable, Sendable {
    /// The revision the operation made.
    public var revision: Int
    /// The client id of its author.
    public var author: String
    /// The operation, as transformed and applied by the server.
    public var op: JamCore.Operation

    public init(revision: Int, author: String, op: JamCore.Operation) {
        self.revision = revision
        self.author = author
        self.op = op
    }

    enum CodingKeys: String, CodingKey { case revision, author, op }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        revision = try c.decode(Int.self, forKey: .revision)
        author = try c.decode(String.self, forKey: .author)
        op = try c.decode(WireOperation.self, forKey: .op).operation
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(revision, forKey: .revision)
        try c.encode(author, forKey: .author)
        try c.encode(op, forKey: .op)
    }
}

/// One of a rejoining client's pending sequences that the session had already committed.
public struct CommittedSequence: Codable, Hashable, Sendable {
    public var seq: Int
    /// The revision that operation made.
    public var revision: Int

    public init(seq: Int, revision: Int) {
        self.seq = seq
        self.revision = revision
    }
}

/// The payload of BYE, in either direction.
public struct Bye: Codable, Hashable, Sendable {
    /// Why the connection ends: from the server `"bye"`, `"shutdown"` or `"replaced"`; free text from a client.
    public var reason: String?

    public init(reason: String? = nil) {
        self.reason = reason
    }
}

/// Decodes an operation component by component, so that a component that does not decode is reported
/// with its index, as the core's `malformed` (DOCUMENT.md §2).
struct WireOperation: Decodable {
    var operation: JamCore.Operation

    init(from decoder: any Decoder) throws {
        var container: any UnkeyedDecodingContainer
        do {
            container = try decoder.unkeyedContainer()
        } catch {
            throw JamError(.malformed, "an operation is a JSON array of components")
        }
        var components: [Component] = []
        while !container.isAtEnd {
            let index = container.currentIndex
            do {
                components.append(try container.decode(Component.self))
            } catch var error as JamError {
                if error.component == nil { error.component = index }
                throw error
            } catch let error as DecodingError {
                throw JamError(.malformed, "component \(index) is not a component: \(error.summary)", component: index)
            }
        }
        operation = JamCore.Operation(components)
    }
}

/// Decodes a document, reporting JSON that is no document as the core's `malformed`.
struct WireDocument: Decodable {
    var document: Document

    init(from decoder: any Decoder) throws {
        do {
            document = try Document(from: decoder)
        } catch let error as DecodingError {
            throw JamError(.malformed, "not a document: \(error.summary)")
        }
    }
}
