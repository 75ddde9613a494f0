import JamCore
import JamProtocol
import Testing
@testable import JamTerminal

private let size = TerminalSize(columns: 80, rows: 24)
/// At 80 columns the side panel takes 24 and a separator; the roll starts at column 25, its grid at 31.
private let rollColumn = 25
private let gridColumn = 31

private func rollLines(_ screen: Screen) -> [String] {
    (1..<(size.rows - 2)).map { String(screen.line($0).dropFirst(rollColumn)) }
}

/// The piano roll of the fixture's bass track, line by line: the ruler with bar numbers and beats, the
/// pitches from C5 down with black keys left blank, bar and beat lines, and the three notes as a head and
/// a tail over the steps they sound (D4 for a quarter, F4 for an eighth on beat 2, A3 for a half in bar 2).
@Test func thePianoRollOfAKnownDocumentOnEightyByTwentyFour() {
    var view = SessionView()
    let screen = view.render(Fixtures.model(), size: size)
    #expect(rollLines(screen) == [
        "1/16  1   ·   ·   ·   2   ·   ·   ·   3   ·   ·   ·   4",
        "C5    │···┆···┆···┆···│···┆···┆···┆···│···┆···┆···┆···│",
        "B4    │···┆···┆···┆···│···┆···┆···┆···│···┆···┆···┆···│",
        "A#4   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │",
        "A4    │···┆···┆···┆···│···┆···┆···┆···│···┆···┆···┆···│",
        "G#4   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │",
        "G4    │···┆···┆···┆···│···┆···┆···┆···│···┆···┆···┆···│",
        "F#4   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │",
        "F4    │···█▒··┆···┆···│···┆···┆···┆···│···┆···┆···┆···│",
        "E4    │···┆···┆···┆···│···┆···┆···┆···│···┆···┆···┆···│",
        "D#4   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │",
        "D4    █▒▒▒┆···┆···┆···│···┆···┆···┆···│···┆···┆···┆···│",
        "C#4   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │",
        "C4    │···┆···┆···┆···│···┆···┆···┆···│···┆···┆···┆···│",
        "B3    │···┆···┆···┆···│···┆···┆···┆···│···┆···┆···┆···│",
        "A#3   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │",
        "A3    │···┆···┆···┆···█▒▒▒▒▒▒▒┆···┆···│···┆···┆···┆···│",
        "G#3   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │",
        "G3    │···┆···┆···┆···│···┆···┆···┆···│···┆···┆···┆···│",
        "F#3   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │   ┆   ┆   ┆   │",
        "F3    │···┆···┆···┆···│···┆···┆···┆···│···┆···┆···┆···│",
    ])
}

/// Cell by cell: notes in their author's colour (loud ones bold), the cursor in reverse over the note
/// it is on, its pitch's label in reverse, the grid dim.
@Test func thePianoRollsColoursAndTheCursor() {
    let model = Fixtures.model()
    var view = SessionView()
    let screen = view.render(model, size: size)
    let d4 = 2 + (72 - 62), a3 = 2 + (72 - 57)
    let cursor = screen[d4, gridColumn]
    #expect(cursor.character == "█")
    #expect(cursor.style == Style(foreground: model.color(of: "c1"), reverse: true))
    #expect(screen[d4, gridColumn + 1].style == Style(foreground: model.color(of: "c1")))
    #expect(screen[a3, gridColumn + 16].style == Style(foreground: model.color(of: "c2"), bold: true))
    #expect(model.color(of: "c1") != model.color(of: "c2"))
    #expect(screen[d4, rollColumn].style.reverse)
    #expect(!screen[d4 + 1, rollColumn].style.reverse)
    #expect(screen[d4 + 1, gridColumn + 1].style == Style(foreground: .brightBlack))
}

/// Others' cursors on this track: their initial on their colour, or in the ruler without a pitch; the
/// playhead as a mark in the ruler; cursors on other tracks not at all.
@Test func othersCursorsAndThePlayhead() {
    var model = Fixtures.model()
    model.cursors["c2"] = RemoteCursor(track: "c1.t1", tick: 240, pitch: 60)
    model.cursors["c3"] = RemoteCursor(track: "c1.t1", tick: 960, pitch: nil)
    model.cursors["c9"] = RemoteCursor(track: "c2.t1", tick: 0, pitch: 62)
    model.playhead = 1440
    var view = SessionView()
    let screen = view.render(model, size: size)
    let c4 = 2 + (72 - 60)
    #expect(screen[c4, gridColumn + 2].character == "b")
    #expect(screen[c4, gridColumn + 2].style.background == model.color(of: "c2"))
    #expect(screen[1, gridColumn + 8].character == "c")
    #expect(screen[1, gridColumn + 8].style.foreground == model.color(of: "c3"))
    #expect(screen[1, gridColumn + 12].character == "▼")
    // c9 is on the drums: the bass roll's D4 row shows only the note and the grid.
    #expect(rollLines(screen)[11] == "D4    █▒▒▒┆···┆···┆···│···┆···┆···┆···│···┆···┆···┆···│")
}

/// The roll scrolls to keep the cursor in view: to the start of its bar across time, a few rows past it
/// in pitch, and back.
@Test func theRollFollowsTheCursor() {
    var model = Fixtures.model()
    var view = SessionView()
    _ = view.render(model, size: size)
    model.cursor.tick = 3 * 1920 + 480
    var screen = view.render(model, size: size)
    // Bar 4 is the last: the roll ends with the loop rather than at the bar's start.
    #expect(view.viewport.firstStep == 64 - 49)
    #expect(rollLines(screen)[0].hasSuffix("4   ·   ·   ·   "))
    #expect(screen[2 + 72 - 62, gridColumn + 3 * 16 + 4 - 15].style.reverse)
    model.cursor.pitch = 30
    screen = view.render(model, size: size)
    #expect(view.viewport.topPitch == 30 + 19 - 2)
    #expect(rollLines(screen)[18].hasPrefix("F#1"))
    #expect(rollLines(screen)[20].hasPrefix("E1"))
    model.cursor = EditCursor(track: "c1.t1", tick: 0, pitch: 127)
    screen = view.render(model, size: size)
    #expect(view.viewport.topPitch == 127 && view.viewport.firstStep == 0)
    #expect(rollLines(screen)[1].hasPrefix("G9"))
}

/// A drum track's rows are named for the General MIDI kit.
@Test func drumsAreLabelledWithTheirNames() {
    var model = Fixtures.model()
    model.cursor = EditCursor(track: "c2.t1", tick: 0, pitch: 38)
    var view = SessionView()
    let lines = rollLines(view.render(model, size: size))
    let kick = lines.first { $0.hasPrefix("Kick ") }
    #expect(kick?.dropFirst(6).first == "█")
    #expect(lines.contains { $0.hasPrefix("Snare") })
}
