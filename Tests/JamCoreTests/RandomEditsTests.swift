import JamCore
import Testing

@Suite struct RandomEditsTests {
    /// A note dictionary's order depends on the process's hash seed and on the table's history; the
    /// edits must not, or a seed does not replay in another process (jam-chaos found this).
    @Test("equal documents give the same edits, whatever the order of their notes' dictionaries", arguments: 0..<50)
    func editsIgnoreDictionaryOrder(seed: UInt64) {
        var maker = RandomEdits(seed: seed, site: "d")
        let document = maker.document(tracks: 3, notesPerTrack: 4...12)
        var rehashed = document
        for index in rehashed.tracks.indices { rehashed.tracks[index].notes.reserveCapacity(4096) }
        #expect(rehashed == document)
        var a = RandomEdits(seed: seed &+ 1, site: "e"), b = a
        var left = document, right = rehashed
        for _ in 0..<20 {
            let opA = a.operation(on: left), opB = b.operation(on: right)
            #expect(opA == opB)
            guard opA == opB, (try? left.apply(opA)) != nil, (try? right.apply(opB)) != nil else { return }
        }
    }
}
