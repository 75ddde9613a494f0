import Foundation

/// Hears whether the harmony goes round in a loop, and how long the loop is.
///
/// Jams loop: a progression of two or four bars comes round again under a melody that changes. Each
/// time round the parts say something else about the same chords, so pooling what every round says
/// hears them far better than any round alone. Whether the harmony does repeat is a comparison of two
/// models of the music by how probable each makes the notes (Bayesian model comparison): in one, one
/// round's chords are drawn and played every time round; in the other, the chords of the whole are
/// drawn beat by beat. Both draw chords the same way (a chord of the key's own notes, held or changed
/// at each beat, most readily on the bar line), so the free model, which can fit anything, pays for
/// its freedom in probability, and the loop wins when the rounds agree. A bass line is heard as the
/// chords' bass (mostly the root), so that a melody over a moving bass is not heard going round a loop
/// the bass denies.
public struct HarmonicLoop: Sendable {
    /// How readily the chord changes: on the bar line, on the half bar, on another beat.
    public var changeOnBar: Double
    public var changeOnHalfBar: Double
    public var changeOffBeat: Double
    /// How much of a beat's notes are chord tones (as `ChordAnalyzer.chordToneShare`).
    public var chordToneShare: Double
    /// How often a bass note is the chord's root, and how often one of its other tones.
    public var bassOnRoot = 0.5
    public var bassOnOtherTone = 0.35
    /// The shortest piece heard for a loop, in bars. A short tune's phrases answer each other (four
    /// bars of "Twinkle, twinkle" sound like a one-bar loop to the model) without its harmony going round.
    public var minimumBars = 8

    public init(changeOnBar: Double = 0.5, changeOnHalfBar: Double = 0.2, changeOffBeat: Double = 0.05, chordToneShare: Double = 0.75) {
        self.changeOnBar = changeOnBar
        self.changeOnHalfBar = changeOnHalfBar
        self.changeOffBeat = changeOffBeat
        self.chordToneShare = chordToneShare
    }

    /// How probable each reading of the harmony is, given the notes: the free one (`period` nil) and a
    /// loop of each length in bars that divides the piece, most probable first. `chroma[beat]` holds
    /// the beats' pitch-class weights (12 each); `bass[beat]` the bass's pitch class where there is one;
    /// `keys[bar]` the key of each bar.
    public func periods(chroma: [[Double]], bass: [Int?] = [], grid: BeatGrid, keys: [Tonality]) -> [(period: Int?, probability: Double)] {
        let perBar = max(1, grid.beatsPerBar)
        let bars = chroma.count / perBar
        guard bars >= minimumBars, !keys.isEmpty else { return [(nil, 1)] }
        let model = Model(self, grid: grid, keys: keys)
        // The bass as weights too, one a beat, so that a loop's rounds pool it as they pool the notes.
        let basses = chroma.indices.map { beat in
            (0..<12).map { pc in beat < bass.count && bass[beat] == pc ? 1.0 : 0 }
        }
        var readings: [(period: Int?, evidence: Double)] = [(nil, model.evidence(chroma, bass: basses))]
        for period in 1..<bars where bars % period == 0 {
            let beats = period * perBar
            readings.append((period, model.evidence(Self.round(chroma, period: beats), bass: Self.round(basses, period: beats))))
        }
        let top = readings.map(\.evidence).max()!
        let weights = readings.map { exp($0.evidence - top) }
        let total = weights.reduce(0, +)
        return zip(readings, weights).map { ($0.period, $1 / total) }.sorted { $0.probability > $1.probability }
    }

    /// The most probable loop's length in bars, or nil when the harmony most probably does not repeat.
    public func period(chroma: [[Double]], bass: [Int?] = [], grid: BeatGrid, keys: [Tonality]) -> Int? {
        periods(chroma: chroma, bass: bass, grid: grid, keys: keys)[0].period
    }

    /// Each beat hears, at `share`, the same beat in the other rounds of a loop of `period` beats.
    public static func pooled(_ chroma: [[Double]], period: Int, share: Double = 1) -> [[Double]] {
        guard period > 0 else { return chroma }
        let round = round(chroma, period: period)
        return chroma.indices.map { beat in (0..<12).map { chroma[beat][$0] + share * (round[beat % period][$0] - chroma[beat][$0]) } }
    }

    /// One round of a loop of `period` beats: each of its beats sums that beat in every round.
    static func round(_ chroma: [[Double]], period: Int) -> [[Double]] {
        var round = [[Double]](repeating: [Double](repeating: 0, count: 12), count: min(period, chroma.count))
        for (beat, weights) in chroma.enumerated() { for pc in 0..<12 { round[beat % period][pc] += weights[pc] } }
        return round
    }

    /// A hidden Markov model of the chords beat by beat, in the key of each bar.
    struct Model {
        let chords: [Chord]
        /// `[bar][chord]`: the probability of each chord when it changes, in that bar's key.
        let prior: [[Double]]
        /// The log-probability of each pitch class under each chord: `[chord * 12 + pc]`.
        let emission: [Double]
        /// The log-probability of each pitch class in the bass under each chord: `[chord * 12 + pc]`.
        let bassEmission: [Double]
        /// The probability of a change at each beat of a bar.
        let change: [Double]
        let perBar: Int

        init(_ loop: HarmonicLoop, grid: BeatGrid, keys: [Tonality]) {
            // The chords of the keys' own notes: a plain model of plain harmony.
            let palettes = Set(keys.map(\.palette))
            var chords: [Chord] = []
            for chord in Chord.all where palettes.contains(where: { chord.pitchClasses.isSubset(of: $0) }) { chords.append(chord) }
            self.chords = chords
            prior = keys.map { key in
                let weights = chords.map { exp(key.fit($0) + $0.quality.rarity) }
                let total = weights.reduce(0, +)
                return weights.map { $0 / total }
            }
            emission = chords.flatMap { chord in
                let tones = chord.pitchClasses, n = Double(chord.tones.count)
                return (0..<12).map { tones.contains($0) ? log(loop.chordToneShare / n) : log((1 - loop.chordToneShare) / (12 - n)) }
            }
            bassEmission = chords.flatMap { chord in
                let tones = chord.pitchClasses, n = Double(chord.tones.count)
                let elsewhere = log((1 - loop.bassOnRoot - loop.bassOnOtherTone) / (12 - n))
                let onRoot = log(loop.bassOnRoot), onOther = log(loop.bassOnOtherTone / (n - 1))
                return (0..<12).map { (pc: Int) -> Double in pc == chord.root ? onRoot : (tones.contains(pc) ? onOther : elsewhere) }
            }
            perBar = max(1, grid.beatsPerBar)
            change = (0..<perBar).map { beat in
                beat == 0 ? loop.changeOnBar : (grid.beats[beat].strength == 1 ? loop.changeOnHalfBar : loop.changeOffBeat)
            }
        }

        /// The log-probability of the notes and the bass (`bass[beat]`, 12 weights) under the model,
        /// summed over every chord sequence (forward).
        func evidence(_ chroma: [[Double]], bass: [[Double]]) -> Double {
            let count = chords.count
            guard count > 0 else { return 0 }
            var logScale = 0.0
            var alpha = [Double](repeating: 0, count: count)
            for (beat, weights) in chroma.enumerated() {
                let prior = self.prior[min(beat / perBar, self.prior.count - 1)]
                let low = bass[beat]
                let emitted = (0..<count).map { (c: Int) -> Double in
                    var sum = 0.0
                    for pc in 0..<12 { sum += weights[pc] * emission[c * 12 + pc] + low[pc] * bassEmission[c * 12 + pc] }
                    return sum
                }
                let top = emitted.max()!
                let p = beat == 0 ? 1 : change[beat % perBar]
                var total = 0.0
                for c in 0..<count {
                    alpha[c] = ((beat == 0 ? 0 : (1 - p) * alpha[c]) + p * prior[c]) * exp(emitted[c] - top)
                    total += alpha[c]
                }
                // Normalised each beat, the scale kept in log form.
                for c in 0..<count { alpha[c] /= total }
                logScale += top + log(total)
            }
            return logScale
        }
    }
}
