extension Document {
    /// Applies an operation in place, atomically: on error the document is as it was and the error
    /// names the failing component. A note edit costs a lookup, not a copy.
    public mutating func apply(_ operation: Operation) throws(JamError) {
        for (index, component) in operation.components.enumerated() {
            do {
                try apply(component)
            } catch {
                for done in operation.components[..<index].reversed() {
                    for inverse in done.inverse {
                        try! apply(inverse)
                    }
                }
                throw JamError(error.code, error.message, component: index)
            }
        }
    }

    /// The document with `operation` applied.
    public func applying(_ operation: Operation) throws(JamError) -> Document {
        var copy = self
        try copy.apply(operation)
        return copy
    }

    /// Applies one component; it either succeeds whole or changes nothing.
    public mutating func apply(_ component: Component) throws(JamError) {
        switch component {
        case .trackAdd(let index, let track):
            try Validate.ids(of: track)
            guard trackIndex(track.id) == nil else { throw JamError(.trackExists, "track \(track.id) exists") }
            guard (0...tracks.count).contains(index) else {
                throw JamError(.indexOutOfRange, "index \(index) is outside 0…\(tracks.count)")
            }
            try Validate.track(track)
            tracks.insert(track, at: index)

        case .trackRemove(let index, let track):
            try Validate.id(track.id)
            guard trackIndex(track.id) != nil else { throw JamError(.unknownTrack, "no track \(track.id)") }
            guard tracks.indices.contains(index) else {
                throw JamError(.indexOutOfRange, "index \(index) is outside 0..<\(tracks.count)")
            }
            guard tracks[index].id == track.id else {
                throw JamError(.contentMismatch, "track \(track.id) is not at index \(index)")
            }
            guard tracks[index] == track else {
                throw JamError(.contentMismatch, "track \(track.id) differs from the one carried")
            }
            tracks.remove(at: index)

        case .trackMove(let id, let from, let to):
            try Validate.id(id)
            guard let at = trackIndex(id) else { throw JamError(.unknownTrack, "no track \(id)") }
            guard tracks.indices.contains(from), tracks.indices.contains(to) else {
                throw JamError(.indexOutOfRange, "a move needs from and to in 0..<\(tracks.count)")
            }
            guard at == from else {
                throw JamError(.contentMismatch, "track \(id) is at \(at), not \(from)")
            }
            tracks.insert(tracks.remove(at: from), at: to)

        case .trackSet(let id, let value, let old):
            guard value.field == old.field else {
                throw JamError(.fieldTypeMismatch, "value and old name different fields")
            }
            let t = try existingTrack(id)
            guard tracks[t].value(of: old.field) == old else {
                throw JamError(.staleValue, "track \(id) \(old.field.rawValue) is not the old value carried")
            }
            try Validate.trackField(value)
            tracks[t].set(value)

        case .noteAdd(let id, let note):
            try Validate.id(note.id)
            let t = try existingTrack(id)
            guard tracks[t].notes[note.id] == nil else { throw JamError(.noteExists, "note \(note.id) exists in \(id)") }
            try Validate.note(note)
            tracks[t].notes[note.id] = note

        case .noteRemove(let id, let note):
            try Validate.id(note.id)
            let t = try existingTrack(id)
            guard let current = tracks[t].notes[note.id] else { throw JamError(.unknownNote, "no note \(note.id) in \(id)") }
            guard current == note else { throw JamError(.contentMismatch, "note \(note.id) differs from the one carried") }
            tracks[t].notes[note.id] = nil

        case .noteSet(let id, let noteID, let field, let value, let old):
            try Validate.id(noteID)
            let t = try existingTrack(id)
            guard let current = tracks[t].notes[noteID] else { throw JamError(.unknownNote, "no note \(noteID) in \(id)") }
            guard current[field] == old else {
                throw JamError(.staleValue, "note \(noteID) \(field.rawValue) is \(current[field]), not \(old)")
            }
            try Validate.noteField(field, value)
            tracks[t].notes[noteID]![field] = value

        case .timeInsert(let at, let span):
            try Validate.span(at: at, span: span)
            for track in tracks {
                for note in track.notes.values where note.tick >= at && note.tick > DocumentLimits.maxTick - span {
                    throw JamError(.tickOutOfRange, "note \(note.id) would start past 2^40")
                }
            }
            for t in tracks.indices { tracks[t].insertTime(at: at, span: span) }

        case .timeRemove(let at, let span, let removed):
            for item in removed {
                try Validate.id(item.track)
                try Validate.id(item.note.id)
                guard trackIndex(item.track) != nil else { throw JamError(.unknownTrack, "no track \(item.track)") }
            }
            for i in removed.indices.dropFirst() where !(removed[i - 1] < removed[i]) {
                throw JamError(.removedNotSorted, "removed notes are sorted by track id, then note id, without repeats")
            }
            try Validate.span(at: at, span: span)
            guard removed == notesStarting(in: at, span: span) else {
                throw JamError(.contentMismatch, "the removed notes are not those starting in \(at)..<\(at + span)")
            }
            for t in tracks.indices { tracks[t].removeTime(at: at, span: span) }

        case .sessionSet(let value, let old):
            guard value.field == old.field else {
                throw JamError(.fieldTypeMismatch, "value and old name different fields")
            }
            guard self.value(of: old.field) == old else {
                throw JamError(.staleValue, "\(old.field.rawValue) is not the old value carried")
            }
            try Validate.sessionField(value)
            set(value)
        }
    }

    private func existingTrack(_ id: String) throws(JamError) -> Int {
        try Validate.id(id)
        guard let index = trackIndex(id) else { throw JamError(.unknownTrack, "no track \(id)") }
        return index
    }

    /// The notes of every track that start in `at ..< at+span`, sorted as `time.remove` carries them.
    public func notesStarting(in at: Int, span: Int) -> [RemovedNote] {
        var found: [RemovedNote] = []
        for track in tracks {
            for note in track.notes.values where note.tick >= at && note.tick - at < span {
                found.append(RemovedNote(track: track.id, note: note))
            }
        }
        return found.sorted()
    }
}

extension Track {
    /// Moves the notes starting at or after `at` later by `span`.
    mutating func insertTime(at: Int, span: Int) {
        var i = notes.values.startIndex
        while i != notes.values.endIndex {
            if notes.values[i].tick >= at { notes.values[i].tick += span }
            notes.values.formIndex(after: &i)
        }
    }

    /// Drops the notes starting in `at ..< at+span` and moves later ones earlier by `span`.
    mutating func removeTime(at: Int, span: Int) {
        notes = notes.filter { !($0.value.tick >= at && $0.value.tick - at < span) }
        var i = notes.values.startIndex
        while i != notes.values.endIndex {
            if notes.values[i].tick >= at + span { notes.values[i].tick -= span }
            notes.values.formIndex(after: &i)
        }
    }
}
