import Foundation

/// Hears the harmony a melody implies in a key, as a musician harmonising a tune does.
///
/// A melody alone names few chords: one note fits three or four. What decides is the key: its own
/// chords (diatonic, with the minor key's major dominant and the commonest borrowed and secondary
/// chords at a cost, `Tonality.fit`), moving as tonal harmony moves (a root falling a fifth, the
/// dominant resolving to the tonic), starting on the tonic and closing on it (more after its dominant
/// or subdominant) or on the dominant (a half close, or a loop coming round). The best such reading,
/// by dynamic programming over segments of at most `analyzer.maxBars` bars, scores how well the
/// melody can be harmonised in that key; comparing the scores of a few keys is hearing the key
/// through the harmony.
public struct Harmonizer: Sendable {
    /// How notes are heard against a chord, what a change of chord costs, and the fifth-motion bonus.
    public var analyzer: ChordAnalyzer
    /// Chords with a tone outside the key whose place in it (`Tonality.fit` plus the quality's rarity)
    /// is below this are not considered.
    public var vocabularyFloor: Double
    /// What the dominant resolving to the tonic (an authentic cadence) earns on top of its fifth motion.
    public var cadenceBonus: Double
    /// What a first chord on the tonic earns.
    public var openingBonus: Double
    /// What a last chord on the tonic earns (half as much again after its dominant or subdominant).
    public var closingBonus: Double
    /// What a last chord on the dominant earns: a half close, or a loop coming round to the tonic.
    public var halfCloseBonus: Double
    /// The share of the notes not heard as chord tones that lie in the key's scale. A tune's passing
    /// and neighbour notes come from its key: each note is a chord tone or else a note of the key
    /// (rarely another), so that the harmonisation's score is the likelihood of the notes given the
    /// key and the chords both, and a note outside the key counts against it unless a chord holds it.
    public var scaleShare: Double
    /// The kinds of chord a melody is heard to imply: all but the suspended ones. A step in a tune is a
    /// passing note, not a chord's second or fourth; with them, a tune that moves by step (Ode to Joy)
    /// is heard as a string of sus2 chords, each holding two neighbouring notes.
    public var qualities: Set<ChordQuality> = Set(ChordQuality.allCases).subtracting([.sus2, .sus4])

    public init(
        analyzer: ChordAnalyzer = ChordAnalyzer(), vocabularyFloor: Double = -1.4, cadenceBonus: Double = 0.5,
        openingBonus: Double = 0.5, closingBonus: Double = 0.5, halfCloseBonus: Double = 0.3, scaleShare: Double = 0.9
    ) {
        self.scaleShare = scaleShare
        self.analyzer = analyzer
        self.vocabularyFloor = vocabularyFloor
        self.cadenceBonus = cadenceBonus
        self.openingBonus = openingBonus
        self.closingBonus = closingBonus
        self.halfCloseBonus = halfCloseBonus
    }

    /// A harmonisation: the segments and their total score (log-likelihood units; higher is better).
    public struct Result: Sendable {
        public var segments: [ChordSegment]
        public var score: Double
    }

    /// The notes of a piece ready to be harmonised in any key: every stretch of beats (up to the
    /// longest segment) scored once against every chord of `Chord.all`.
    public struct Heard: Sendable {
        let grid: BeatGrid
        let beats: Int
        /// The beats up to the last that sounds. The silence after it is not harmonised (the last chord
        /// holds through it): the close is where the music stops, not a chord put under silence.
        let sounding: Int
        /// The most beats one segment covers.
        let longest: Int
        /// `[(i * longest + j - i - 1) * Chord.all.count + chord]`: the score of beats `i..<j`.
        let scores: [Double]
        /// For stretches longer than `longest`.
        let evidence: ChordEvidence
        /// The notes as played, heard against the key (see `scaleShare`).
        let played: ChordEvidence
        let templates: [ChordEvidence.Template]

        func score(_ i: Int, _ j: Int, _ chord: Int) -> Double {
            scores[(i * longest + j - i - 1) * Chord.all.count + chord]
        }
    }

    /// Prepares the beats' pitch-class weights (`chroma[beat]`, 12 each; `bass[beat]` the bass's pitch
    /// class where there is one) for harmonising. `played` are the weights of the notes played at each
    /// beat when `chroma` also hears other beats (a loop's other phrases, see `Listener`): the key is
    /// heard in the notes played there alone (default: `chroma`).
    public func hear(chroma: [[Double]], bass: [Int?], grid: BeatGrid, played: [[Double]]? = nil) -> Heard {
        let beats = chroma.count
        let longest = max(1, analyzer.maxBars * grid.beatsPerBar)
        let evidence = ChordEvidence(chroma: chroma, bass: bass, beatsPerBar: grid.beatsPerBar, analyzer: analyzer)
        let templates = Chord.all.map(evidence.template)
        let all = Chord.all.count
        var scores = [Double](repeating: -.infinity, count: beats * longest * all)
        for i in 0..<beats {
            for j in (i + 1)...min(beats, i + longest) {
                evidence.scores(i, j, templates, into: &scores, at: (i * longest + j - i - 1) * all)
            }
        }
        let sounding = (chroma.lastIndex { $0.contains { $0 > 0 } } ?? beats - 1) + 1
        return Heard(
            grid: grid, beats: beats, sounding: sounding, longest: longest, scores: scores, evidence: evidence,
            played: played.map { ChordEvidence(chroma: $0, bass: bass, beatsPerBar: grid.beatsPerBar, analyzer: analyzer) } ?? evidence,
            templates: templates)
    }

    /// The chords considered in a key, of the `qualities` heard: those of its own notes (its palette), and
    /// the others whose place in it is at least `vocabularyFloor`.
    func vocabulary(_ key: Tonality) -> [Chord] {
        let palette = key.palette
        return Chord.all.filter {
            qualities.contains($0.quality) && ($0.pitchClasses.isSubset(of: palette) || key.fit($0) + $0.quality.rarity >= vocabularyFloor)
        }
    }

    /// A key's tables over a vocabulary: each chord's prior, the motion from each chord to each
    /// (`motion[from * count + to]`, non-zero only for a root falling a fifth or a move of Piston's
    /// table), and its role in the key.
    struct KeyTables {
        /// Piston's table of usual root progressions, by scale degree (0 = I): the degrees each degree
        /// usually moves to, and sometimes (Walter Piston, Harmony, 1941). Most of the usual moves are
        /// falling fifths; the rest (I→V, IV→V, vi→V) and the occasional ones (I→vi, V→vi, vi→IV…) are
        /// the steps and thirds that common progressions also take.
        static let usual: [Set<Int>] = [[3, 4], [4], [5], [4], [0], [1, 4], [2]]
        static let sometimes: [Set<Int>] = [[5], [3, 5], [3], [0, 1], [3, 5], [2, 3], [0]]
        var prior: [Double]
        var motion: [Double]
        var isTonic: [Bool]
        var isDominant: [Bool]
        var isSubdominant: [Bool]
        /// Per chord, by pitch class (12 lanes used): what a unit of weight on the pitch class gains in
        /// log-likelihood when each note is heard as a chord tone or else as a note of the key (see
        /// `scaleShare`), against the chord alone (`ChordEvidence`).
        var gains: [SIMD16<Double>]

        init(key: Tonality, chords: [Chord], harmonizer: Harmonizer) {
            let count = chords.count
            let scale = key.scale
            let share = harmonizer.analyzer.chordToneShare, q = harmonizer.scaleShare
            let inScale = (1 - share) * q / Double(scale.count), outOfScale = (1 - share) * (1 - q) / Double(12 - scale.count)
            gains = chords.map { chord in
                let size = Double(chord.tones.count), tones = chord.pitchClasses
                let tone = share / size, aside = (1 - share) / (12 - size)
                var gain = SIMD16<Double>(repeating: 0)
                for pc in 0..<12 {
                    let key = scale.contains(pc) ? inScale : outOfScale
                    gain[pc] = tones.contains(pc) ? log(tone + key) - log(tone) : log(key) - log(aside)
                }
                return gain
            }
            let tonicThird = PitchClass.of(key.tonic + (key.mode == .major ? 4 : 3))
            isTonic = chords.map { $0.root == key.tonic && $0.third == tonicThird }
            isDominant = chords.map { $0.root == PitchClass.of(key.tonic + 7) && $0.third == PitchClass.of(key.tonic + 11) }
            isSubdominant = chords.map { $0.root == PitchClass.of(key.tonic + 5) && $0.third != nil }
            prior = chords.map { key.fit($0) + $0.quality.rarity }
            motion = [Double](repeating: 0, count: count * count)
            // A falling fifth, the strongest motion, earns the fifth-motion bonus (the cadence more); the
            // other usual moves of Piston's table half that, its occasional ones a quarter. (As much as
            // a fifth makes changes so cheap that a bar arpeggiating B–D–F is heard as G then Dm.)
            let fifth = harmonizer.analyzer.fifthMotionBonus
            let degree = chords.map { key.degrees.firstIndex(of: $0.root) }
            for u in 0..<count {
                for v in 0..<count where u != v {
                    if PitchClass.of(chords[u].root - chords[v].root) == 7 {
                        motion[u * count + v] = fifth + (isDominant[u] && isTonic[v] ? harmonizer.cadenceBonus : 0)
                    } else if let from = degree[u], let to = degree[v], from != to {
                        if Self.usual[from].contains(to) {
                            motion[u * count + v] = fifth / 2
                        } else if Self.sometimes[from].contains(to) {
                            motion[u * count + v] = fifth / 4
                        }
                    }
                }
            }
        }
    }

    /// The moves between chords with a motion score in any of the keys: the chords each chord is
    /// reached from (`into`) and goes on to (`outOf`).
    struct Moves {
        var into: [[Int]]
        var outOf: [[Int]]

        init(tables: [KeyTables], count: Int) {
            into = (0..<count).map { c in (0..<count).filter { u in u != c && tables.contains { $0.motion[u * count + c] != 0 } } }
            outOf = (0..<count).map { c in (0..<count).filter { u in u != c && tables.contains { $0.motion[c * count + u] != 0 } } }
        }
    }

    /// The best harmonisation of the beats' pitch-class weights in the key of each bar.
    public func harmonize(chroma: [[Double]], bass: [Int?], grid: BeatGrid, keys: [Tonality], inContext: Bool = false) -> Result {
        harmonize(hear(chroma: chroma, bass: bass, grid: grid), keys: keys, inContext: inContext)
    }

    /// The best harmonisation of the notes heard in the key of each bar (`keys[bar]`; a bar missing
    /// from it takes the last).
    ///
    /// With `inContext`, each segment's candidates (and so its confidence and `support`) are the chords'
    /// probabilities at its beats given the whole piece under the same model (forward–backward), not
    /// given its own notes alone: a chord the harmony around it makes likely counts as likely.
    public func harmonize(_ heard: Heard, keys: [Tonality], inContext: Bool = false) -> Result {
        let beats = heard.sounding
        guard beats > 0 else { return Result(segments: [], score: 0) }
        let grid = heard.grid
        let perBar = grid.beatsPerBar
        let keyOfBar = keys.isEmpty ? [Tonality(tonic: 0, mode: .major)] : keys
        func keyAt(_ beat: Int) -> Tonality { keyOfBar[min(beat / perBar, keyOfBar.count - 1)] }

        // The vocabulary: every chord some bar's key considers, as indices into `Chord.all`.
        let distinctKeys = Array(Set(keyOfBar)).sorted { $0.index < $1.index }
        var chordSet = Set<Chord>()
        for key in distinctKeys { chordSet.formUnion(vocabulary(key)) }
        let members = Chord.all.indices.filter { chordSet.contains(Chord.all[$0]) }
        let chords = members.map { Chord.all[$0] }
        let count = chords.count
        var tables: [Int: KeyTables] = [:]
        for key in distinctKeys { tables[key.index] = KeyTables(key: key, chords: chords, harmonizer: self) }
        let tableOfBeat = (0..<beats).map { tables[keyAt($0).index]! }
        let moves = Moves(tables: Array(tables.values), count: count)
        let longest = heard.longest
        let keyed = keyTerms(heard, chords: chords, tables: tableOfBeat)
        func stretch(_ i: Int, _ j: Int, _ c: Int) -> Double {
            heard.score(i, j, members[c]) + tableOfBeat[i].prior[c] + keyed[(i * longest + j - i - 1) * count + c]
        }

        let minusInfinity = -Double.greatestFiniteMagnitude
        // best[j * count + c]: the best score of beats 0..<j whose last segment is chord c, starting at
        // from[…]; entryFrom[i * count + c]: the chord before a segment of c that starts at i (c itself
        // when it continues; −1 at the start).
        var best = [Double](repeating: minusInfinity, count: (beats + 1) * count)
        var from = [Int](repeating: 0, count: (beats + 1) * count)
        var entryFrom = [Int](repeating: -1, count: beats * count)
        var entry = [Double](repeating: minusInfinity, count: count)

        for i in 0..<beats {
            let table = tableOfBeat[i]
            if i == 0 {
                for c in 0..<count { entry[c] = table.isTonic[c] ? openingBonus : 0 }
            } else {
                let cost = analyzer.cutCost(i, grid: grid)
                // The two best chords to leave from, and those with a motion score into each chord.
                var first = (value: minusInfinity, chord: -1), second = (value: minusInfinity, chord: -1)
                for u in 0..<count {
                    let v = best[i * count + u]
                    if v > first.value {
                        second = first
                        first = (v, u)
                    } else if v > second.value {
                        second = (v, u)
                    }
                }
                for c in 0..<count {
                    // The same chord again continues it: no change to pay.
                    var value = best[i * count + c], source = c
                    let other = first.chord != c ? first : second
                    if other.chord >= 0, other.value - cost > value {
                        value = other.value - cost
                        source = other.chord
                    }
                    for u in moves.into[c] {
                        let v = best[i * count + u] - cost + table.motion[u * count + c]
                        if v > value {
                            value = v
                            source = u
                        }
                    }
                    entry[c] = value
                    entryFrom[i * count + c] = source
                }
            }
            for j in (i + 1)...min(beats, i + longest) {
                for c in 0..<count where entry[c] > minusInfinity {
                    let value = entry[c] + stretch(i, j, c)
                    if value > best[j * count + c] {
                        best[j * count + c] = value
                        from[j * count + c] = i
                    }
                }
            }
        }

        /// The chord before the segment of `c` that ends at `end`, past any continuation of `c` itself.
        func chordBefore(_ c: Int, end: Int) -> Int {
            var end = end
            while end > 0 {
                let start = from[end * count + c]
                guard start > 0 else { return -1 }
                let before = entryFrom[start * count + c]
                if before != c { return before }
                end = start
            }
            return -1
        }

        // The close: the last chord on the tonic (more after its dominant or subdominant), or on the dominant.
        let last = tableOfBeat[beats - 1]
        var total = [Double](repeating: minusInfinity, count: count)
        for c in 0..<count where best[beats * count + c] > minusInfinity {
            var close = 0.0
            if last.isTonic[c] {
                close += closingBonus
                let before = chordBefore(c, end: beats)
                if before >= 0 && (last.isDominant[before] || last.isSubdominant[before]) { close += 0.5 * closingBonus }
            } else if last.isDominant[c] {
                close += halfCloseBonus
            }
            total[c] = best[beats * count + c] + close
        }
        var c = (0..<count).max { total[$0] < total[$1] }!
        let score = total[c]

        // Trace back, merging a chord that continues itself.
        var end = beats
        var cuts: [(start: Int, end: Int, chord: Int)] = []
        while end > 0 {
            let start = from[end * count + c]
            if let lastCut = cuts.last, lastCut.chord == c {
                cuts[cuts.count - 1].start = start
            } else {
                cuts.append((start, end, c))
            }
            let before = start > 0 ? entryFrom[start * count + c] : -1
            end = start
            if before >= 0 { c = before }
        }
        cuts[0].end = heard.beats

        // Each segment's candidates: from the whole piece, or from its own notes.
        let posterior = inContext ? posteriors(heard, chords: chords, members: members, tables: tableOfBeat, moves: moves, keyed: keyed) : nil
        let templates = members.map { heard.templates[$0] }
        let segments = cuts.reversed().map { cut in
            var weights = [Double](repeating: 0, count: count)
            if let posterior {
                for beat in cut.start..<min(cut.end, beats) { for k in 0..<count { weights[k] += posterior[beat * count + k] } }
            } else {
                heard.evidence.scores(cut.start, min(cut.end, beats), templates, into: &weights, at: 0)
                let scores = (0..<count).map { weights[$0] + tableOfBeat[cut.start].prior[$0] }
                let top = scores.max()!
                weights = scores.map { exp($0 - top) }
            }
            let sum = max(weights.reduce(0, +), .leastNonzeroMagnitude)
            let candidates = (0..<count).filter { weights[$0] / sum >= 0.05 }.sorted { weights[$0] > weights[$1] }
                .map { ChordSegment.Candidate(chord: chords[$0], probability: weights[$0] / sum) }
            return ChordSegment(
                startBeat: cut.start, beats: cut.end - cut.start, chord: chords[cut.chord], confidence: weights[cut.chord] / sum,
                candidates: candidates)
        }
        return Result(segments: segments, score: score)
    }

    /// For every stretch of beats `i..<j` and chord `c` of the vocabulary (`[(i * longest + j - i - 1) * count + c]`),
    /// what hearing the notes outside the chord against the key of beat `i` adds to the chord's score
    /// (see `scaleShare`).
    func keyTerms(_ heard: Heard, chords: [Chord], tables: [KeyTables]) -> [Double] {
        let beats = heard.sounding, count = chords.count, longest = heard.longest
        var terms = [Double](repeating: 0, count: beats * longest * count)
        guard scaleShare > 0 else { return terms }
        for i in 0..<beats {
            let table = tables[i]
            for j in (i + 1)...min(beats, i + longest) {
                let weights = heard.played.weights(i, j)
                guard weights.sum() > 0 else { continue }
                let offset = (i * longest + j - i - 1) * count
                for c in 0..<count { terms[offset + c] = weights.dot(table.gains[c]) }
            }
        }
        return terms
    }

    /// For each beat and chord of the vocabulary (`[beat * count + chord]`), the probability that the
    /// chord sounds there, summed over every harmonisation of the piece under the model (forward–backward
    /// over segments; the close counts the last chord alone). Few moves have a motion score, so a change
    /// of chord sums in time linear in the vocabulary times those.
    func posteriors(_ heard: Heard, chords: [Chord], members: [Int], tables: [KeyTables], moves: Moves, keyed: [Double]) -> [Double] {
        let beats = heard.sounding, count = chords.count, longest = heard.longest
        let minusInfinity = -Double.infinity
        func add(_ a: Double, _ b: Double) -> Double {
            if a == minusInfinity { return b }
            if b == minusInfinity { return a }
            return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b))
        }
        func stretch(_ i: Int, _ j: Int, _ c: Int) -> Double {
            heard.score(i, j, members[c]) + tables[i].prior[c] + keyed[(i * longest + j - i - 1) * count + c]
        }

        /// For every chord c, log Σ over u ≠ c of exp(values[u] + motion): into c (u → c), or with
        /// `outgoing` out of it (c → u).
        func changes(_ values: ArraySlice<Double>, _ motion: [Double], outgoing: Bool) -> [Double] {
            let top = values.max() ?? minusInfinity
            guard top > minusInfinity else { return [Double](repeating: minusInfinity, count: count) }
            let weights = values.map { exp($0 - top) }
            let total = weights.reduce(0, +)
            return (0..<count).map { c in
                var sum = total - weights[c]
                for u in (outgoing ? moves.outOf[c] : moves.into[c]) {
                    let m = outgoing ? motion[c * count + u] : motion[u * count + c]
                    sum += weights[u] * (exp(m) - 1)
                }
                return sum > 0 ? top + log(sum) : minusInfinity
            }
        }

        // Forward: enter[i * count + c] sums the ways into a segment of c starting at i; ending[j * count + c]
        // the ways through a segment of c ending at j.
        var enter = [Double](repeating: minusInfinity, count: beats * count)
        var ending = [Double](repeating: minusInfinity, count: (beats + 1) * count)
        for i in 0..<beats {
            if i == 0 {
                for c in 0..<count { enter[c] = tables[0].isTonic[c] ? openingBonus : 0 }
            } else {
                let cost = analyzer.cutCost(i, grid: heard.grid)
                let moved = changes(ending[(i * count)..<((i + 1) * count)], tables[i].motion, outgoing: false)
                for c in 0..<count { enter[i * count + c] = add(ending[i * count + c], moved[c] - cost) }
            }
            for j in (i + 1)...min(beats, i + longest) {
                for c in 0..<count { ending[j * count + c] = add(ending[j * count + c], enter[i * count + c] + stretch(i, j, c)) }
            }
        }
        let last = tables[beats - 1]
        let close = (0..<count).map { last.isTonic[$0] ? closingBonus : (last.isDominant[$0] ? halfCloseBonus : 0) }
        var z = minusInfinity
        for c in 0..<count { z = add(z, ending[beats * count + c] + close[c]) }

        // Backward: after[j * count + c] sums the ways on from a segment of c ending at j; onward[i * count + c]
        // the ways on from a segment of c starting at i, its own notes included.
        var after = [Double](repeating: minusInfinity, count: (beats + 1) * count)
        var onward = [Double](repeating: minusInfinity, count: beats * count)
        for c in 0..<count { after[beats * count + c] = close[c] }
        for j in stride(from: beats, to: 0, by: -1) {
            if j < beats {
                let cost = analyzer.cutCost(j, grid: heard.grid)
                let moved = changes(onward[(j * count)..<((j + 1) * count)], tables[j].motion, outgoing: true)
                for c in 0..<count { after[j * count + c] = add(onward[j * count + c], moved[c] - cost) }
            }
            for i in max(0, j - longest)..<j {
                for c in 0..<count { onward[i * count + c] = add(onward[i * count + c], stretch(i, j, c) + after[j * count + c]) }
            }
        }

        // Each segment's probability, spread over its beats (as differences, summed afterwards).
        var mass = [Double](repeating: 0, count: (beats + 1) * count)
        for i in 0..<beats {
            for j in (i + 1)...min(beats, i + longest) {
                for c in 0..<count {
                    let p = exp(enter[i * count + c] + stretch(i, j, c) + after[j * count + c] - z)
                    mass[i * count + c] += p
                    mass[j * count + c] -= p
                }
            }
        }
        var posterior = [Double](repeating: 0, count: beats * count)
        var running = [Double](repeating: 0, count: count)
        for beat in 0..<beats {
            for c in 0..<count {
                running[c] += mass[beat * count + c]
                posterior[beat * count + c] = max(0, running[c])
            }
        }
        return posterior
    }
}
