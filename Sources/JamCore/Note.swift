/// A note on a track: when it starts, how long it lasts, which key and how hard.
public struct Note: Hashable, Sendable, Codable {
    /// Unique within its track; made by the client that added it (`c7.n12`).
    public var id: String
    /// Start, in ticks (480 a quarter note) from the beginning of the session.
    public var tick: Int
    /// Length in ticks, at least 1.
    public var duration: Int
    /// MIDI note number, 0–127 (60 = middle C).
    public var pitch: Int
    /// MIDI velocity, 1–127.
    public var velocity: Int

    public init(id: String, tick: Int, duration: Int, pitch: Int, velocity: Int) {
        self.id = id
        self.tick = tick
        self.duration = duration
        self.pitch = pitch
        self.velocity = velocity
    }

    /// The order of notes in the canonical form: by start, then pitch, then id.
    static func canonicalOrder(_ a: Note, _ b: Note) -> Bool {
        if a.tick != b.tick { return a.tick < b.tick }
        if a.pitch != b.pitch { return a.pitch < b.pitch }
        return a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
    }
}

/// The note fields a `note.set` component can change.
public enum NoteField: String, Hashable, Sendable, Codable, CaseIterable {
    case tick, duration, pitch, velocity
}

extension Note {
    public subscript(field: NoteField) -> Int {
        get {
            switch field {
            case .tick: tick
            case .duration: duration
            case .pitch: pitch
            case .velocity: velocity
            }
        }
        set {
            switch field {
            case .tick: tick = newValue
            case .duration: duration = newValue
            case .pitch: pitch = newValue
            case .velocity: velocity = newValue
            }
        }
    }
}
