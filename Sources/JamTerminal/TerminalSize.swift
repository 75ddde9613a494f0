/// The size of a terminal or of a virtual screen, in character cells.
public struct TerminalSize: Hashable, Sendable {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// The smallest size the session view is laid out for.
    public static let minimum = TerminalSize(columns: 80, rows: 24)

    /// Whether the session view fits without being cut.
    public var isUsable: Bool { columns >= Self.minimum.columns && rows >= Self.minimum.rows }
}
