/// Why the terminal could not be set up or used.
public struct TerminalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable: `not_a_terminal`, `terminal_busy`, `termios_failed`, `pipe_failed`, `write_failed`.
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
