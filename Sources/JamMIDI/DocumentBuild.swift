import JamCore

extension Document {
    /// Operations that turn `base` into this document, as a session's log records an import: first the
    /// removal of `base`'s tracks, then one operation setting every session field that differs, then for
    /// each track a `track.add` (without its notes) followed by its notes in `note.add` operations of at
    /// most `notesPerOperation` notes. Small operations keep every log record and wire line short.
    /// Applying them in order to `base` gives this document (the same hash).
    public func operations(from base: Document = Document(), notesPerOperation: Int = 200) -> [JamCore.Operation] {
        var operations: [JamCore.Operation] = []
        if !base.tracks.isEmpty {
            operations.append(JamCore.Operation(base.tracks.map { .trackRemove(index: 0, track: $0) }))
        }
        let settings: [Component] = SessionField.Name.allCases.compactMap { field in
            let old = base.value(of: field)
            let new = value(of: field)
            return old == new ? nil : .sessionSet(value: new, old: old)
        }
        if !settings.isEmpty { operations.append(JamCore.Operation(settings)) }
        let batch = max(1, notesPerOperation)
        for (index, track) in tracks.enumerated() {
            var empty = track
            empty.notes = [:]
            operations.append([.trackAdd(index: index, track: empty)])
            let notes = track.sortedNotes
            var start = 0
            while start < notes.count {
                let slice = notes[start..<min(start + batch, notes.count)]
                operations.append(JamCore.Operation(slice.map { .noteAdd(track: track.id, note: $0) }))
                start += batch
            }
        }
        return operations
    }
}
