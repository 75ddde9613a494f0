/// Finds the key of every bar from duration-weighted pitch-class histograms.
///
/// Each bar is judged on a window of bars around it (nearer bars weigh more), by correlation with the
/// published key profiles; a Viterbi pass then charges every change of key, so that the key changes only
/// when the music does for longer than a passing chord.
public struct KeyFinder: Sendable {
    /// Bars on each side of a bar that its window includes.
    public var radius: Int
    /// What a change of key costs, in units of correlation.
    public var changeCost: Double
    /// What the key the session declares earns in every bar: people's word counts, a little.
    public var declaredBonus: Double

    public init(radius: Int = 2, changeCost: Double = 0.35, declaredBonus: Double = 0.06) {
        self.radius = radius
        self.changeCost = changeCost
        self.declaredBonus = declaredBonus
    }

    /// The keys heard: one a bar, the key of the whole, and how sure.
    public struct Result: Hashable, Sendable {
        public var bars: [Tonality]
        /// The key held over the most bars (the whole piece's best correlation breaks a tie).
        public var key: Tonality
        /// The whole piece's correlation with `key`'s profiles, −1…1.
        public var correlation: Double
        /// How far `key` leads the next best key over the whole piece, in correlation.
        public var margin: Double
    }

    /// Weight of the harmonic evidence against the profiles' correlation when `confirm` weighs keys.
    public static let harmonyWeight = 0.5

    /// Harmony's word on a key, 0 and up: its tonic chord held long, standing first or last, and
    /// reached from its dominant. Profiles alone confuse relative keys (C major and A minor share
    /// their notes); which chord the music rests on does not.
    public func tonicEvidence(_ key: Tonality, segments: [ChordSegment]) -> Double {
        guard let beats = segments.last?.endBeat, beats > 0 else { return 0 }
        func isTonic(_ chord: Chord) -> Bool {
            chord.root == key.tonic && chord.third == PitchClass.of(key.tonic + (key.mode == .major ? 4 : 3))
        }
        func isDominant(_ chord: Chord) -> Bool {
            chord.root == PitchClass.of(key.tonic + 7) && chord.third == PitchClass.of(key.tonic + 11)
        }
        var score = 0.0
        for (index, segment) in segments.enumerated() where isTonic(segment.chord) {
            score += Double(segment.beats) / Double(beats)
            if index == 0 { score += 0.3 }
            if index == segments.count - 1 { score += 0.1 }
            // The piece loops: the last chord leads to the first.
            let before = segments[(index + segments.count - 1) % segments.count]
            if isDominant(before.chord) { score += 0.2 }
        }
        return score
    }

    /// Weighs the key found against its relative and the next best keys by the profiles' correlation
    /// plus the harmony's evidence; returns the result with the bars of the old key moved to the new.
    /// `cues` (24, as `Tonality.all`) are the melody's tonic cues (see `TonicCues`), added to each key's score.
    public func confirm(
        _ result: Result, histograms: [[Double]], segments: [ChordSegment], declared: Tonality?, cues: [Double]? = nil
    ) -> Result {
        let total = Self.summed(histograms)
        let correlations = KeyProfiles.correlations(total)
        let cue = cues ?? [Double](repeating: 0, count: 24)
        func score(_ key: Tonality) -> Double {
            correlations[key.index] + cue[key.index] + (key == declared ? declaredBonus : 0)
                + Self.harmonyWeight * tonicEvidence(key, segments: segments)
        }
        // The candidates come from the profiles alone: a cue says where the music rests, not its mode,
        // and must not bring in the parallel key the notes deny.
        let ranked = (0..<24).sorted { correlations[$0] > correlations[$1] }.prefix(3).map { Tonality.all[$0] }
        let candidates = [result.key, result.key.relative] + ranked
        let best = candidates.max { score($0) < score($1) }!
        guard best != result.key else { return result }
        let runnerUp = candidates.filter { $0 != best }.map(score).max() ?? score(best)
        return Result(
            bars: result.bars.map { $0 == result.key ? best : $0 }, key: best, correlation: correlations[best.index],
            margin: score(best) - runnerUp)
    }

    /// Weight, per bar, of how much better a key harmonises the music than the best key does (in the
    /// harmonisation's log-likelihood units) against the profiles' correlation, when `harmonised` weighs keys.
    /// The harmony a line implies counts twice the unit: what chords a tune can carry in a key says more
    /// about the key than how often each of its notes sounds (a lone line's relative keys share them all).
    public static let harmonisationWeight = 2.0
    /// Weight of each key's own harmonisation's `tonicEvidence` (how long its tonic chord holds the tune,
    /// and where) when `harmonised` weighs keys.
    public static let harmonisedTonicWeight = 0.25

    /// Hears the key through the harmony the music implies, as for a melody alone. Each key the result
    /// holds (a region of bars) is weighed against its relative and the next best keys of those bars by
    /// the profiles' correlation on those bars, the tonic cues (where the region holds the first or the
    /// last bar), how well the whole can be harmonised with the region in that key and how much of that
    /// harmonisation rests on the key's tonic (`harmonisation(barKeys)`: its score, higher is better, and
    /// its segments; see `Harmonizer`); the region moves to the best. The key of the whole is then the
    /// key the music ends in: a tune that goes away to another key comes home to close.
    public func harmonised(
        _ result: Result, histograms: [[Double]], declared: Tonality?, cues: [Double]? = nil,
        harmonisation: ([Tonality]) -> (score: Double, segments: [ChordSegment])
    ) -> Result {
        guard !result.bars.isEmpty else { return result }
        let cue = cues ?? [Double](repeating: 0, count: 24)
        let before = result.bars
        var bars = before
        // The key of the whole first, then the others by the bars they hold.
        var held: [Tonality: Int] = [:]
        for key in before { held[key, default: 0] += 1 }
        held[result.key] = before.count + 1
        let regions = held.keys.sorted { held[$0]! != held[$1]! ? held[$0]! > held[$1]! : $0.index < $1.index }
        var key = result.key, margin = result.margin
        for region in regions {
            let members = before.indices.filter { before[$0] == region }
            guard !members.isEmpty else { continue }
            let total = Self.summed(members.map { histograms[$0] })
            let correlations = KeyProfiles.correlations(total)
            let cued = members.first == 0 || members.last == before.count - 1
            func profile(_ k: Tonality) -> Double {
                correlations[k.index] + (cued ? cue[k.index] : 0) + (k == declared ? declaredBonus : 0)
            }
            let ranked = Tonality.all.sorted { profile($0) > profile($1) }.prefix(4)
            var candidates: [Tonality] = []
            for k in [region, region.relative] + ranked where !candidates.contains(k) { candidates.append(k) }
            let readings = candidates.map { k in
                var trial = bars
                for bar in members { trial[bar] = k }
                return harmonisation(trial)
            }
            let harmony = readings.map(\.score)
            let top = harmony.max() ?? 0
            let scores = candidates.indices.map { k in
                profile(candidates[k]) + Self.harmonisationWeight * (harmony[k] - top) / Double(members.count)
                    + Self.harmonisedTonicWeight * tonicEvidence(candidates[k], segments: readings[k].segments)
            }
            let bestIndex = scores.indices.max { scores[$0] < scores[$1] }!
            for bar in members { bars[bar] = candidates[bestIndex] }
            if members.last == before.count - 1 {
                key = candidates[bestIndex]
                margin = scores[bestIndex] - (scores.indices.filter { $0 != bestIndex }.map { scores[$0] }.max() ?? scores[bestIndex])
            }
        }
        let total = Self.summed(histograms)
        return Result(bars: bars, key: key, correlation: KeyProfiles.correlations(total)[key.index], margin: margin)
    }

    /// The 12 weights of several bars' histograms added together.
    static func summed(_ histograms: [[Double]]) -> [Double] {
        var total = [Double](repeating: 0, count: 12)
        for h in histograms { for pc in 0..<12 { total[pc] += h[pc] } }
        return total
    }

    /// `histograms[bar]` holds 12 weights (0 = C). Bars without notes take their neighbours' key.
    /// `cues` (24, as `Tonality.all`) are the music's tonic cues (see `TonicCues`): they count towards the
    /// whole piece's key, and so lean every bar towards it.
    public func keys(histograms: [[Double]], declared: Tonality?, cues: [Double]? = nil) -> Result {
        let bars = histograms.count
        let fallback = declared ?? Tonality(tonic: 0, mode: .major)
        let total = Self.summed(histograms)
        let correlations = KeyProfiles.correlations(total)
        var whole = correlations
        if let cues { for k in 0..<24 { whole[k] += cues[k] } }
        if let declared { whole[declared.index] += declaredBonus }
        let ranked = (0..<24).sorted { whole[$0] > whole[$1] }
        guard bars > 0, total.contains(where: { $0 > 0 }) else {
            return Result(bars: Array(repeating: fallback, count: bars), key: fallback, correlation: 0, margin: 0)
        }

        // Emission: each bar's windowed correlation with each key.
        var emission = [[Double]](repeating: [Double](repeating: 0, count: 24), count: bars)
        for bar in 0..<bars {
            var window = [Double](repeating: 0, count: 12)
            for other in max(0, bar - radius)...min(bars - 1, bar + radius) {
                let weight = 1.0 / Double(1 + abs(other - bar))
                for pc in 0..<12 { window[pc] += weight * histograms[other][pc] }
            }
            guard window.contains(where: { $0 > 0 }) else { continue }
            emission[bar] = KeyProfiles.correlations(window)
            if let declared { emission[bar][declared.index] += declaredBonus }
            // The whole piece's key leans every bar a little towards itself.
            for k in 0..<24 { emission[bar][k] += 0.25 * whole[k] }
        }

        // Viterbi over the 24 keys.
        var score = emission[0]
        var back = [[Int]](repeating: [Int](repeating: 0, count: 24), count: bars)
        for bar in 1..<max(bars, 1) {
            let best = (0..<24).max { score[$0] < score[$1] }!
            var next = [Double](repeating: 0, count: 24)
            for k in 0..<24 {
                let stay = score[k], move = score[best] - changeCost
                if stay >= move {
                    next[k] = stay + emission[bar][k]
                    back[bar][k] = k
                } else {
                    next[k] = move + emission[bar][k]
                    back[bar][k] = best
                }
            }
            score = next
        }
        var path = [Int](repeating: 0, count: bars)
        path[bars - 1] = (0..<24).max { score[$0] < score[$1] }!
        for bar in stride(from: bars - 1, to: 0, by: -1) { path[bar - 1] = back[bar][path[bar]] }

        // The key of the whole: the one held longest, weighted by how much was played.
        var held = [Double](repeating: 0, count: 24)
        for bar in 0..<bars { held[path[bar]] += 1 + histograms[bar].reduce(0, +) }
        let key = (0..<24).max { held[$0] != held[$1] ? held[$0] < held[$1] : whole[$0] < whole[$1] }!
        let runnerUp = ranked.first { $0 != key } ?? key
        return Result(
            bars: path.map { Tonality.all[$0] }, key: Tonality.all[key],
            correlation: correlations[key], margin: whole[key] - whole[runnerUp])
    }
}
