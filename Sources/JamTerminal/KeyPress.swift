/// One key as the terminal reports it.
///
/// Named `KeyPress` rather than `Key`, which in JamCore is a musical key.
public enum KeyPress: Hashable, Sendable, CustomStringConvertible {
    /// A printable character (any Unicode scalar, UTF-8 decoded).
    case character(Character)
    case enter
    case backspace
    case escape
    case tab
    /// Shift-Tab.
    case backTab
    case up, down, left, right
    case home, end, pageUp, pageDown, insert, delete
    /// F1…F12.
    case function(Int)
    /// Ctrl with a letter, given in lower case (`"c"` for Ctrl-C); also `"@"` for Ctrl-Space and
    /// `"\\"`, `"]"`, `"^"`, `"_"` for the other C0 codes. Enter, Tab and Backspace are their own cases.
    case control(Character)

    public var description: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .enter: "Enter"
        case .backspace: "Backspace"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .up: "Up"
        case .down: "Down"
        case .left: "Left"
        case .right: "Right"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PageUp"
        case .pageDown: "PageDown"
        case .insert: "Insert"
        case .delete: "Delete"
        case .function(let n): "F\(n)"
        case .control(let c): "Ctrl-\(c.uppercased())"
        }
    }
}
