import JamCore

/// Where the music says its tonic is, beyond how often each note sounds: what it rests on.
///
/// Pitch-class profiles count notes, and a melody alone often uses the notes of two keys alike (C major
/// and A minor share all seven). Listeners also hear which note the music starts from, and where it
/// comes to rest: a last note held, reached by step from the leading tone or the supertonic, or from
/// the dominant in the bass, is the tonic. These cues are general tonal practice and weigh each of the
/// 24 keys; `KeyFinder` adds them to the profiles' correlation.
public struct TonicCues: Sendable {
    /// Weight of the first sound: its lowest note on the tonic, or in the tonic triad.
    public var openingWeight: Double
    /// Weight of the last sound: its lowest note on the tonic (or in the tonic triad), approached as a cadence.
    public var closingWeight: Double

    public init(openingWeight: Double = 0.2, closingWeight: Double = 0.3) {
        self.openingWeight = openingWeight
        self.closingWeight = closingWeight
    }

    /// One onset: the notes struck together, lowest and highest.
    struct Onset {
        var tick: Int
        var low: Int
        var high: Int
        var duration: Int
    }

    /// For each key in `Tonality.all`, its cue score (0 and up, in units of correlation) from the notes
    /// of every pitched track heard before `end`.
    public func scores(_ tracks: [[Note]], grid: BeatGrid, end: Int) -> [Double] {
        var notes = tracks.flatMap { $0.filter { $0.tick < end } }
        guard !notes.isEmpty else { return [Double](repeating: 0, count: 24) }
        notes.sort { $0.tick != $1.tick ? $0.tick < $1.tick : $0.pitch < $1.pitch }

        // Notes struck within a 32nd of each other are one onset.
        let together = Document.ppq / 8
        var onsets: [Onset] = []
        for note in notes {
            if let last = onsets.last, note.tick - last.tick <= together {
                onsets[onsets.count - 1].low = min(last.low, note.pitch)
                onsets[onsets.count - 1].high = max(last.high, note.pitch)
                onsets[onsets.count - 1].duration = max(last.duration, note.duration)
            } else {
                onsets.append(Onset(tick: note.tick, low: note.pitch, high: note.pitch, duration: note.duration))
            }
        }

        let first = onsets[0], last = onsets[onsets.count - 1]
        // The note before the last in the top line and in the bass, where they move.
        let melodyBefore = onsets.dropLast().last { $0.high != last.high }?.high
        let bassBefore = onsets.dropLast().last { $0.low != last.low }?.low
        // A close is held: a last note of two beats or more rests; one of a beat or less (a loop's last
        // note before it comes round) does not.
        let lastLength = min(1, max(0, Double(last.duration) / Double(grid.beats[0].length) - 1))

        return Tonality.all.map { key in
            let triad = PitchClassSet([key.tonic, key.tonic + (key.mode == .major ? 4 : 3), key.tonic + 7])
            var score = 0.0
            func rest(_ pitch: Int) -> Double {
                PitchClass.of(pitch) == key.tonic ? 1 : (triad.contains(pitch) ? 0.3 : 0)
            }
            score += openingWeight * rest(first.low)
            var closing = rest(last.low)
            if PitchClass.of(last.high) == key.tonic, let before = melodyBefore {
                // 7→1 and 2→1: the melody steps into the tonic.
                let step = PitchClass.of(before - key.tonic)
                if step == 11 || step == 2 { closing += 0.5 }
            }
            if PitchClass.of(last.low) == key.tonic, let before = bassBefore, PitchClass.of(before - key.tonic) == 7 {
                // 5→1 in the bass: an authentic cadence.
                closing += 0.5
            }
            score += closingWeight * lastLength * closing
            return score
        }
    }
}
