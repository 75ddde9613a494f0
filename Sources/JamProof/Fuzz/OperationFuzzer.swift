import Foundation
import JamCore
import JamProtocol

/// The second fuzz harness's body: an operation decoded from the input as the server decodes an OP,
/// applied to a document derived from the input, then inverted, transformed against a second valid
/// operation and composed. Anything may be refused, nothing may trap, and:
/// - a document an operation applies to stays valid, and survives its canonical JSON;
/// - the inverse applies and restores the document;
/// - transform converges (TP1), whichever side wins ties;
/// - the composition of the operation and the other's rewrite does what applying both does.
///
/// Input: byte 0 seeds the document (2–4 tracks of `RandomEdits` with site `s`: ids such as `s.t1`,
/// `s.n2`), byte 1 seeds the second operation, the rest is the operation's JSON (an OP's `op`).
public enum OperationFuzzer {
    /// Runs one input; true when its operation decoded and applied (so every property was checked).
    @discardableResult
    public static func run(_ input: [UInt8]) -> Bool {
        guard input.count > 2 else { return false }
        let document = Self.document(seed: input[0])
        let line = Array(#"OP {"base":0,"seq":1,"op":"#.utf8) + input[2...] + Array("}".utf8)
        guard case .op(let payload)? = try? ClientMessage.decode(line: line) else { return false }
        let a = payload.op
        var afterA = document
        guard (try? afterA.apply(a)) != nil else { return false }
        expectValid(afterA, "after \(a)")

        var back = afterA
        do {
            try back.apply(a.inverse)
        } catch {
            fail("the inverse of \(a) does not apply: \(error)", document)
        }
        if back.contentHash != document.contentHash { fail("the inverse of \(a) does not restore the document", document) }

        var edits = RandomEdits(seed: 0xF022 &+ UInt64(input[1]), site: "f")
        let b = edits.operation(on: document)
        var afterB = document
        do {
            try afterB.apply(b)
        } catch {
            fail("RandomEdits made an operation that does not apply: \(b)", document)
        }
        for aWins in [true, false] {
            let (a2, b2) = transform(a, b, aWins: aWins)
            var left = afterA, right = afterB
            do {
                try left.apply(b2)
                try right.apply(a2)
            } catch {
                fail("transform(aWins: \(aWins)) gives an operation that does not apply: \(error)\na \(a)\nb \(b)", document)
            }
            if left.contentHash != right.contentHash {
                fail("transform(aWins: \(aWins)) does not converge\na \(a)\nb \(b)\na' \(a2)\nb' \(b2)", document)
            }
            expectValid(left, "after a and b'")
            var composed = document
            do {
                try composed.apply(a.composed(with: b2))
            } catch {
                fail("a composed with b' does not apply: \(error)\na \(a)\nb' \(b2)", document)
            }
            if composed.contentHash != left.contentHash { fail("a composed with b' is not a then b'\na \(a)\nb' \(b2)", document) }
        }
        return true
    }

    /// The document byte `seed` stands for.
    public static func document(seed: UInt8) -> Document {
        var maker = RandomEdits(seed: UInt64(seed), site: "s")
        return maker.document(tracks: 2 + Int(seed % 3), notesPerTrack: 1...6)
    }

    /// Seed inputs: valid random operations on the documents of the first seeds, so that the fuzzer
    /// starts from operations that apply.
    public static func corpus(count: Int = 48) -> [[UInt8]] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (0..<count).compactMap { n in
            let seed = UInt8(n % 16)
            var edits = RandomEdits(seed: UInt64(n) &* 7919, site: "x")
            let op = edits.operation(on: document(seed: seed), maxComponents: 1 + n % 4)
            guard let json = try? encoder.encode(op) else { return nil }
            return [seed, UInt8(n % 251)] + Array(json)
        }
    }

    private static func expectValid(_ document: Document, _ context: @autoclosure () -> String) {
        if let problem = document.validate().first { fail("invalid document \(context()): \(problem)", document) }
        let json = document.canonicalJSON()
        guard let decoded = try? JSONDecoder().decode(Document.self, from: json) else {
            fail("the canonical JSON \(context()) does not decode", document)
        }
        if decoded.contentHash != document.contentHash { fail("the canonical JSON \(context()) does not round-trip", document) }
    }

    private static func fail(_ message: String, _ document: Document) -> Never {
        fatalError("\(message)\non \(String(decoding: document.canonicalJSON(), as: UTF8.self))")
    }
}
