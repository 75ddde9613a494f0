import JamCore
import Testing

/// TP1 for each ordered pair of component kinds, and the generator and check behind
/// `jam-bench-core --check-kinds` (which runs 10^7 pairs of each in a release build).
@Suite struct KindPairTests {
    static let kindPairs = ComponentKind.allCases.flatMap { a in ComponentKind.allCases.map { (a, $0) } }

    @Test("a component's kind names its wire type, and the type names the kind", arguments: ComponentKind.allCases)
    func kindNamesType(kind: ComponentKind) throws {
        var edits = RandomEdits(seed: UInt64(kind.rawValue), site: "k")
        let document = edits.document(tracks: 3, notesPerTrack: 2...6)
        let made = edits.component(ofKind: kind, on: document)
        let component = try #require(made)
        #expect(component.componentKind == kind)
        #expect(component.type == kind.type)
        #expect(ComponentKind(type: kind.type) == kind)
    }

    @Test("component(ofKind:on:) makes components of that kind that apply", arguments: ComponentKind.allCases)
    func componentsOfKindApply(kind: ComponentKind) {
        var edits = RandomEdits(seed: 99 &+ UInt64(kind.rawValue), site: "k")
        var made = 0, applied = 0
        for round in 0..<300 {
            let document = edits.document(tracks: 1 + round % 4, notesPerTrack: 1...8)
            guard let component = edits.component(ofKind: kind, on: document) else { continue }
            made += 1
            #expect(component.componentKind == kind)
            if (try? document.applying(Operation([component]))) != nil { applied += 1 }
        }
        // Only a fresh id that is taken (one in 50 is shared) can be refused.
        #expect(made >= 290)
        #expect(applied * 100 >= made * 98, "\(applied) of \(made) applied")
    }

    @Test("TP1 holds for every ordered pair of kinds of single components", arguments: kindPairs)
    func tp1ForKindPair(a: ComponentKind, b: ComponentKind) {
        let check = Convergence.checkTP1(kinds: (a, b), pairs: 300, seed: 0x4A41_4D21)
        #expect(check.kept == 300)
        #expect(check.generated >= check.kept)
        #expect(check.failures == 0, "\(check.firstFailure!)")
    }

    @Test("pairs of the same track, note or ticks meet: the rules rewrite a good share of them")
    func collisionsHappen() {
        for (a, b) in [(ComponentKind.noteSet, ComponentKind.noteSet), (.trackRemove, .noteAdd), (.noteAdd, .timeRemove), (.timeRemove, .timeRemove)] {
            let check = Convergence.checkTP1(kinds: (a, b), pairs: 400, seed: 7)
            #expect(check.rewritten * 20 >= check.kept, "\(a) × \(b): \(check.rewritten) of \(check.kept) rewritten")
        }
    }

    @Test("the cases do not depend on how they are split, so one replays alone", arguments: [(ComponentKind.trackAdd, ComponentKind.timeRemove), (.noteSet, .noteRemove)])
    func splitsAgree(a: ComponentKind, b: ComponentKind) {
        let whole = Convergence.checkTP1(kinds: (a, b), pairs: 150, seed: 11)
        var parts = Convergence.checkTP1(kinds: (a, b), pairs: 37, seed: 11)
        parts.merge(Convergence.checkTP1(kinds: (a, b), pairs: 113, seed: 11, from: 37))
        #expect(parts.kept == whole.kept)
        #expect(parts.generated == whole.generated)
        #expect(parts.rewritten == whole.rewritten)
        var rewrittenOneByOne = 0
        for index in 0..<150 {
            let one = Convergence.checkTP1(kinds: (a, b), pairs: 1, seed: 11, from: index)
            #expect(one.kept == 1)
            rewrittenOneByOne += one.rewritten
        }
        #expect(rewrittenOneByOne == whole.rewritten)
    }
}
