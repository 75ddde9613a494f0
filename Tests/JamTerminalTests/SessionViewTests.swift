import JamCore
import JamProtocol
import Testing
@testable import JamTerminal

private let size = TerminalSize(columns: 80, rows: 24)

private func render(_ model: SessionViewModel, _ size: TerminalSize = size) -> Screen {
    var view = SessionView()
    return view.render(model, size: size)
}

@Test func theHeaderShowsTheSessionAndItsSettings() {
    var model = Fixtures.model()
    #expect(render(model).line(0).hasPrefix(" demo │ ● connected │ 96 bpm │ 4/4 │ D minor │ 4 bars │ rev 42 │ Tuesday"))
    model.connection = "reconnecting (attempt 2 in 800 ms)"
    model.isConnected = false
    model.document.key = nil
    let screen = render(model)
    #expect(screen.line(0).contains("reconnecting (attempt 2 in 800 ms) │ 96 bpm │ 4/4 │ no key"))
    #expect(screen[0, 8].character == "●" && screen[0, 8].style.foreground == .red)
}

/// The roster marks this member, the AI and the listener, each in its colour; the tracks show their
/// instrument, owner and flags, the selected one first with a marker.
@Test func theRosterAndTheTrackList() {
    var model = Fixtures.model()
    model.document.tracks[1].mute = true
    model.document.tracks[1].solo = true
    let screen = render(model)
    let side = screen.lines.map { String($0.prefix(24)) }
    #expect(side[1...10] == [
        "Players 3               ",
        "● ann you               ",
        "● bandmate AI           ",
        "● cy listening          ",
        "                        ",
        "Tracks 2                ",
        "▶ Bass               ·· ",
        "  FingrBass ann         ",
        "  Beat               MS ",
        "  Drums bandmate        ",
    ][...])
    #expect(screen[2, 0].style.foreground == model.color(of: "c1"))
    #expect(screen[3, 0].style.foreground == model.color(of: "c2"))
    #expect(Set(["c1", "c2", "c3"].map(model.color(of:))).count == 3)
    #expect(screen[9, 21].style.foreground == .brightRed)
}

@Test func theInfoAndStatusLines() {
    var model = Fixtures.model()
    var screen = render(model)
    #expect(screen.line(22).hasPrefix(" Bass · FingrBass · ann │ 1.1.1 D4 │ note 1/4 v96 │ new 1/8 v96 │ grid 1/16"))
    #expect(screen.line(23).hasPrefix("? help"))
    model.receive(ServerMessage.Chat(client: "c2", text: "try it in \u{1B}[31mD"))
    screen = render(model)
    #expect(screen.line(23).hasPrefix("bandmate: try it in \u{FFFD}[31mD"))
    #expect(screen[23, 0].style.foreground == model.color(of: "c2"))
    model.show(error: "edit refused")
    #expect(render(model).line(23).hasPrefix("✗ edit refused"))
    model.mode = .command("bpm 9")
    screen = render(model)
    #expect(screen.line(23).hasPrefix(":bpm 9 "))
    #expect(screen[23, 6].style.reverse)
}

/// The help overlay fits 80×24 and lists every key and every command.
@Test func theHelpListsEveryKeyAndCommand() {
    var model = Fixtures.model()
    model.mode = .help
    let text = render(model).lines.joined(separator: "\n")
    for entry in KeyBindings.keys + KeyBindings.commands {
        #expect(text.contains(entry.keys), "\(entry.keys)")
        #expect(text.contains(entry.effect), "\(entry.effect)")
    }
}

@Test func noTracksYetSaysHowToAddOne() {
    var model = Fixtures.model()
    model.document.tracks = []
    model.cursor.track = nil
    #expect(render(model).lines.contains { $0.contains("No tracks yet: :track add NAME PROGRAM") })
}

/// Below 80×24 the view is cut down, never a crash; at any size, in any mode.
@Test(arguments: [EditorMode.normal, .help, .command("loop 8")])
func everySizeRenders(mode: EditorMode) {
    var model = Fixtures.model()
    model.mode = mode
    model.cursors["c2"] = RemoteCursor(track: "c1.t1", tick: 7000, pitch: 0)
    model.playhead = 100
    model.status = StatusMessage(.chat(client: "c2"), "漢字 and more text than fits")
    var view = SessionView()
    for columns in [0, 1, 5, 19, 20, 21, 30, 49, 50, 60, 79, 80, 81, 120, 200] {
        for rows in [0, 1, 4, 5, 6, 8, 12, 23, 24, 25, 60, 140] {
            let screen = view.render(model, size: TerminalSize(columns: columns, rows: rows))
            #expect(screen.size == TerminalSize(columns: columns, rows: rows))
        }
    }
    #expect(render(model, TerminalSize(columns: 10, rows: 3)).line(0) == "jam: make ")
}
