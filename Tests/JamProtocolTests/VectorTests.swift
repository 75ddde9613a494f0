import Foundation
import JamProtocol
import NIOCore
import Testing

/// One case of `Protocol/vectors/messages.json` (its `description` says what each field means).
struct MessageVector: Decodable, Sendable, CustomTestStringConvertible {
    struct Generate: Decodable, Sendable {
        var prefix: String
        var fill: String
        var suffix: String
        var length: Int
    }

    struct Decoded: Decodable, Sendable {
        var verb: String
        var payload: JSONValueBox?
    }

    struct ExpectedError: Decodable, Sendable {
        var code: String
        var verb: String?
        var seq: Int?
        var component: Int?
    }

    var name: String
    var direction: String
    var line: String?
    var hex: String?
    var generate: Generate?
    var decoded: Decoded?
    var canonical: Bool?
    var error: ExpectedError?

    var testDescription: String { "\(direction): \(name)" }

    var messageDirection: Direction {
        get throws { try #require(Direction(rawValue: direction), "direction is client or server") }
    }

    /// The line's bytes, without its LF.
    func bytes() throws -> [UInt8] {
        if let line { return Array(line.utf8) }
        if let hex {
            let digits = Array(hex.utf8)
            return try stride(from: 0, to: digits.count, by: 2).map { i in
                try #require(UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16))
            }
        }
        let generate = try #require(generate, "a case has line, hex or generate")
        let fixed = generate.prefix.utf8.count + generate.suffix.utf8.count
        let fill = Array(generate.fill.utf8)
        let count = (generate.length - fixed) / fill.count
        var bytes = Array(generate.prefix.utf8)
        bytes.reserveCapacity(generate.length)
        for _ in 0..<count { bytes += fill }
        bytes += generate.suffix.utf8
        try #require(bytes.count == generate.length, "generate.length fits prefix, fill and suffix")
        return bytes
    }
}

/// A JSON value that can cross into a parameterised test.
struct JSONValueBox: Decodable, @unchecked Sendable {
    var value: JSONValue
    init(from decoder: any Decoder) throws { value = try JSONValue(from: decoder) }
}

struct VectorFile: Decodable {
    var version: Int
    var cases: [MessageVector]

    static let url = packageRoot.appendingPathComponent("Protocol/vectors/messages.json")

    static func load() throws -> VectorFile {
        try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url))
    }
}

@Suite("Protocol/vectors/messages.json")
struct VectorTests {
    @Test("every case", arguments: try VectorFile.load().cases)
    func run(_ vector: MessageVector) throws {
        let direction = try vector.messageDirection
        let bytes = try vector.bytes()
        #expect((vector.decoded == nil) != (vector.error == nil), "a case expects either a message or an error")

        // The same line through the line decoder, ended by LF and by CRLF, gives the same outcome.
        for terminator in [[UInt8(ascii: "\n")], [UInt8(ascii: "\r"), UInt8(ascii: "\n")]] {
            var decoder = LineDecoder(maxLineBytes: direction.maxLineBytes())
            var stream = ByteBuffer(bytes: bytes + terminator)
            let outcome: Result<AnyMessage, ProtocolError>
            do {
                let line = try #require(try decoder.next(in: &stream), "the line decoder yields the line")
                #expect(stream.readableBytes == 0)
                outcome = Result { () throws(ProtocolError) in try AnyMessage.decode(line, direction) }
            } catch let error as ProtocolError {
                outcome = .failure(error)
            }
            try check(vector, outcome, bytes: bytes)
        }
        // And decoding the bytes directly.
        try check(vector, Result { () throws(ProtocolError) in try AnyMessage.decode(bytes, direction) }, bytes: bytes)
    }

    private func check(_ vector: MessageVector, _ outcome: Result<AnyMessage, ProtocolError>, bytes: [UInt8]) throws {
        switch (outcome, vector.decoded, vector.error) {
        case (.success(let message), let decoded?, _):
            #expect(message.verb.rawValue == decoded.verb)
            let encoded = message.encodeLine()
            let (verb, payload) = try splitEncoded(encoded)
            #expect(verb == decoded.verb)
            #expect(payload == decoded.payload?.value, "the payload as the encoder writes it")
            if vector.canonical == true {
                #expect(encoded == bytes + [UInt8(ascii: "\n")], "encoding gives back the line byte for byte")
            }
            let again = try AnyMessage.decode(Array(encoded.dropLast()), try vector.messageDirection)
            #expect(again == message, "decode(encode(m)) == m")
        case (.failure(let error), _, let expected?):
            #expect(error.code.rawValue == expected.code, "\(error)")
            if let verb = expected.verb { #expect(error.verb == verb, "\(error)") }
            if let seq = expected.seq { #expect(error.seq == seq, "\(error)") }
            if let component = expected.component { #expect(error.component == component, "\(error)") }
            #expect(error.closesConnection == error.code.closesConnection)
        case (.success(let message), nil, let expected):
            Issue.record("decoded \(message) but expected \(expected?.code ?? "?")")
        case (.failure(let error), _, nil):
            Issue.record("expected a message but got \(error)")
        }
    }

    @Test("the file covers every verb of both directions and every decoding error")
    func coverage() throws {
        let file = try VectorFile.load()
        #expect(file.version == 1)
        #expect(file.cases.count >= 30)
        #expect(Set(file.cases.map(\.name)).count == file.cases.count, "case names are unique")
        for direction in Direction.allCases {
            let verbs = Set(file.cases.filter { $0.direction == direction.rawValue }.compactMap { $0.decoded?.verb })
            #expect(verbs == Set(direction.verbs.map(\.rawValue)), "valid lines of every \(direction) verb")
        }
        let codes = Set(file.cases.compactMap { $0.error?.code })
        let decodingCodes: [ProtocolError.Code] = [
            .lineTooLong, .invalidUTF8, .unknownVerb, .malformedJSON, .tooDeep, .missingField, .wrongType,
            .invalidValue, .badSessionName,
        ]
        for code in decodingCodes { #expect(codes.contains(code.rawValue), "a case for \(code)") }
    }
}
