@testable import JamTerminal

/// A small terminal for the tests: it understands what ``ScreenRenderer`` writes (CUP, SGR, ED 2) and
/// nothing else, which it reports, so a renderer that sends anything more fails the tests.
struct ANSIInterpreter {
    var screen: [[Cell]]
    var row = 0
    var column = 0
    var style = Style.plain
    var unknown: [String] = []

    init(size: TerminalSize) {
        screen = Array(repeating: Array(repeating: Cell.blank, count: size.columns), count: size.rows)
    }

    init(showing screen: Screen) {
        self.screen = (0..<screen.rows).map { row in (0..<screen.columns).map { screen[row, $0] } }
    }

    mutating func feed(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var characters = text.makeIterator()
        while let character = characters.next() {
            guard character == "\u{1B}" else {
                print(character)
                continue
            }
            guard characters.next() == "[" else {
                unknown.append("ESC without [")
                continue
            }
            var parameters = ""
            while let c = characters.next() {
                if c.isLetter {
                    control(parameters, c)
                    break
                }
                parameters.append(c)
            }
        }
    }

    private mutating func control(_ parameters: String, _ final: Character) {
        let numbers = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        switch final {
        case "H":
            row = max(1, numbers.first ?? 1) - 1
            column = max(1, numbers.count > 1 ? numbers[1] : 1) - 1
        case "J" where parameters == "2":
            for r in screen.indices {
                for c in screen[r].indices { screen[r][c] = Cell(style: style) }
            }
        case "m":
            sgr(numbers.isEmpty ? [0] : numbers)
        default:
            unknown.append("CSI \(parameters)\(final)")
        }
    }

    private mutating func sgr(_ codes: [Int]) {
        var index = 0
        while index < codes.count {
            let code = codes[index]
            switch code {
            case 0: style = .plain
            case 1: style.bold = true
            case 7: style.reverse = true
            case 30...37: style.foreground = Color(index: UInt8(code - 30))
            case 40...47: style.background = Color(index: UInt8(code - 40))
            case 90...97: style.foreground = Color(index: UInt8(code - 90 + 8))
            case 100...107: style.background = Color(index: UInt8(code - 100 + 8))
            case 38, 48:
                let color = Color(index: UInt8(codes[index + 2]))
                if code == 38 { style.foreground = color } else { style.background = color }
                index += 2
            default: unknown.append("SGR \(code)")
            }
            index += 1
        }
    }

    /// Prints a character where the cursor is and moves on. The renderer must never print past the last
    /// column (autowrap is off, so a real terminal would overwrite it): that is reported.
    private mutating func print(_ character: Character) {
        guard row < screen.count, column < screen[row].count else {
            unknown.append("print outside the screen at \(row),\(column)")
            return
        }
        let width = DisplayWidth.of(character)
        screen[row][column] = Cell(character, style: style)
        if width == 2, column + 1 < screen[row].count {
            screen[row][column + 1] = Cell(" ", style: style, isWideTail: true)
        }
        column += width
    }

    /// Whether the terminal shows exactly the screen: every cell's character and style.
    func shows(_ target: Screen) -> Bool {
        guard screen.count == target.rows else { return false }
        for r in 0..<target.rows {
            for c in 0..<target.columns where screen[r][c] != target[r, c] {
                return false
            }
        }
        return true
    }
}
