import JamCore

/// Where the piano roll is scrolled: the pitch of its top row and the step of its first column.
public struct RollViewport: Hashable, Sendable {
    public var topPitch: Int
    public var firstStep: Int
    /// False until the first frame centres the cursor.
    var placed: Bool

    public init(topPitch: Int = 72, firstStep: Int = 0) {
        self.topPitch = topPitch
        self.firstStep = firstStep
        placed = false
    }

    /// Scrolls as little as keeps the cursor in view, with a margin of two rows above and below when
    /// there is room; across time, to the start of the cursor's bar when that shows the cursor.
    mutating func follow(step: Int, pitch: Int, rows: Int, columns: Int, totalSteps: Int, barStartStep: Int) {
        guard rows > 0, columns > 0 else { return }
        if !placed {
            topPitch = pitch + rows / 2
            firstStep = 0
            placed = true
        }
        let margin = rows > 8 ? 2 : 0
        if pitch > topPitch - margin { topPitch = pitch + margin }
        if pitch < topPitch - rows + 1 + margin { topPitch = pitch + rows - 1 - margin }
        topPitch = max(min(topPitch, 127), min(127, rows - 1))
        if step < firstStep || step >= firstStep + columns {
            firstStep = step - barStartStep < columns ? barStartStep : step - columns / 2
        }
        firstStep = max(0, min(firstStep, totalSteps - columns))
    }
}

/// The selected track's notes: pitches down the side, steps of the loop across, bar and beat lines,
/// the other members' cursors in their colours, this member's cursor in reverse, and the playhead.
struct PianoRollView {
    let model: SessionViewModel

    static let labelColumns = 6
    static let noteHead: Character = "█"
    static let noteTail: Character = "▒"
    static let barLine: Character = "│"
    static let beatLine: Character = "┆"
    static let whiteKeyCell: Character = "·"

    func draw(on screen: inout Screen, in rect: Rect, viewport: inout RollViewport) {
        guard rect.rows >= 2, rect.columns >= 2 else { return }
        guard let track = model.selectedTrack else {
            screen.draw("No tracks yet: :track add NAME PROGRAM", row: rect.row + rect.rows / 2, column: rect.column + 2,
                        style: Style(foreground: .brightBlack), width: rect.columns - 2)
            return
        }
        let labels = rect.columns >= 16 ? Self.labelColumns : 0
        let grid = Rect(row: rect.row + 1, column: rect.column + labels, rows: rect.rows - 1, columns: rect.columns - labels)
        let step = max(1, model.settings.step)
        let cursor = model.clampedCursor
        let totalSteps = (model.loopTicks + step - 1) / step
        let barStartTick = cursor.tick / model.ticksPerBar * model.ticksPerBar
        viewport.follow(
            step: cursor.tick / step, pitch: cursor.pitch, rows: grid.rows, columns: grid.columns,
            totalSteps: totalSteps, barStartStep: barStartTick / step)
        let first = viewport.firstStep
        let top = viewport.topPitch
        let visibleSteps = max(0, min(grid.columns, totalSteps - first))

        // The ruler: bar numbers and beats.
        screen.draw(MusicNames.duration(step), row: rect.row, column: rect.column, style: Style(foreground: .brightBlack), width: labels)
        for column in 0..<visibleSteps {
            let tick = (first + column) * step
            if starts(model.ticksPerBeat, within: tick, step) != nil {
                screen.put("·", row: rect.row, column: grid.column + column, style: Style(foreground: .brightBlack))
            }
        }
        for column in 0..<visibleSteps {
            if let bar = starts(model.ticksPerBar, within: (first + column) * step, step) {
                screen.draw(String(bar + 1), row: rect.row, column: grid.column + column, style: Style(bold: true),
                            width: grid.columns - column)
            }
        }

        // Rows of pitches: a label, then the grid.
        let drums = track.instrument == .drums
        for row in 0..<grid.rows {
            let pitch = top - row
            guard pitch >= 0 else { break }
            let black = MusicNames.isBlackKey(pitch)
            if labels > 0 {
                let name = drums ? MusicNames.drum(pitch) ?? MusicNames.pitch(pitch) : MusicNames.pitch(pitch)
                let style = pitch == cursor.pitch
                    ? Style(reverse: true)
                    : Style(foreground: black ? .brightBlack : .default, bold: pitch % 12 == 0)
                screen.draw(name, row: grid.row + row, column: rect.column, style: style, width: labels - 1)
            }
            for column in 0..<visibleSteps {
                let tick = (first + column) * step
                let character: Character
                if starts(model.ticksPerBar, within: tick, step) != nil {
                    character = Self.barLine
                } else if starts(model.ticksPerBeat, within: tick, step) != nil {
                    character = Self.beatLine
                } else {
                    character = black && !drums ? " " : Self.whiteKeyCell
                }
                screen.put(character, row: grid.row + row, column: grid.column + column, style: Style(foreground: .brightBlack))
            }
        }

        // Notes in view: tails, then heads, in time order, so a head is never covered.
        let shownPitches = max(0, top - grid.rows + 1)...max(0, top)
        let shownTicks = first * step..<(first + visibleSteps) * step
        let shownNotes = track.notes.values.filter {
            shownPitches.contains($0.pitch) && $0.tick < shownTicks.upperBound && $0.tick + $0.duration > shownTicks.lowerBound
        }
        for note in shownNotes.sorted(by: { $0.tick != $1.tick ? $0.tick < $1.tick : $0.id < $1.id }) {
            let row = grid.row + top - note.pitch
            let start = note.tick / step
            let end = (note.tick + note.duration - 1) / step
            let style = Style(foreground: model.color(of: author(of: note.id)), bold: note.velocity >= 100)
            let shown = max(start, first), last = min(end, first + visibleSteps - 1)
            guard shown <= last else { continue }
            for s in shown...last {
                screen.put(s == start ? Self.noteHead : Self.noteTail, row: row, column: grid.column + s - first, style: style)
            }
        }

        // The others' cursors on this track: their initial on their colour; without a pitch, in the ruler.
        for (client, other) in model.cursors.sorted(by: { $0.key < $1.key }) where other.track == track.id {
            let column = other.tick / step - first
            guard column >= 0, column < visibleSteps else { continue }
            let initial = model.name(of: client).first ?? "?"
            let color = model.color(of: client)
            if let pitch = other.pitch, shownPitches.contains(pitch), top - pitch < grid.rows {
                let row = grid.row + top - pitch
                let cell = screen[row, grid.column + column]
                let onNote = cell.character == Self.noteHead || cell.character == Self.noteTail
                screen.put(onNote ? cell.character : initial, row: row, column: grid.column + column,
                           style: Style(foreground: .black, background: color, bold: true))
            } else {
                screen.put(initial, row: rect.row, column: grid.column + column, style: Style(foreground: color, bold: true))
            }
        }

        // The playhead: a mark in the ruler.
        if let playhead = model.playhead {
            let column = (playhead % model.loopTicks) / step - first
            if column >= 0, column < visibleSteps {
                screen.put("▼", row: rect.row, column: grid.column + column, style: Style(foreground: .brightYellow, bold: true))
            }
        }

        // This member's cursor.
        let cursorRow = grid.row + top - cursor.pitch
        let cursorColumn = grid.column + cursor.tick / step - first
        if cursorRow >= grid.row, cursorRow < grid.row + grid.rows {
            screen.restyle(row: cursorRow, column: cursorColumn) { $0.reverse = true }
        }
    }

    /// The index of the period (bar or beat) that starts within the step `tick ..< tick+step`, if one does.
    private func starts(_ period: Int, within tick: Int, _ step: Int) -> Int? {
        let index = (tick + period - 1) / period
        return index * period < tick + step ? index : nil
    }
}

/// The overlay listing every key and command.
struct HelpView {
    func draw(on screen: inout Screen) {
        let keysWidth = KeyBindings.keyColumns + 1 + 22
        let commandsWidth = KeyBindings.commandColumns + 1 + 17
        let width = min(screen.columns, keysWidth + 2 + commandsWidth + 2)
        let height = min(screen.rows - 1, max(KeyBindings.keys.count, KeyBindings.commands.count) + 2)
        let box = Rect(row: 0, column: max(0, (screen.columns - width) / 2), rows: height, columns: width)
        let style = Style(foreground: .brightWhite, background: .blue)
        screen.fill(box, style: style)
        screen.box(box, style: style, title: "jam keys — any key closes")
        let inner = box.column + 1
        for (index, entry) in KeyBindings.keys.enumerated() where index < height - 2 {
            screen.draw(entry.keys, row: box.row + 1 + index, column: inner, style: style.bolded, width: KeyBindings.keyColumns)
            screen.draw(entry.effect, row: box.row + 1 + index, column: inner + KeyBindings.keyColumns + 1, style: style,
                        width: min(22, box.column + width - 1 - (inner + KeyBindings.keyColumns + 1)))
        }
        let right = inner + keysWidth + 2
        for (index, entry) in KeyBindings.commands.enumerated() where index < height - 2 {
            screen.draw(entry.keys, row: box.row + 1 + index, column: right, style: style.bolded,
                        width: min(KeyBindings.commandColumns, box.column + width - 1 - right))
            let effect = right + KeyBindings.commandColumns + 1
            screen.draw(entry.effect, row: box.row + 1 + index, column: effect, style: style, width: box.column + width - 1 - effect)
        }
    }
}
