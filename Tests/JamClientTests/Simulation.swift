import JamClient
import JamCore
import JamProtocol

/// The server's side of PROTOCOL.md §3–§4, without I/O: transforms late OPs over what was committed
/// since their base (the earlier committed wins), remembers each client's last committed seq for
/// exactly-once, answers rejoins with the missed operations or a snapshot.
struct SimServer {
    struct Entry {
        var revision: Int
        var author: String
        var seq: Int
        var op: JamCore.Operation
    }

    private(set) var document: Document
    private(set) var revision = 0
    /// `history[i]` made revision `i + 1`.
    private(set) var history: [Entry] = []
    /// `documents[r]`: the document at revision `r`.
    private(set) var documents: [Document]
    private(set) var last: [String: CommittedSequence] = [:]
    /// What a correct client never causes.
    private(set) var problems: [String] = []
    private(set) var duplicates = 0

    init(document: Document) {
        self.document = document
        documents = [document]
    }

    /// An OP: the answer to the author, and the committed operation to broadcast to the others.
    mutating func submit(author: String, _ message: ClientMessage.Op, refuse: Bool) -> (reply: ServerMessage, broadcast: CommittedOperation?) {
        if let last = last[author], message.seq <= last.seq {
            guard message.seq == last.seq else {
                problems.append("\(author): bad_sequence \(message.seq) after \(last.seq)")
                return (.err(ProtocolError(.badSequence, "below", verb: "OP", seq: message.seq)), nil)
            }
            duplicates += 1
            return (.ack(.init(seq: message.seq, revision: last.revision)), nil)
        }
        guard message.base <= revision else {
            problems.append("\(author): future base \(message.base) > \(revision)")
            return (.err(ProtocolError(.futureRevision, "future", verb: "OP", seq: message.seq)), nil)
        }
        if refuse {
            return (.err(ProtocolError(.rateLimited, "simulated refusal", verb: "OP", seq: message.seq)), nil)
        }
        var op = message.op
        for entry in history[message.base...] {
            op = transform(op, entry.op, aWins: false).aPrime
        }
        do {
            try document.apply(op)
        } catch {
            problems.append("\(author): seq \(message.seq) base \(message.base) does not apply at \(revision): \(error)")
            return (.err(ProtocolError(error, seq: message.seq)), nil)
        }
        revision += 1
        history.append(Entry(revision: revision, author: author, seq: message.seq, op: op))
        documents.append(document)
        last[author] = CommittedSequence(seq: message.seq, revision: revision)
        return (.ack(.init(seq: message.seq, revision: revision)), CommittedOperation(revision: revision, author: author, op: op))
    }

    /// The WELCOME of a rejoin: the missed operations, or a snapshot.
    func welcome(client: String, rejoin: ClientMessage.Rejoin, snapshot: Bool) -> ServerMessage.Welcome {
        let content: ServerMessage.Welcome.Content =
            snapshot
            ? .snapshot(document)
            : .missed(history[rejoin.revision...].map { CommittedOperation(revision: $0.revision, author: $0.author, op: $0.op) })
        let committed = last[client].map { last in
            rejoin.pending.filter { $0 == last.seq }.map { CommittedSequence(seq: $0, revision: last.revision) }
        } ?? []
        return ServerMessage.Welcome(
            client: client, session: "sim", revision: revision, hash: document.contentHash, resume: "secret", roster: [],
            content: content, committed: committed)
    }
}

/// One simulated member: its state machine, its random edits and its connection's two FIFO channels.
struct SimClient {
    let id: String
    var machine: OTClient
    var edits: RandomEdits
    /// Client → server, in order.
    var up: [ClientMessage] = []
    /// Server → client, in order.
    var down: [ServerMessage] = []
    var online = true
    /// Notes (`track/note`) and tracks this client's own edits touched: an undo may change only these.
    var touchedNotes: Set<String> = []
    var touchedTracks: Set<String> = []
    /// The value this client last gave each field it set (`session/tempo`, `track/ID/volume`,
    /// `note/TRACK/ID/pitch`; note ticks left out, since others' time operations move them).
    var written: [String: String] = [:]
}

/// ot.js-style random simulation: members edit, undo and redo at random, messages are delivered in a
/// random interleaving (FIFO per channel), connections drop and rejoin, the server refuses now and then.
struct Simulation {
    struct Config {
        var clients = 3
        var steps = 300
        /// Chance in a thousand that the server refuses a new OP.
        var refusePerMille = 40
        /// Chance in a hundred that a rejoin gets a snapshot rather than the missed operations.
        var snapshotPercent = 30
        /// Chance in a thousand, each step, that a member's connection drops.
        var dropPerMille = 25
        /// Chance in a hundred that a local action is an undo (and half that, a redo).
        var undoPercent = 12
        /// When set, the first member makes no time operations, and every one of its undos is checked
        /// not to touch a note it never edited.
        var checkAuthorUndo = false
    }

    struct Stats {
        var edits = 0, undos = 0, redos = 0, undoChecks = 0, refusals = 0, rejoins = 0, snapshots = 0
        var acksInWelcome = 0, changes = 0
        /// OPs the server transformed (their base was behind), and server OPs a member received with a buffer.
        var lateOps = 0, opsOverBuffer = 0
        /// Undo and redo steps dropped because they no longer applied.
        var discarded = 0

        static func + (a: Stats, b: Stats) -> Stats {
            Stats(
                edits: a.edits + b.edits, undos: a.undos + b.undos, redos: a.redos + b.redos,
                undoChecks: a.undoChecks + b.undoChecks, refusals: a.refusals + b.refusals, rejoins: a.rejoins + b.rejoins,
                snapshots: a.snapshots + b.snapshots, acksInWelcome: a.acksInWelcome + b.acksInWelcome,
                changes: a.changes + b.changes, lateOps: a.lateOps + b.lateOps, opsOverBuffer: a.opsOverBuffer + b.opsOverBuffer,
                discarded: a.discarded + b.discarded)
        }
    }

    let seed: UInt64
    let config: Config
    var random: SeededGenerator
    var server: SimServer
    var clients: [SimClient]
    /// Members whose current connection the server has joined (they receive broadcasts).
    var joined: Set<Int>
    var problems: [String] = []
    var stats = Stats()

    init(seed: UInt64, config: Config = Config()) {
        self.seed = seed
        self.config = config
        random = SeededGenerator(seed: seed)
        var start = RandomEdits(seed: seed &+ 0xD0C, site: "s0")
        let document = start.document(tracks: 2, notesPerTrack: 0...6)
        server = SimServer(document: document)
        clients = (1...config.clients).map { n in
            SimClient(
                id: "c\(n)", machine: OTClient(document: document, revision: 0),
                edits: RandomEdits(seed: seed &* 31 &+ UInt64(n), site: "c\(n)"))
        }
        joined = Set(clients.indices)
    }

    /// Runs the random steps, then reconnects everyone and delivers everything.
    mutating func run() {
        for _ in 0..<config.steps {
            step()
        }
        drain()
        check()
    }

    private mutating func chance(_ n: Int, in total: Int) -> Bool {
        Int.random(in: 0..<total, using: &random) < n
    }

    mutating func step() {
        for index in clients.indices where !clients[index].online && chance(15, in: 100) {
            reconnect(index)
        }
        let roll = Int.random(in: 0..<1000, using: &random)
        let index = Int.random(in: 0..<clients.count, using: &random)
        switch roll {
        case ..<config.dropPerMille:
            if clients[index].online { disconnect(index) }
        case ..<350:
            localAction(index)
        case ..<650:
            if !clients[index].up.isEmpty { deliverUp(index) }
        default:
            if !clients[index].down.isEmpty { deliverDown(index) }
        }
    }

    mutating func drain() {
        for index in clients.indices where !clients[index].online {
            reconnect(index)
        }
        var rounds = 0
        while rounds < 100_000 {
            rounds += 1
            let busy = clients.indices.filter { !clients[$0].up.isEmpty || !clients[$0].down.isEmpty }
            guard let index = busy.randomElement(using: &random) else { return }
            if !clients[index].up.isEmpty && (clients[index].down.isEmpty || Bool.random(using: &random)) {
                deliverUp(index)
            } else {
                deliverDown(index)
            }
        }
        problems.append("seed \(seed): the messages never drained")
    }

    /// Every replica equals the server's document; nothing is left pending.
    mutating func check() {
        problems += server.problems.map { "seed \(seed): server: \($0)" }
        let hash = server.document.contentHash
        for client in clients {
            stats.discarded += client.machine.history.discarded
            if client.machine.state != .synchronized {
                problems.append("seed \(seed): \(client.id) is not synchronized at the end: \(client.machine.state)")
            }
            if client.machine.revision != server.revision {
                problems.append("seed \(seed): \(client.id) at revision \(client.machine.revision), server at \(server.revision)")
            }
            if client.machine.document.contentHash != hash {
                problems.append("seed \(seed): \(client.id) diverged from the server")
            }
        }
    }

    // MARK: - Events

    mutating func localAction(_ index: Int) {
        let roll = Int.random(in: 0..<100, using: &random)
        if roll < config.undoPercent {
            undo(index)
        } else if roll < config.undoPercent + config.undoPercent / 2 {
            let before = clients[index].machine.document
            let actions = clients[index].machine.redo()
            if !actions.isEmpty { stats.redos += 1 }
            recordTouched(index, actions, before: before, checking: false)
            handle(index, actions)
        } else {
            var edits = clients[index].edits
            let op =
                config.checkAuthorUndo && index == 0
                ? Self.operationWithoutTime(&edits, on: clients[index].machine.document)
                : edits.operation(on: clients[index].machine.document)
            clients[index].edits = edits
            touch(index, op)
            do {
                let actions = try clients[index].machine.local(op)
                stats.edits += 1
                handle(index, actions)
            } catch {
                problems.append("seed \(seed): \(clients[index].id): a valid edit was refused locally: \(error)")
            }
        }
    }

    /// An undo, checked: it touches only what this member's edits touched (when configured), and a redo
    /// right after it restores the replica exactly.
    mutating func undo(_ index: Int) {
        let before = clients[index].machine.document
        let actions = clients[index].machine.undo()
        guard !actions.isEmpty else { return }
        stats.undos += 1
        recordTouched(index, actions, before: before, checking: config.checkAuthorUndo && index == 0)
        handle(index, actions)
        if chance(1, in: 3) {
            let redo = clients[index].machine.redo()
            if clients[index].machine.document != before {
                problems.append("seed \(seed): \(clients[index].id): undo then redo did not restore the replica")
            }
            stats.redos += 1
            recordTouched(index, redo, before: before, checking: false)
            handle(index, redo)
        }
    }

    /// Checks an undo's effect against what this member touched before it, then adds what it touched.
    private mutating func recordTouched(_ index: Int, _ actions: [OTClient.Action], before: Document, checking: Bool) {
        if checking {
            stats.undoChecks += 1
            let client = clients[index]
            let old = Self.notes(of: before, skipping: client.touchedTracks)
            let new = Self.notes(of: client.machine.document, skipping: client.touchedTracks)
            for key in Set(old.keys).union(new.keys) where !client.touchedNotes.contains(key) && old[key] != new[key] {
                problems.append(
                    "seed \(seed): \(client.id)'s undo changed \(key), a note it never edited: "
                        + "\(String(describing: old[key])) → \(String(describing: new[key]))")
            }
            // A field the undo changes still holds what this member last wrote: the undo never reverts
            // someone else's edit.
            let fieldsBefore = Self.fields(of: before), fieldsAfter = Self.fields(of: client.machine.document)
            for (key, value) in fieldsBefore where fieldsAfter[key].map({ $0 != value }) ?? false && client.written[key] != value {
                problems.append(
                    "seed \(seed): \(client.id)'s undo changed \(key) from \(value), which it did not write "
                        + "(it wrote \(client.written[key] ?? "nothing"))")
            }
        }
        for case .changed(let op) in actions { touch(index, op) }
    }

    /// Every field of the session, of each track and of each note (ticks left out), as `written` names them.
    private static func fields(of document: Document) -> [String: String] {
        var all: [String: String] = [:]
        for name in SessionField.Name.allCases { all["session/\(name)"] = "\(document.value(of: name))" }
        for track in document.tracks {
            for name in TrackField.Name.allCases { all["track/\(track.id)/\(name)"] = "\(track.value(of: name))" }
            for note in track.notes.values {
                for name in NoteField.allCases where name != .tick { all["note/\(track.id)/\(note.id)/\(name)"] = "\(note[name])" }
            }
        }
        return all
    }

    private static func notes(of document: Document, skipping tracks: Set<String>) -> [String: Note] {
        var all: [String: Note] = [:]
        for track in document.tracks where !tracks.contains(track.id) {
            for note in track.notes.values { all["\(track.id)/\(note.id)"] = note }
        }
        return all
    }

    private mutating func touch(_ index: Int, _ op: JamCore.Operation) {
        for component in op.components {
            switch component {
            case .trackAdd(_, let track), .trackRemove(_, let track): clients[index].touchedTracks.insert(track.id)
            case .noteAdd(let track, let note), .noteRemove(let track, let note): clients[index].touchedNotes.insert("\(track)/\(note.id)")
            case .noteSet(let track, let note, let field, let value, _):
                clients[index].touchedNotes.insert("\(track)/\(note)")
                if field != .tick { clients[index].written["note/\(track)/\(note)/\(field)"] = "\(value)" }
            case .trackSet(let track, let value, _): clients[index].written["track/\(track)/\(value.field)"] = "\(value)"
            case .sessionSet(let value, _): clients[index].written["session/\(value.field)"] = "\(value)"
            case .timeRemove(_, _, let removed):
                for r in removed { clients[index].touchedNotes.insert("\(r.track)/\(r.note.id)") }
            default: break
            }
        }
    }

    /// A random operation with no time components, valid on `document`.
    static func operationWithoutTime(_ edits: inout RandomEdits, on document: Document) -> JamCore.Operation {
        var scratch = document
        var components: [Component] = []
        for _ in 0..<Int.random(in: 1...3, using: &edits.generator) {
            guard let component = edits.component(on: scratch) else { continue }
            switch component {
            case .timeInsert, .timeRemove: continue
            default: break
            }
            if (try? scratch.apply(component)) != nil { components.append(component) }
        }
        return JamCore.Operation(components)
    }

    mutating func disconnect(_ index: Int) {
        clients[index].machine.disconnected()
        clients[index].up = []
        clients[index].down = []
        clients[index].online = false
        joined.remove(index)
    }

    mutating func reconnect(_ index: Int) {
        let client = clients[index]
        let rejoin = client.machine.rejoinRequest(client: client.id, resume: "secret")
        clients[index].online = true
        clients[index].up = [.join(ClientMessage.Join(session: "sim", name: client.id, rejoin: rejoin))]
    }

    mutating func deliverUp(_ index: Int) {
        let message = clients[index].up.removeFirst()
        switch message {
        case .join(let join):
            guard let rejoin = join.rejoin else { return }
            let snapshot = chance(config.snapshotPercent, in: 100)
            let welcome = server.welcome(client: clients[index].id, rejoin: rejoin, snapshot: snapshot)
            stats.rejoins += 1
            if snapshot { stats.snapshots += 1 }
            stats.acksInWelcome += welcome.committed.count
            joined.insert(index)
            clients[index].down.append(.welcome(welcome))
        case .op(let op):
            let refuse = chance(config.refusePerMille, in: 1000)
            if op.base < server.revision { stats.lateOps += 1 }
            let (reply, broadcast) = server.submit(author: clients[index].id, op, refuse: refuse)
            if case .err = reply { stats.refusals += 1 }
            clients[index].down.append(reply)
            if let broadcast {
                for other in joined where other != index {
                    clients[other].down.append(.op(broadcast))
                }
            }
        default:
            problems.append("seed \(seed): unexpected client message \(message)")
        }
    }

    mutating func deliverDown(_ index: Int) {
        let message = clients[index].down.removeFirst()
        let actions: [OTClient.Action]
        switch message {
        case .welcome(let welcome): actions = clients[index].machine.rejoined(welcome)
        case .ack(let ack): actions = clients[index].machine.ack(seq: ack.seq, revision: ack.revision)
        case .op(let op):
            if clients[index].machine.buffer != nil { stats.opsOverBuffer += 1 }
            actions = clients[index].machine.serverOperation(op)
        case .err(let error): actions = clients[index].machine.refused(error)
        default: actions = []
        }
        handle(index, actions)
    }

    /// Performs a member's actions, then checks the invariant: the replica without what is pending is the
    /// server's document at the revision the member has seen.
    mutating func handle(_ index: Int, _ actions: [OTClient.Action]) {
        for action in actions {
            switch action {
            case .send(let op):
                if !clients[index].online || !joined.contains(index) {
                    problems.append("seed \(seed): \(clients[index].id) sent while disconnected")
                }
                clients[index].up.append(.op(op))
            case .changed:
                stats.changes += 1
            case .replaced:
                break
            case .resync(let reason):
                problems.append("seed \(seed): \(clients[index].id) resync: \(reason)")
            }
        }
        let machine = clients[index].machine
        guard machine.revision <= server.revision else {
            problems.append("seed \(seed): \(clients[index].id) is ahead of the server")
            return
        }
        if machine.serverDocument != server.documents[machine.revision] {
            problems.append("seed \(seed): \(clients[index].id): replica minus pending is not the server's document at \(machine.revision)")
        }
    }
}
