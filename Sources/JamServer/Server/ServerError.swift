/// Why the server could not start or serve: a stable snake_case code and a message for people.
public struct ServerError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let dataDirectory = Code(rawValue: "data_directory")
        public static let bindFailed = Code(rawValue: "bind_failed")
        public static let badOption = Code(rawValue: "bad_option")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
