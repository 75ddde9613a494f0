import Foundation
import JamProtocol
import NIOCore

/// The package's root directory, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // JamProtocolTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

/// A JSON value, compared by meaning: object keys in any order, numbers by value.
enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    init(json: some DataProtocol) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(json))
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): "\(n)"
        case .string(let s): "\"\(s)\""
        case .array(let a): "[" + a.map(\.description).joined(separator: ",") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\"\($0)\":\(o[$0]!)" }.joined(separator: ",") + "}"
        }
    }
}

/// Splits an encoded line (LF included) into its verb and its payload's JSON value.
func splitEncoded(_ line: [UInt8]) throws -> (verb: String, payload: JSONValue?) {
    precondition(line.last == UInt8(ascii: "\n"), "an encoded line ends with LF")
    let body = line.dropLast()
    guard let space = body.firstIndex(of: UInt8(ascii: " ")) else {
        return (String(decoding: body, as: UTF8.self), nil)
    }
    return (String(decoding: body[..<space], as: UTF8.self), try JSONValue(json: body[(space + 1)...]))
}

/// Either direction's decoding, as a value the tests compare.
enum AnyMessage: Equatable {
    case client(ClientMessage)
    case server(ServerMessage)

    static func decode(_ line: [UInt8], _ direction: Direction, limits: Limits = .default) throws(ProtocolError) -> AnyMessage {
        switch direction {
        case .clientToServer: .client(try ClientMessage.decode(line: line, limits: limits))
        case .serverToClient: .server(try ServerMessage.decode(line: line, limits: limits))
        }
    }

    static func decode(_ line: ByteBuffer, _ direction: Direction, limits: Limits = .default) throws(ProtocolError) -> AnyMessage {
        switch direction {
        case .clientToServer: .client(try ClientMessage.decode(line: line, limits: limits))
        case .serverToClient: .server(try ServerMessage.decode(line: line, limits: limits))
        }
    }

    var verb: Verb {
        switch self {
        case .client(let m): m.verb
        case .server(let m): m.verb
        }
    }

    func encodeLine() -> [UInt8] {
        switch self {
        case .client(let m): m.encodeLine()
        case .server(let m): m.encodeLine()
        }
    }
}

/// Decodes `text` expecting failure, returning the error (nil if it decoded).
func decodeError(_ text: String, _ direction: Direction = .clientToServer, limits: Limits = .default) -> ProtocolError? {
    do {
        _ = try AnyMessage.decode(Array(text.utf8), direction, limits: limits)
        return nil
    } catch {
        return error
    }
}

extension Direction {
    /// The longest line this direction carries.
    func maxLineBytes(_ limits: Limits = .default) -> Int {
        self == .clientToServer ? limits.lineBytes : limits.serverLineBytes
    }
}
