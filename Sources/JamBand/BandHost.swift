import JamClient
import JamCore
import JamProtocol

/// Runs the bandmates a server is asked for (INVITE / DISMISS): each joins its session over TLS
/// through ``JamConnection``, like any member, and plays with a ``BandAgent``.
///
/// Its methods match JamServer's `Bandmates` requirements, so `jam serve` plugs it in.
public actor BandHost {
    /// A session may have this many bandmates.
    public static let perSession = 4

    private struct Member {
        var name: String
        var client: String
        var connection: JamConnection
        var task: Task<Void, Never>
    }

    private let trust: ClientTrust
    private let host: String
    private var sessions: [String: [Member]] = [:]
    /// One ear a session: its bandmates read each state of it once between them.
    private var ears: [String: BandEar] = [:]
    private var random = SystemRandomNumberGenerator()

    /// Bandmates that reach the server at `host` and trust it as `trust` (its own certificate).
    public init(trust: ClientTrust, host: String = "127.0.0.1") {
        self.trust = trust
        self.host = host
    }

    /// Starts a bandmate in `session`; returns its display name once it has joined.
    public func invite(_ invite: ClientMessage.Invite, session: String, by requester: Peer, port: Int) async throws(ProtocolError) -> String {
        guard let role = BandRole(rawValue: invite.role) else {
            throw ProtocolError(.invalidValue, "no bandmate plays \(invite.role)")
        }
        guard let style = Style(name: invite.style) else {
            let styles = Style.allCases.map(\.rawValue).joined(separator: ", ")
            throw ProtocolError(.invalidValue, "no bandmate knows the style \(invite.style); try \(styles)")
        }
        guard sessions[session, default: []].count < Self.perSession else {
            throw ProtocolError(.sessionFull, "\(session) has \(Self.perSession) bandmates already")
        }
        let endpoint = Endpoint(host: host, port: port, trust: trust)
        let base = role.rawValue.prefix(1).uppercased() + role.rawValue.dropFirst()
        var lastError = ProtocolError(.internalError, "the bandmate could not join")
        for attempt in 1...Self.perSession + 1 {
            let name = attempt == 1 ? base : "\(base) \(attempt)"
            let connection: JamConnection
            do {
                connection = try await JamConnection.connect(to: endpoint, join: JoinRequest(session: session, name: name, kind: .ai))
            } catch {
                lastError = ProtocolError(error.code == "name_taken" ? .nameTaken : .internalError, "the bandmate could not join: \(error.message)")
                if error.code == "name_taken" { continue }
                throw lastError
            }
            let bandmate = Bandmate(
                role: role, style: style, density: invite.density ?? 0.6, complexity: invite.complexity ?? 0.4,
                seed: invite.seed.map(UInt64.init) ?? random.next(), track: "")
            let ear = ears[session] ?? BandEar()
            ears[session] = ear
            let agent = await BandAgent(connection: connection, bandmate: bandmate, ear: ear)
            let member = Member(name: name, client: await connection.client ?? "", connection: connection, task: Task { await agent.run() })
            sessions[session, default: []].append(member)
            return name
        }
        throw lastError
    }

    /// Stops the bandmate named (by display name or client id) in `session`; it leaves like any member.
    public func dismiss(_ dismiss: ClientMessage.Dismiss, session: String, by requester: Peer) async throws(ProtocolError) {
        guard let index = sessions[session]?.firstIndex(where: { $0.name == dismiss.name || $0.client == dismiss.client }) else {
            throw ProtocolError(.unknownClient, "no bandmate \(dismiss.name ?? dismiss.client ?? "") in \(session)")
        }
        let member = sessions[session]!.remove(at: index)
        if sessions[session]!.isEmpty {
            sessions[session] = nil
            ears[session] = nil
        }
        await member.connection.leave()
        await member.task.value
    }

    /// Stops every bandmate.
    public func stopAll() async {
        let members = sessions.values.flatMap { $0 }
        sessions = [:]
        ears = [:]
        for member in members {
            await member.connection.leave()
            await member.task.value
        }
    }

    /// The bandmates playing in `session`, by display name.
    public func members(of session: String) -> [String] {
        sessions[session, default: []].map(\.name)
    }
}
