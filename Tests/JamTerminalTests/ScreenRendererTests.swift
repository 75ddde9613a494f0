import JamCore
import Testing
@testable import JamTerminal

/// A random screen: characters (some wide) and styles from small sets, so that neighbouring screens
/// share cells and differ in runs.
private func randomScreen(_ size: TerminalSize, _ generator: inout SeededGenerator, density: Double) -> Screen {
    var screen = Screen(size: size)
    let characters: [Character] = ["a", "b", "·", "│", "█", "漢", "é", " "]
    let styles = [
        Style.plain, Style(foreground: .red), Style(bold: true, reverse: true),
        Style(foreground: .brightCyan, background: .blue), Style(foreground: Color(index: 200)),
    ]
    for row in 0..<size.rows {
        for column in 0..<size.columns where Double.random(in: 0..<1, using: &generator) < density {
            screen.put(characters.randomElement(using: &generator)!, row: row, column: column,
                       style: styles.randomElement(using: &generator)!)
        }
    }
    return screen
}

@Test(arguments: 1...20)
func aDiffAppliedToTheOldScreenGivesTheNewOne(seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    let size = TerminalSize(columns: 30, rows: 8)
    let old = randomScreen(size, &generator, density: 0.5)
    var new = old
    for _ in 0..<Int.random(in: 1...40, using: &generator) {
        new.put(["x", "漢", " ", "█"].randomElement(using: &generator)!, row: Int.random(in: 0..<8, using: &generator),
                column: Int.random(in: 0..<30, using: &generator), style: Style(foreground: .green))
    }
    var terminal = ANSIInterpreter(showing: old)
    terminal.feed(ScreenRenderer.diff(from: old, to: new))
    #expect(terminal.unknown.isEmpty)
    #expect(terminal.shows(new))
}

@Test(arguments: 1...5)
func theFullRenderingDrawsEveryCell(seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    let screen = randomScreen(TerminalSize(columns: 40, rows: 10), &generator, density: 0.8)
    var terminal = ANSIInterpreter(size: screen.size)
    terminal.feed(ScreenRenderer.full(screen))
    #expect(terminal.unknown.isEmpty)
    #expect(terminal.shows(screen))
}

@Test func anUnchangedScreenSendsNothingAndOneCellSendsLittle() {
    var screen = Screen(size: TerminalSize(columns: 80, rows: 24))
    screen.draw("hello", row: 3, column: 10)
    #expect(ScreenRenderer.diff(from: screen, to: screen).isEmpty)
    var next = screen
    next.put("x", row: 20, column: 70, style: .plain)
    let bytes = ScreenRenderer.diff(from: screen, to: next)
    #expect(String(decoding: bytes, as: UTF8.self) == "\u{1B}[21;71H\u{1B}[0mx")
}

@Test func theRendererRedrawsAllAfterAResizeOrAnInvalidate() {
    var renderer = ScreenRenderer()
    let small = Screen(size: TerminalSize(columns: 10, rows: 3))
    let first = renderer.update(to: small)
    #expect(String(decoding: first, as: UTF8.self).hasPrefix("\u{1B}[0m\u{1B}[2J"))
    #expect(renderer.update(to: small).isEmpty)
    let large = Screen(size: TerminalSize(columns: 12, rows: 3))
    #expect(String(decoding: renderer.update(to: large), as: UTF8.self).contains("\u{1B}[2J"))
    renderer.invalidate()
    #expect(String(decoding: renderer.update(to: large), as: UTF8.self).contains("\u{1B}[2J"))
}

/// Moving the cursor one step redraws a few cells, not the screen.
@Test func aCursorMoveIsASmallUpdate() {
    var view = SessionView()
    var model = Fixtures.model()
    let size = TerminalSize(columns: 80, rows: 24)
    var renderer = ScreenRenderer()
    let before = view.render(model, size: size)
    let full = renderer.update(to: before)
    var editor = Editor(model: model)
    _ = editor.handle(.right)
    model = editor.model
    let after = view.render(model, size: size)
    let update = renderer.update(to: after)
    var terminal = ANSIInterpreter(showing: before)
    terminal.feed(update)
    #expect(terminal.shows(after))
    #expect(update.count * 10 < full.count, "\(update.count) bytes to move the cursor, \(full.count) for the screen")
}
