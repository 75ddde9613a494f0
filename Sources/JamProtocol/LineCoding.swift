import Foundation
import JamCore
import NIOCore

/// The grammar shared by both directions: `VERB [SP+ JSON-OBJECT]`, and the JSON coding of payloads.
enum LineCoding {
    /// A payload with no fields: PING and PONG.
    struct Empty: Codable {}

    /// A line split into its verb and its payload, not yet decoded.
    struct Split {
        var verb: Verb
        /// The payload's JSON text, or nil when the line is the bare verb.
        var payload: Data?

        /// Decodes the payload as `T`; a bare verb decodes as `{}`. Errors carry the verb (and for an OP,
        /// the seq if it can be read).
        func payload<T: Decodable>(_: T.Type) throws(ProtocolError) -> T {
            let json = payload ?? Data("{}".utf8)
            do {
                return try JSONDecoder().decode(T.self, from: json)
            } catch {
                var error = LineCoding.protocolError(error, verb: verb, json: json)
                if error.seq == nil, verb == .op,
                    let probe = try? JSONDecoder().decode(SeqProbe.self, from: json)
                {
                    error.seq = probe.seq
                }
                throw error
            }
        }

        /// Checks a payload that the verb ignores: absent, or any JSON object.
        func ignoredPayload() throws(ProtocolError) {
            if payload != nil { _ = try self.payload(Empty.self) }
        }
    }

    /// Reads the `seq` of an OP that failed to decode, for the ERR.
    private struct SeqProbe: Decodable {
        var seq: Int?
    }

    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let cr = UInt8(ascii: "\r")

    /// The longest verb word quoted back in an `unknown_verb` ERR.
    private static let quotedVerbLength = 32

    /// Checks a line's length, UTF-8, verb, payload shape and nesting depth (PROTOCOL.md §1, in that
    /// order) and splits it.
    static func split(_ bytes: UnsafeRawBufferPointer, direction: Direction, limits: Limits) throws(ProtocolError) -> Split {
        let maxLength = direction == .clientToServer ? limits.lineBytes : limits.serverLineBytes
        guard bytes.count <= maxLength else {
            throw ProtocolError(.lineTooLong, "a line of \(bytes.count) bytes is longer than \(maxLength)")
        }
        guard (try? UTF8Span(validating: bytes.assumingMemoryBound(to: UInt8.self).span)) != nil else {
            throw ProtocolError(.invalidUTF8, "the line is not valid UTF-8")
        }
        var end = bytes.count
        while end > 0, [space, tab, cr].contains(bytes[end - 1]) { end -= 1 }
        guard end > 0 else { throw ProtocolError(.unknownVerb, "an empty line has no verb") }
        guard bytes[0] != space, bytes[0] != tab else {
            throw ProtocolError(.unknownVerb, "a line starts with its verb, not with white space")
        }
        var wordEnd = 0
        while wordEnd < end, bytes[wordEnd] != space, bytes[wordEnd] != tab { wordEnd += 1 }
        let word = String(decoding: bytes[0..<wordEnd], as: UTF8.self)
        guard let verb = Verb(rawValue: word), direction.verbs.contains(verb) else {
            let quoted = String(word.prefix(quotedVerbLength))
            let why =
                if Verb(rawValue: word) != nil {
                    "\(word) is not sent by a \(direction == .clientToServer ? "client" : "server")"
                } else {
                    "unknown verb \(Quoted(word))"
                }
            throw ProtocolError(.unknownVerb, why, verb: quoted)
        }
        var start = wordEnd
        while start < end, bytes[start] == space || bytes[start] == tab { start += 1 }
        guard start < end else { return Split(verb: verb, payload: nil) }
        guard bytes[start] == UInt8(ascii: "{") else {
            throw ProtocolError(.malformedJSON, "the payload of \(verb) must be a JSON object", verb: verb.rawValue)
        }
        let json = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        let depth = JSONDepth.measure(json, limit: limits.depth)
        guard depth <= limits.depth else {
            throw ProtocolError(
                .tooDeep, "the payload nests deeper than \(limits.depth) levels", verb: verb.rawValue)
        }
        return Split(verb: verb, payload: Data(json))
    }

    /// The ERR for an error thrown while decoding the payload of `verb`.
    static func protocolError(_ error: any Error, verb: Verb, json: Data) -> ProtocolError {
        switch error {
        case var error as ProtocolError:
            error.verb = error.verb ?? verb.rawValue
            return error
        case let error as JamError:
            return ProtocolError(error, verb: verb.rawValue)
        case let error as DecodingError:
            switch error {
            case .keyNotFound(let key, let context):
                let path = (context.codingPath + [key]).dotted
                return ProtocolError(.missingField, "\(verb) needs \"\(path)\"", verb: verb.rawValue)
            case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
                return ProtocolError(
                    .wrongType, "\"\(context.codingPath.dotted)\" must be \(jsonTypeName(type))", verb: verb.rawValue)
            case .dataCorrupted(let context) where !context.codingPath.isEmpty:
                return ProtocolError(
                    .invalidValue, "\"\(context.codingPath.dotted)\": \(context.debugDescription)", verb: verb.rawValue)
            case .dataCorrupted:
                // Foundation reports a number that does not fit its field (1.5 or 1e30 for an integer)
                // as invalid JSON without a path: tell it apart from JSON that really is invalid.
                if (try? JSONSerialization.jsonObject(with: json)) != nil {
                    return ProtocolError(
                        .invalidValue, "a number in the payload of \(verb) does not fit its field", verb: verb.rawValue)
                }
                return ProtocolError(.malformedJSON, "the payload of \(verb) is not valid JSON", verb: verb.rawValue)
            @unknown default:
                return ProtocolError(.malformedJSON, "the payload of \(verb) does not decode", verb: verb.rawValue)
            }
        default:
            return ProtocolError(.malformedJSON, "the payload of \(verb) does not decode: \(error)", verb: verb.rawValue)
        }
    }

    /// The name of a JSON type for a Swift type expected.
    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is UInt64.Type, is UInt.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        default:
            if "\(type)".hasPrefix("Array") { "an array" } else { "an object" }
        }
    }

    /// Payloads are written with sorted keys, no white space, `/` unescaped and non-finite numbers (which no
    /// valid document has) as strings, so that encoding cannot fail.
    private static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    /// The line `VERB SP payload LF`, or `VERB LF` when the payload is `{}`.
    static func encode<T: Encodable>(_ verb: Verb, _ payload: T) -> [UInt8] {
        let json: Data
        do {
            json = try makeEncoder().encode(payload)
        } catch {
            preconditionFailure("JamProtocol could not encode a \(verb) payload: \(error)")
        }
        var line = Array(verb.rawValue.utf8)
        if json.count > 2 {
            line.reserveCapacity(line.count + json.count + 2)
            line.append(space)
            line.append(contentsOf: json)
        }
        line.append(UInt8(ascii: "\n"))
        return line
    }
}

extension DecodingError {
    /// A short account of a decoding error: what was wrong, and where.
    var summary: String {
        switch self {
        case .keyNotFound(let key, let context): "missing \"\((context.codingPath + [key]).dotted)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "wrong type at \"\(context.codingPath.dotted)\""
        case .dataCorrupted(let context): "invalid value at \"\(context.codingPath.dotted)\""
        @unknown default: "\(self)"
        }
    }
}

extension [any CodingKey] {
    /// `op.0.type`.
    var dotted: String {
        map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
