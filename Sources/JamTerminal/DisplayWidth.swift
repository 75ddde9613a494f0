/// How many terminal columns a character takes, and which characters must never reach a terminal.
public enum DisplayWidth {
    /// 2 for East Asian wide and emoji-presentation characters, 1 for the rest.
    ///
    /// A character that is not safe to print (see ``printable(_:)``) is drawn as U+FFFD, one column.
    public static func of(_ character: Character) -> Int {
        guard let first = character.unicodeScalars.first, first.value >= firstWide else { return 1 }
        if first.properties.isEmojiPresentation { return 2 }
        return isWide(first.value) ? 2 : 1
    }

    /// The character itself, or U+FFFD for one a terminal would act on or draw in no column: control
    /// characters (so that text from other members cannot carry escape sequences) and lone combining marks.
    public static func printable(_ character: Character) -> Character {
        if let ascii = character.asciiValue { return ascii >= 0x20 && ascii != 0x7F ? character : replacement }
        guard let first = character.unicodeScalars.first else { return replacement }
        // Arrows, shapes, box drawing and blocks, as the views draw them: printable as they are.
        if (0x2190...0x2BFF).contains(first.value) && character.unicodeScalars.count == 1 { return character }
        for scalar in character.unicodeScalars where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
            return replacement
        }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned:
            return replacement
        default:
            return character
        }
    }

    /// The sum of the widths of the text's characters.
    public static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of(printable($1)) }
    }

    static let replacement: Character = "\u{FFFD}"

    /// Nothing before U+1100 is wide or an emoji by default.
    private static let firstWide: UInt32 = 0x1100

    /// The East Asian Wide and Fullwidth blocks (Unicode's EastAsianWidth W and F, by block).
    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
            0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF,
            0x20000...0x2FFFD, 0x30000...0x3FFFD:
            true
        default:
            false
        }
    }
}
