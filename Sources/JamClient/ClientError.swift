import JamProtocol

/// A failure on the client side: connecting, trusting the server, or a refusal from it.
///
/// `code` is stable and snake_case (the server's code when the server refused), for scripts
/// and tests; `message` is for people.
public struct ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The server's refusal, with its code.
    public init(_ error: ProtocolError) {
        self.init(code: error.code.rawValue, message: error.message)
    }

    public var description: String { "\(code): \(message)" }
}
