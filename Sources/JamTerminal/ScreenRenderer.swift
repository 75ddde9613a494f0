/// Turns virtual screens into ANSI bytes: a whole screen, or only what changed since the last one, so
/// that a redraw neither flickers nor sends the whole screen for a moved cursor.
///
/// The bytes use only cursor position (CUP), select graphic rendition (SGR) and erase display (ED), and
/// assume a terminal with autowrap off (``Terminal`` turns it off).
public struct ScreenRenderer: Sendable {
    /// The screen the terminal shows now, as far as this renderer knows.
    public private(set) var previous: Screen?

    public init() {}

    /// The bytes that bring the terminal from what it shows to `screen`: the changes only, or the whole
    /// screen after ``invalidate()`` or a change of size.
    public mutating func update(to screen: Screen) -> [UInt8] {
        defer { previous = screen }
        if let previous, previous.size == screen.size {
            return Self.diff(from: previous, to: screen)
        }
        return Self.full(screen)
    }

    /// Forgets what the terminal shows, so the next update redraws everything (after a resize, or when
    /// something else may have written to the terminal).
    public mutating func invalidate() {
        previous = nil
    }

    /// The whole screen: clear, then every cell.
    public static func full(_ screen: Screen) -> [UInt8] {
        var out = Output()
        out.append("\u{1B}[0m\u{1B}[2J")
        for row in 0..<screen.rows {
            out.run(screen, row: row, from: 0, to: screen.columns)
        }
        out.finish()
        return out.bytes
    }

    /// The changes from `old` to `new`, which must have the same size (otherwise the whole of `new`).
    ///
    /// Changed cells on a row are written as runs; two runs closer than a cursor move costs are joined.
    public static func diff(from old: Screen, to new: Screen) -> [UInt8] {
        guard old.size == new.size else { return full(new) }
        var out = Output()
        for row in 0..<new.rows {
            var column = 0
            while column < new.columns {
                guard old[row, column] != new[row, column] else {
                    column += 1
                    continue
                }
                var start = column
                // A changed wide tail is drawn by its head; a head's tail comes with it.
                if new[row, start].isWideTail || old[row, start].isWideTail, start > 0 { start -= 1 }
                var end = column + 1
                var gap = 0
                var scan = end
                while scan < new.columns {
                    if old[row, scan] != new[row, scan] {
                        end = scan + 1
                        gap = 0
                    } else {
                        gap += 1
                        if gap > joinGap { break }
                    }
                    scan += 1
                }
                if end < new.columns, new[row, end].isWideTail || old[row, end].isWideTail { end += 1 }
                out.run(new, row: row, from: start, to: end)
                column = end
            }
        }
        out.finish()
        return out.bytes
    }

    /// Unchanged cells worth rewriting rather than moving the cursor over (a CUP is 6–8 bytes).
    static let joinGap = 4

    /// The bytes being built, with the terminal's cursor and style as they will be after them.
    private struct Output {
        var bytes: [UInt8] = []
        var row = -1
        var column = -1
        var style: Style?

        mutating func append(_ text: String) {
            bytes.append(contentsOf: text.utf8)
        }

        /// Writes the cells `from..<to` of a row.
        mutating func run(_ screen: Screen, row: Int, from start: Int, to end: Int) {
            var column = start
            while column < end {
                let cell = screen[row, column]
                if cell.isWideTail {
                    column += 1
                    continue
                }
                move(row: row, column: column)
                if style != cell.style { setStyle(cell.style) }
                append(String(cell.character))
                let width = DisplayWidth.of(cell.character)
                self.column += width
                column += width
            }
        }

        mutating func move(row: Int, column: Int) {
            guard row != self.row || column != self.column else { return }
            append("\u{1B}[\(row + 1);\(column + 1)H")
            self.row = row
            self.column = column
        }

        mutating func setStyle(_ style: Style) {
            var codes = ["0"]
            if style.bold { codes.append("1") }
            if style.reverse { codes.append("7") }
            codes.append(contentsOf: Self.color(style.foreground, base: 30))
            codes.append(contentsOf: Self.color(style.background, base: 40))
            append("\u{1B}[\(codes.joined(separator: ";"))m")
            self.style = style
        }

        /// SGR parameters of a colour: `base` is 30 for the foreground, 40 for the background.
        static func color(_ color: Color, base: Int) -> [String] {
            guard let index = color.index else { return [] }
            switch index {
            case 0..<8: return ["\(base + Int(index))"]
            case 8..<16: return ["\(base + 60 + Int(index) - 8)"]
            default: return ["\(base + 8)", "5", "\(index)"]
            }
        }

        /// Leaves the terminal in its default style, so nothing else printed inherits ours.
        mutating func finish() {
            if style != nil && style != .plain { append("\u{1B}[0m") }
        }
    }
}
