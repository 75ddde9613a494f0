/// A note removed by `time.remove`, named with its track.
public struct RemovedNote: Hashable, Sendable, Codable, Comparable {
    public var track: String
    public var note: Note

    public init(track: String, note: Note) {
        self.track = track
        self.note = note
    }

    /// Removed lists are sorted by track id, then note id.
    public static func < (a: RemovedNote, b: RemovedNote) -> Bool {
        if a.track != b.track { return a.track.utf8.lexicographicallyPrecedes(b.track.utf8) }
        return a.note.id.utf8.lexicographicallyPrecedes(b.note.id.utf8)
    }
}

/// One atomic change to a document. Each carries what it replaces or removes, so it inverts on its own.
public enum Component: Hashable, Sendable {
    /// Inserts a track (with its notes) so that it ends at `index`.
    case trackAdd(index: Int, track: Track)
    /// Removes the track at `index`, which must equal `track`.
    case trackRemove(index: Int, track: Track)
    /// Takes a track from `from` and puts it at `to` of the resulting list.
    case trackMove(track: String, from: Int, to: Int)
    /// Sets one field of a track; `old` must be its current value.
    case trackSet(track: String, value: TrackField, old: TrackField)
    case noteAdd(track: String, note: Note)
    /// Removes a note, which must equal `note`.
    case noteRemove(track: String, note: Note)
    /// Sets one field of a note; `old` must be its current value.
    case noteSet(track: String, note: String, field: NoteField, value: Int, old: Int)
    /// Moves every note starting at or after `at` later by `span` ticks.
    case timeInsert(at: Int, span: Int)
    /// Removes the notes starting in `at ..< at+span` (exactly `removed`) and moves later ones earlier.
    case timeRemove(at: Int, span: Int, removed: [RemovedNote])
    /// Sets one session field; `old` must be its current value.
    case sessionSet(value: SessionField, old: SessionField)

    /// The component's `type` on the wire.
    public var type: String { componentKind.type }

    /// The track this component edits, for the components confined to one existing track.
    var editedTrack: String? {
        switch self {
        case .trackSet(let t, _, _), .noteAdd(let t, _), .noteRemove(let t, _), .noteSet(let t, _, _, _, _):
            t
        case .trackMove(let t, _, _):
            t
        default:
            nil
        }
    }
}

extension Component: Codable {
    enum CodingKeys: String, CodingKey {
        case type, index, track, from, to, field, value, old, note, at, span, removed
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "track.add":
            self = .trackAdd(index: try c.decode(Int.self, forKey: .index), track: try c.decode(Track.self, forKey: .track))
        case "track.remove":
            self = .trackRemove(index: try c.decode(Int.self, forKey: .index), track: try c.decode(Track.self, forKey: .track))
        case "track.move":
            self = .trackMove(
                track: try c.decode(String.self, forKey: .track),
                from: try c.decode(Int.self, forKey: .from), to: try c.decode(Int.self, forKey: .to))
        case "track.set":
            let name = try c.decode(String.self, forKey: .field)
            guard let field = TrackField.Name(rawValue: name) else {
                throw JamError(.malformed, "track.set has no field \"\(name)\"")
            }
            self = .trackSet(
                track: try c.decode(String.self, forKey: .track),
                value: try Self.decodeTrackField(field, c, .value), old: try Self.decodeTrackField(field, c, .old))
        case "note.add":
            self = .noteAdd(track: try c.decode(String.self, forKey: .track), note: try c.decode(Note.self, forKey: .note))
        case "note.remove":
            self = .noteRemove(track: try c.decode(String.self, forKey: .track), note: try c.decode(Note.self, forKey: .note))
        case "note.set":
            let name = try c.decode(String.self, forKey: .field)
            guard let field = NoteField(rawValue: name) else {
                throw JamError(.malformed, "note.set has no field \"\(name)\"")
            }
            self = .noteSet(
                track: try c.decode(String.self, forKey: .track), note: try c.decode(String.self, forKey: .note),
                field: field, value: try Self.typed(Int.self, c, .value), old: try Self.typed(Int.self, c, .old))
        case "time.insert":
            self = .timeInsert(at: try c.decode(Int.self, forKey: .at), span: try c.decode(Int.self, forKey: .span))
        case "time.remove":
            self = .timeRemove(
                at: try c.decode(Int.self, forKey: .at), span: try c.decode(Int.self, forKey: .span),
                removed: try c.decode([RemovedNote].self, forKey: .removed))
        case "session.set":
            let name = try c.decode(String.self, forKey: .field)
            guard let field = SessionField.Name(rawValue: name) else {
                throw JamError(.malformed, "session.set has no field \"\(name)\"")
            }
            self = .sessionSet(value: try Self.decodeSessionField(field, c, .value), old: try Self.decodeSessionField(field, c, .old))
        default:
            throw JamError(.malformed, "unknown component type \"\(type)\"")
        }
    }

    /// Decodes a value that must have the field's type; a value of another type is `field_type_mismatch`.
    private static func typed<T: Decodable>(_: T.Type, _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> T {
        guard c.contains(key) else {
            throw JamError(.malformed, "missing \"\(key.rawValue)\"")
        }
        do {
            return try c.decode(T.self, forKey: key)
        } catch let error as JamError {
            throw error
        } catch {
            throw JamError(.fieldTypeMismatch, "\"\(key.rawValue)\" does not have the field's type")
        }
    }

    private static func decodeTrackField(_ name: TrackField.Name, _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> TrackField {
        switch name {
        case .name: .name(try typed(String.self, c, key))
        case .instrument: .instrument(try typed(Instrument.self, c, key))
        case .channel: .channel(try typed(Int.self, c, key))
        case .volume: .volume(try typed(Int.self, c, key))
        case .pan: .pan(try typed(Int.self, c, key))
        case .mute: .mute(try typed(Bool.self, c, key))
        case .solo: .solo(try typed(Bool.self, c, key))
        case .owner: .owner(try typed(String.self, c, key))
        }
    }

    private static func decodeSessionField(_ name: SessionField.Name, _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> SessionField {
        switch name {
        case .title: return .title(try typed(String.self, c, key))
        case .tempo: return .tempo(try typed(Double.self, c, key))
        case .meter: return .meter(try typed(Meter.self, c, key))
        case .loopBars: return .loopBars(try typed(Int.self, c, key))
        case .key:
            guard c.contains(key) else { throw JamError(.malformed, "missing \"\(key.rawValue)\"") }
            if try c.decodeNil(forKey: key) { return .key(nil) }
            return .key(try typed(Key.self, c, key))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .trackAdd(let index, let track), .trackRemove(let index, let track):
            try c.encode(index, forKey: .index)
            try c.encode(track, forKey: .track)
        case .trackMove(let track, let from, let to):
            try c.encode(track, forKey: .track)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
        case .trackSet(let track, let value, let old):
            try c.encode(track, forKey: .track)
            try c.encode(value.field, forKey: .field)
            try Self.encode(value, &c, .value)
            try Self.encode(old, &c, .old)
        case .noteAdd(let track, let note), .noteRemove(let track, let note):
            try c.encode(track, forKey: .track)
            try c.encode(note, forKey: .note)
        case .noteSet(let track, let note, let field, let value, let old):
            try c.encode(track, forKey: .track)
            try c.encode(note, forKey: .note)
            try c.encode(field, forKey: .field)
            try c.encode(value, forKey: .value)
            try c.encode(old, forKey: .old)
        case .timeInsert(let at, let span):
            try c.encode(at, forKey: .at)
            try c.encode(span, forKey: .span)
        case .timeRemove(let at, let span, let removed):
            try c.encode(at, forKey: .at)
            try c.encode(span, forKey: .span)
            try c.encode(removed, forKey: .removed)
        case .sessionSet(let value, let old):
            try c.encode(value.field, forKey: .field)
            try Self.encode(value, &c, .value)
            try Self.encode(old, &c, .old)
        }
    }

    private static func encode(_ value: TrackField, _ c: inout KeyedEncodingContainer<CodingKeys>, _ key: CodingKeys) throws {
        switch value {
        case .name(let v), .owner(let v): try c.encode(v, forKey: key)
        case .instrument(let v): try c.encode(v, forKey: key)
        case .channel(let v), .volume(let v), .pan(let v): try c.encode(v, forKey: key)
        case .mute(let v), .solo(let v): try c.encode(v, forKey: key)
        }
    }

    private static func encode(_ value: SessionField, _ c: inout KeyedEncodingContainer<CodingKeys>, _ key: CodingKeys) throws {
        switch value {
        case .title(let v): try c.encode(v, forKey: key)
        case .tempo(let v): try c.encode(v, forKey: key)
        case .meter(let v): try c.encode(v, forKey: key)
        case .key(let v): try c.encode(v, forKey: key)
        case .loopBars(let v): try c.encode(v, forKey: key)
        }
    }
}
