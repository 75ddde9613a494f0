import JamCore

/// Listens to a document as the bandmate does: the humans' tracks only, read into a `Reading`.
public struct Listener: Sendable {
    /// Track ids not to listen to: the bandmate's own tracks and other AI tracks.
    public var ignoring: Set<String>
    /// The participant whose tracks are never listened to (the bandmate itself); empty for none.
    public var ignoringOwner: String
    /// The style a proposed progression is for.
    public var style: Style
    /// Picks among the style's proposals.
    public var seed: UInt64
    /// The longest piece read, in bars; notes after it are not heard.
    public var maxBars: Int
    public var keyFinder: KeyFinder
    public var chordAnalyzer: ChordAnalyzer
    /// What the music rests on, weighed with the key profiles.
    public var tonicCues = TonicCues()
    /// How much a beat hears of the same beat in the loop's other rounds when the harmony repeats
    /// (0: nothing): in the loop `harmonicLoop` hears, or else in four-bar phrases that sound alike.
    public var loopWeight: Double = 0.5
    /// Hears the harmony a melody alone implies, and the key through it.
    public var harmonizer = Harmonizer()
    /// Hears whether the harmony goes round a loop, and how long.
    public var harmonicLoop = HarmonicLoop()
    /// The share of the sounding time at which two or more notes sound together, below which the
    /// humans play one line (a melody alone): the chords are then the harmony it implies.
    public var monophonyLimit: Double = 0.1
    /// What a change of key costs (as `KeyFinder.changeCost`) when the humans play one line.
    public var lineKeyChangeCost: Double = 1.0
    /// The chords a lone line is heard with once its key is known: triads and the dominant seventh.
    /// Every chord that could harmonise the line weighs in the key; the chords heard are the plainest
    /// that do, as a player comping a bare tune plays them. A tune seldom tells a seventh from its triad,
    /// and the triad is inside each of its sevenths (on Bach's chorale tunes against the analysts: root
    /// 0.35 → 0.43, `Tools/test_chords.py`).
    public var lineQualities: Set<ChordQuality> = [.major, .minor, .diminished, .dominant7]

    public init(
        ignoring: Set<String> = [], ignoringOwner: String = "", style: Style = .rock, seed: UInt64 = 0, maxBars: Int = 256,
        keyFinder: KeyFinder = KeyFinder(), chordAnalyzer: ChordAnalyzer = ChordAnalyzer()
    ) {
        self.ignoring = ignoring
        self.ignoringOwner = ignoringOwner
        self.style = style
        self.seed = seed
        self.maxBars = maxBars
        self.keyFinder = keyFinder
        self.chordAnalyzer = chordAnalyzer
    }

    /// The tracks listened to, pitched and drums apart.
    public func heard(_ document: Document) -> (pitched: [HeardTrack], drums: [HeardTrack]) {
        var pitched: [HeardTrack] = [], drums: [HeardTrack] = []
        for track in document.tracks where !ignoring.contains(track.id) && (ignoringOwner.isEmpty || track.owner != ignoringOwner) {
            let heard = HeardTrack(track)
            if heard.isDrums { drums.append(heard) } else { pitched.append(heard) }
        }
        return (pitched, drums)
    }

    /// Everything of a document a reading depends on: the tracks listened to and the session's
    /// settings. Listeners that differ only in what they ignore read equal hearings alike.
    public struct Hearing: Hashable, Sendable {
        public var pitched: [HeardTrack]
        public var drums: [HeardTrack]
        public var meter: Meter
        public var loopBars: Int
        /// The session's declared key.
        public var key: Key?
    }

    /// What this listener hears of a document.
    public func hearing(_ document: Document) -> Hearing {
        let (pitched, drums) = heard(document)
        return Hearing(pitched: pitched, drums: drums, meter: document.meter, loopBars: document.loopBars, key: document.key)
    }

    /// The bars a reading covers: the loop, or further when the humans play past it.
    public func bars(_ hearing: Hearing) -> Int {
        let barTicks = hearing.meter.ticksPerBar()
        let lastStart = (hearing.pitched + hearing.drums).compactMap { $0.notes.last?.tick }.max() ?? 0
        return min(maxBars, max(hearing.loopBars, lastStart / max(1, barTicks) + 1))
    }

    /// The key, chords and groove of what the humans play in a document.
    public func read(_ document: Document) -> Reading { read(hearing(document)) }

    /// The key, chords and groove of a hearing.
    public func read(_ hearing: Hearing) -> Reading {
        let grid = BeatGrid(meter: hearing.meter)
        let (pitched, drums) = (hearing.pitched, hearing.drums)
        let bars = max(1, self.bars(hearing))
        let perBar = grid.beatsPerBar
        let beats = bars * perBar
        let end = bars * grid.barTicks
        let declared = hearing.key.flatMap(Tonality.init)

        // Duration-weighted pitch classes per beat (plus a little for a note struck on the beat), per
        // bar, and the pitch class of the bass where the lowest note sounding at a beat is low.
        var chroma = [[Double]](repeating: [Double](repeating: 0, count: 12), count: beats)
        var histograms = [[Double]](repeating: [Double](repeating: 0, count: 12), count: bars)
        var lowest = [Int](repeating: Int.max, count: beats)
        var total = 0.0
        for track in pitched {
            for note in track.notes where note.tick < end {
                let pc = PitchClass.of(note.pitch)
                let noteEnd = min(end, note.tick + note.duration)
                var beat = grid.beat(containing: note.tick)
                while beat < beats {
                    let start = grid.tick(ofBeat: beat)
                    guard start < noteEnd else { break }
                    let length = grid.beats[beat % perBar].length
                    let overlap = min(noteEnd, start + length) - max(note.tick, start)
                    if overlap > 0 {
                        var weight = Double(overlap) / Double(length)
                        if abs(note.tick - start) * 16 < length { weight += 0.5 }
                        chroma[beat][pc] += weight
                        histograms[beat / perBar][pc] += Double(overlap) / Double(Document.ppq)
                        total += weight
                        if note.tick - start < length / 2 { lowest[beat] = min(lowest[beat], note.pitch) }
                    }
                    beat += 1
                }
            }
        }
        let groove = Groove.measure(pitched: pitched, drums: drums, grid: grid, bars: bars)

        guard total > 0 else {
            let key = declared ?? Tonality(tonic: 0, mode: .major)
            let chords = ProgressionProposer().progression(key: key, style: style, bars: bars, seed: seed)
            var segments: [ChordSegment] = []
            for (bar, chord) in chords.enumerated() {
                if let last = segments.last, last.chord == chord {
                    segments[segments.count - 1].beats += perBar
                } else {
                    segments.append(ChordSegment(startBeat: bar * perBar, beats: perBar, chord: chord, confidence: 0))
                }
            }
            return Reading(
                grid: grid, bars: bars, key: key, keyCorrelation: 0, keyMargin: 0, barKeys: Array(repeating: key, count: bars),
                segments: segments, groove: groove, proposed: true)
        }

        // Keys from the profiles. Chords with parts in them: heard in those keys, then the chords confirm
        // the key or move it (to its relative, most often), and are heard again in the key confirmed.
        // One line: the key and its harmony are heard together (see `Harmonizer`).
        let cues = tonicCues.scores(pitched.map(\.notes), grid: grid, end: end)
        // One line (a melody alone): its bar windows hold few notes, so a change of key needs more evidence.
        let oneLine = Self.polyphony(pitched.map(\.notes), end: end) < monophonyLimit
        var finder = keyFinder
        if oneLine { finder.changeCost = lineKeyChangeCost }
        var keys = finder.keys(histograms: histograms, declared: declared, cues: cues)
        let bass = lowest.map { $0 <= 55 ? PitchClass.of($0) : nil }
        let heard = Self.pooled(chroma, beatsPerBar: perBar, bars: bars, weight: loopWeight)
        /// Where the harmony loops (heard in these keys), each beat also hears the loop's other rounds.
        func looped(_ keys: [Tonality]) -> [[Double]]? {
            harmonicLoop.period(chroma: chroma, bass: oneLine ? [] : bass, grid: grid, keys: keys).map { HarmonicLoop.pooled(chroma, period: $0 * perBar, share: loopWeight) }
        }
        if oneLine {
            // The key and the chords are heard together, through the harmony the line implies; then,
            // where that harmony loops, the chords again, every round of the melody speaking for them.
            let line = harmonizer.hear(chroma: heard, bass: bass, grid: grid, played: chroma)
            keys = finder.harmonised(keys, histograms: histograms, declared: declared, cues: cues) { barKeys in
                let reading = harmonizer.harmonize(line, keys: barKeys)
                return (reading.score, reading.segments)
            }
            let rounds = looped(keys.bars).map { harmonizer.hear(chroma: $0, bass: bass, grid: grid, played: chroma) }
            var plain = harmonizer
            plain.qualities = lineQualities
            let segments = plain.harmonize(rounds ?? line, keys: keys.bars, inContext: true).segments
            return Reading(
                grid: grid, bars: bars, key: keys.key, keyCorrelation: keys.correlation, keyMargin: keys.margin, barKeys: keys.bars,
                segments: segments, groove: groove, proposed: false)
        }
        var segments = chordAnalyzer.segments(chroma: heard, bass: bass, grid: grid, keys: keys.bars)
        let confirmed = keyFinder.confirm(keys, histograms: histograms, segments: segments, declared: declared, cues: cues)
        // Heard again in the key confirmed, and where the harmony loops, every round speaking for its chords.
        let rounds = looped(confirmed.bars)
        if confirmed.key != keys.key || rounds != nil {
            keys = confirmed
            segments = chordAnalyzer.segments(chroma: rounds ?? heard, bass: bass, grid: grid, keys: keys.bars)
        }
        return Reading(
            grid: grid, bars: bars, key: keys.key, keyCorrelation: keys.correlation, keyMargin: keys.margin, barKeys: keys.bars,
            segments: segments, groove: groove, proposed: false)
    }

    /// The share of the time some note sounds (before `end`) during which two or more notes sound
    /// together: 0 for a single line, near 1 for chords.
    public static func polyphony(_ tracks: [[Note]], end: Int) -> Double {
        var events: [(tick: Int, change: Int)] = []
        for track in tracks {
            for note in track where note.tick < end && note.duration > 0 {
                events.append((note.tick, 1))
                events.append((min(end, note.tick + note.duration), -1))
            }
        }
        events.sort { $0.tick != $1.tick ? $0.tick < $1.tick : $0.change < $1.change }
        var sounding = 0, last = 0, some = 0, several = 0
        for event in events {
            let span = event.tick - last
            if sounding >= 1 { some += span }
            if sounding >= 2 { several += span }
            sounding += event.change
            last = event.tick
        }
        return some > 0 ? Double(several) / Double(some) : 0
    }

    /// Jams loop: a progression of four bars often comes round again. When the bars four apart sound
    /// more alike than neighbouring bars do (the harmony repeats), each beat also hears, at up to
    /// `weight`, the same beat in the loop's other four-bar phrases, so that two melodies over one
    /// chord pool what they say about it.
    static func pooled(_ chroma: [[Double]], beatsPerBar: Int, bars: Int, weight: Double) -> [[Double]] {
        guard weight > 0, bars >= 8, bars % 4 == 0 else { return chroma }
        var barChroma = [[Double]](repeating: [Double](repeating: 0, count: 12), count: bars)
        for (beat, weights) in chroma.enumerated() { for pc in 0..<12 { barChroma[beat / beatsPerBar][pc] += weights[pc] } }
        func similarity(lag: Int) -> Double {
            var sum = 0.0
            for bar in 0..<(bars - lag) {
                let a = barChroma[bar], b = barChroma[bar + lag]
                let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
                let norms = (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
                sum += norms > 0 ? dot / norms : 0
            }
            return sum / Double(bars - lag)
        }
        let repetition = similarity(lag: 4) - (similarity(lag: 1) + similarity(lag: 2) + similarity(lag: 3)) / 3
        let share = weight * min(1, max(0, repetition / 0.15))
        guard share > 0 else { return chroma }
        return HarmonicLoop.pooled(chroma, period: 4 * beatsPerBar, share: share)
    }
}
