/// A stretch of beats heard as one chord.
public struct ChordSegment: Hashable, Sendable, Codable {
    /// The first beat, counted from the start of the piece.
    public var startBeat: Int
    /// How many beats it lasts.
    public var beats: Int
    public var chord: Chord
    /// How sure the analysis is of this chord against every other for the same beats, 0…1: its
    /// probability under the analysis's model of these beats alone.
    public var confidence: Double
    /// The chords with a probability of at least 5% for these beats, most likely first.
    public var candidates: [Candidate]

    /// A chord the beats might be, with its probability.
    public struct Candidate: Hashable, Sendable, Codable {
        public var chord: Chord
        public var probability: Double
    }

    public init(startBeat: Int, beats: Int, chord: Chord, confidence: Double, candidates: [Candidate] = []) {
        self.startBeat = startBeat
        self.beats = beats
        self.chord = chord
        self.confidence = confidence
        self.candidates = candidates
    }

    /// For each pitch class, the probability that it belongs to the chord of these beats: where the
    /// analysis is unsure, the tones its likely chords share are the safe ones to play.
    public var support: [Double] {
        guard !candidates.isEmpty else { return (0..<12).map { chord.pitchClasses.contains($0) ? 1 : 0 } }
        var support = [Double](repeating: 0, count: 12)
        let total = candidates.reduce(0) { $0 + $1.probability }
        for candidate in candidates { for pc in candidate.chord.tones { support[pc] += candidate.probability / total } }
        return support
    }

    public var endBeat: Int { startBeat + beats }
}
