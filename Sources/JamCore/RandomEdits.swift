/// A small, fast, seeded generator (SplitMix64): the same seed gives the same edits on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random valid documents and operations, biased towards collisions (same tracks, notes, fields and
/// ticks) so that concurrent edits exercise every transform rule. For property tests, benchmarks and
/// load tools.
public struct RandomEdits: Sendable {
    public var generator: SeededGenerator
    /// Prefix of the ids this site makes, as a client's id.
    public var site: String
    private var counter = 0
    /// One fresh id in this many is one another site may also make (`shared.n1`), to exercise the
    /// same-id rules; 50 unless a check wants them more often.
    public var sharedIDOdds = 50
    /// The most tracks a random operation grows a document to.
    public static let maxTracks = 8

    public init(seed: UInt64, site: String = "s") {
        generator = SeededGenerator(seed: seed)
        self.site = site
    }

    /// Ticks on a 16th-note grid over a couple of bars, so notes and spans meet often.
    private mutating func tick(bars: Int = 2) -> Int {
        Int.random(in: 0..<(bars * 16), using: &generator) * 120
    }

    private mutating func freshID(_ kind: String) -> String {
        counter += 1
        // Now and then an id another site may also make: exercises the same-id rules.
        if Int.random(in: 0..<sharedIDOdds, using: &generator) == 0 {
            return "shared.\(kind)\(Int.random(in: 0..<3, using: &generator))"
        }
        return "\(site).\(kind)\(counter)"
    }

    public mutating func note() -> Note {
        Note(
            id: freshID("n"), tick: tick(), duration: Int.random(in: 1...8, using: &generator) * 60,
            pitch: Int.random(in: 36...84, using: &generator), velocity: Int.random(in: 1...127, using: &generator))
    }

    public mutating func track(notes: Int) -> Track {
        let drums = Bool.random(using: &generator)
        return Track(
            id: freshID("t"), name: "Track \(counter)",
            instrument: drums ? .drums : .program(Int.random(in: 0...127, using: &generator)),
            channel: drums ? 9 : Int.random(in: 0...15, using: &generator),
            volume: Int.random(in: 0...127, using: &generator), pan: Int.random(in: -64...63, using: &generator),
            owner: site, notes: (0..<notes).map { _ in note() })
    }

    public mutating func document(tracks: Int? = nil, notesPerTrack: ClosedRange<Int> = 0...10) -> Document {
        let count = tracks ?? Int.random(in: 0...4, using: &generator)
        var list: [Track] = []
        while list.count < count {
            let new = track(notes: Int.random(in: notesPerTrack, using: &generator))
            if !list.contains(where: { $0.id == new.id }) { list.append(new) }
        }
        return Document(
            title: "Jam \(counter)", tempo: Double(Int.random(in: 60...180, using: &generator)),
            meter: [Meter(4, 4), Meter(3, 4), Meter(6, 8)].randomElement(using: &generator)!,
            key: Bool.random(using: &generator) ? nil : Key(tonic: "D", mode: "minor"),
            loopBars: Int.random(in: 1...16, using: &generator), tracks: list)
    }

    /// An operation of 1…`maxComponents` components, valid on `document`.
    public mutating func operation(on document: Document, maxComponents: Int = 3) -> Operation {
        var scratch = document
        var components: [Component] = []
        for _ in 0..<Int.random(in: 1...maxComponents, using: &generator) {
            guard let component = component(on: scratch) else { continue }
            do {
                try scratch.apply(component)
                components.append(component)
            } catch {
                continue
            }
        }
        return Operation(components)
    }

    /// One of the track's notes, drawn in id order: a dictionary's own order differs between
    /// processes (and between equal dictionaries), and the same seed must give the same edits.
    private mutating func randomNote(of track: Track) -> Note {
        track.notes[track.notes.keys.sorted().randomElement(using: &generator)!]!
    }

    /// One of the document's tracks that has notes (drawn as `filter` then `randomElement` would, without
    /// the array), or nil.
    private mutating func randomTrackWithNotes(of d: Document) -> Track? {
        let count = d.tracks.reduce(0) { $0 + ($1.notes.isEmpty ? 0 : 1) }
        guard count > 0 else { return nil }
        var pick = Int.random(in: 0..<count, using: &generator)
        for track in d.tracks where !track.notes.isEmpty {
            if pick == 0 { return track }
            pick -= 1
        }
        return nil
    }

    /// One component valid on `document` (nil when the draw has nothing to act on), of a kind drawn with
    /// the weights of a jam: note edits most, track and session edits least.
    public mutating func component(on d: Document) -> Component? {
        let kind: ComponentKind =
            switch Int.random(in: 0..<20, using: &generator) {
            case 0: .trackAdd
            case 1: .trackRemove
            case 2: .trackMove
            case 3, 4: .trackSet
            case 5, 6, 7: .noteAdd
            case 8, 9: .noteRemove
            case 10, 11, 12, 13: .noteSet
            case 14, 15: .timeInsert
            case 16, 17: .timeRemove
            default: .sessionSet
            }
        return component(ofKind: kind, on: d)
    }

    /// One component of `kind`, meant to be valid on `document`: nil when the document has nothing for
    /// that kind to act on (no track, no note, the track limit reached, a fresh id already taken).
    /// Targets are drawn from what exists, ticks from a coarse grid, so two sites' components often meet.
    public mutating func component(ofKind kind: ComponentKind, on d: Document) -> Component? {
        switch kind {
        case .trackAdd:
            // Sessions have a handful of tracks; keep the random walk there.
            guard d.tracks.count < RandomEdits.maxTracks else { return nil }
            return .trackAdd(index: Int.random(in: 0...d.tracks.count, using: &generator), track: track(notes: Int.random(in: 0...3, using: &generator)))
        case .trackRemove:
            guard let index = d.tracks.indices.randomElement(using: &generator) else { return nil }
            return .trackRemove(index: index, track: d.tracks[index])
        case .trackMove:
            guard let from = d.tracks.indices.randomElement(using: &generator) else { return nil }
            return .trackMove(track: d.tracks[from].id, from: from, to: d.tracks.indices.randomElement(using: &generator)!)
        case .trackSet:
            guard let track = d.tracks.randomElement(using: &generator) else { return nil }
            let field = TrackField.Name.allCases.randomElement(using: &generator)!
            let value: TrackField =
                switch field {
                case .name: .name("Name \(Int.random(in: 0..<4, using: &generator))")
                case .instrument: Bool.random(using: &generator) ? .instrument(.drums) : .instrument(.program(Int.random(in: 0...127, using: &generator)))
                case .channel: .channel(Int.random(in: 0...15, using: &generator))
                case .volume: .volume(Int.random(in: 0...127, using: &generator))
                case .pan: .pan(Int.random(in: -64...63, using: &generator))
                case .mute: .mute(Bool.random(using: &generator))
                case .solo: .solo(Bool.random(using: &generator))
                case .owner: .owner("c\(Int.random(in: 0..<4, using: &generator))")
                }
            return .trackSet(track: track.id, value: value, old: track.value(of: field))
        case .noteAdd:
            guard let track = d.tracks.randomElement(using: &generator) else { return nil }
            let new = note()
            guard track.notes[new.id] == nil else { return nil }
            return .noteAdd(track: track.id, note: new)
        case .noteRemove:
            guard let track = randomTrackWithNotes(of: d) else { return nil }
            return .noteRemove(track: track.id, note: randomNote(of: track))
        case .noteSet:
            guard let track = randomTrackWithNotes(of: d) else { return nil }
            let note = randomNote(of: track)
            let field = NoteField.allCases.randomElement(using: &generator)!
            let value =
                switch field {
                case .tick: tick()
                case .duration: Int.random(in: 1...8, using: &generator) * 60
                case .pitch: Int.random(in: 0...127, using: &generator)
                case .velocity: Int.random(in: 1...127, using: &generator)
                }
            return .noteSet(track: track.id, note: note.id, field: field, value: value, old: note[field])
        case .timeInsert:
            return .timeInsert(at: tick(), span: Int.random(in: 1...8, using: &generator) * 120)
        case .timeRemove:
            let at = tick()
            let span = Int.random(in: 1...8, using: &generator) * 120
            return .timeRemove(at: at, span: span, removed: d.notesStarting(in: at, span: span))
        case .sessionSet:
            let field = SessionField.Name.allCases.randomElement(using: &generator)!
            let value: SessionField =
                switch field {
                case .title: .title("Jam \(Int.random(in: 0..<4, using: &generator))")
                case .tempo: .tempo(Double(Int.random(in: 40...240, using: &generator)) / 2)
                case .meter: .meter([Meter(4, 4), Meter(3, 4), Meter(6, 8), Meter(5, 4)].randomElement(using: &generator)!)
                case .key: .key(Bool.random(using: &generator) ? nil : Key(tonic: ["C", "Eb", "F#"].randomElement(using: &generator)!, mode: "major"))
                case .loopBars: .loopBars(Int.random(in: 1...16, using: &generator))
                }
            return .sessionSet(value: value, old: d.value(of: field))
        }
    }
}
