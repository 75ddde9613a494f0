import Foundation

/// Hears chords from pitch-class weights per beat, in the spirit of Pardo & Birmingham's HarmAn.
///
/// A stretch of beats scores a chord template as the weight of its notes in the chord, minus the weight
/// of the notes outside it, minus one for each chord tone not heard (in each bar it touches). Dynamic programming then finds the
/// best cut of the piece into such stretches (at most two bars each): every new chord costs a little,
/// more where harmony rarely moves (off the bar line, most off the half bar), and each chord is weighed
/// by how it belongs in the key of its bar (key-aware transitions) and by a motion by fifth from the one
/// before. A same chord on both sides of a cut merges into one segment.
public struct ChordAnalyzer: Sendable {
    /// What each change of chord costs.
    public var changeCost: Double
    /// What a change on the bar's other strong beat (the half bar) costs on top.
    public var halfBarCost: Double
    /// What a change on any other beat costs on top.
    public var offBeatCost: Double
    /// Weight of a bass note on the chord's root, per beat (see `ChordEvidence` for a bass that moves in the bar).
    public var bassWeight: Double
    /// What a root moving down a fifth (V→I, ii→V), the commonest motion of tonal harmony, earns.
    public var fifthMotionBonus: Double
    /// The longest stretch one segment may cover, in bars (a longer chord is several merged).
    public var maxBars: Int
    /// The weight at which a root counts as fully heard in a bar (a beat-long note weighs 1).
    public var fullWeight: Double
    /// What a root not heard in a bar costs.
    public var missWeight: Double
    /// How much of what people play is chord tones: 0.727 in the human data of the note-in-chord studies.
    public var chordToneShare: Double

    public init(
        changeCost: Double = 1.0, halfBarCost: Double = 0.6, offBeatCost: Double = 1.8, bassWeight: Double = 1.5,
        fifthMotionBonus: Double = 0.5, maxBars: Int = 2, fullWeight: Double = 1.0, missWeight: Double = 0.5,
        chordToneShare: Double = 0.75
    ) {
        self.fullWeight = fullWeight
        self.missWeight = missWeight
        self.chordToneShare = chordToneShare
        self.changeCost = changeCost
        self.halfBarCost = halfBarCost
        self.offBeatCost = offBeatCost
        self.bassWeight = bassWeight
        self.fifthMotionBonus = fifthMotionBonus
        self.maxBars = maxBars
    }

    /// What a change of chord at a beat (counted from the start) costs: least on the bar line, more on
    /// the half bar, most off the strong beats.
    func cutCost(_ beat: Int, grid: BeatGrid) -> Double {
        let inBar = beat % grid.beatsPerBar
        if inBar == 0 { return changeCost }
        return changeCost + (grid.beats[inBar].strength == 1 ? halfBarCost : offBeatCost)
    }

    /// Segments covering every beat. `chroma[beat]` holds 12 weights; `bass[beat]` the pitch class of the
    /// lowest note when it is a bass; `keys[bar]` the key of each bar (a bar missing from it takes the last).
    public func segments(chroma: [[Double]], bass: [Int?], grid: BeatGrid, keys: [Tonality]) -> [ChordSegment] {
        let beats = chroma.count
        guard beats > 0 else { return [] }
        let perBar = grid.beatsPerBar
        let chords = Chord.all
        let count = chords.count

        let evidence = ChordEvidence(chroma: chroma, bass: bass, beatsPerBar: perBar, analyzer: self)
        let templates = chords.map(evidence.template)
        func keyAt(_ beat: Int) -> Tonality {
            keys.isEmpty ? Tonality(tonic: 0, mode: .major) : keys[min(beat / perBar, keys.count - 1)]
        }
        var priorByKey: [Int: [Double]] = [:]
        func priors(_ key: Tonality) -> [Double] {
            if let cached = priorByKey[key.index] { return cached }
            let values = chords.map { key.fit($0) + $0.quality.rarity }
            priorByKey[key.index] = values
            return values
        }

        func cutCost(_ beat: Int) -> Double { self.cutCost(beat, grid: grid) }

        let longest = max(1, maxBars * perBar)
        let minusInfinity = -Double.greatestFiniteMagnitude
        // best[j][c]: the best score of beats 0..<j whose last segment is chord c; from[j][c] its start.
        var best = [[Double]](repeating: [Double](repeating: minusInfinity, count: count), count: beats + 1)
        var from = [[Int]](repeating: [Int](repeating: 0, count: count), count: beats + 1)
        var previous = [[Int]](repeating: [Int](repeating: -1, count: count), count: beats + 1)
        var entry = [[Double]](repeating: [Double](repeating: 0, count: count), count: beats + 1)
        var entryFrom = [[Int]](repeating: [Int](repeating: -1, count: count), count: beats + 1)
        var row = [Double](repeating: 0, count: count)

        for j in 1...beats {
            // What entering a new segment at beat j-1's end costs is ready for every start i < j.
            let i0 = j - 1
            if i0 > 0 {
                var first = (value: minusInfinity, chord: -1), second = (value: minusInfinity, chord: -1)
                var byRoot = [(value: Double, chord: Int)](repeating: (minusInfinity, -1), count: 12)
                for c in 0..<count {
                    let v = best[i0][c]
                    if v > first.value {
                        second = first
                        first = (v, c)
                    } else if v > second.value {
                        second = (v, c)
                    }
                    let r = chords[c].root
                    if v > byRoot[r].value { byRoot[r] = (v, c) }
                }
                let cost = cutCost(i0)
                for c in 0..<count {
                    var value = (first.chord != c ? first : second)
                    value.value -= cost
                    // The same chord again continues it: no change to pay.
                    if best[i0][c] > value.value { value = (best[i0][c], c) }
                    let fifthAbove = byRoot[(chords[c].root + 7) % 12]
                    if fifthAbove.chord >= 0, fifthAbove.value - cost + fifthMotionBonus > value.value {
                        value = (fifthAbove.value - cost + fifthMotionBonus, fifthAbove.chord)
                    }
                    entry[i0][c] = value.value
                    entryFrom[i0][c] = value.chord
                }
            } else {
                for c in 0..<count { entry[0][c] = 0 }
            }
            for i in max(0, j - longest)..<j {
                let prior = priors(keyAt(i))
                evidence.scores(i, j, templates, into: &row, at: 0)
                for c in 0..<count {
                    let value = entry[i][c] + row[c] + prior[c]
                    if value > best[j][c] {
                        best[j][c] = value
                        from[j][c] = i
                        previous[j][c] = entryFrom[i][c]
                    }
                }
            }
        }

        // Trace back, merging a chord that continues itself.
        var end = beats
        var c = (0..<count).max { best[beats][$0] < best[beats][$1] }!
        var cuts: [(start: Int, end: Int, chord: Int)] = []
        while end > 0 {
            let start = from[end][c]
            if let last = cuts.last, last.chord == c {
                cuts[cuts.count - 1].start = start
            } else {
                cuts.append((start, end, c))
            }
            let before = previous[end][c]
            end = start
            if before >= 0 { c = before }
        }
        return cuts.reversed().map { cut in
            let prior = priors(keyAt(cut.start))
            evidence.scores(cut.start, cut.end, templates, into: &row, at: 0)
            let scores = (0..<count).map { row[$0] + prior[$0] }
            let top = scores.max()!
            let weights = scores.map { exp($0 - top) }
            let sum = weights.reduce(0, +)
            let candidates = (0..<count).filter { weights[$0] / sum >= 0.05 }.sorted { weights[$0] > weights[$1] }
                .map { ChordSegment.Candidate(chord: chords[$0], probability: weights[$0] / sum) }
            return ChordSegment(
                startBeat: cut.start, beats: cut.end - cut.start, chord: chords[cut.chord], confidence: weights[cut.chord] / sum,
                candidates: candidates)
        }
    }
}
