import JamCore

/// Everything a generator needs to play one bar: where it is, its chords, the next chord, the key,
/// the style and the settings. A bar's notes are a function of its context alone, so a bar whose
/// context did not change is played exactly as before.
public struct BarContext: Hashable, Sendable {
    /// A chord within the bar.
    public struct Span: Hashable, Sendable {
        /// The first beat of the bar it covers, and how many.
        public var beat: Int
        public var beats: Int
        public var chord: Chord
        /// For each pitch class, how likely it is a tone of the chord here (see `ChordSegment.support`).
        public var support: [Double]

        /// The tones of the chord safe to play where the analysis is unsure: those at least `threshold`
        /// likely, the chord's two likeliest tones at least.
        public func safeTones(_ threshold: Double = 0.5) -> [Int] {
            let ranked = chord.tones.sorted { support[$0] > support[$1] }
            return chord.tones.filter { support[$0] >= threshold || ranked.prefix(2).contains($0) }
        }

        /// The note a bass plays for the chord on a strong beat: its root, unless the analysis is unsure
        /// of it and surer of another of its tones (then the chord is played over that bass).
        public var anchor: Int {
            let best = chord.tones.max { support[$0] < support[$1] } ?? chord.root
            return support[chord.root] >= 0.75 || support[best] < support[chord.root] + 0.15 ? chord.root : best
        }
    }

    public var bar: Int
    /// The bar's first tick.
    public var start: Int
    public var grid: BeatGrid
    public var chords: [Span]
    /// The chord the next bar starts with.
    public var next: Chord
    public var key: Tonality
    public var style: Style
    public var density: Double
    public var complexity: Double
    public var swing: Swing
    public var seed: UInt64
    /// The humans' melodic range, for parts that keep out of it.
    public var melodyRange: ClosedRange<Int>?
    /// The bar's place in the phrase of four bars (0…3), and whether it is the piece's last bar.
    public var phrasePosition: Int
    public var isLast: Bool

    /// Builds the context of a bar from a reading.
    public init(
        bar: Int, reading: Reading, style: Style, density: Double, complexity: Double, seed: UInt64, swing: Swing
    ) {
        self.bar = bar
        let grid = reading.grid
        self.grid = grid
        start = bar * grid.barTicks
        let perBar = grid.beatsPerBar
        var spans: [Span] = []
        for index in 0..<perBar {
            let segment = reading.segment(atBeat: bar * perBar + index)
            let chord = segment?.chord ?? reading.chord(atBeat: bar * perBar + index)
            if let last = spans.last, last.chord == chord {
                spans[spans.count - 1].beats += 1
            } else {
                let support = segment?.support ?? (0..<12).map { chord.pitchClasses.contains($0) ? 1 : 0 }
                spans.append(Span(beat: index, beats: 1, chord: chord, support: support))
            }
        }
        chords = spans
        isLast = bar == reading.bars - 1
        // The piece loops: after the last bar comes the first.
        next = reading.chord(atBeat: isLast ? 0 : (bar + 1) * perBar)
        key = reading.key(atBar: bar)
        self.style = style
        // Where the humans are busy (more than two onsets a beat), the part leaves them room.
        let busy = bar < reading.groove.density.count ? min(1, max(0, (reading.groove.density[bar] - 2) / 2)) : 0
        self.density = min(1, max(0, density * (1 - 0.25 * busy)))
        self.complexity = min(1, max(0, complexity))
        self.swing = swing
        self.seed = seed
        melodyRange = reading.groove.melodyRange
        phrasePosition = bar % 4
    }

    /// A generator for this bar and a purpose, the same every time the bar is played.
    public func random(_ purpose: UInt64) -> SeededGenerator {
        Seeds.generator(seed, UInt64(bar), purpose)
    }

    /// The absolute tick of a position given as a beat of the bar and a fraction of it, swung.
    public func tick(beat: Int, fraction: Double = 0) -> Int {
        let whole = Int(fraction.rounded(.down))
        let index = beat + whole
        if index >= grid.beatsPerBar { return start + grid.barTicks + Int(Double(grid.beats[0].length) * (fraction - Double(whole))) }
        return start + grid.offset(beat: index, fraction: fraction - Double(whole), swing: swing)
    }

    /// The chord sounding at a beat of the bar.
    public func chord(atBeat beat: Int) -> Chord {
        chords.last { $0.beat <= beat }?.chord ?? chords[0].chord
    }

    /// The chord after a span: the next span's, or the next bar's.
    public func chord(after index: Int) -> Chord {
        index + 1 < chords.count ? chords[index + 1].chord : next
    }

    /// The tick where a span ends.
    public func end(of span: Span) -> Int {
        span.beat + span.beats >= grid.beatsPerBar ? start + grid.barTicks : start + grid.beats[span.beat + span.beats].offset
    }

    /// Whether the bar ends a phrase: every fourth bar and the last.
    public var endsPhrase: Bool { phrasePosition == 3 || isLast }
}
