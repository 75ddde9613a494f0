import Foundation

/// What the notes of a piece say for each chord over any stretch of beats: the beats' pitch-class
/// weights and bass notes summed from the start, so that a stretch is scored in constant time.
///
/// The score is HarmAn's hits − misses − extra notes as a log-likelihood: each note's pitch class is a
/// chord tone with probability `chordToneShare`, spread evenly over the chord's tones, or else any other
/// pitch class (a small template explains its notes better); a root not heard in a bar costs. The bass
/// of a bar's downbeat (and that note again) says much on the root, little on another chord tone; a
/// bass that moves from it in the bar (root to fifth and back, as bass lines go) says half as much for
/// the chord on any of its tones, so that it is not heard as a new chord's root. Outside the chord a
/// bass objects.
struct ChordEvidence: Sendable {
    let beats: Int
    let perBar: Int
    /// `beats + 1` vectors (12 lanes used): weights of each pitch class before each beat.
    private let prefix: [SIMD16<Double>]
    /// `beats + 1` vectors: beats whose bass is each pitch class, before each beat; the bass of the
    /// bar's downbeat and any other (`movingBassPrefix`) apart.
    private let bassPrefix: [SIMD16<Double>]
    private let movingBassPrefix: [SIMD16<Double>]
    private let analyzer: ChordAnalyzer

    init(chroma: [[Double]], bass: [Int?], beatsPerBar: Int, analyzer: ChordAnalyzer) {
        beats = chroma.count
        perBar = max(1, beatsPerBar)
        self.analyzer = analyzer
        var prefix = [SIMD16<Double>](repeating: .zero, count: chroma.count + 1)
        var bassPrefix = [SIMD16<Double>](repeating: .zero, count: chroma.count + 1)
        var movingBassPrefix = bassPrefix
        for b in 0..<chroma.count {
            var weights = SIMD16<Double>.zero
            for pc in 0..<12 { weights[pc] = chroma[b][pc] }
            prefix[b + 1] = prefix[b] + weights
            bassPrefix[b + 1] = bassPrefix[b]
            movingBassPrefix[b + 1] = movingBassPrefix[b]
            if b < bass.count, let pc = bass[b] {
                // The bar's downbeat bass, held or struck again, is the chord's; another moves within it.
                let downbeat = b - b % perBar
                if bass[downbeat] == nil || bass[downbeat] == pc {
                    bassPrefix[b + 1][pc] += 1
                } else {
                    movingBassPrefix[b + 1][pc] += 1
                }
            }
        }
        self.prefix = prefix
        self.bassPrefix = bassPrefix
        self.movingBassPrefix = movingBassPrefix
    }

    /// The weights of every pitch class over beats `i..<j` (lanes 12–15 are zero).
    func weights(_ i: Int, _ j: Int) -> SIMD16<Double> { prefix[j] - prefix[i] }

    /// A chord's terms of the likelihood, per pitch class: what a unit of weight on it scores (the
    /// log-probability of a note in the chord or outside it), and what a bass on it scores, on the
    /// downbeat's note or moving in the bar.
    struct Template: Sendable {
        var root: Int
        var notes: SIMD16<Double>
        var bass: SIMD16<Double>
        var movingBass: SIMD16<Double>
    }

    func template(_ chord: Chord) -> Template {
        let tones = chord.pitchClasses
        let share = analyzer.chordToneShare, size = Double(chord.tones.count)
        let inWeight = log(share / size), outWeight = log((1 - share) / (12 - size))
        var notes = SIMD16<Double>.zero, bass = SIMD16<Double>.zero, movingBass = SIMD16<Double>.zero
        for pc in 0..<12 {
            notes[pc] = tones.contains(pc) ? inWeight : outWeight
            bass[pc] = pc == chord.root ? analyzer.bassWeight : (tones.contains(pc) ? 0 : -analyzer.bassWeight)
            movingBass[pc] = tones.contains(pc) ? analyzer.bassWeight / 2 : -analyzer.bassWeight
        }
        return Template(root: chord.root, notes: notes, bass: bass, movingBass: movingBass)
    }

    /// The scores of every template over beats `i..<j`, without their priors or the cost of the cut,
    /// written to `scores[offset...]`.
    func scores(_ i: Int, _ j: Int, _ templates: [Template], into scores: inout [Double], at offset: Int) {
        let stretch = Stretch(self, i, j), missWeight = analyzer.missWeight
        for (k, t) in templates.enumerated() { scores[offset + k] = stretch.score(t, missWeight: missWeight) }
    }

    /// What beats `i..<j` hold, summed once for scoring every chord over them.
    private struct Stretch {
        var weights: SIMD16<Double>
        var bass: SIMD16<Double>
        var movingBass: SIMD16<Double>
        var misses: SIMD16<Double>

        init(_ evidence: ChordEvidence, _ i: Int, _ j: Int) {
            weights = evidence.weights(i, j)
            bass = evidence.bassPrefix[j] - evidence.bassPrefix[i]
            movingBass = evidence.movingBassPrefix[j] - evidence.movingBassPrefix[i]
            misses = evidence.misses(i, j)
        }

        @inline(__always)
        func score(_ t: Template, missWeight: Double) -> Double {
            weights.dot(t.notes) + bass.dot(t.bass) + movingBass.dot(t.movingBass) - missWeight * misses[t.root]
        }
    }

    /// For each pitch class as a root over beats `i..<j`: how far it goes unheard in the bars the
    /// stretch touches (one chord over two bars must be heard in both).
    private func misses(_ i: Int, _ j: Int) -> SIMD16<Double> {
        var misses = SIMD16<Double>.zero
        var pieceStart = i
        while pieceStart < j {
            let pieceEnd = min(j, (pieceStart / perBar + 1) * perBar)
            let heard = (prefix[pieceEnd] - prefix[pieceStart]) / analyzer.fullWeight
            misses += (1 - heard).replacing(with: 0, where: heard .> 1)
            pieceStart = pieceEnd
        }
        return misses
    }
}

extension SIMD16 where Scalar == Double {
    /// The dot product, summed pairwise: the standard library's generic `sum()` is a lane-by-lane
    /// loop, and these products are the inner loop of hearing chords and keys.
    @inline(__always)
    func dot(_ other: Self) -> Double {
        let p = self * other
        let q = p.lowHalf + p.highHalf
        let r = q.lowHalf + q.highHalf
        let s = r.lowHalf + r.highHalf
        return s[0] + s[1]
    }
}
