import Foundation
import JamCore
import Testing

/// Runs every case of `Protocol/vectors/` — written by the independent Python reference — against JamCore.
@Suite struct VectorTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/vectors")

    static func load<Case: Decodable>(_ file: String, as _: Case.Type) -> [Case] {
        do {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            return try JSONDecoder().decode(VectorFile<Case>.self, from: data).cases
        } catch {
            Issue.record("cannot load \(file): \(error)")
            return []
        }
    }

    @Test("transform.json", arguments: load("transform.json", as: TransformCase.self))
    func transformCase(_ c: TransformCase) throws {
        let (a2, b2) = transform(c.a, c.b, aWins: c.aWins)
        #expect(a2 == c.aPrime, "a′")
        #expect(b2 == c.bPrime, "b′")
        #expect(try c.doc.applying(c.a).applying(b2) == c.final)
        #expect(try c.doc.applying(c.b).applying(a2) == c.final)
    }

    @Test("apply.json", arguments: load("apply.json", as: ApplyCase.self))
    func applyCase(_ c: ApplyCase) throws {
        let document: Document
        switch c.doc.result {
        case .failure(let error):
            #expect(c.error?.component == nil && c.error?.code == error.code, "document decoding: \(error.text)")
            return
        case .success(let decoded):
            document = decoded
        }
        if let expected = c.error, expected.component == nil {
            #expect(document.validate().map(\.code.rawValue).contains(expected.code), "\(document.validate())")
            return
        }
        #expect(document.validate().isEmpty)
        let components = try #require(c.op)
        if let index = components.firstIndex(where: { (try? $0.result.get()) == nil }),
            case .failure(let error) = components[index].result
        {
            #expect(c.error?.code == error.code, "component \(index) decoding: \(error.text)")
            #expect(c.error?.component == index)
            return
        }
        let op = JamCore.Operation(components.map { try! $0.result.get() })
        var changed = document
        do {
            try changed.apply(op)
            #expect(c.error == nil, "applied, but \(c.error!.code) was expected")
            #expect(changed == c.result?.value)
        } catch {
            #expect(error.code.rawValue == c.error?.code, "\(error)")
            #expect(error.component == c.error?.component)
            #expect(changed == document, "a refused operation left the document changed")
        }
    }

    @Test("invert.json", arguments: load("invert.json", as: InvertCase.self))
    func invertCase(_ c: InvertCase) throws {
        #expect(c.op.inverse == c.inverse)
        #expect(try c.doc.applying(c.op).applying(c.op.inverse) == c.doc)
    }

    @Test("canonical.json", arguments: load("canonical.json", as: CanonicalCase.self))
    func canonicalCase(_ c: CanonicalCase) {
        #expect(String(decoding: c.doc.canonicalJSON(), as: UTF8.self) == c.canonical)
        #expect(c.doc.contentHash == c.hash)
    }

    @Test("the files hold at least the cases DOCUMENT.md promises")
    func counts() {
        #expect(Self.load("transform.json", as: TransformCase.self).count >= 80)
        #expect(Self.load("apply.json", as: ApplyCase.self).count >= 40)
    }
}

/// The code an implementation reports for input it cannot decode.
func code(of error: any Error) -> String {
    (error as? JamError)?.code.rawValue ?? "malformed"
}

struct VectorFile<Case: Decodable>: Decodable {
    var version: Int
    var cases: [Case]
}

/// A value decoded in place, keeping its error (as the code an implementation reports) instead of
/// failing the whole file.
struct Lazy<Value: Decodable & Sendable>: Decodable, Sendable {
    struct Failure: Error {
        var code: String
        var text: String
    }

    var result: Result<Value, Failure>
    var value: Value? { try? result.get() }

    init(from decoder: any Decoder) throws {
        do {
            result = .success(try Value(from: decoder))
        } catch {
            result = .failure(Failure(code: code(of: error), text: "\(error)"))
        }
    }
}

struct TransformCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var doc: Document
    var a, b, aPrime, bPrime: JamCore.Operation
    var aWins: Bool
    var final: Document
    var testDescription: String { name }
}

struct ApplyCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Expected: Decodable, Sendable {
        var code: String
        var component: Int?
    }

    var name: String
    var doc: Lazy<Document>
    var op: [Lazy<Component>]?
    var result: Lazy<Document>?
    var error: Expected?
    var testDescription: String { name }
}

struct InvertCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var doc: Document
    var op, inverse: JamCore.Operation
    var testDescription: String { name }
}

struct CanonicalCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var doc: Document
    var canonical, hash: String
    var testDescription: String { name }
}

@Suite struct DocumentValidationTests {
    @Test("validate reports every broken rule, each with its place")
    func everyErrorWithItsPlace() {
        var document = Document(tempo: 999, meter: Meter(4, 3), loopBars: 0)
        document.tracks = [
            Track(id: "t 1", name: "a", instrument: .program(200), channel: 16, notes: [
                Note(id: "n1", tick: -1, duration: 0, pitch: 128, velocity: 0)
            ]),
            Track(id: "t2", name: "b"), Track(id: "t2", name: "c"),
        ]
        let errors = document.validate()
        #expect(errors.map(\.code.rawValue) == [
            "tempo_out_of_range", "meter_invalid", "loop_out_of_range",
            "invalid_id", "program_out_of_range", "channel_out_of_range",
            "tick_out_of_range", "duration_out_of_range", "pitch_out_of_range", "velocity_out_of_range",
            "track_exists",
        ])
        #expect(errors[6].message.hasPrefix("track 0 (t 1), note n1: "))
        #expect(Document().validate().isEmpty)
    }
}
