import Foundation
import JamClient
import JamCore
import JamLog
import JamProtocol
import JamServer

/// One seeded chaos session: members (people editing, undoing and redoing at random, a listener, AI
/// bandmates) connected to one server over simulated links that delay messages, break, and lose what
/// was in flight; a server that crashes (tearing a log write under way) or restarts cleanly and
/// reloads from its log. After ``ChaosConfig/ticks`` the faults stop, everyone reconnects and
/// everything drains; then the checks of ``ChaosSession/check()`` run.
///
/// Deterministic: everything random comes from generators seeded by `seed`, and nothing depends on the
/// order of a dictionary, so a seed replays exactly (`jam-chaos --seed S --sessions 1 --verbose`).
public struct ChaosSession {
    /// One connection: its two links and what each side knows of it.
    struct Wire {
        let id: ConnectionID
        let member: Int
        var up = Link<Packet<ClientMessage>>()
        var down = Link<Packet<ServerMessage>>()
        /// The server reads it (and writes to it) until it closes it or notices it broke.
        var serverOpen = true
        /// The member reads it until it notices it closed.
        var clientOpen = true
        var serverNoticesAt: Int?
        var clientNoticesAt: Int?

        var isGone: Bool { !serverOpen && !clientOpen && up.isEmpty && down.isEmpty }
        /// Nothing in flight, and healthy or closed on both sides.
        var isQuiet: Bool {
            up.isEmpty && down.isEmpty && serverOpen == clientOpen && serverNoticesAt == nil && clientNoticesAt == nil
        }
    }

    public let seed: UInt64
    public let config: ChaosConfig
    /// The label of the agent playing the AI bandmates.
    public let agent: String
    /// What went wrong, each line naming the seed.
    public private(set) var problems: [String] = []
    public internal(set) var stats = ChaosStats()
    /// Where the session's log lives (removed by ``run()`` unless `keepDirectory`).
    public let directory: String
    /// Called with a line for every event, when set (`--verbose`).
    public var trace: ((String) -> Void)?

    var random: SeededGenerator
    var server: ChaosServer
    /// When the server comes back, while it is down.
    private var downUntil: Int?
    var members: [ChaosMember]
    private var wires: [Wire] = []
    private var nextConnection: UInt64 = 1
    var now = 0
    private var draining = false
    private var initialDocument: Document
    /// Server lines decoded lately, by their bytes.
    private var recentlyDecoded: [[UInt8]: ServerMessage] = [:]
    /// How many times each (author, seq) is in the log, filled by the checks.
    var logged: [Committed: Int] = [:]

    /// Sets up the session: draws its members and its server's settings from `seed`, and creates its
    /// log in a new directory under `parent`.
    public init(seed: UInt64, config: ChaosConfig = .ci, agent: ChaosAgent? = nil, parent: String = ChaosSession.scratch) throws {
        let agent = agent ?? .mixed(seed: seed)
        self.seed = seed
        self.config = config
        self.agent = agent.label
        random = SeededGenerator(seed: seed)
        directory = (parent as NSString).appendingPathComponent("jam-chaos-\(seed)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        var edits = RandomEdits(seed: seed &+ 0x5EED, site: "s0")
        initialDocument = edits.document(tracks: 2, notesPerTrack: 0...6)
        let span = Double(config.members.upperBound - config.members.lowerBound + 1)
        let draw = Double.random(in: 0..<1, using: &random)
        let count = min(config.members.upperBound, config.members.lowerBound + Int(span * pow(draw, config.membersSkew)))
        members = []
        for n in 0..<count {
            let role: Role = n < config.listeners ? .listener : .player
            let isAgent = !(n < config.listeners) && n < config.listeners + config.bandmates
            let name = isAgent ? "\(agent.name)\(n)" : "p\(n)"
            let player: ChaosPlayer = isAgent ? .agent(ChaosAgent(label: agent.label, name: name, make: agent.make)) : .person(RandomEdits(seed: seed &* 31 &+ UInt64(n), site: name))
            let late = Int.random(in: 0..<100, using: &random) < config.lateJoinPercent
            let startsAt = late ? Int.random(in: 1...max(1, config.ticks / 2), using: &random) : 0
            members.append(ChaosMember(name: name, role: role, player: player, seed: seed &* 131 &+ UInt64(n), startsAt: startsAt))
        }
        var limits = JamProtocol.Limits()
        limits.peersPerSession = max(limits.peersPerSession, count + 1)
        limits.catchUpOps = Int.random(in: config.catchUpOps, using: &random)
        limits.transformWindow = Int.random(in: config.transformWindow, using: &random)
        let options = SessionLog.Options(
            snapshotInterval: Int.random(in: config.snapshotInterval, using: &random),
            snapshotBytesRatio: Bool.random(using: &random) ? 0 : 0.25, sync: config.sync)
        do {
            server = try ChaosServer(
                directory: directory, initialDocument: initialDocument, options: options, limits: limits, writeLatency: config.writeLatency)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        stats[.sessions] = 1
        stats[.members] = count
    }

    /// Runs the session and its checks, then removes its directory (unless `keepDirectory`). True when
    /// no problem was found.
    @discardableResult
    public mutating func run(keepDirectory: Bool = false) -> Bool {
        note("session: \(members.count) members (\(members.map(\.name).joined(separator: " "))), catchUpOps \(server.limits.catchUpOps), transformWindow \(server.limits.transformWindow), snapshotInterval \(server.options.snapshotInterval)")
        while now < config.ticks {
            faults()
            step()
            now += 1
        }
        draining = true
        note("faults stop; draining")
        let limit = now + 20_000
        while !isSettled {
            guard now < limit else {
                problem("did not settle within 20000 ticks: \(unsettled())")
                break
            }
            step()
            now += 1
        }
        check()
        if !keepDirectory { try? FileManager.default.removeItem(atPath: directory) }
        return problems.isEmpty
    }

    /// Where sessions keep their logs by default: a memory file system when there is one (the log still
    /// syncs after every batch, as the server's does, but a sync costs nothing there), else the
    /// temporary directory. A process crash loses no synced data on either, which is what is simulated.
    public static var scratch: String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory), isDirectory.boolValue,
            FileManager.default.isWritableFile(atPath: "/dev/shm")
        {
            return "/dev/shm"
        }
        return NSTemporaryDirectory()
    }

    /// The command that replays this session alone.
    public var replayCommand: String {
        "swift run jam-chaos --seed \(seed) --sessions 1 --agent \(agent) --verbose" + (config == .long ? " --long" : "")
    }

    // MARK: One tick

    private mutating func step() {
        if let until = downUntil, until <= now { restart() }
        if downUntil == nil { server.tick(now: now, random: &random) }
        flushServer()
        connect()
        act()
        deliver()
        notice()
        wires.removeAll(where: \.isGone)
    }

    /// The faults of this tick: broken connections, a crash or a clean restart.
    private mutating func faults() {
        for index in wires.indices where wires[index].serverOpen || wires[index].clientOpen {
            if Int.random(in: 0..<1000, using: &random) < config.breakPerMille { breakWire(index) }
        }
        guard downUntil == nil else { return }
        let roll = Int.random(in: 0..<1000, using: &random)
        if roll < config.crashPerMille {
            crash()
        } else if roll < config.crashPerMille + config.cleanRestartPerMille {
            cleanRestart()
        }
    }

    /// Members whose time has come connect (or find the server down and try again later).
    private mutating func connect() {
        for index in members.indices {
            guard members[index].wire == nil, let at = members[index].reconnectAt, at <= now else { continue }
            guard downUntil == nil else {
                members[index].reconnectAt = now + Int.random(in: config.reconnectDelay, using: &random)
                continue
            }
            let id = ConnectionID(value: nextConnection)
            nextConnection += 1
            wires.append(Wire(id: id, member: index))
            members[index].wire = id
            members[index].welcomed = false
            members[index].reconnectAt = nil
            let join = members[index].join()
            note("\(members[index].name) connects as \(id)\(join.rejoin.map { " (rejoin at \($0.revision), pending \($0.pending))" } ?? "")")
            sendUp(.join(join), from: index)
        }
    }

    /// Players edit, undo and redo; a listener now and then tries to edit (and is refused).
    private mutating func act() {
        guard !draining else { return }
        for index in members.indices where members[index].machine != nil {
            let chance = members[index].role == .player ? config.actPerMille : config.actPerMille / 8
            guard Int.random(in: 0..<1000, using: &random) < chance else { continue }
            let roll = Int.random(in: 0..<100, using: &random)
            var machine = members[index].machine!
            let actions: [OTClient.Action]
            if roll < config.undoPercent {
                actions = machine.undo()
                if !actions.isEmpty { stats[.undos] += 1 }
                note("\(members[index].name) undoes: \(describe(actions))")
            } else if roll < config.undoPercent + config.redoPercent {
                actions = machine.redo()
                if !actions.isEmpty { stats[.redos] += 1 }
                note("\(members[index].name) redoes: \(describe(actions))")
            } else {
                var member = members[index]
                let op = member.player.edit(on: machine.document, random: &member.random)
                members[index] = member
                guard let op, !op.isEmpty else { continue }
                do {
                    actions = try machine.local(op)
                } catch {
                    problem("\(members[index].name): its own valid edit does not apply locally: \(error)")
                    continue
                }
                stats[members[index].player.kind == .ai ? .agentEdits : .edits] += 1
                note("\(members[index].name) edits \(op.components.count) components: \(describe(actions))")
            }
            members[index].machine = machine
            // A local action leaves the member's view of the server as it was: the next server event checks it.
            perform(actions, member: index, check: false)
        }
    }

    /// Delivers every message that has arrived by now, the links taken in a random interleaving.
    private mutating func deliver() {
        while true {
            var ready: [(wire: Int, up: Bool)] = []
            for index in wires.indices {
                if wires[index].serverOpen, let at = wires[index].up.nextArrival, at <= now { ready.append((index, true)) }
                if wires[index].clientOpen, let at = wires[index].down.nextArrival, at <= now { ready.append((index, false)) }
            }
            guard let pick = ready.randomElement(using: &random) else { return }
            stats[.messages] += 1
            if pick.up {
                let packet = wires[pick.wire].up.receive(now: now)!
                let id = wires[pick.wire].id
                switch Result(catching: { () throws(ProtocolError) in try packet.open() }) {
                case .success(let message):
                    note("server ← \(id): \(summary(message))")
                    server.receive(message, on: id, now: now, random: &random)
                case .failure(let error):
                    problem("the server cannot decode a line a member sent: \(error)")
                }
                flushServer()
            } else {
                let packet = wires[pick.wire].down.receive(now: now)!
                let member = wires[pick.wire].member
                switch Result(catching: { () throws(ProtocolError) in try decoded(packet) }) {
                case .success(let message): receive(message, member: member, wire: wires[pick.wire].id)
                case .failure(let error): problem("\(members[member].name) cannot decode a line the server sent: \(error)")
                }
            }
        }
    }

    /// A server line, decoded as a client does; a broadcast's copies are decoded once (they are the same
    /// bytes), which keeps large sessions affordable.
    private mutating func decoded(_ packet: Packet<ServerMessage>) throws(ProtocolError) -> ServerMessage {
        guard case .line(let bytes) = packet else { return try packet.open() }
        if let message = recentlyDecoded[bytes] { return message }
        let message = try packet.open()
        if recentlyDecoded.count >= 64 { recentlyDecoded.removeAll(keepingCapacity: true) }
        recentlyDecoded[bytes] = message
        return message
    }

    /// Each side learns, when its time comes, that a connection is gone.
    private mutating func notice() {
        for index in wires.indices {
            if wires[index].serverOpen, let at = wires[index].serverNoticesAt, at <= now, wires[index].up.isEmpty {
                wires[index].serverOpen = false
                if downUntil == nil { server.disconnected(wires[index].id) }
                note("server notices \(wires[index].id) closed")
                flushServer()
            }
            if wires[index].clientOpen, let at = wires[index].clientNoticesAt, at <= now, wires[index].down.isEmpty {
                clientLoses(index)
            }
        }
    }

    // MARK: Faults

    /// The network breaks a connection: part of what is in flight each way still arrives, then each
    /// side notices, at its own time.
    private mutating func breakWire(_ index: Int) {
        stats[.breaks] += 1
        let delay = 2 * config.maxDelay
        let upKept = Int.random(in: 0...wires[index].up.count, using: &random)
        let downKept = Int.random(in: 0...wires[index].down.count, using: &random)
        let lastUp = wires[index].up.cut(keeping: upKept, now: now)
        let lastDown = wires[index].down.cut(keeping: downKept, now: now)
        if wires[index].serverOpen, wires[index].serverNoticesAt == nil {
            wires[index].serverNoticesAt = lastUp + Int.random(in: 0...delay, using: &random)
        }
        if wires[index].clientOpen, wires[index].clientNoticesAt == nil {
            wires[index].clientNoticesAt = lastDown + Int.random(in: 0...delay, using: &random)
        }
        note("\(wires[index].id) of \(members[wires[index].member].name) breaks (\(upKept) up and \(downKept) down still arrive)")
    }

    /// The member notices its connection is gone: its machine goes offline, and it reconnects later.
    private mutating func clientLoses(_ index: Int) {
        wires[index].clientOpen = false
        _ = wires[index].down.cut(keeping: 0, now: now)
        let member = wires[index].member
        guard members[member].wire == wires[index].id else { return }
        members[member].machine?.disconnected()
        members[member].wire = nil
        members[member].welcomed = false
        members[member].reconnectAt = now + Int.random(in: config.reconnectDelay, using: &random)
        note("\(members[member].name) notices \(wires[index].id) closed")
        if wires[index].serverOpen, wires[index].serverNoticesAt == nil {
            // The member closes its end: the server sees the close after what is still in flight.
            let last = wires[index].up.cut(keeping: wires[index].up.count, now: now)
            wires[index].serverNoticesAt = last + Int.random(in: 0...config.maxDelay, using: &random)
        }
    }

    /// The server process dies: connections drop (the members notice later), a log write under way is
    /// kept, lost or torn; the server comes back after its downtime.
    private mutating func crash() {
        stats[.crashes] += 1
        let tear = server.crash(random: &random)
        note("server crashes at revision \(server.state.revision), durable \(server.durableRevision)\(tear.map { ", write under way: \($0)" } ?? "")")
        server.outbox.removeAll()
        server.closing.removeAll()
        closeAllWires(losingInFlight: true)
        downUntil = now + Int.random(in: config.downtime, using: &random)
    }

    /// The server process is gone: it reads nothing more, and each member notices after what was still
    /// in flight to it (all of it after a clean exit, a random part of it after a crash).
    private mutating func closeAllWires(losingInFlight: Bool) {
        for index in wires.indices where wires[index].serverOpen {
            wires[index].serverOpen = false
            _ = wires[index].up.cut(keeping: 0, now: now)
            let count = wires[index].down.count
            let kept = losingInFlight ? Int.random(in: 0...count, using: &random) : count
            let last = wires[index].down.cut(keeping: kept, now: now)
            if wires[index].clientNoticesAt == nil {
                wires[index].clientNoticesAt = last + Int.random(in: 0...2 * config.maxDelay, using: &random)
            }
        }
    }

    /// The server shuts down cleanly (log flushed, BYE to everyone, closing snapshot) and comes back.
    private mutating func cleanRestart() {
        stats[.cleanRestarts] += 1
        note("server shuts down cleanly at revision \(server.state.revision)")
        server.shutdown(now: now, random: &random)
        flushServer()
        closeAllWires(losingInFlight: false)
        downUntil = now + Int.random(in: config.downtime, using: &random)
    }

    /// The server starts again and loads the session from its log.
    private mutating func restart() {
        downUntil = nil
        absorbServer()
        do {
            server = try ChaosServer.restart(after: server)
        } catch {
            problem("the server cannot reopen its log: \(error)")
            downUntil = now + 1
            return
        }
        absorbServer()
        note("server restarts at revision \(server.state.revision)")
    }

    // MARK: Server side

    /// Carries the server's outgoing messages to their links, and closes what it closed.
    private mutating func flushServer() {
        absorbServer()
        let outbox = server.outbox
        let closing = server.closing
        server.outbox.removeAll()
        server.closing.removeAll()
        // A broadcast is encoded once, as the real session does.
        var last: (message: ServerMessage, packet: Packet<ServerMessage>)?
        for (id, message) in outbox {
            guard let index = wires.firstIndex(where: { $0.id == id }), wires[index].serverOpen else { continue }
            note("server → \(id): \(summary(message))")
            let packet = last.flatMap { $0.message == message ? $0.packet : nil } ?? Packet(message, wire: config.wire)
            last = (message, packet)
            wires[index].down.send(packet, now: now, delay: Int.random(in: 0...config.maxDelay, using: &random))
        }
        for id in closing {
            guard let index = wires.firstIndex(where: { $0.id == id }), wires[index].serverOpen else { continue }
            wires[index].serverOpen = false
            _ = wires[index].up.cut(keeping: 0, now: now)
            let last = wires[index].down.cut(keeping: wires[index].down.count, now: now)
            if wires[index].clientNoticesAt == nil {
                wires[index].clientNoticesAt = last + Int.random(in: 0...config.maxDelay, using: &random)
            }
        }
    }

    /// Moves the server's problems and counts into the session's.
    private mutating func absorbServer() {
        let found = server.problems
        server.problems.removeAll()
        for line in found { problem("server: \(line)") }
        stats.add(server.stats)
        server.stats = ChaosStats()
    }

    // MARK: Member side

    private mutating func sendUp(_ message: ClientMessage, from member: Int) {
        guard let id = members[member].wire, let index = wires.firstIndex(where: { $0.id == id }), wires[index].clientOpen else { return }
        wires[index].up.send(Packet(message, wire: config.wire), now: now, delay: Int.random(in: 0...config.maxDelay, using: &random))
    }

    /// A member reads a message from its connection and feeds its state machine.
    private mutating func receive(_ message: ServerMessage, member index: Int, wire: ConnectionID) {
        let name = members[index].name
        note("\(name) ← \(summary(message))")
        guard members[index].wire == wire else { return }
        let pending = members[index].machine?.pending
        var actions: [OTClient.Action] = []
        switch message {
        case .welcome(let welcome):
            if var machine = members[index].machine {
                actions = machine.rejoined(welcome)
                members[index].machine = machine
                if let pending, welcome.committed.contains(where: { $0.seq == pending.seq }) {
                    acknowledge(pending.seq, member: index)
                    if let last = members[index].lastSent, last.seq == pending.seq,
                        Int.random(in: 0..<100, using: &random) < config.resendPercent
                    {
                        note("\(name) resends seq \(last.seq), committed as the WELCOME says")
                        stats[.resends] += 1
                        sendUp(.op(last), from: index)
                    }
                }
            } else if let machine = OTClient(welcome: welcome) {
                members[index].machine = machine
            } else {
                problem("\(name): the WELCOME of a fresh join carries no document")
                return
            }
            if let client = members[index].client, client != welcome.client {
                problem("\(name): rejoined as \(client) but was welcomed as \(welcome.client)")
            }
            members[index].client = welcome.client
            members[index].resume = welcome.resume
            members[index].welcomed = true
            if case .snapshot(let document) = welcome.content, document.contentHash != welcome.hash {
                problem("\(name): the WELCOME's hash is not its document's")
            }
        case .ack(let ack):
            guard var machine = members[index].machine else { return }
            actions = machine.ack(seq: ack.seq, revision: ack.revision)
            members[index].machine = machine
            if let pending, pending.seq == ack.seq, machine.pending?.seq != ack.seq {
                acknowledge(ack.seq, member: index)
            }
        case .op(let committed):
            guard var machine = members[index].machine else { return }
            actions = machine.serverOperation(committed)
            members[index].machine = machine
        case .err(let error):
            guard members[index].welcomed, var machine = members[index].machine else {
                // A refused JOIN: close and try again later. Only a fresh join may meet its own stale
                // connection's name; a rejoin is never refused.
                note("\(name)'s JOIN is refused: \(error.code)")
                if members[index].machine != nil { problem("\(name): its rejoin is refused: \(error)") }
                if let at = wires.firstIndex(where: { $0.id == wire }) { clientLoses(at) }
                return
            }
            if members[index].role == .player, error.code != .revisionTooOld {
                problem("\(name): the server refused seq \(error.seq.map(String.init) ?? "-"): \(error)")
            }
            actions = machine.refused(error)
            members[index].machine = machine
        default:
            return
        }
        perform(actions, member: index)
    }

    private mutating func acknowledge(_ seq: Int, member index: Int) {
        stats[.acknowledged] += 1
        if !members[index].acknowledged.insert(seq).inserted {
            problem("\(members[index].name): seq \(seq) acknowledged twice")
        }
    }

    /// Carries out a machine's actions, then (after a server event) checks the member's view of the server.
    private mutating func perform(_ actions: [OTClient.Action], member index: Int, check: Bool = true) {
        for action in actions {
            switch action {
            case .send(let op):
                if !members[index].welcomed { problem("\(members[index].name) sent seq \(op.seq) before its WELCOME") }
                if let pending = members[index].machine?.pending, pending.seq == op.seq {
                    members[index].carried[op.seq] = pending.edits
                }
                members[index].lastSent = op
                sendUp(.op(op), from: index)
            case .resync(let reason):
                problem("\(members[index].name) must resync: \(reason)")
            case .changed, .replaced:
                break
            }
        }
        if check, config.checkEveryEvent { checkView(of: index) }
    }

    /// The member's idea of the server's document is that of a durable revision: the server never
    /// shows anyone what a crash could take back.
    private mutating func checkView(of index: Int) {
        guard let machine = members[index].machine else { return }
        let revision = machine.revision
        guard revision <= server.durableRevision else {
            problem("\(members[index].name) has seen revision \(revision), but only \(server.durableRevision) is durable")
            return
        }
        guard let document = machine.serverDocument else {
            problem("\(members[index].name): its pending and buffered operations do not invert on its replica")
            return
        }
        if revision < server.documents.count, document != server.documents[revision] {
            problem("\(members[index].name): its replica without what is pending is not the server's document at revision \(revision)")
        }
    }

    // MARK: Settling

    private var isSettled: Bool {
        downUntil == nil && server.isIdle && wires.allSatisfy(\.isQuiet) && members.allSatisfy(\.isSettled)
    }

    private func unsettled() -> String {
        var parts: [String] = []
        if downUntil != nil { parts.append("server down") }
        if !server.isIdle { parts.append("server busy") }
        for member in members where !member.isSettled {
            parts.append("\(member.name): \(member.machine.map { "\($0.state), connected \($0.isConnected)" } ?? "no replica"), welcomed \(member.welcomed)")
        }
        return parts.joined(separator: "; ")
    }

    // MARK: Reporting

    mutating func problem(_ text: String) {
        problems.append("seed \(seed) tick \(now): \(text)")
        note("PROBLEM: \(text)")
    }

    private func note(_ text: @autoclosure () -> String) {
        trace?("[\(now)] \(text())")
    }

    private func describe(_ actions: [OTClient.Action]) -> String {
        actions.isEmpty ? "nothing to send" : actions.map { action in
            switch action {
            case .send(let op): "send seq \(op.seq) base \(op.base)"
            case .changed: "changed"
            case .replaced: "replaced"
            case .resync(let reason): "resync (\(reason))"
            }
        }.joined(separator: ", ")
    }

    private func summary(_ message: ClientMessage) -> String {
        switch message {
        case .join(let join): "JOIN \(join.name)\(join.rejoin.map { " rejoin \($0.client) at \($0.revision) pending \($0.pending)" } ?? "")"
        case .op(let op): "OP seq \(op.seq) base \(op.base) (\(op.op.components.count) components)"
        default: "\(message.verb)"
        }
    }

    private func summary(_ message: ServerMessage) -> String {
        switch message {
        case .welcome(let w):
            switch w.content {
            case .snapshot: "WELCOME \(w.client) snapshot at \(w.revision), committed \(w.committed.map(\.seq))"
            case .missed(let ops): "WELCOME \(w.client) \(ops.count) missed to \(w.revision), committed \(w.committed.map(\.seq))"
            }
        case .ack(let ack): "ACK seq \(ack.seq) revision \(ack.revision)"
        case .op(let op): "OP revision \(op.revision) by \(op.author)"
        case .err(let error): "ERR \(error.code) seq \(error.seq.map(String.init) ?? "-")"
        default: "\(message.verb)"
        }
    }
}
