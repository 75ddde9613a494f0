/// The shared state of a jam session: its tempo, meter, key, loop and tracks.
///
/// A value type: every replica holds its own copy and changes it only through `apply`.
public struct Document: Hashable, Sendable {
    /// Ticks per quarter note, fixed as in MIDI files.
    public static let ppq = 480

    public var title: String
    /// Beats per minute.
    public var tempo: Double
    public var meter: Meter
    public var key: Key?
    /// The loop's length in bars.
    public var loopBars: Int
    /// The tracks, in display order.
    public var tracks: [Track]

    public init(
        title: String = "Untitled", tempo: Double = 120, meter: Meter = Meter(4, 4), key: Key? = nil,
        loopBars: Int = 4, tracks: [Track] = []
    ) {
        self.title = title
        self.tempo = tempo
        self.meter = meter
        self.key = key
        self.loopBars = loopBars
        self.tracks = tracks
    }

    /// The position of the track with this id.
    public func trackIndex(_ id: String) -> Int? {
        tracks.firstIndex { $0.id == id }
    }

    public subscript(track id: String) -> Track? {
        trackIndex(id).map { tracks[$0] }
    }

    /// All notes of all tracks.
    public var noteCount: Int { tracks.reduce(0) { $0 + $1.notes.count } }
}

extension Document: Codable {
    enum CodingKeys: String, CodingKey {
        case title, tempo, meter, key, loopBars, ppq, tracks
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decode(String.self, forKey: .title)
        tempo = try c.decode(Double.self, forKey: .tempo)
        meter = try c.decode(Meter.self, forKey: .meter)
        key = try c.decodeIfPresent(Key.self, forKey: .key)
        loopBars = try c.decode(Int.self, forKey: .loopBars)
        let ppq = try c.decode(Int.self, forKey: .ppq)
        guard ppq == Document.ppq else {
            throw JamError(.ppqInvalid, "ppq is \(ppq); Jam documents use \(Document.ppq)")
        }
        tracks = try c.decode([Track].self, forKey: .tracks)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(title, forKey: .title)
        try c.encode(tempo, forKey: .tempo)
        try c.encode(meter, forKey: .meter)
        try c.encode(key, forKey: .key)
        try c.encode(loopBars, forKey: .loopBars)
        try c.encode(Document.ppq, forKey: .ppq)
        try c.encode(tracks, forKey: .tracks)
    }
}
