import Foundation

/// What the notes of a piece say for each chord over any stretch of beats: the beats' pitch-class
/// weights and bass notes summed from the start, so that a stretch is scored in constant time.
///
/// The score is HarmAn's hits − misses − extra notes as a log-likelihood: each note's pitch class is a
/// chord tone with probability `chordToneShare`, spread evenly over the chord's tones, or else any other
/// pitch class (a small template explains its notes better); a root not heard in a bar costs; a bass on
/// the root says much, on another chord tone little, outside the chord it objects.
struct ChordEvidence: Sendable {
    let beats: Int
    let perBar: Int
    /// `(beats + 1) × 12`: weights of each pitch class before each beat.
    private let prefix: [Double]
    /// `(beats + 1) × 12`: beats whose bass is each pitch class, before each beat.
    private let bassPrefix: [Double]
    private let analyzer: ChordAnalyzer

    init(chroma: [[Double]], bass: [Int?], beatsPerBar: Int, analyzer: ChordAnalyzer) {
        beats = chroma.count
        perBar = max(1, beatsPerBar)
        self.analyzer = analyzer
        var prefix = [Double](repeating: 0, count: (chroma.count + 1) * 12)
        var bassPrefix = [Double](repeating: 0, count: (chroma.count + 1) * 12)
        for b in 0..<chroma.count {
            for pc in 0..<12 {
                prefix[(b + 1) * 12 + pc] = prefix[b * 12 + pc] + chroma[b][pc]
                bassPrefix[(b + 1) * 12 + pc] = bassPrefix[b * 12 + pc]
            }
            if b < bass.count, let pc = bass[b] { bassPrefix[(b + 1) * 12 + pc] += 1 }
        }
        self.prefix = prefix
        self.bassPrefix = bassPrefix
    }

    /// The weight of a pitch class over beats `i..<j`.
    func weight(_ i: Int, _ j: Int, _ pc: Int) -> Double { prefix[j * 12 + pc] - prefix[i * 12 + pc] }

    /// A chord's terms of the likelihood: the log-probability of a note in it and of one outside it.
    struct Template: Sendable {
        var tones: [Int]
        var root: Int
        var inWeight: Double
        var outWeight: Double
    }

    func template(_ chord: Chord) -> Template {
        let tones = chord.tones
        let share = analyzer.chordToneShare
        return Template(
            tones: tones, root: chord.root, inWeight: log(share / Double(tones.count)),
            outWeight: log((1 - share) / Double(12 - tones.count)))
    }

    /// The score of a chord over beats `i..<j`, without its prior or the cost of the cut.
    func score(_ i: Int, _ j: Int, _ t: Template) -> Double {
        var total = 0.0, bassTotal = 0.0
        let a = i * 12, b = j * 12
        for pc in 0..<12 {
            total += prefix[b + pc] - prefix[a + pc]
            bassTotal += bassPrefix[b + pc] - bassPrefix[a + pc]
        }
        return score(i, j, t, total: total, bassTotal: bassTotal)
    }

    /// The scores of every template over beats `i..<j`, written to `scores[offset...]`.
    func scores(_ i: Int, _ j: Int, _ templates: [Template], into scores: inout [Double], at offset: Int) {
        var total = 0.0, bassTotal = 0.0
        let a = i * 12, b = j * 12
        for pc in 0..<12 {
            total += prefix[b + pc] - prefix[a + pc]
            bassTotal += bassPrefix[b + pc] - bassPrefix[a + pc]
        }
        for (k, t) in templates.enumerated() { scores[offset + k] = score(i, j, t, total: total, bassTotal: bassTotal) }
    }

    private func score(_ i: Int, _ j: Int, _ t: Template, total: Double, bassTotal: Double) -> Double {
        var inChord = 0.0, bassIn = 0.0
        let a = i * 12, b = j * 12
        for pc in t.tones {
            inChord += prefix[b + pc] - prefix[a + pc]
            bassIn += bassPrefix[b + pc] - bassPrefix[a + pc]
        }
        // A root not heard in a bar the stretch touches is partly missing (one chord over two bars
        // must be heard in both).
        var misses = 0.0
        var pieceStart = i
        while pieceStart < j {
            let pieceEnd = min(j, (pieceStart / perBar + 1) * perBar)
            misses += max(0, 1 - (prefix[pieceEnd * 12 + t.root] - prefix[pieceStart * 12 + t.root]) / analyzer.fullWeight)
            pieceStart = pieceEnd
        }
        let bassRoot = bassPrefix[b + t.root] - bassPrefix[a + t.root]
        return inChord * t.inWeight + (total - inChord) * t.outWeight - analyzer.missWeight * misses
            + analyzer.bassWeight * bassRoot - analyzer.bassWeight * (bassTotal - bassIn)
    }
}
