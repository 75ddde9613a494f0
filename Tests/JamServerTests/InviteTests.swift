import Foundation
import JamClient
import JamCore
import JamLog
import JamProtocol
import JamServer
import NIOConcurrencyHelpers
import Testing

/// INVITE and DISMISS: the server relays them to its `Bandmates`, whose members join over TLS.
@Suite("INVITE and DISMISS")
struct InviteTests {
    /// Bandmates that join as silent AI members: enough to see the relay work end to end.
    final class QuietBand: Bandmates {
        let trust: NIOLockedValueBox<ClientTrust?> = .init(nil)
        let members = NIOLockedValueBox<[String: JamConnection]>([:])

        func invite(_ invite: ClientMessage.Invite, session: String, by requester: Peer, port: Int) async throws(ProtocolError) -> String {
            guard invite.style != "polka" else { throw ProtocolError(.invalidValue, "no polka") }
            let name = invite.role.capitalized
            let endpoint = Endpoint(port: port, trust: trust.withLockedValue { $0! })
            do {
                let member = try await JamConnection.connect(to: endpoint, join: JoinRequest(session: session, name: name, kind: .ai), reconnect: .never)
                members.withLockedValue { $0[name] = member }
            } catch {
                throw ProtocolError(.internalError, "\(error)")
            }
            return name
        }

        func dismiss(_ dismiss: ClientMessage.Dismiss, session: String, by requester: Peer) async throws(ProtocolError) {
            guard let name = dismiss.name, let member = members.withLockedValue({ $0.removeValue(forKey: name) }) else {
                throw ProtocolError(.unknownClient, "no such bandmate")
            }
            await member.leave()
        }

        func stopAll() async {
            for member in members.withLockedValue({ Array($0.values) }) { await member.leave() }
        }
    }

    @Test("an invited bandmate joins as AI, and leaves when dismissed")
    func inviteAndDismiss() async throws {
        let band = QuietBand()
        let server = try await TestServer.start(bandmates: band)
        band.trust.withLockedValue { $0 = .pinnedCertificate(path: server.identity.certificatePath) }
        let (ana, _) = try await server.join("s", name: "ana")
        try await ana.send(.invite(.init(role: "bass", style: "funk")))
        let joined = try await ana.expect("PEER join") { if case .peer(let e) = $0, e.event == .join { e.peer } else { nil } }
        #expect(joined.name == "Bass" && joined.kind == .ai)
        try await ana.send(.dismiss(.init(name: "Bass")))
        let left = try await ana.expect("PEER leave") { if case .peer(let e) = $0, e.event == .leave { e.peer } else { nil } }
        #expect(left.client == joined.client)
        try await ana.send(.dismiss(.init(name: "Bass")))
        let error = try await ana.expectError()
        #expect(error.code == .unknownClient && error.verb == "DISMISS")
        try await ana.send(.invite(.init(role: "bass", style: "polka")))
        #expect(try await ana.expectError().code == .invalidValue)
        await ana.close()
        try await server.stop()
    }

    @Test("a server without bandmates answers unavailable; a listener may not invite")
    func refusals() async throws {
        let server = try await TestServer.start()
        let (ana, _) = try await server.join("s", name: "ana")
        try await ana.send(.invite(.init(role: "drums", style: "rock")))
        let unavailable = try await ana.expectError()
        #expect(unavailable.code == .unavailable && unavailable.verb == "INVITE" && !unavailable.closesConnection)
        let (lee, _) = try await server.join("s", name: "lee", role: .listener)
        try await lee.send(.invite(.init(role: "drums", style: "rock")))
        #expect(try await lee.expectError().code == .forbidden)
        await ana.close()
        await lee.close()
        try await server.stop()
    }
}

@Suite("Log authorship")
struct AuthorKindTests {
    @Test("the log records whether each edit came from a person or an AI member")
    func logRecordsAuthorKind() async throws {
        let server = try await TestServer.start()
        let (ana, welcome) = try await server.join("kinds", name: "ana")
        let bot = try await server.connect()
        guard case .hello = try await bot.next() else { throw TestFailure("no HELLO") }
        var join = ClientMessage.Join(session: "kinds", name: "Bass")
        join.kind = .ai
        try await bot.send(.join(join))
        _ = try await bot.expect("WELCOME") { if case .welcome(let w) = $0 { w } else { nil } }
        try await ana.send(.op(.init(base: welcome.revision, seq: 1, op: [.sessionSet(value: .tempo(100), old: .tempo(120))])))
        _ = try await ana.expect("ACK") { if case .ack(let a) = $0 { a } else { nil } }
        try await bot.send(.op(.init(base: welcome.revision + 1, seq: 1, op: [.sessionSet(value: .tempo(90), old: .tempo(100))])))
        _ = try await bot.expect("ACK") { if case .ack(let a) = $0 { a } else { nil } }
        await ana.close()
        await bot.close()
        try await server.stop()
        var records = try LogReader(directory: server.directory, session: "kinds").records()
        var kinds: [AuthorKind?] = []
        while let located = try records.next() {
            if case .operation(let entry) = located.record { kinds.append(entry.kind) }
        }
        #expect(kinds == [.human, .ai])
    }
}
