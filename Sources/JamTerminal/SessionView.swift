import JamCore
import JamProtocol

/// Draws a ``SessionViewModel`` on a ``Screen`` of any size: a header, the players and tracks on the
/// left, the piano roll of the selected track, a line about the cursor and a status or command line.
///
/// Laid out for 80×24 and larger; smaller screens get the same parts cut down, and tiny ones a note
/// asking for more room. The view keeps where the piano roll is scrolled between frames, so that the
/// roll moves only when the cursor leaves it.
public struct SessionView: Sendable {
    public private(set) var viewport = RollViewport()

    public init() {}

    /// The screen for the model now.
    public mutating func render(_ model: SessionViewModel, size: TerminalSize) -> Screen {
        var screen = Screen(size: size)
        guard size.columns >= 20, size.rows >= 5 else {
            screen.draw("jam: make the terminal at least 80×24", row: 0, column: 0)
            return screen
        }
        let layout = Layout(size)
        HeaderView(model: model).draw(on: &screen, row: 0)
        if !layout.side.isEmpty {
            SidePanel(model: model).draw(on: &screen, in: layout.side)
            for row in layout.side.row..<(layout.side.row + layout.side.rows) {
                screen.put("│", row: row, column: layout.side.columns, style: Style(foreground: .brightBlack))
            }
        }
        PianoRollView(model: model).draw(on: &screen, in: layout.roll, viewport: &viewport)
        InfoLine(model: model).draw(on: &screen, row: size.rows - 2)
        StatusLine(model: model).draw(on: &screen, row: size.rows - 1)
        if model.mode == .help { HelpView().draw(on: &screen) }
        return screen
    }

    /// Where each part goes.
    struct Layout {
        var side: Rect
        var roll: Rect

        init(_ size: TerminalSize) {
            let main = size.rows - 3
            let sideColumns: Int
            if size.columns >= 80 {
                sideColumns = min(max(size.columns / 4, 24), 32)
            } else if size.columns >= 50 {
                sideColumns = size.columns / 3
            } else {
                sideColumns = 0
            }
            side = Rect(row: 1, column: 0, rows: main, columns: sideColumns)
            let rollColumn = sideColumns == 0 ? 0 : sideColumns + 1
            roll = Rect(row: 1, column: rollColumn, rows: main, columns: size.columns - rollColumn)
        }
    }
}

/// Joins parts of a line with a thin separator.
func joined(_ parts: [String]) -> String {
    parts.filter { !$0.isEmpty }.joined(separator: " │ ")
}

/// The top line: the session and where the connection stands, then the shared settings.
struct HeaderView {
    let model: SessionViewModel

    func draw(on screen: inout Screen, row: Int) {
        let bar = Style(foreground: .black, background: .white)
        screen.fill(Rect(row: row, column: 0, rows: 1, columns: screen.columns), style: bar)
        let document = model.document
        var column = screen.draw(" \(model.session) │ ", row: row, column: 0, style: bar.bolded)
        let dot = model.isConnected ? Color.green : Color.red
        column += screen.draw("● ", row: row, column: column, style: bar.with(foreground: dot))
        let tempo = document.tempo == document.tempo.rounded() ? String(Int(document.tempo)) : String(document.tempo)
        let rest = joined([
            model.connection, "\(tempo) bpm", document.meter.description, document.key?.description ?? "no key",
            "\(document.loopBars) bar\(document.loopBars == 1 ? "" : "s")", "rev \(model.revision)", document.title,
        ])
        screen.draw(rest, row: row, column: column, style: bar)
    }
}

/// The line above the status line: the selected track, the cursor's place, the note under it and the
/// settings of new notes.
struct InfoLine {
    let model: SessionViewModel

    func draw(on screen: inout Screen, row: Int) {
        let cursor = model.clampedCursor
        var parts: [String] = []
        if let track = model.selectedTrack {
            parts.append("\(track.name) · \(MusicNames.instrument(track.instrument)) · \(model.name(of: track.owner))")
        }
        let drum = model.selectedTrack?.instrument == .drums ? MusicNames.drum(cursor.pitch).map { " \($0)" } ?? "" : ""
        parts.append("\(Self.position(cursor.tick, in: model)) \(MusicNames.pitch(cursor.pitch))\(drum)")
        if let note = model.noteUnderCursor {
            parts.append("note \(MusicNames.duration(note.duration)) v\(note.velocity)")
        }
        parts.append("new \(MusicNames.duration(model.settings.duration)) v\(model.settings.velocity)")
        parts.append("grid \(MusicNames.duration(model.settings.step))")
        screen.draw(" " + joined(parts), row: row, column: 0, style: Style(foreground: .brightWhite, background: .brightBlack))
        screen.fill(Rect(row: row, column: DisplayWidth.of(" " + joined(parts)), rows: 1, columns: screen.columns),
                    style: Style(background: .brightBlack))
    }

    /// `bar.beat.step`, each from 1: where a musician counts.
    static func position(_ tick: Int, in model: SessionViewModel) -> String {
        let bar = tick / model.ticksPerBar
        let inBar = tick % model.ticksPerBar
        let beat = inBar / model.ticksPerBeat
        let sub = inBar % model.ticksPerBeat / max(1, model.settings.step)
        return "\(bar + 1).\(beat + 1).\(sub + 1)"
    }
}

/// The bottom line: the command being typed, or the last error, chat line or notice, or a hint.
struct StatusLine {
    let model: SessionViewModel

    func draw(on screen: inout Screen, row: Int) {
        if case .command(let text) = model.mode {
            let column = screen.draw(":" + text, row: row, column: 0)
            screen.put(" ", row: row, column: column, style: Style(reverse: true))
            return
        }
        guard let status = model.status else {
            screen.draw("? help · : command · Space note · Tab track · u undo · Ctrl-C quit", row: row, column: 0,
                        style: Style(foreground: .brightBlack))
            return
        }
        switch status.kind {
        case .info:
            screen.draw(status.text, row: row, column: 0)
        case .error:
            screen.draw("✗ " + status.text, row: row, column: 0, style: Style(foreground: .brightRed, bold: true))
        case .chat(let client):
            let name = model.name(of: client)
            let column = screen.draw(name + ": ", row: row, column: 0, style: Style(foreground: model.color(of: client), bold: true))
            screen.draw(status.text, row: row, column: column)
        }
    }
}

/// The left column: who is here, and the tracks.
struct SidePanel {
    let model: SessionViewModel

    func draw(on screen: inout Screen, in rect: Rect) {
        guard rect.rows >= 3 else { return }
        var row = rect.row
        let width = rect.columns
        screen.draw("Players \(model.roster.count)", row: row, column: rect.column, style: Style(bold: true), width: width)
        row += 1
        let peerRows = min(model.roster.count, max(1, (rect.rows - 4) / 3))
        for (index, peer) in model.roster.enumerated() where index < peerRows {
            if index == peerRows - 1 && model.roster.count > peerRows {
                screen.draw("  +\(model.roster.count - index) more", row: row, column: rect.column, width: width)
            } else {
                drawPeer(peer, on: &screen, row: row, column: rect.column, width: width)
            }
            row += 1
        }
        row += 1
        guard row < rect.row + rect.rows else { return }
        screen.draw("Tracks \(model.document.tracks.count)", row: row, column: rect.column, style: Style(bold: true), width: width)
        row += 1
        let tracks = model.document.tracks
        let fit = (rect.row + rect.rows - row) / 2
        guard fit > 0 else { return }
        let selected = model.selectedTrackIndex ?? 0
        let first = max(0, min(selected - fit + 1, tracks.count - fit))
        for index in first..<min(tracks.count, first + fit) {
            drawTrack(tracks[index], selected: index == selected, on: &screen, row: row, column: rect.column, width: width)
            row += 2
        }
    }

    private func drawPeer(_ peer: Peer, on screen: inout Screen, row: Int, column: Int, width: Int) {
        let color = model.color(of: peer.client)
        var tags: [String] = []
        if peer.kind == .ai { tags.append("AI") }
        if peer.role == .listener { tags.append("listening") }
        if peer.client == model.client { tags.append("you") }
        let tagText = tags.isEmpty ? "" : " " + tags.joined(separator: " ")
        var c = column + screen.draw("● ", row: row, column: column, style: Style(foreground: color), width: width)
        let nameWidth = max(1, width - 2 - DisplayWidth.of(tagText))
        c += screen.draw(peer.name, row: row, column: c, style: Style(foreground: color, bold: peer.client == model.client),
                         width: min(nameWidth, column + width - c))
        screen.draw(tagText, row: row, column: c, style: Style(foreground: peer.kind == .ai ? .brightMagenta : .brightBlack),
                    width: column + width - c)
    }

    /// Two lines: the name with its mute and solo flags; the instrument and the owner.
    private func drawTrack(_ track: Track, selected: Bool, on screen: inout Screen, row: Int, column: Int, width: Int) {
        let nameStyle = selected ? Style(bold: true, reverse: true) : Style()
        screen.draw(selected ? "▶" : " ", row: row, column: column, style: Style(bold: true), width: width)
        screen.draw(track.name, row: row, column: column + 2, style: nameStyle, width: max(0, width - 6))
        if width >= 8 {
            screen.put(track.mute ? "M" : "·", row: row, column: column + width - 3,
                       style: track.mute ? Style(foreground: .brightRed, bold: true) : Style(foreground: .brightBlack))
            screen.put(track.solo ? "S" : "·", row: row, column: column + width - 2,
                       style: track.solo ? Style(foreground: .brightYellow, bold: true) : Style(foreground: .brightBlack))
        }
        let instrument = MusicNames.instrument(track.instrument)
        var c = column + 2 + screen.draw(instrument, row: row + 1, column: column + 2, style: Style(foreground: .brightBlack), width: width - 2)
        c += 1
        let owner = track.owner.isEmpty ? "" : model.name(of: track.owner)
        screen.draw(owner, row: row + 1, column: c, style: Style(foreground: model.color(of: track.owner)), width: column + width - c)
    }
}
