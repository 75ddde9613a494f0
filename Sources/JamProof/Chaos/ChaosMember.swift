import JamClient
import JamCore
import JamProtocol
import JamServer

/// One member of a chaos session: the real client state machine (`OTClient`), where its edits come
/// from, its connection as the client sees it, and what it learned was committed.
struct ChaosMember {
    let name: String
    let role: Role
    var player: ChaosPlayer
    /// The member's own generator (its agent's choices), so that members do not disturb each other's draws.
    var random: SeededGenerator
    /// The tick it first connects at.
    let startsAt: Int
    /// Its replica, from its first WELCOME on.
    var machine: OTClient?
    /// Its client id and resume secret, from its first WELCOME on.
    var client: String?
    var resume: String?
    /// The connection it uses (it may be dead without the member knowing yet).
    var wire: ConnectionID?
    /// True once that connection's WELCOME arrived.
    var welcomed = false
    /// When it connects next, while it has no connection.
    var reconnectAt: Int?
    /// The seqs it learned were committed (an `ACK`, or a rejoin's `committed`).
    var acknowledged: Set<Int> = []
    /// The local edits each seq carried when it was last sent: two committed seqs of one member must
    /// never share an edit (that edit would have been applied twice).
    var carried: [Int: Range<Int>] = [:]
    /// The last OP it sent.
    var lastSent: ClientMessage.Op?

    init(name: String, role: Role, player: ChaosPlayer, seed: UInt64, startsAt: Int) {
        self.name = name
        self.role = role
        self.player = player
        self.random = SeededGenerator(seed: seed)
        self.startsAt = startsAt
        self.reconnectAt = startsAt
    }

    /// The JOIN it sends on a new connection: a rejoin once it has a replica.
    func join() -> ClientMessage.Join {
        let rejoin = machine.flatMap { machine in client.map { machine.rejoinRequest(client: $0, resume: resume ?? "") } }
        return ClientMessage.Join(session: ChaosServer.session, name: name, role: role, kind: player.kind, rejoin: rejoin)
    }

    /// Done: connected, welcomed, nothing pending or buffered.
    var isSettled: Bool {
        guard let machine else { return false }
        return welcomed && machine.isConnected && machine.state == .synchronized
    }
}
