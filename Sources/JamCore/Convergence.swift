import Foundation

/// Randomised checks of the OT laws, shared by the tests (a few thousand cases) and
/// `jam-bench-core --check` (millions, in a release build).
public enum Convergence {
    /// What failed, with everything needed to replay it.
    public struct Failure: Error, CustomStringConvertible {
        public var law: String
        public var seed: UInt64
        public var index: Int
        public var detail: String
        public var description: String { "\(law) failed (seed \(seed), case \(index)): \(detail)" }
    }

    /// TP1 on `pairs` random concurrent pairs: `apply(apply(S, a), b′) == apply(apply(S, b), a′)`.
    public static func checkTP1(pairs: Int, seed: UInt64) -> Failure? {
        var one = RandomEdits(seed: seed, site: "a")
        var two = RandomEdits(seed: seed ^ 0x5EED, site: "b")
        var document = Document()
        for index in 0..<pairs {
            if index % 16 == 0 { document = one.document() }
            let a = one.operation(on: document)
            let b = two.operation(on: document)
            let aWins = index % 2 == 0
            let (a2, b2) = transform(a, b, aWins: aWins)
            let left = Result { () throws(JamError) in try document.applying(a).applying(b2) }
            let right = Result { () throws(JamError) in try document.applying(b).applying(a2) }
            switch (left, right) {
            case (.success(let l), .success(let r)) where l == r:
                document = index % 3 == 0 ? l : document
            default:
                return Failure(
                    law: "TP1", seed: seed, index: index,
                    detail: describe(["doc": json(document), "a": json(a), "b": json(b), "aWins": "\(aWins)",
                        "a'": json(a2), "b'": json(b2), "a then b'": outcome(left), "b then a'": outcome(right)]))
            }
        }
        return nil
    }

    /// `apply(apply(S, op), invert(op)) == S` on `count` random operations.
    public static func checkInverse(count: Int, seed: UInt64) -> Failure? {
        var edits = RandomEdits(seed: seed)
        var document = edits.document()
        for index in 0..<count {
            if index % 16 == 0 { document = edits.document() }
            let op = edits.operation(on: document, maxComponents: 4)
            let outcome = Result { () throws(JamError) in try document.applying(op).applying(op.inverse) }
            guard case .success(let back) = outcome, back == document else {
                return Failure(law: "invert", seed: seed, index: index,
                    detail: describe(["doc": json(document), "op": json(op), "inverse": json(op.inverse), "result": self.outcome(outcome)]))
            }
            document = (try? document.applying(op)) ?? document
        }
        return nil
    }

    /// Transforming against a sequence equals transforming against each in turn, and `compose`
    /// equals applying in sequence.
    public static func checkSequences(count: Int, seed: UInt64) -> Failure? {
        var one = RandomEdits(seed: seed, site: "a")
        var two = RandomEdits(seed: seed ^ 0xC0FFEE, site: "b")
        for index in 0..<count {
            let document = one.document()
            let a = one.operation(on: document)
            let b1 = two.operation(on: document)
            guard let mid = try? document.applying(b1) else { continue }
            let b2 = two.operation(on: mid)
            let whole = Operation.compose([b1, b2])
            let (aAll, _) = transform(a, whole, aWins: index % 2 == 0)
            let (aStep, _) = transform(a, b1, aWins: index % 2 == 0)
            let (aSteps, _) = transform(aStep, b2, aWins: index % 2 == 0)
            let seqResult = Result { () throws(JamError) in try document.applying(whole) }
            let stepResult = Result { () throws(JamError) in try mid.applying(b2) }
            guard case .success(let viaCompose) = seqResult, case .success(let viaSteps) = stepResult, viaCompose == viaSteps else {
                return Failure(law: "compose", seed: seed, index: index,
                    detail: describe(["doc": json(document), "b1": json(b1), "b2": json(b2), "composed": json(whole)]))
            }
            let all = Result { () throws(JamError) in try viaCompose.applying(aAll) }
            let steps = Result { () throws(JamError) in try viaSteps.applying(aSteps) }
            guard case .success(let l) = all, case .success(let r) = steps, l == r else {
                return Failure(law: "transform against a sequence", seed: seed, index: index,
                    detail: describe(["doc": json(document), "a": json(a), "b1": json(b1), "b2": json(b2),
                        "a against b1+b2": outcome(all), "a against b1 then b2": outcome(steps)]))
            }
        }
        return nil
    }

    private static func outcome(_ result: Result<Document, JamError>) -> String {
        switch result {
        case .success(let document): String(decoding: document.canonicalJSON(), as: UTF8.self)
        case .failure(let error): "error \(error)"
        }
    }

    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }

    private static func describe(_ parts: KeyValuePairs<String, String>) -> String {
        parts.map { "\n  \($0.key): \($0.value)" }.joined()
    }
}
