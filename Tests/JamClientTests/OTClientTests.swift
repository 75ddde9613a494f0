import JamClient
import JamCore
import JamProtocol
import Testing

// MARK: - Fixtures

/// A session at revision 5 with one track holding one note.
let start = Document(tracks: [Track(id: "t1", name: "Bass", notes: [Note(id: "c9.n1", tick: 0, duration: 240, pitch: 60, velocity: 90)])])
let note2 = Note(id: "c1.n2", tick: 480, duration: 240, pitch: 62, velocity: 90)

func tempo(_ old: Double, _ new: Double) -> JamCore.Operation { [.sessionSet(value: .tempo(new), old: .tempo(old))] }
func loop(_ old: Int, _ new: Int) -> JamCore.Operation { [.sessionSet(value: .loopBars(new), old: .loopBars(old))] }
func title(_ old: String, _ new: String) -> JamCore.Operation { [.sessionSet(value: .title(new), old: .title(old))] }
func pitch(_ note: String, _ old: Int, _ new: Int) -> JamCore.Operation {
    [.noteSet(track: "t1", note: note, field: .pitch, value: new, old: old)]
}
func name(_ old: String, _ new: String) -> JamCore.Operation { [.trackSet(track: "t1", value: .name(new), old: .name(old))] }

func committed(_ revision: Int, _ op: JamCore.Operation, by author: String = "c2") -> CommittedOperation {
    CommittedOperation(revision: revision, author: author, op: op)
}

func sends(_ actions: [OTClient.Action]) -> [ClientMessage.Op] {
    actions.compactMap { if case .send(let op) = $0 { op } else { nil } }
}

func resyncs(_ actions: [OTClient.Action]) -> [String] {
    actions.compactMap { if case .resync(let reason) = $0 { reason } else { nil } }
}

func welcome(
    revision: Int, document: Document, content: ServerMessage.Welcome.Content, committed: [CommittedSequence] = []
) -> ServerMessage.Welcome {
    ServerMessage.Welcome(
        client: "c1", session: "s", revision: revision, hash: document.contentHash, resume: "r", roster: [], content: content,
        committed: committed)
}

extension Document {
    func with(_ op: JamCore.Operation) throws -> Document { try applying(op) }
}

// MARK: - Transitions

@Suite struct OTClientTests {
    @Test("synchronized: a local edit applies at once and is sent on the last revision seen, with seq 1")
    func synchronizedSends() throws {
        var client = OTClient(document: start, revision: 5)
        let actions = try client.local(tempo(120, 100))
        #expect(actions == [.send(ClientMessage.Op(base: 5, seq: 1, op: tempo(120, 100)))])
        #expect(client.document.tempo == 100)
        #expect(client.pending?.seq == 1 && client.buffer == nil)
        #expect(client.serverDocument == start, "the server does not have it yet")
        #expect(client.nextSeq == 2)
    }

    @Test("awaiting confirmation: later edits are composed into one buffer, nothing is sent")
    func awaitingBuffers() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        #expect(try client.local(loop(4, 8)) == [])
        #expect(try client.local(tempo(100, 90)) == [])
        #expect(try client.local(tempo(90, 80)) == [])
        #expect(client.buffer?.operation == JamCore.Operation.compose([loop(4, 8), tempo(100, 90), tempo(90, 80)]))
        #expect(client.buffer?.operation.components.count == 2, "adjacent sets of one field merge")
        #expect(client.document.tempo == 80 && client.document.loopBars == 8)
        #expect(client.pending?.operation == tempo(120, 100))
        #expect(client.serverDocument == start)
    }

    @Test("ACK: the buffer goes out with base = the ACK's revision and the next seq; the last ACK synchronizes")
    func ackSendsBuffer() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        _ = try client.local(loop(4, 8))
        #expect(client.ack(seq: 1, revision: 6) == [.send(ClientMessage.Op(base: 6, seq: 2, op: loop(4, 8)))])
        #expect(client.revision == 6 && client.buffer == nil && client.pending?.seq == 2)
        #expect(client.serverDocument == (try start.with(tempo(120, 100))))
        #expect(client.ack(seq: 2, revision: 7) == [])
        #expect(client.state == .synchronized && client.revision == 7)
        #expect(client.serverDocument == client.document)
    }

    @Test("an ACK of another seq is ignored; one that skips a revision asks for a resync")
    func ackMismatch() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        #expect(client.ack(seq: 7, revision: 6) == [])
        #expect(client.pending?.seq == 1)
        #expect(resyncs(client.ack(seq: 1, revision: 9)).count == 1)
    }

    @Test("synchronized: a server OP applies as it is; one already seen is ignored, one after a gap is a resync")
    func serverOperationSynchronized() throws {
        var client = OTClient(document: start, revision: 5)
        #expect(client.serverOperation(committed(6, loop(4, 2))) == [.changed(loop(4, 2))])
        #expect(client.document.loopBars == 2 && client.revision == 6)
        #expect(client.serverOperation(committed(6, loop(4, 2))) == [])
        #expect(client.document.loopBars == 2)
        #expect(resyncs(client.serverOperation(committed(8, loop(2, 3)))).count == 1)
    }

    @Test("a server OP wins over the pending operation, as the server decides: both end on the server's value")
    func serverWinsOverPending() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        let actions = client.serverOperation(committed(6, tempo(120, 90)))
        #expect(actions == [.changed([.sessionSet(value: .tempo(90), old: .tempo(100))])])
        #expect(client.document.tempo == 90)
        #expect(client.pending?.operation == [], "the pending set lost the tie")
        #expect(client.serverDocument == (try start.with(tempo(120, 90))))
        // The server commits the pending operation transformed the same way: as nothing.
        #expect(transform(tempo(120, 100), tempo(120, 90), aWins: false).aPrime == [])
        #expect(client.ack(seq: 1, revision: 7) == [])
        #expect(client.document.tempo == 90 && client.state == .synchronized)
    }

    @Test("a server OP wins over the buffer too (PROTOCOL.md §4), and is transformed past the pending first")
    func serverWinsOverBuffer() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(loop(4, 8))
        _ = try client.local(tempo(120, 100))
        let actions = client.serverOperation(committed(6, JamCore.Operation(loop(4, 3).components + tempo(120, 90).components)))
        #expect(actions == [.changed([.sessionSet(value: .loopBars(3), old: .loopBars(8)), .sessionSet(value: .tempo(90), old: .tempo(100))])])
        #expect(client.document.loopBars == 3 && client.document.tempo == 90)
        #expect(client.pending?.operation == [] && client.buffer?.operation == [])
        #expect(client.ack(seq: 1, revision: 7) == [], "an empty buffer is not sent")
        #expect(client.state == .synchronized)
    }

    @Test("a server OP is transformed over pending and buffer: note edits meet a time insertion")
    func serverTransformsOverBoth() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local([.noteAdd(track: "t1", note: note2)])
        _ = try client.local(pitch("c1.n2", 62, 64))
        let insert: JamCore.Operation = [.timeInsert(at: 240, span: 480)]
        #expect(client.serverOperation(committed(6, insert)) == [.changed(insert)])
        #expect(client.document.tracks[0].notes["c1.n2"]?.tick == 960)
        #expect(client.document.tracks[0].notes["c1.n2"]?.pitch == 64)
        #expect(client.pending?.operation == [.noteAdd(track: "t1", note: Note(id: "c1.n2", tick: 960, duration: 240, pitch: 62, velocity: 90))])
        #expect(client.serverDocument == (try start.with(insert)))
    }

    @Test("refused while awaiting confirmation: the edit is reverted and the client is synchronized")
    func refusedAlone() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        #expect(client.refused(seq: 1) == [.changed(tempo(100, 120))])
        #expect(client.document == start && client.state == .synchronized)
        #expect(try client.local(loop(4, 8)) == [.send(ClientMessage.Op(base: 5, seq: 2, op: loop(4, 8)))], "seq moves on")
    }

    @Test("refused with a buffer: the inverse is rewritten past the buffer, whose edits stand and go out instead")
    func refusedWithBuffer() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local([.noteAdd(track: "t1", note: note2)])
        _ = try client.local(pitch("c1.n2", 62, 64))
        _ = try client.local(tempo(120, 100))
        let actions = client.refused(seq: 1)
        var edited = note2
        edited.pitch = 64
        #expect(actions.first == .changed([.noteRemove(track: "t1", note: edited)]), "the removal carries the buffered edit")
        #expect(sends(actions) == [ClientMessage.Op(base: 5, seq: 2, op: tempo(120, 100))], "the edit of the removed note became nothing")
        #expect(client.document == (try start.with(tempo(120, 100))))
        #expect(client.serverDocument == start)
    }

    @Test("a refusal of anything but the pending operation is ignored")
    func refusedOther() throws {
        var client = OTClient(document: start, revision: 5)
        #expect(client.refused(seq: 1) == [])
        _ = try client.local(tempo(120, 100))
        #expect(client.refused(seq: 3) == [])
        #expect(client.refused(ProtocolError(.rateLimited, "no seq")) == [])
        #expect(client.refused(ProtocolError(.rateLimited, "slow down", verb: "OP", seq: 1)) == [.changed(tempo(100, 120))])
    }

    @Test("a local edit that does not apply throws and changes nothing")
    func localInvalid() throws {
        var client = OTClient(document: start, revision: 5)
        #expect(throws: JamError.self) { try client.local(tempo(99, 100)) }
        #expect(client.document == start && client.state == .synchronized && client.nextSeq == 1)
        #expect(try client.local([]) == [])
    }

    @Test("a fresh WELCOME starts a replica; one with missed operations does not")
    func initFromWelcome() throws {
        let fresh = OTClient(welcome: welcome(revision: 3, document: start, content: .snapshot(start)))
        #expect(fresh?.document == start && fresh?.revision == 3)
        #expect(OTClient(welcome: welcome(revision: 3, document: start, content: .missed([]))) == nil)
    }
}

// MARK: - Disconnection and rejoin

@Suite struct RejoinTests {
    @Test("disconnected: edits go on but nothing is sent; the rejoin lists the pending seq that was sent")
    func disconnectedBuffers() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        client.disconnected()
        #expect(try client.local(loop(4, 8)) == [])
        #expect(client.rejoinRequest(client: "c1", resume: "r") == ClientMessage.Rejoin(client: "c1", resume: "r", revision: 5, pending: [1]))
    }

    @Test("an operation made while disconnected was never sent: not in rejoin.pending, sent after the WELCOME")
    func unsentPending() throws {
        var client = OTClient(document: start, revision: 5)
        client.disconnected()
        #expect(try client.local(tempo(120, 100)) == [])
        #expect(client.rejoinRequest(client: "c1", resume: "r").pending == [])
        let actions = client.rejoined(welcome(revision: 5, document: start, content: .missed([])))
        #expect(actions == [.send(ClientMessage.Op(base: 5, seq: 1, op: tempo(120, 100)))])
    }

    @Test("rejoin, pending not committed: missed OPs are handled as OPs, then the pending operation is resent with its seq")
    func rejoinResendsSameSeq() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        client.disconnected()
        _ = try client.local(loop(4, 8))
        let missed = [committed(6, title("Untitled", "Jam")), committed(7, tempo(120, 90))]
        let server = try start.with(title("Untitled", "Jam")).with(tempo(120, 90))
        let actions = client.rejoined(welcome(revision: 7, document: server, content: .missed(missed)))
        #expect(resyncs(actions) == [])
        #expect(sends(actions) == [ClientMessage.Op(base: 7, seq: 1, op: [])], "same seq; the tempo set lost to the server's")
        #expect(client.document.tempo == 90 && client.document.title == "Jam" && client.document.loopBars == 8)
        #expect(client.revision == 7 && client.buffer?.operation == loop(4, 8))
        #expect(client.serverDocument == server)
    }

    @Test("rejoin, pending committed: its entry among the missed OPs is its ACK, and the buffer goes out after")
    func rejoinLearnsCommitted() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        _ = try client.local(loop(4, 8))
        client.disconnected()
        let missed = [committed(6, title("Untitled", "Jam")), committed(7, tempo(120, 100), by: "c1"), committed(8, name("Bass", "Low"))]
        let server = try start.with(title("Untitled", "Jam")).with(tempo(120, 100)).with(name("Bass", "Low"))
        let actions = client.rejoined(
            welcome(revision: 8, document: server, content: .missed(missed), committed: [CommittedSequence(seq: 1, revision: 7)]))
        #expect(resyncs(actions) == [])
        #expect(actions.filter { if case .changed = $0 { true } else { false } }.count == 2, "only the others' operations change the replica")
        #expect(sends(actions) == [ClientMessage.Op(base: 8, seq: 2, op: loop(4, 8))])
        #expect(client.document == (try server.with(loop(4, 8))))
    }

    @Test("rejoin: a replica that does not match the WELCOME's hash asks for a resync")
    func rejoinHashMismatch() throws {
        var client = OTClient(document: start, revision: 5)
        client.disconnected()
        var wrong = welcome(revision: 6, document: start, content: .missed([committed(6, loop(4, 2))]))
        #expect(resyncs(client.rejoined(wrong)).count == 1)
        var again = OTClient(document: start, revision: 5)
        wrong.hash = try start.with(loop(4, 2)).contentHash
        #expect(resyncs(again.rejoined(wrong)) == [])
    }

    @Test("rejoin with a snapshot: an uncommitted pending operation that still applies is resent with its seq on the snapshot's revision")
    func snapshotReapplies() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(pitch("c9.n1", 60, 64))
        _ = try client.local(tempo(120, 100))
        client.disconnected()
        let snapshot = try start.with(loop(4, 16))
        let actions = client.rejoined(welcome(revision: 40, document: snapshot, content: .snapshot(snapshot)))
        let expected = try snapshot.with(pitch("c9.n1", 60, 64)).with(tempo(120, 100))
        #expect(actions == [.replaced(expected), .send(ClientMessage.Op(base: 40, seq: 1, op: pitch("c9.n1", 60, 64)))])
        #expect(client.buffer?.operation == tempo(120, 100))
        #expect(client.revision == 40 && client.document == expected)
        #expect(!client.history.canUndo, "the history was about a replica that is gone")
    }

    @Test("rejoin with a snapshot: a pending operation that no longer applies is dropped; the buffer goes out with a new seq")
    func snapshotDrops() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(pitch("c9.n1", 60, 64))
        _ = try client.local(tempo(120, 100))
        client.disconnected()
        let snapshot = try start.with([.noteRemove(track: "t1", note: start.tracks[0].notes["c9.n1"]!)])
        let actions = client.rejoined(welcome(revision: 40, document: snapshot, content: .snapshot(snapshot)))
        #expect(sends(actions) == [ClientMessage.Op(base: 40, seq: 2, op: tempo(120, 100))])
        #expect(client.document == (try snapshot.with(tempo(120, 100))))
    }

    @Test("rejoin with a snapshot: a committed pending operation is already in it and is not re-applied")
    func snapshotCommitted() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(loop(4, 8))
        _ = try client.local(tempo(120, 100))
        client.disconnected()
        let snapshot = try start.with(loop(4, 8)).with(name("Bass", "Low"))
        let actions = client.rejoined(
            welcome(revision: 40, document: snapshot, content: .snapshot(snapshot), committed: [CommittedSequence(seq: 1, revision: 38)]))
        #expect(sends(actions) == [ClientMessage.Op(base: 40, seq: 2, op: tempo(120, 100))])
        #expect(client.document == (try snapshot.with(tempo(120, 100))))
    }
}
