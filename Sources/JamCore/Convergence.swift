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

    /// What `checkTP1(kinds:pairs:seed:from:)` found for one ordered pair of kinds.
    public struct KindPairCheck: Sendable {
        public var a: ComponentKind
        public var b: ComponentKind
        /// Pairs drawn, counting those where a component was not valid on the document and was drawn again.
        public var generated = 0
        /// Pairs checked: both components valid on the document.
        public var kept = 0
        /// Kept pairs that a rule rewrote (a component changed, dropped or split): how often they met.
        public var rewritten = 0
        public var failures = 0
        /// The first failure, which replays alone with `checkTP1(kinds:pairs: 1, seed:from: failure.index)`.
        public var firstFailure: Failure?

        public init(a: ComponentKind, b: ComponentKind) {
            self.a = a
            self.b = b
        }

        /// Adds another slice's counts of the same pair; the earliest failure is kept.
        public mutating func merge(_ other: KindPairCheck) {
            generated += other.generated
            kept += other.kept
            rewritten += other.rewritten
            failures += other.failures
            if let failure = other.firstFailure, failure.index < firstFailure?.index ?? .max { firstFailure = failure }
        }
    }

    /// Cases of `checkTP1(kinds:…)` on one document before the next; each document's cases are drawn
    /// from a generator seeded by (seed, kinds, document), so any case replays without those before it.
    public static let casesPerDocument = 32

    /// TP1 on the cases `first ..< first+pairs` of one ordered pair of kinds: `a`, a single component of
    /// kind `kinds.0`, and `b`, one of kind `kinds.1`, both valid on a small random document (1–4 tracks
    /// of 1–8 notes, half of them 1–2 of 1–3, so the two often edit the same track, note, field or ticks;
    /// one fresh id in eight is one the other site may also make). A pair with a component that does not apply is drawn again.
    /// Case `i` gives `a` the tie when `i` is even. Results do not depend on how cases are split into calls.
    public static func checkTP1(kinds: (ComponentKind, ComponentKind), pairs: Int, seed: UInt64, from first: Int = 0) -> KindPairCheck {
        var check = KindPairCheck(a: kinds.0, b: kinds.1)
        let end = first + pairs
        var index = first - first % casesPerDocument
        var maker = RandomEdits(seed: 0), one = maker, two = maker
        var document = Document()
        while index < end {
            if index % casesPerDocument == 0 {
                let mixed = UInt64(kinds.0.rawValue * 10 + kinds.1.rawValue) << 48 ^ UInt64(index / casesPerDocument)
                var seeds = SeededGenerator(seed: seed ^ mixed)
                maker = RandomEdits(seed: seeds.next(), site: "s")
                one = RandomEdits(seed: seeds.next(), site: "a")
                two = RandomEdits(seed: seeds.next(), site: "b")
                one.sharedIDOdds = 8
                two.sharedIDOdds = 8
                document = kindCheckDocument(&maker)
            }
            let counted = index >= first
            var drawn = 0
            var afterA = document, afterB = document
            var pair: (Component, Component)?
            while pair == nil {
                drawn += 1
                if drawn % 64 == 0 {
                    // Nothing of these kinds applies here (rare): the case moves to another document.
                    document = kindCheckDocument(&maker)
                }
                guard let a = one.component(ofKind: kinds.0, on: document), let b = two.component(ofKind: kinds.1, on: document)
                else { continue }
                afterA = document
                afterB = document
                guard (try? afterA.apply(a)) != nil, (try? afterB.apply(b)) != nil else { continue }
                pair = (a, b)
            }
            let (a, b) = pair!
            let aWins = index % 2 == 0
            let (a2, b2) = transform(a, b, xWins: aWins)
            if counted {
                check.generated += drawn
                check.kept += 1
                if a2.count != 1 || b2.count != 1 || a2[0] != a || b2[0] != b { check.rewritten += 1 }
            }
            var left = afterA, right = afterB
            let leftError = apply(b2, to: &left), rightError = apply(a2, to: &right)
            if counted, leftError != nil || rightError != nil || left != right {
                check.failures += 1
                if check.firstFailure == nil {
                    let outcome = { (document: Document, error: JamError?) in error.map { "error \($0)" } ?? self.outcome(.success(document)) }
                    check.firstFailure = Failure(
                        law: "TP1 \(kinds.0) × \(kinds.1)", seed: seed, index: index,
                        detail: describe(["doc": json(document), "a": json(Operation([a])), "b": json(Operation([b])), "aWins": "\(aWins)",
                            "a'": json(Operation(a2)), "b'": json(Operation(b2)),
                            "a then b'": outcome(left, leftError), "b then a'": outcome(right, rightError)]))
                }
            }
            index += 1
        }
        return check
    }

    /// A document for the per-kind check: half of them tight (1–2 tracks of 1–3 notes), where two
    /// components of a kind usually touch the same track and often the same note, half roomier (1–4 tracks
    /// of 1–8 notes), where a span of time holds several notes.
    private static func kindCheckDocument(_ maker: inout RandomEdits) -> Document {
        if Bool.random(using: &maker.generator) {
            return maker.document(tracks: Int.random(in: 1...2, using: &maker.generator), notesPerTrack: 1...3)
        }
        return maker.document(tracks: Int.random(in: 1...4, using: &maker.generator), notesPerTrack: 1...8)
    }

    /// Applies components in turn; the first error, if any.
    private static func apply(_ components: [Component], to document: inout Document) -> JamError? {
        for component in components {
            do {
                try document.apply(component)
            } catch {
                return error
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
