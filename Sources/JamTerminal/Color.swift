/// A terminal colour: the terminal's default, one of the 16 ANSI colours, or an entry of the 256-colour palette.
public struct Color: Hashable, Sendable, CustomStringConvertible {
    /// The palette index 0…255, or nil for the terminal's own default colour.
    public var index: UInt8?

    public init(index: UInt8?) {
        self.index = index
    }

    public static let `default` = Color(index: nil)
    public static let black = Color(index: 0)
    public static let red = Color(index: 1)
    public static let green = Color(index: 2)
    public static let yellow = Color(index: 3)
    public static let blue = Color(index: 4)
    public static let magenta = Color(index: 5)
    public static let cyan = Color(index: 6)
    public static let white = Color(index: 7)
    public static let brightBlack = Color(index: 8)
    public static let brightRed = Color(index: 9)
    public static let brightGreen = Color(index: 10)
    public static let brightYellow = Color(index: 11)
    public static let brightBlue = Color(index: 12)
    public static let brightMagenta = Color(index: 13)
    public static let brightCyan = Color(index: 14)
    public static let brightWhite = Color(index: 15)

    public var description: String { index.map { "color \($0)" } ?? "default" }
}

/// How a cell is drawn: its colours and attributes.
public struct Style: Hashable, Sendable {
    public var foreground: Color
    public var background: Color
    public var bold: Bool
    public var reverse: Bool

    public init(foreground: Color = .default, background: Color = .default, bold: Bool = false, reverse: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
    }

    /// The terminal's default look.
    public static let plain = Style()

    public func with(foreground: Color) -> Style {
        var style = self
        style.foreground = foreground
        return style
    }

    public func with(background: Color) -> Style {
        var style = self
        style.background = background
        return style
    }

    public var bolded: Style {
        var style = self
        style.bold = true
        return style
    }

    public var reversed: Style {
        var style = self
        style.reverse.toggle()
        return style
    }
}
