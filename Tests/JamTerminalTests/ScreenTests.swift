import Testing
@testable import JamTerminal

@Test func drawClipsToTheScreenAndTheWidth() {
    var screen = Screen(size: TerminalSize(columns: 10, rows: 2))
    #expect(screen.draw("hello world", row: 0, column: 3) == 7)
    #expect(screen.line(0) == "   hello w")
    #expect(screen.draw("abcdef", row: 1, column: 0, width: 4) == 4)
    #expect(screen.line(1) == "abcd      ")
    #expect(screen.draw("x", row: 2, column: 0) == 0)
    #expect(screen.draw("xyz", row: 1, column: -2) == 3)
    #expect(screen.line(1) == "zbcd      ")
}

@Test func wideCharactersTakeTwoCellsAndAreClearedWhole() {
    var screen = Screen(size: TerminalSize(columns: 6, rows: 1))
    #expect(screen.draw("漢字", row: 0, column: 0) == 4)
    #expect(screen[0, 1].isWideTail && screen[0, 3].isWideTail)
    #expect(screen.line(0) == "漢字  ")
    // Overwriting the tail of 漢 blanks its head.
    screen.put("x", row: 0, column: 1, style: .plain)
    #expect(screen.line(0) == " x字  ")
    // Overwriting the head of 字 blanks its tail.
    screen.put("y", row: 0, column: 2, style: .plain)
    #expect(screen.line(0) == " xy   ")
    // No room for a wide character in the last column: a space.
    #expect(screen.put("漢", row: 0, column: 5, style: .plain) == 1)
    #expect(screen.line(0) == " xy   ")
}

@Test func controlCharactersNeverReachTheScreen() {
    var screen = Screen(size: TerminalSize(columns: 12, rows: 1))
    screen.draw("a\u{1B}[2J\u{07}b\u{9B}", row: 0, column: 0)
    #expect(screen.line(0) == "a\u{FFFD}[2J\u{FFFD}b\u{FFFD}    ")
    #expect(!screen.cells.contains { $0.character.unicodeScalars.contains { $0.value < 0x20 } })
}

@Test func boxesAndFills() {
    var screen = Screen(size: TerminalSize(columns: 10, rows: 4))
    screen.fill(Rect(row: 0, column: 0, rows: 4, columns: 10), with: ".")
    screen.box(Rect(row: 0, column: 1, rows: 3, columns: 8), title: "ab")
    #expect(screen.lines == [".┌─ ab ─┐.", ".│......│.", ".└──────┘.", ".........."])
    // A rectangle off the screen draws nothing and does not trap.
    screen.box(Rect(row: -5, column: 20, rows: 3, columns: 3))
    screen.fill(Rect(row: 3, column: 6, rows: 5, columns: 5), with: "#")
    #expect(screen.line(3) == "......####")
}
