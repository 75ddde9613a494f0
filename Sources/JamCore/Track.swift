/// What a track plays: a General MIDI program or the drum kit.
public enum Instrument: Hashable, Sendable, Codable, CustomStringConvertible {
    case program(Int)
    case drums

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let program = try? container.decode(Int.self) {
            self = .program(program)
        } else if let name = try? container.decode(String.self), name == "drums" {
            self = .drums
        } else {
            throw JamError(.fieldTypeMismatch, "an instrument is a program number 0–127 or \"drums\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .program(let program): try container.encode(program)
        case .drums: try container.encode("drums")
        }
    }

    public var description: String {
        switch self {
        case .program(let program): "program \(program)"
        case .drums: "drums"
        }
    }
}

/// One part of the session: its sound, its mix settings, its owner and its notes.
public struct Track: Hashable, Sendable {
    public var id: String
    public var name: String
    public var instrument: Instrument
    /// MIDI channel minus one, 0–15.
    public var channel: Int
    public var volume: Int
    /// −64 (left) … 63 (right).
    public var pan: Int
    public var mute: Bool
    public var solo: Bool
    /// The participant that owns the track.
    public var owner: String
    /// The notes, by id: a note edit is a lookup, not a scan.
    public var notes: [String: Note]

    public init(
        id: String, name: String, instrument: Instrument = .program(0), channel: Int = 0,
        volume: Int = 100, pan: Int = 0, mute: Bool = false, solo: Bool = false,
        owner: String = "", notes: [Note] = []
    ) {
        self.id = id
        self.name = name
        self.instrument = instrument
        self.channel = channel
        self.volume = volume
        self.pan = pan
        self.mute = mute
        self.solo = solo
        self.owner = owner
        self.notes = Dictionary(notes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The notes in canonical order (start, pitch, id).
    public var sortedNotes: [Note] { notes.values.sorted(by: Note.canonicalOrder) }
}

extension Track: Codable {
    enum CodingKeys: String, CodingKey {
        case id, name, instrument, channel, volume, pan, mute, solo, owner, notes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        instrument = try c.decode(Instrument.self, forKey: .instrument)
        channel = try c.decode(Int.self, forKey: .channel)
        volume = try c.decode(Int.self, forKey: .volume)
        pan = try c.decode(Int.self, forKey: .pan)
        mute = try c.decode(Bool.self, forKey: .mute)
        solo = try c.decode(Bool.self, forKey: .solo)
        owner = try c.decode(String.self, forKey: .owner)
        let list = try c.decode([Note].self, forKey: .notes)
        var notes: [String: Note] = [:]
        notes.reserveCapacity(list.count)
        for note in list {
            guard notes.updateValue(note, forKey: note.id) == nil else {
                throw JamError(.noteExists, "track \(id) has two notes with id \(note.id)")
            }
        }
        self.notes = notes
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(instrument, forKey: .instrument)
        try c.encode(channel, forKey: .channel)
        try c.encode(volume, forKey: .volume)
        try c.encode(pan, forKey: .pan)
        try c.encode(mute, forKey: .mute)
        try c.encode(solo, forKey: .solo)
        try c.encode(owner, forKey: .owner)
        try c.encode(sortedNotes, forKey: .notes)
    }
}
