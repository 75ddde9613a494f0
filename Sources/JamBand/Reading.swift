/// What the bandmate hears in a document: the key, the chord of every beat, the groove.
public struct Reading: Hashable, Sendable {
    public var grid: BeatGrid
    /// Bars the reading covers, from the start of the piece.
    public var bars: Int
    /// The key of the whole piece.
    public var key: Tonality
    /// The whole piece's correlation with the key's profiles, −1…1.
    public var keyCorrelation: Double
    /// How far the key leads the next best over the whole piece, in correlation.
    public var keyMargin: Double
    /// The key of each bar, smoothed.
    public var barKeys: [Tonality]
    /// The chords, covering every beat of every bar, in order.
    public var segments: [ChordSegment]
    public var groove: Groove
    /// True when the humans played no harmony and the chords are a proposal for the style and key.
    public var proposed: Bool
    /// The chord of every beat.
    public let beatChords: [Chord]

    public init(
        grid: BeatGrid, bars: Int, key: Tonality, keyCorrelation: Double, keyMargin: Double, barKeys: [Tonality],
        segments: [ChordSegment], groove: Groove, proposed: Bool
    ) {
        self.grid = grid
        self.bars = bars
        self.key = key
        self.keyCorrelation = keyCorrelation
        self.keyMargin = keyMargin
        self.barKeys = barKeys
        self.segments = segments
        self.groove = groove
        self.proposed = proposed
        var chords: [Chord] = []
        chords.reserveCapacity(bars * grid.beatsPerBar)
        for segment in segments {
            chords.append(contentsOf: repeatElement(segment.chord, count: segment.beats))
        }
        beatChords = chords
    }

    public var beats: Int { beatChords.count }

    /// The chord of a beat counted from the start; past the end, the last chord.
    public func chord(atBeat beat: Int) -> Chord {
        beatChords.isEmpty ? Chord(root: key.tonic, quality: key.mode == .major ? .major : .minor) : beatChords[min(max(0, beat), beatChords.count - 1)]
    }

    public func chord(atTick tick: Int) -> Chord { chord(atBeat: grid.beat(containing: tick)) }

    /// The segment that holds a beat.
    public func segment(atBeat beat: Int) -> ChordSegment? {
        var low = 0, high = segments.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if segments[mid].endBeat <= beat { low = mid + 1 } else if segments[mid].startBeat > beat { high = mid - 1 } else { return segments[mid] }
        }
        return nil
    }

    public func key(atBar bar: Int) -> Tonality {
        barKeys.isEmpty ? key : barKeys[min(max(0, bar), barKeys.count - 1)]
    }

    /// The chords of each bar as symbols, a chord repeated within a bar written once.
    public func barSymbols() -> [String] {
        let perBar = grid.beatsPerBar
        return (0..<bars).map { bar in
            var symbols: [String] = []
            for beat in bar * perBar..<(bar + 1) * perBar {
                let symbol = chord(atBeat: beat).symbol(in: key(atBar: bar))
                if symbols.last != symbol { symbols.append(symbol) }
            }
            return symbols.joined(separator: " ")
        }
    }

    /// "D minor: Dm7 | G7 | Cmaj7": the key and the bars' chords, a repeating pattern written once,
    /// at most `maxBars` bars.
    public func summary(maxBars: Int = 8) -> String {
        var symbols = barSymbols()
        if let period = (1...max(1, symbols.count)).first(where: { p in symbols.count % p == 0 && symbols.indices.allSatisfy { symbols[$0] == symbols[$0 % p] } }) {
            symbols = Array(symbols.prefix(period))
        }
        let shown = symbols.prefix(maxBars).joined(separator: " | ") + (symbols.count > maxBars ? " | …" : "")
        return "\(key.name): \(shown)"
    }
}
