/// A MIDI file that cannot be read or written.
///
/// `code` is stable and snake_case, for scripts and tests; `message` is for people;
/// `offset` is the byte in the file where reading stopped, when there is one.
public struct MIDIError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var offset: Int?

    public init(code: String, message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String {
        if let offset { return "\(code): \(message) (at byte \(offset))" }
        return "\(code): \(message)"
    }
}
