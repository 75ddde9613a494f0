import JamTerminal
import Testing

@Test(arguments: [(80, 24, true), (79, 24, false), (80, 23, false), (200, 60, true)])
func usableFromEightyByTwentyFour(columns: Int, rows: Int, usable: Bool) {
    #expect(TerminalSize(columns: columns, rows: rows).isUsable == usable)
}
