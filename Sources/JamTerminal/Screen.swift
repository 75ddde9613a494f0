/// One character cell of a screen.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: Style
    /// The right half of a wide character that stands in the cell to its left: drawn by that cell.
    public var isWideTail: Bool

    public init(_ character: Character = " ", style: Style = .plain, isWideTail: Bool = false) {
        self.character = character
        self.style = style
        self.isWideTail = isWideTail
    }

    public static let blank = Cell()
}

/// A rectangle of cells: its top-left corner and its size.
public struct Rect: Hashable, Sendable {
    public var row: Int
    public var column: Int
    public var rows: Int
    public var columns: Int

    public init(row: Int, column: Int, rows: Int, columns: Int) {
        self.row = row
        self.column = column
        self.rows = max(0, rows)
        self.columns = max(0, columns)
    }

    public var isEmpty: Bool { rows == 0 || columns == 0 }
}

/// A virtual screen: a grid of styled cells that views draw on and ``ScreenRenderer`` turns into ANSI.
///
/// Drawing outside the grid is clipped, never an error, so a view laid out for a larger terminal
/// degrades on a small one instead of crashing.
public struct Screen: Hashable, Sendable {
    public let size: TerminalSize
    public private(set) var cells: [Cell]

    public init(size: TerminalSize, style: Style = .plain) {
        self.size = TerminalSize(columns: max(0, size.columns), rows: max(0, size.rows))
        cells = Array(repeating: Cell(style: style), count: self.size.columns * self.size.rows)
    }

    public var rows: Int { size.rows }
    public var columns: Int { size.columns }

    public subscript(row: Int, column: Int) -> Cell {
        cells[row * size.columns + column]
    }

    public func contains(row: Int, column: Int) -> Bool {
        row >= 0 && row < size.rows && column >= 0 && column < size.columns
    }

    /// Puts one character at a cell, clipped to the screen and to `limit` (the column after the last one
    /// it may use). Returns the columns it took: 0, 1 or 2. A wide character with no room is drawn as a space.
    @discardableResult
    public mutating func put(_ character: Character, row: Int, column: Int, style: Style, limit: Int? = nil) -> Int {
        let end = min(limit ?? size.columns, size.columns)
        guard row >= 0, row < size.rows, column >= 0, column < end else { return 0 }
        var character = DisplayWidth.printable(character)
        var width = DisplayWidth.of(character)
        if width == 2 && column + 1 >= end {
            character = " "
            width = 1
        }
        for c in column..<(column + width) { clearWide(row: row, column: c) }
        set(Cell(character, style: style), row: row, column: column)
        if width == 2 { set(Cell(" ", style: style, isWideTail: true), row: row, column: column + 1) }
        return width
    }

    /// Draws text from a cell rightwards, clipped to the screen and to `width` columns.
    /// Returns the columns used.
    @discardableResult
    public mutating func draw(_ text: some StringProtocol, row: Int, column: Int, style: Style = .plain, width: Int? = nil) -> Int {
        let limit = width.map { column + max(0, $0) } ?? size.columns
        var c = column
        for character in text {
            guard c < limit else { break }
            let used = put(character, row: row, column: c, style: style, limit: limit)
            if used == 0 && c >= 0 { break }
            c += max(used, 1)
        }
        return c - column
    }

    /// Fills a rectangle with one character.
    public mutating func fill(_ rect: Rect, with character: Character = " ", style: Style = .plain) {
        for row in rect.row..<(rect.row + rect.rows) {
            for column in rect.column..<(rect.column + rect.columns) {
                put(character, row: row, column: column, style: style)
            }
        }
    }

    /// Draws a frame of box-drawing characters around a rectangle's edge, with an optional title on top.
    public mutating func box(_ rect: Rect, style: Style = .plain, title: String? = nil) {
        guard rect.rows >= 2, rect.columns >= 2 else { return }
        let top = rect.row, bottom = rect.row + rect.rows - 1
        let left = rect.column, right = rect.column + rect.columns - 1
        for column in (left + 1)..<right {
            put("─", row: top, column: column, style: style)
            put("─", row: bottom, column: column, style: style)
        }
        for row in (top + 1)..<bottom {
            put("│", row: row, column: left, style: style)
            put("│", row: row, column: right, style: style)
        }
        put("┌", row: top, column: left, style: style)
        put("┐", row: top, column: right, style: style)
        put("└", row: bottom, column: left, style: style)
        put("┘", row: bottom, column: right, style: style)
        if let title, rect.columns > 4 {
            draw(" \(title) ", row: top, column: left + 2, style: style.bolded, width: rect.columns - 4)
        }
    }

    /// Changes the style of a cell already drawn, keeping its character.
    public mutating func restyle(row: Int, column: Int, _ change: (inout Style) -> Void) {
        guard contains(row: row, column: column) else { return }
        let index = row * size.columns + column
        change(&cells[index].style)
    }

    /// One row as text: what a person reads there, wide characters once.
    public func line(_ row: Int) -> String {
        var text = ""
        for column in 0..<size.columns where !self[row, column].isWideTail {
            text.append(self[row, column].character)
        }
        return text
    }

    /// Every row as text.
    public var lines: [String] { (0..<size.rows).map(line) }

    private mutating func set(_ cell: Cell, row: Int, column: Int) {
        cells[row * size.columns + column] = cell
    }

    /// Before a cell is overwritten: a wide character it is half of becomes a space.
    private mutating func clearWide(row: Int, column: Int) {
        let index = row * size.columns + column
        if cells[index].isWideTail, column > 0 {
            cells[index - 1].character = " "
            cells[index].isWideTail = false
        }
        if column + 1 < size.columns, cells[index + 1].isWideTail {
            cells[index + 1].isWideTail = false
            cells[index + 1].character = " "
        }
    }
}
