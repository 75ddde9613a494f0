/// A stretch of beats heard as one chord.
public struct ChordSegment: Hashable, Sendable, Codable {
    /// The first beat, counted from the start of the piece.
    public var startBeat: Int
    /// How many beats it lasts.
    public var beats: Int
    public var chord: Chord
    /// How sure the analysis is of this chord against every other for the same beats, 0…1.
    public var confidence: Double

    public init(startBeat: Int, beats: Int, chord: Chord, confidence: Double) {
        self.startBeat = startBeat
        self.beats = beats
        self.chord = chord
        self.confidence = confidence
    }

    public var endBeat: Int { startBeat + beats }
}
