import JamClient
import JamCore
import JamProtocol
import Testing

@Suite struct UndoTests {
    @Test("undo inverts the author's last edit as a new local edit; redo applies it again")
    func undoRedo() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        let undo = client.undo()
        #expect(undo == [.changed(tempo(100, 120))], "buffered behind the pending edit: nothing sent yet")
        #expect(client.document == start)
        #expect(client.buffer?.operation == tempo(100, 120))
        let redo = client.redo()
        #expect(redo == [.changed(tempo(120, 100))])
        #expect(client.document.tempo == 100)
        #expect(client.undo() != [] && client.undo() == [], "one edit, one undo")
        let buffered = JamCore.Operation.compose([tempo(100, 120), tempo(120, 100), tempo(100, 120)])
        #expect(client.ack(seq: 1, revision: 6) == [.send(ClientMessage.Op(base: 6, seq: 2, op: buffered))])
    }

    @Test("undo never reverts someone else's later edit of the same field")
    func undoYieldsToOthers() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        _ = client.ack(seq: 1, revision: 6)
        _ = client.serverOperation(committed(7, tempo(100, 90)))
        #expect(client.undo() == [], "the author's tempo no longer stands")
        #expect(client.document.tempo == 90)
    }

    @Test("undo yields to a concurrent edit the server committed first, but not to one it committed after")
    func undoAndPriority() throws {
        // The other's edit was committed first: it wins over the pending edit and over its undo.
        var first = OTClient(document: start, revision: 5)
        _ = try first.local(tempo(120, 100))
        _ = first.serverOperation(committed(6, tempo(120, 90)))
        #expect(first.undo() == [])
        // Committed after: the server made it nothing, so the author's edit stands and undoes.
        var after = OTClient(document: start, revision: 5)
        _ = try after.local(tempo(120, 100))
        _ = after.ack(seq: 1, revision: 6)
        _ = after.serverOperation(committed(7, []))
        #expect(after.undo() == [.changed(tempo(100, 120)), .send(ClientMessage.Op(base: 7, seq: 2, op: tempo(100, 120)))])
        #expect(after.document.tempo == 120)
    }

    @Test("undo is transformed over everything others did since: it reverts the author's field, nothing else")
    func undoOverOthers() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(pitch("c9.n1", 60, 64))
        _ = client.ack(seq: 1, revision: 6)
        let theirs = Note(id: "c2.n1", tick: 240, duration: 120, pitch: 40, velocity: 80)
        _ = client.serverOperation(committed(7, [.timeInsert(at: 0, span: 480)]))
        _ = client.serverOperation(committed(8, [.noteAdd(track: "t1", note: theirs)]))
        _ = client.serverOperation(committed(9, [.noteSet(track: "t1", note: "c9.n1", field: .velocity, value: 10, old: 90)]))
        let before = client.document
        let actions = client.undo()
        #expect(sends(actions) == [ClientMessage.Op(base: 9, seq: 2, op: pitch("c9.n1", 64, 60))])
        let note = client.document.tracks[0].notes["c9.n1"]
        #expect(note == Note(id: "c9.n1", tick: 480, duration: 240, pitch: 60, velocity: 10), "the others' time and velocity edits stand")
        #expect(client.document.tracks[0].notes["c2.n1"] == before.tracks[0].notes["c2.n1"])
    }

    @Test("undo of an added note removes it with the edits others made to it meanwhile")
    func undoAddAfterOthersEdit() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local([.noteAdd(track: "t1", note: note2)])
        _ = client.ack(seq: 1, revision: 6)
        _ = client.serverOperation(committed(7, [.noteSet(track: "t1", note: "c1.n2", field: .velocity, value: 30, old: 90)]))
        _ = client.undo()
        #expect(client.document == start)
        _ = client.redo()
        #expect(client.document.tracks[0].notes["c1.n2"]?.velocity == 30, "redo brings the note back as it was removed")
    }

    @Test("an undo whose target someone else removed is nothing, and the next undo is reached")
    func undoTargetRemoved() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        _ = try client.local(pitch("c9.n1", 60, 64))
        _ = client.ack(seq: 1, revision: 6)
        _ = client.ack(seq: 2, revision: 7)
        var removed = start.tracks[0]
        removed.notes["c9.n1"]?.pitch = 64
        _ = client.serverOperation(committed(8, [.trackRemove(index: 0, track: removed)]))
        #expect(client.history.undoStack.count == 1)
        #expect(sends(client.undo()) == [ClientMessage.Op(base: 8, seq: 3, op: tempo(100, 120))])
        #expect(client.history.discarded == 0)
    }

    @Test("a new edit forgets what could be redone; an edit that is not undoable is not undone but is undone over")
    func redoClearedAndNonUndoable() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(tempo(120, 100))
        _ = client.undo()
        #expect(client.history.canRedo)
        _ = try client.local(loop(4, 8))
        #expect(!client.history.canRedo)
        _ = try client.local(title("Untitled", "Mine"), undoable: false)
        _ = client.undo()
        #expect(client.document.loopBars == 4 && client.document.title == "Mine" && client.document.tempo == 120)
        #expect(client.undo() == [] && client.history.undoStack.isEmpty)
    }

    @Test("undo and redo after concurrent edits by others restore the author's state and keep theirs")
    func undoRedoAmidOthers() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(name("Bass", "Mine"))
        _ = try client.local(tempo(120, 100))
        _ = client.ack(seq: 1, revision: 6)
        _ = client.serverOperation(committed(7, loop(4, 12)))
        _ = client.ack(seq: 2, revision: 8)
        let mine = client.document
        _ = client.undo()
        _ = client.undo()
        #expect(client.document.tracks[0].name == "Bass" && client.document.tempo == 120 && client.document.loopBars == 12)
        _ = client.serverOperation(committed(9, title("Untitled", "Theirs")))
        _ = client.redo()
        _ = client.redo()
        #expect(client.document == (try mine.with(title("Untitled", "Theirs"))))
    }

    @Test("a refused edit leaves the history: the undo of the buffered edit after it goes back past it")
    func refusedEditForgotten() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local(name("Bass", "B"))
        _ = try client.local(name("B", "C"))
        let actions = client.refused(seq: 1)
        #expect(sends(actions) == [ClientMessage.Op(base: 5, seq: 2, op: name("Bass", "C"))], "the buffered edit stands")
        #expect(client.document.tracks[0].name == "C")
        #expect(client.history.undoStack.count == 1)
        _ = client.undo()
        #expect(client.document.tracks[0].name == "Bass", "not B: that edit never happened")
        #expect(client.refused(seq: 2) != [])
        #expect(client.document == start)
    }

    @Test("a refused edit alone leaves nothing to undo")
    func refusedAloneForgotten() throws {
        var client = OTClient(document: start, revision: 5)
        _ = try client.local([.timeRemove(at: 0, span: 480, removed: [RemovedNote(track: "t1", note: start.tracks[0].notes["c9.n1"]!)])])
        _ = client.refused(seq: 1)
        #expect(client.document == start)
        #expect(!client.history.canUndo && !client.history.canRedo)
    }

    @Test("undoing every edit restores the start, redoing every one the end, over random edits", arguments: 0..<10)
    func undoAllRedoAll(batch: UInt64) throws {
        for seed in batch * 10..<batch * 10 + 10 {
            var edits = RandomEdits(seed: seed, site: "c1")
            let initial = edits.document()
            var history = UndoHistory()
            var document = initial
            for _ in 0..<30 {
                let op = edits.operation(on: document, maxComponents: 4)
                try document.apply(op)
                history.record(op)
            }
            let end = document
            var steps = 0
            while history.undo(applyingTo: &document) != nil { steps += 1 }
            #expect(document == initial, "seed \(seed)")
            while history.redo(applyingTo: &document) != nil { steps -= 1 }
            #expect(document == end, "seed \(seed)")
            #expect(steps == 0 && history.discarded == 0, "seed \(seed)")
        }
    }

    @Test("a history keeps at most its limit, the oldest going first")
    func limit() throws {
        var history = UndoHistory(limit: 2)
        var document = start
        for (old, new) in [(120.0, 100.0), (100, 90), (90, 80)] {
            try document.apply(tempo(old, new))
            history.record(tempo(old, new))
        }
        #expect(history.undoStack.map(\.operation) == [tempo(90, 100), tempo(80, 90)])
        _ = history.undo(applyingTo: &document)
        _ = history.undo(applyingTo: &document)
        #expect(document.tempo == 100 && !history.canUndo)
    }

    @Test("transforming a stack against someone else's edit goes from the top down, each entry against the edit at its level")
    func stackTransform() throws {
        var history = UndoHistory()
        var document = start
        let add: JamCore.Operation = [.noteAdd(track: "t1", note: note2)]
        try document.apply(add)
        history.record(add)
        try document.apply(pitch("c1.n2", 62, 70))
        history.record(pitch("c1.n2", 62, 70))
        let theirs: JamCore.Operation = [.timeInsert(at: 0, span: 120)]
        try document.apply(theirs)
        history.transform(against: theirs)
        var moved = note2
        moved.tick += 120
        #expect(history.undoStack.map(\.operation) == [[.noteRemove(track: "t1", note: moved)], pitch("c1.n2", 70, 62)])
        _ = history.undo(applyingTo: &document)
        _ = history.undo(applyingTo: &document)
        #expect(document == (try start.with(theirs)))
    }
}
