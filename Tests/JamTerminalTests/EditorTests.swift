import JamCore
import JamProtocol
import Testing
@testable import JamTerminal

/// The editor on the fixture, as c1, with the cursor on the bass's D4 note at tick 0.
private func editor(at tick: Int = 0, pitch: Int = 62, track: String = "c1.t1") -> Editor {
    var model = Fixtures.model()
    model.cursor = EditCursor(track: track, tick: tick, pitch: pitch)
    return Editor(model: model)
}

/// The one operation the actions submit, checked to apply to the document it was made on and to leave
/// the editor's document as applying it does.
private func submitted(_ actions: [EditorAction], by editor: Editor, on document: Document = Fixtures.document,
                       sourceLocation: SourceLocation = #_sourceLocation) -> [Component] {
    let operations = actions.compactMap { action -> JamCore.Operation? in
        if case .submit(let op) = action { return op }
        return nil
    }
    #expect(operations.count == 1, "actions: \(actions)", sourceLocation: sourceLocation)
    guard let operation = operations.first else { return [] }
    #expect(throws: Never.self, sourceLocation: sourceLocation) { try document.applying(operation) }
    #expect((try? document.applying(operation)) == editor.model.document, sourceLocation: sourceLocation)
    return operation.components
}

private let d4 = Fixtures.bass.notes["c1.n1"]!
private let f4 = Fixtures.bass.notes["c1.n2"]!
private let a3 = Fixtures.bass.notes["c2.n1"]!

@Test(arguments: [
    (KeyPress.right, 120, 62), (.character("l"), 120, 62),
    (.up, 0, 63), (.character("k"), 0, 63),
    (.down, 0, 61), (.character("j"), 0, 61),
    (.pageUp, 0, 74), (.pageDown, 0, 50),
    (.character("w"), 1920, 62), (.end, 7560, 62), (.character("$"), 7560, 62),
])
func movingKeysMoveTheCursorAndTellTheServer(key: KeyPress, tick: Int, pitch: Int) {
    var e = editor()
    #expect(e.handle(key) == [.cursor(track: "c1.t1", tick: tick, pitch: pitch)])
    #expect(e.model.cursor == EditCursor(track: "c1.t1", tick: tick, pitch: pitch))
}

@Test func theCursorStopsAtTheEdgesAndMovesBackByBars() {
    var e = editor()
    #expect(e.handle(.left).isEmpty)
    #expect(e.handle(.character("h")).isEmpty)
    #expect(e.handle(.character("b")).isEmpty)
    _ = e.handle(.end)
    #expect(e.handle(.right).isEmpty)
    #expect(e.handle(.character("w")).isEmpty)
    #expect(e.handle(.character("b")) == [.cursor(track: "c1.t1", tick: 5760, pitch: 62)])
    #expect(e.handle(.character("b")) == [.cursor(track: "c1.t1", tick: 3840, pitch: 62)])
    #expect(e.handle(.home) == [.cursor(track: "c1.t1", tick: 0, pitch: 62)])
    e.model.cursor.pitch = 127
    #expect(e.handle(.up).isEmpty)
    #expect(e.handle(.pageUp).isEmpty)
}

@Test func tabSelectsTheNextTrackAndWraps() {
    var e = editor()
    #expect(e.handle(.tab) == [.cursor(track: "c2.t1", tick: 0, pitch: 62)])
    #expect(e.handle(.character("t")) == [.cursor(track: "c1.t1", tick: 0, pitch: 62)])
    #expect(e.handle(.backTab) == [.cursor(track: "c2.t1", tick: 0, pitch: 62)])
    #expect(e.handle(.character("T")) == [.cursor(track: "c1.t1", tick: 0, pitch: 62)])
}

@Test(arguments: [KeyPress.character(" "), .enter])
func spaceAddsANoteWithAFreshIDAndRemovesOne(key: KeyPress) {
    var e = editor(at: 240, pitch: 60)
    let added = submitted(e.handle(key), by: e)
    // c1.n1 and c1.n2 are taken: the next free id.
    #expect(added == [.noteAdd(track: "c1.t1", note: Note(id: "c1.n3", tick: 240, duration: 240, pitch: 60, velocity: 96))])
    let document = e.model.document
    let removed = submitted(e.handle(key), by: e, on: document)
    #expect(e.model.document == Fixtures.document)
    #expect(removed == [.noteRemove(track: "c1.t1", note: Note(id: "c1.n3", tick: 240, duration: 240, pitch: 60, velocity: 96))])
    let afterRemoval = e.model.document
    let again = submitted(e.handle(key), by: e, on: afterRemoval)
    #expect(again.count == 1)
    if case .noteAdd(_, let note) = again.first { #expect(note.id == "c1.n4") }
}

@Test(arguments: [KeyPress.character("x"), .delete])
func xRemovesTheNoteUnderTheCursorWhereverItIsHit(key: KeyPress) {
    // Tick 360 is inside D4 (0 ..< 480).
    var e = editor(at: 360)
    #expect(submitted(e.handle(key), by: e) == [.noteRemove(track: "c1.t1", note: d4)])
    #expect(e.handle(key).isEmpty)
    #expect(e.model.status == StatusMessage(.error, "no note under the cursor"))
}

@Test(arguments: [
    (KeyPress.character("["), Component.noteSet(track: "c1.t1", note: "c1.n1", field: .duration, value: 240, old: 480)),
    (.character("]"), .noteSet(track: "c1.t1", note: "c1.n1", field: .duration, value: 960, old: 480)),
    (.character("-"), .noteSet(track: "c1.t1", note: "c1.n1", field: .velocity, value: 88, old: 96)),
    (.character("+"), .noteSet(track: "c1.t1", note: "c1.n1", field: .velocity, value: 104, old: 96)),
    (.character("="), .noteSet(track: "c1.t1", note: "c1.n1", field: .velocity, value: 104, old: 96)),
    (.character("<"), .noteSet(track: "c1.t1", note: "c1.n1", field: .pitch, value: 50, old: 62)),
    (.character(">"), .noteSet(track: "c1.t1", note: "c1.n1", field: .pitch, value: 74, old: 62)),
    (.character("J"), .noteSet(track: "c1.t1", note: "c1.n1", field: .pitch, value: 61, old: 62)),
    (.character("K"), .noteSet(track: "c1.t1", note: "c1.n1", field: .pitch, value: 63, old: 62)),
    (.character("L"), .noteSet(track: "c1.t1", note: "c1.n1", field: .tick, value: 120, old: 0)),
    (.character("m"), .trackSet(track: "c1.t1", value: .mute(true), old: .mute(false))),
    (.character("s"), .trackSet(track: "c1.t1", value: .solo(true), old: .solo(false))),
])
func noteAndTrackKeysSetFieldsWithTheirOldValues(key: KeyPress, expected: Component) {
    var e = editor()
    #expect(submitted(e.handle(key), by: e) == [expected])
    // The cursor stays on the note, wherever it moved.
    #expect(e.model.noteUnderCursor?.id == "c1.n1")
}

@Test func movingANoteEarlierAndTheCursorFollowsIt() {
    var e = editor(at: 480, pitch: 65)
    let actions = e.handle(.character("H"))
    #expect(submitted(actions, by: e) == [.noteSet(track: "c1.t1", note: "c1.n2", field: .tick, value: 360, old: 480)])
    #expect(actions.last == .cursor(track: "c1.t1", tick: 360, pitch: 65))
    // At tick 0 a note cannot go earlier.
    var first = editor()
    #expect(first.handle(.character("H")).isEmpty)
    #expect(first.model.status?.kind == .error)
}

@Test func withoutANoteTheKeysChangeTheSettingsOfNewNotes() {
    var e = editor(at: 960, pitch: 60)
    #expect(e.handle(.character("]")).isEmpty)
    #expect(e.model.settings.duration == 480)
    #expect(e.handle(.character("-")).isEmpty)
    #expect(e.model.settings.velocity == 88)
    #expect(e.handle(.character(">")) == [.cursor(track: "c1.t1", tick: 960, pitch: 72)])
    #expect(e.handle(.character("K")).isEmpty)
    #expect(e.model.status?.kind == .error)
    let added = submitted(e.handle(.character(" ")), by: e)
    #expect(added == [.noteAdd(track: "c1.t1", note: Note(id: "c1.n3", tick: 960, duration: 480, pitch: 72, velocity: 88))])
    #expect(e.handle(.character("z")).isEmpty)
    #expect(e.model.settings.step == 60)
    _ = e.handle(.character("Z"))
    _ = e.handle(.character("Z"))
    #expect(e.model.settings.step == 240)
}

@Test func insertingABarShiftsLaterNotesAndLengthensTheLoop() {
    var e = editor(at: 1920 + 480)
    let components = submitted(e.handle(.character("I")), by: e)
    #expect(components == [.timeInsert(at: 1920, span: 1920), .sessionSet(value: .loopBars(5), old: .loopBars(4))])
    #expect(e.model.document[track: "c1.t1"]?.notes["c2.n1"]?.tick == 3840)
}

@Test func removingABarTakesItsNotesAndShortensTheLoop() {
    var e = editor(at: 1920 + 480)
    let components = submitted(e.handle(.character("D")), by: e)
    #expect(components == [
        .timeRemove(at: 1920, span: 1920, removed: [RemovedNote(track: "c1.t1", note: a3)]),
        .sessionSet(value: .loopBars(3), old: .loopBars(4)),
    ])
    var one = editor()
    one.model.document.loopBars = 1
    #expect(one.handle(.character("D")).isEmpty)
    #expect(one.model.status == StatusMessage(.error, "the loop has only one bar"))
}

@Test(arguments: [
    (KeyPress.character("u"), EditorAction.undo), (.control("z"), .undo),
    (.character("U"), .redo), (.control("r"), .redo), (.control("y"), .redo),
    (.control("c"), .quit), (.control("l"), .redraw), (.character("p"), .play),
])
func keysThatAskTheProgram(key: KeyPress, action: EditorAction) {
    var e = editor()
    #expect(e.handle(key) == [action])
    #expect(e.model.document == Fixtures.document)
}

@Test func pStopsWhilePlaying() {
    var e = editor()
    e.model.playhead = 0
    #expect(e.handle(.character("p")) == [.stop])
}

@Test func theCommandLineIsTypedEditedAndCancelled() {
    var e = editor()
    #expect(e.handle(.character(":")).isEmpty)
    for c in "bpm 1200" { _ = e.handle(.character(c)) }
    #expect(e.model.mode == .command("bpm 1200"))
    _ = e.handle(.backspace)
    let components = submitted(e.handle(.enter), by: e)
    #expect(components == [.sessionSet(value: .tempo(120), old: .tempo(96))])
    #expect(e.model.mode == .normal)
    _ = e.handle(.character(":"))
    _ = e.handle(.character("q"))
    #expect(e.handle(.escape).isEmpty)
    #expect(e.model.mode == .normal)
    _ = e.handle(.character(":"))
    _ = e.handle(.backspace)
    #expect(e.model.mode == .normal)
    _ = e.handle(.character(":"))
    _ = e.handle(.character("x"))
    _ = e.handle(.control("u"))
    #expect(e.model.mode == .command(""))
}

@Test func helpOpensAndAnyKeyClosesIt() {
    var e = editor()
    _ = e.handle(.character("?"))
    #expect(e.model.mode == .help)
    #expect(e.handle(.character("x")).isEmpty)
    #expect(e.model.mode == .normal)
    #expect(e.model.document == Fixtures.document)
    _ = e.handle(.function(1))
    #expect(e.model.mode == .help)
    #expect(e.handle(.control("c")) == [.quit])
}

@Test func aListenerMovesButCannotEditAndSendsNoCursor() {
    var e = editor()
    e.model.client = "c3"
    #expect(e.handle(.right).isEmpty)
    #expect(e.model.cursor.tick == 120)
    #expect(e.handle(.character(" ")).isEmpty)
    #expect(e.model.status == StatusMessage(.error, "you joined as a listener: listeners cannot edit"))
    #expect(e.model.document == Fixtures.document)
}

@Test func beforeJoiningNothingIsEdited() {
    var e = editor()
    e.model.client = nil
    #expect(e.handle(.character("m")).isEmpty)
    #expect(e.model.status == StatusMessage(.error, "not joined yet: edits wait for the session"))
}

/// Two members adding notes at the same place make different ids, and ids already in the session are
/// skipped, so no add is refused as `note_exists`.
@Test func noteIDsAreUniqueAcrossClients() {
    var ann = editor(at: 960, pitch: 60)
    var cy = editor(at: 960, pitch: 60)
    cy.model.client = "c4"
    var document = Fixtures.document
    for _ in 0..<3 {
        let a = submitted(ann.handle(.character(" ")), by: ann, on: document)
        let c = submitted(cy.handle(.character(" ")), by: cy, on: document)
        guard case .noteAdd(_, let x) = a.first, case .noteAdd(_, let y) = c.first else {
            Issue.record("no note added")
            return
        }
        #expect(x.id != y.id)
        document = try! document.applying(JamCore.Operation(a))
        #expect(throws: Never.self) { try document.apply(JamCore.Operation(c)) }
        ann.model.document = document
        cy.model.document = document
        _ = ann.handle(.character("w"))
        _ = cy.handle(.character("w"))
    }
}

/// The document changed under the editor (another member removed the track): keys act on what is there.
@Test func aTrackRemovedElsewhereMovesTheCursorToAnother() {
    var e = editor()
    e.model.document.tracks.removeFirst()
    let actions = e.handle(.character("k"))
    #expect(actions == [.cursor(track: "c2.t1", tick: 0, pitch: 63)])
}

@Test func anEditTheCoreRefusesChangesNothingAndSaysWhy() {
    var e = editor()
    // Inserting a bar would push this note past the last tick a note may start at.
    let late = Note(id: "c2.n9", tick: 1 << 40, duration: 1, pitch: 60, velocity: 1)
    e.model.document.tracks[0].notes[late.id] = late
    let before = e.model.document
    #expect(e.handle(.character("I")).isEmpty)
    #expect(e.model.document == before)
    #expect(e.model.status?.kind == .error)
    #expect(e.model.status?.text.hasPrefix("edit refused: ") == true)
    e.model.document.loopBars = 1024
    #expect(e.handle(.character("I")).isEmpty)
    #expect(e.model.status == StatusMessage(.error, "the loop is at its longest, 1024 bars"))
}
