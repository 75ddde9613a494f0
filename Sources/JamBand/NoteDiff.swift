import JamCore

/// The smallest change from the notes a track has to the notes wanted: a note already there with
/// the same start, length, pitch and velocity stays (whatever its id); every other note there goes,
/// every other note wanted comes, with its own id unless a staying note holds it.
struct NoteDiff {
    var removed: [Note]
    var added: [Note]

    private struct Content: Hashable {
        var tick: Int, duration: Int, pitch: Int, velocity: Int
        init(_ n: Note) { (tick, duration, pitch, velocity) = (n.tick, n.duration, n.pitch, n.velocity) }
    }

    init(existing: [Note], wanted: [Note]) {
        var pool: [Content: [Note]] = [:]
        for note in existing.sorted(by: { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }) { pool[Content(note), default: []].append(note) }
        var kept = Set<String>()
        var missing: [Note] = []
        for note in wanted {
            if var same = pool[Content(note)], !same.isEmpty {
                // Prefer the note that already has the wanted id.
                let index = same.firstIndex { $0.id == note.id } ?? 0
                kept.insert(same.remove(at: index).id)
                pool[Content(note)] = same
            } else {
                missing.append(note)
            }
        }
        removed = existing.filter { !kept.contains($0.id) }.sorted { ($0.tick, $0.pitch) < ($1.tick, $1.pitch) }
        var taken = kept
        added = missing.map { note in
            var note = note
            if taken.contains(note.id) {
                var n = 1
                while taken.contains("\(note.id)x\(n)") { n += 1 }
                note.id = "\(note.id)x\(n)"
            }
            taken.insert(note.id)
            return note
        }
    }
}
